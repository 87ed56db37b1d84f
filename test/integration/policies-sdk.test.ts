/**
 * Policies at each scope, named values and quota counters driven through Microsoft's own
 * management SDK (`@azure/arm-apimanagement`) against a real server on each backend: what a user
 * of the Azure tooling does, end to end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiManagementClient } from '@azure/arm-apimanagement';
import { BACKENDS, RESOURCE_GROUP as RG, SERVICE_NAME as SVC, SUBSCRIPTION_ID, startServer, type TestServer } from '../helpers/server.js';
import { captureResponse, collect, createAzureClient, expectStatus } from '../helpers/azure-client.js';
import { DEFAULT_GLOBAL_POLICY_XML } from '../../src/domain/policy/defaults.js';

const DOC = '<policies>\n  <inbound>\n    <base />\n    <set-header name="X-Sdk" exists-action="override">\n      <value>{{sdk-header}}</value>\n    </set-header>\n  </inbound>\n  <backend>\n    <base />\n  </backend>\n  <outbound>\n    <base />\n  </outbound>\n</policies>';
const GLOBAL_DOC = '<policies>\n  <inbound />\n  <backend>\n    <forward-request />\n  </backend>\n  <outbound />\n</policies>';

describe.each(BACKENDS)('Azure SDK: policies, named values, quotas (%s)', (backend) => {
  let server: TestServer;
  let client: ApiManagementClient;
  const serviceId = `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${RG}/providers/Microsoft.ApiManagement/service/${SVC}`;

  beforeAll(async () => {
    server = await startServer(backend);
    client = createAzureClient(server);
    await client.product.createOrUpdate(RG, SVC, 'sdk-product', { displayName: 'SDK product' });
    await client.api.beginCreateOrUpdateAndWait(RG, SVC, 'sdk-api', { path: 'sdk-api', displayName: 'SDK API', serviceUrl: 'https://backend.example.com' });
    await client.apiOperation.createOrUpdate(RG, SVC, 'sdk-api', 'sdk-op', { displayName: 'Op', method: 'GET', urlTemplate: '/op' });
    await client.namedValue.beginCreateOrUpdateAndWait(RG, SVC, 'sdk-header-id', { displayName: 'sdk-header', value: 'from-a-named-value' });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('global: reads Azure’s default, replaces it, deletes it', async () => {
    const seeded = await client.policy.get(RG, SVC, 'policy');
    expect(seeded.value).toBe(DEFAULT_GLOBAL_POLICY_XML);
    expect(seeded.id).toBe(`${serviceId}/policies/policy`);
    const tag = await client.policy.getEntityTag(RG, SVC, 'policy');
    expect(tag.eTag).toBeTruthy();
    const seen = captureResponse();
    const put = await client.policy.createOrUpdate(RG, SVC, 'policy', { value: GLOBAL_DOC, format: 'xml' }, { ifMatch: tag.eTag!, onResponse: seen.onResponse });
    expect(seen.captured.status).toBe(200);
    expect(put.value).toBe(GLOBAL_DOC);
    expect((await collect(client.policy.listByService(RG, SVC))).map((p) => p.value)).toEqual([GLOBAL_DOC]);
    await client.policy.delete(RG, SVC, 'policy', '*');
    await expectStatus(client.policy.get(RG, SVC, 'policy'), 404);
    const created = captureResponse();
    await client.policy.createOrUpdate(RG, SVC, 'policy', { value: DEFAULT_GLOBAL_POLICY_XML }, { onResponse: created.onResponse });
    expect(created.captured.status).toBe(201);
  });

  it('product: sets, reads (also as rawxml), lists and deletes', async () => {
    const seen = captureResponse();
    const put = await client.productPolicy.createOrUpdate(RG, SVC, 'sdk-product', 'policy', { value: DOC, format: 'xml' }, { onResponse: seen.onResponse });
    expect(seen.captured.status).toBe(201);
    expect(put.id).toBe(`${serviceId}/products/sdk-product/policies/policy`);
    expect((await client.productPolicy.get(RG, SVC, 'sdk-product', 'policy')).value).toBe(DOC);
    const raw = await client.productPolicy.get(RG, SVC, 'sdk-product', 'policy', { format: 'rawxml' });
    expect(raw.format).toBe('rawxml');
    expect(raw.value).toBe(DOC);
    const tag = await client.productPolicy.getEntityTag(RG, SVC, 'sdk-product', 'policy');
    expect((await collect(client.productPolicy.listByProduct(RG, SVC, 'sdk-product'))).map((p) => p.name)).toEqual(['policy']);
    await expectStatus(client.productPolicy.delete(RG, SVC, 'sdk-product', 'policy', '"stale"'), 412);
    await client.productPolicy.delete(RG, SVC, 'sdk-product', 'policy', tag.eTag!);
    await expectStatus(client.productPolicy.get(RG, SVC, 'sdk-product', 'policy'), 404);
    await expectStatus(client.productPolicy.get(RG, SVC, 'no-such-product', 'policy'), 404);
  });

  it('API: sets, reads, lists and deletes; invalid documents are refused with where they are wrong', async () => {
    await client.apiPolicy.createOrUpdate(RG, SVC, 'sdk-api', 'policy', { value: DOC });
    // ApiPolicy_Get is marked XML in the SDK, which then drops the value of the JSON answer (against
    // Azure too: Azure/azure-sdk-for-js#31566), so the answer is read as it came.
    const seen = captureResponse();
    const got = await client.apiPolicy.get(RG, SVC, 'sdk-api', 'policy', { onResponse: seen.onResponse });
    expect(seen.captured.status).toBe(200);
    expect(JSON.parse(seen.captured.body!).properties.value).toBe(DOC);
    expect(got.eTag).toBe(seen.captured.headers.etag);
    expect((await client.apiPolicy.listByApi(RG, SVC, 'sdk-api')).value?.map((p) => p.value)).toEqual([DOC]);
    expect((await client.apiPolicy.getEntityTag(RG, SVC, 'sdk-api', 'policy')).eTag).toBeTruthy();
    const refused = await expectStatus(client.apiPolicy.createOrUpdate(RG, SVC, 'sdk-api', 'policy', { value: '<policies>\n  <inbound>\n    <no-such-policy />\n  </inbound>\n</policies>' }), 400);
    expect(refused.code).toBe('ValidationError');
    expect(refused.message).toBeTruthy();
    const link = await expectStatus(client.apiPolicy.createOrUpdate(RG, SVC, 'sdk-api', 'policy', { value: 'https://example.com/policy.xml', format: 'xml-link' }), 400);
    expect(link.code).toBe('FeatureNotSupported');
    await client.apiPolicy.delete(RG, SVC, 'sdk-api', 'policy', '*');
    expect((await client.apiPolicy.listByApi(RG, SVC, 'sdk-api')).value).toEqual([]);
  });

  it('operation: sets, reads, lists and deletes', async () => {
    await client.apiOperationPolicy.createOrUpdate(RG, SVC, 'sdk-api', 'sdk-op', 'policy', { value: DOC });
    const got = await client.apiOperationPolicy.get(RG, SVC, 'sdk-api', 'sdk-op', 'policy');
    expect(got.value).toBe(DOC);
    expect(got.type).toBe('Microsoft.ApiManagement/service/apis/operations/policies');
    expect((await client.apiOperationPolicy.listByOperation(RG, SVC, 'sdk-api', 'sdk-op')).value).toHaveLength(1);
    const tag = await client.apiOperationPolicy.getEntityTag(RG, SVC, 'sdk-api', 'sdk-op', 'policy');
    await client.apiOperationPolicy.delete(RG, SVC, 'sdk-api', 'sdk-op', 'policy', tag.eTag!);
    await expectStatus(client.apiOperationPolicy.get(RG, SVC, 'sdk-api', 'sdk-op', 'policy'), 404);
    await expectStatus(client.apiOperationPolicy.get(RG, SVC, 'sdk-api', 'no-such-op', 'policy'), 404);
  });

  it('named values: create, read, list, update, listValue, delete; a secret stays hidden', async () => {
    const created = await client.namedValue.beginCreateOrUpdateAndWait(RG, SVC, 'sdk-secret', { displayName: 'sdk-secret', value: 's3cr3t', secret: true, tags: ['sdk'] });
    expect(created.secret).toBe(true);
    expect(created.value).toBeUndefined();
    const got = await client.namedValue.get(RG, SVC, 'sdk-secret');
    expect(got).toMatchObject({ displayName: 'sdk-secret', secret: true, tags: ['sdk'] });
    expect(got.value).toBeUndefined();
    expect((await client.namedValue.listValue(RG, SVC, 'sdk-secret')).value).toBe('s3cr3t');
    const tag = await client.namedValue.getEntityTag(RG, SVC, 'sdk-secret');
    const updated = await client.namedValue.beginUpdateAndWait(RG, SVC, 'sdk-secret', tag.eTag!, { value: 'n3w', secret: false });
    expect(updated.value).toBe('n3w');
    const all = await collect(client.namedValue.listByService(RG, SVC, { filter: "startswith(displayName,'sdk-')" }));
    expect(all.map((n) => n.name).sort()).toEqual(['sdk-header-id', 'sdk-secret']);
    await client.namedValue.delete(RG, SVC, 'sdk-secret', '*');
    await expectStatus(client.namedValue.get(RG, SVC, 'sdk-secret'), 404);
  });

  it('a named value a policy uses cannot be deleted', async () => {
    await client.productPolicy.createOrUpdate(RG, SVC, 'sdk-product', 'policy', { value: DOC });
    const refused = await expectStatus(client.namedValue.delete(RG, SVC, 'sdk-header-id', '*'), 400);
    expect(refused.message).toContain('/products/sdk-product');
    await client.productPolicy.delete(RG, SVC, 'sdk-product', 'policy', '*');
    await client.namedValue.delete(RG, SVC, 'sdk-header-id', '*');
  });

  it('quota counters: a key without periods, and 404 for a period it does not have', async () => {
    const list = await client.quotaByCounterKeys.listByService(RG, SVC, 'sdk-key');
    expect(list.value).toEqual([]);
    await expectStatus(client.quotaByPeriodKeys.get(RG, SVC, 'sdk-key', '0_P7D'), 404);
  });
});
