/**
 * APIs, their operations and the products that include them, driven through Microsoft's own
 * management SDK (`@azure/arm-apimanagement`), against a real server on each backend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiManagementClient } from '@azure/arm-apimanagement';
import { BACKENDS, RESOURCE_GROUP as RG, SERVICE_NAME as SVC, SUBSCRIPTION_ID, startServer, type TestServer } from '../helpers/server.js';
import { captureResponse, collect, createAzureClient, expectStatus } from '../helpers/azure-client.js';

const serviceId = `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${RG}/providers/Microsoft.ApiManagement/service/${SVC}`;

describe.each(BACKENDS)('Azure SDK: APIs (%s)', (backend) => {
  let server: TestServer;
  let client: ApiManagementClient;

  beforeAll(async () => {
    server = await startServer(backend);
    client = createAzureClient(server);
  });

  afterAll(async () => {
    await server?.close();
  });

  describe('APIs', () => {
    it('beginCreateOrUpdateAndWait creates (201) and replaces (200) without polling', async () => {
      const first = captureResponse();
      const created = await client.api.beginCreateOrUpdateAndWait(
        RG,
        SVC,
        'echo-api',
        {
          displayName: 'Echo API',
          description: 'Echoes',
          path: 'echo',
          serviceUrl: 'https://echo.example.com/api',
          protocols: ['https', 'http'],
          subscriptionKeyParameterNames: { header: 'X-Echo-Key', query: 'echo-key' },
        },
        { onResponse: first.onResponse },
      );
      expect(first.captured.status).toBe(201);
      expect(created.id).toBe(`${serviceId}/apis/echo-api`);
      expect(created.name).toBe('echo-api');
      expect(created.type).toBe('Microsoft.ApiManagement/service/apis');
      expect(created.displayName).toBe('Echo API');
      expect(created.description).toBe('Echoes');
      expect(created.path).toBe('echo');
      expect(created.serviceUrl).toBe('https://echo.example.com/api');
      expect(created.protocols).toEqual(['http', 'https']);
      expect(created.subscriptionRequired).toBe(true);
      expect(created.subscriptionKeyParameterNames).toEqual({ header: 'X-Echo-Key', query: 'echo-key' });
      expect(created.apiType).toBe('http');
      expect(created.isCurrent).toBe(true);
      expect(created.apiRevision).toBe('1');

      const second = captureResponse();
      const replaced = await client.api.beginCreateOrUpdateAndWait(
        RG,
        SVC,
        'echo-api',
        { displayName: 'Echo API v2', path: 'echo' },
        { onResponse: second.onResponse },
      );
      expect(second.captured.status).toBe(200);
      expect(replaced.displayName).toBe('Echo API v2');
      expect(replaced.description).toBe('Echoes');
    });

    it('get, getEntityTag and update with the ETag', async () => {
      const api = await client.api.get(RG, SVC, 'echo-api');
      expect(api.displayName).toBe('Echo API v2');
      const tag = await client.api.getEntityTag(RG, SVC, 'echo-api');
      expect(tag.eTag).toBeTruthy();
      expect(tag.eTag).toBe(api.eTag);
      const updated = await client.api.update(RG, SVC, 'echo-api', tag.eTag!, {
        description: 'Updated',
        subscriptionRequired: false,
      });
      expect(updated.description).toBe('Updated');
      expect(updated.subscriptionRequired).toBe(false);
      expect(updated.eTag).not.toBe(tag.eTag);
      await expectStatus(client.api.update(RG, SVC, 'echo-api', tag.eTag!, { description: 'stale' }), 412);
      await expectStatus(client.api.get(RG, SVC, 'missing-api'), 404);
      await expectStatus(client.api.getEntityTag(RG, SVC, 'missing-api'), 404);
    });

    it('refuses a duplicate path (409) and unsupported features (400)', async () => {
      await expectStatus(client.api.beginCreateOrUpdateAndWait(RG, SVC, 'echo-copy', { path: 'ECHO' }), 409);
      const imported = await expectStatus(
        client.api.beginCreateOrUpdateAndWait(RG, SVC, 'imported', { path: 'imported', format: 'wsdl', value: '<definitions/>' }),
        400,
      );
      expect(imported.message).toMatch(/not supported/);
      const soap = await expectStatus(client.api.beginCreateOrUpdateAndWait(RG, SVC, 'soap', { path: 'soap', apiType: 'soap' }), 400);
      expect(soap.message).toMatch(/not supported/);
    });

    it('listByService pages and filters', async () => {
      for (const i of [1, 2, 3]) {
        await client.api.beginCreateOrUpdateAndWait(RG, SVC, `paged-${i}`, { displayName: `Paged ${i}`, path: `paged/${i}` });
      }
      const all = await collect(client.api.listByService(RG, SVC, { top: 2 }));
      expect(all.map((a) => a.name)).toEqual(['echo-api', 'paged-1', 'paged-2', 'paged-3']);
      const filtered = await collect(client.api.listByService(RG, SVC, { filter: "startswith(path, 'paged/') and displayName ne 'Paged 2'" }));
      expect(filtered.map((a) => a.name)).toEqual(['paged-1', 'paged-3']);
    });
  });

  describe('operations', () => {
    it('createOrUpdate, get, getEntityTag, update, listByApi, delete', async () => {
      const created = await client.apiOperation.createOrUpdate(RG, SVC, 'echo-api', 'get-resource', {
        displayName: 'Get resource',
        method: 'get',
        urlTemplate: '/resource/{id}',
        description: 'Reads one',
        templateParameters: [{ name: 'id', type: 'string', required: true }],
      });
      expect(created.id).toBe(`${serviceId}/apis/echo-api/operations/get-resource`);
      expect(created.type).toBe('Microsoft.ApiManagement/service/apis/operations');
      expect(created.method).toBe('GET');
      expect(created.urlTemplate).toBe('/resource/{id}');
      expect(created.templateParameters).toEqual([{ name: 'id', type: 'string', required: true }]);

      await client.apiOperation.createOrUpdate(RG, SVC, 'echo-api', 'create-resource', {
        displayName: 'Create resource',
        method: 'POST',
        urlTemplate: '/resource',
      });
      const got = await client.apiOperation.get(RG, SVC, 'echo-api', 'get-resource');
      expect(got.description).toBe('Reads one');
      const tag = await client.apiOperation.getEntityTag(RG, SVC, 'echo-api', 'get-resource');
      expect(tag.eTag).toBe(got.eTag);
      const updated = await client.apiOperation.update(RG, SVC, 'echo-api', 'get-resource', tag.eTag!, { displayName: 'Read resource' });
      expect(updated.displayName).toBe('Read resource');
      expect(updated.method).toBe('GET');

      const list = await collect(client.apiOperation.listByApi(RG, SVC, 'echo-api'));
      expect(list.map((o) => o.name)).toEqual(['create-resource', 'get-resource']);
      const posts = await collect(client.apiOperation.listByApi(RG, SVC, 'echo-api', { filter: "method eq 'POST'" }));
      expect(posts.map((o) => o.name)).toEqual(['create-resource']);

      await expectStatus(
        client.apiOperation.createOrUpdate(RG, SVC, 'echo-api', 'bad', { displayName: 'Bad', method: 'GET', urlTemplate: 'no-slash' }),
        400,
      );
      await expectStatus(
        client.apiOperation.createOrUpdate(RG, SVC, 'echo-api', 'pol', { displayName: 'P', method: 'GET', urlTemplate: '/p', policies: '<policies/>' }),
        400,
      );
      await expectStatus(client.apiOperation.get(RG, SVC, 'missing-api', 'get-resource'), 404);

      await client.apiOperation.delete(RG, SVC, 'echo-api', 'create-resource', '*');
      await expectStatus(client.apiOperation.get(RG, SVC, 'echo-api', 'create-resource'), 404);
    });
  });

  describe('products of an API', () => {
    it('apiProduct.listByApis lists the products that include the API', async () => {
      const db = server.app.database.db;
      const now = new Date().toISOString();
      await db
        .insertInto('products')
        .values(
          ['ap-basic', 'ap-premium'].map((id) => ({
            id,
            display_name: id === 'ap-basic' ? 'Basic' : 'Premium',
            description: null,
            terms: id === 'ap-basic' ? 'Be nice' : null,
            subscription_required: 1,
            approval_required: id === 'ap-premium' ? 1 : 0,
            subscriptions_limit: id === 'ap-basic' ? 1 : null,
            state: 'published' as const,
            etag: 'e',
            created_at: now,
          })),
        )
        .execute();
      await db
        .insertInto('product_apis')
        .values([
          { product_id: 'ap-basic', api_id: 'echo-api' },
          { product_id: 'ap-premium', api_id: 'echo-api' },
          { product_id: 'ap-premium', api_id: 'paged-1' },
        ])
        .execute();
      const products = await collect(client.apiProduct.listByApis(RG, SVC, 'echo-api'));
      expect(products.map((p) => p.name)).toEqual(['ap-basic', 'ap-premium']);
      const basic = products[0]!;
      expect(basic.id).toBe(`${serviceId}/products/ap-basic`);
      expect(basic.displayName).toBe('Basic');
      expect(basic.terms).toBe('Be nice');
      expect(basic.subscriptionsLimit).toBe(1);
      expect(basic.approvalRequired).toBe(false);
      expect(basic.state).toBe('published');
      expect(products[1]!.subscriptionsLimit).toBeUndefined();
      const filtered = await collect(client.apiProduct.listByApis(RG, SVC, 'echo-api', { filter: "displayName eq 'premium'" }));
      expect(filtered.map((p) => p.name)).toEqual(['ap-premium']);
      await expectStatus(collect(client.apiProduct.listByApis(RG, SVC, 'missing-api')), 404);
    });
  });

  describe('delete', () => {
    it('beginDeleteAndWait deletes the API and its operations; deleting again succeeds (204)', async () => {
      const api = await client.api.get(RG, SVC, 'echo-api');
      const first = captureResponse();
      await client.api.beginDeleteAndWait(RG, SVC, 'echo-api', api.eTag!, { onResponse: first.onResponse });
      expect(first.captured.status).toBe(200);
      await expectStatus(client.api.get(RG, SVC, 'echo-api'), 404);
      await expectStatus(collect(client.apiOperation.listByApi(RG, SVC, 'echo-api')), 404);
      const second = captureResponse();
      await client.api.beginDeleteAndWait(RG, SVC, 'echo-api', '*', { onResponse: second.onResponse });
      expect(second.captured.status).toBe(204);
      const remaining = await collect(client.apiProduct.listByApis(RG, SVC, 'paged-1'));
      expect(remaining.map((p) => p.name)).toEqual(['ap-premium']);
    });
  });
});
