/**
 * Products, product APIs, product groups and the link resources of apimproducts.json, driven
 * through Microsoft's own management SDK (`@azure/arm-apimanagement`) against a real server on each
 * backend. APIs are inserted straight into the `apis` table (the APIs routes are separate work).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiManagementClient, ProductContract } from '@azure/arm-apimanagement';
import { BACKENDS, RESOURCE_GROUP as RG, SERVICE_NAME as SVC, SUBSCRIPTION_ID, startServer, type TestServer } from '../helpers/server.js';
import { captureResponse, collect, createAzureClient, expectStatus } from '../helpers/azure-client.js';
import { seed } from '../../src/services/seed.js';
import { systemClock } from '../../src/domain/clock.js';

describe.each(BACKENDS)('Azure SDK: products (%s)', (backend) => {
  let server: TestServer;
  let client: ApiManagementClient;

  const serviceId = () => `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${RG}/providers/Microsoft.ApiManagement/service/${SVC}`;
  const names = (items: { name?: string }[]) => items.map((i) => i.name);

  const createProduct = (id: string, body: ProductContract = {}) =>
    client.product.createOrUpdate(RG, SVC, id, { displayName: `Product ${id}`, ...body });

  async function insertApi(id: string, path = `path-${id}`): Promise<void> {
    await server.app.database.db
      .insertInto('apis')
      .values({
        id,
        display_name: `API ${id}`,
        description: 'An API',
        path,
        service_url: `https://backend.example.com/${id}`,
        protocols: JSON.stringify(['http', 'https']),
        subscription_required: 1,
        key_header: 'Ocp-Apim-Subscription-Key',
        key_query: 'subscription-key',
        api_type: 'http',
        etag: 'apietag',
        created_at: new Date().toISOString(),
      })
      .execute();
  }

  beforeAll(async () => {
    server = await startServer(backend);
    client = createAzureClient(server);
    await seed(server.app.store, systemClock);
  });

  afterAll(async () => {
    await server?.close();
  });

  describe('product', () => {
    it('createOrUpdate creates (201) then updates (200); get and getEntityTag agree', async () => {
      const first = captureResponse();
      const created = await client.product.createOrUpdate(RG, SVC, 'sdkp-create', { displayName: 'Created', description: 'desc' }, { onResponse: first.onResponse });
      expect(first.captured.status).toBe(201);
      expect(created.id).toBe(`${serviceId()}/products/sdkp-create`);
      expect(created.name).toBe('sdkp-create');
      expect(created.type).toBe('Microsoft.ApiManagement/service/products');
      expect(created.displayName).toBe('Created');
      expect(created.description).toBe('desc');
      expect(created.subscriptionRequired).toBe(true);
      expect(created.approvalRequired).toBe(false);
      expect(created.subscriptionsLimit).toBeUndefined();
      expect(created.state).toBe('notPublished');
      expect(created.eTag).toBeTruthy();

      const second = captureResponse();
      const updated = await client.product.createOrUpdate(
        RG,
        SVC,
        'sdkp-create',
        { displayName: 'Updated', state: 'published', approvalRequired: true, subscriptionsLimit: 2, terms: 'Terms' },
        { onResponse: second.onResponse },
      );
      expect(second.captured.status).toBe(200);
      expect(updated).toMatchObject({ displayName: 'Updated', description: 'desc', state: 'published', approvalRequired: true, subscriptionsLimit: 2, terms: 'Terms' });
      expect(updated.eTag).not.toBe(created.eTag);

      const got = await client.product.get(RG, SVC, 'sdkp-create');
      expect(got.eTag).toBe(updated.eTag);
      expect(got.displayName).toBe('Updated');
      expect((await client.product.getEntityTag(RG, SVC, 'sdkp-create')).eTag).toBe(updated.eTag);
    });

    it('honours If-Match on createOrUpdate; a missing product is 404', async () => {
      const created = await createProduct('sdkp-etag');
      await createProduct('sdkp-etag', { displayName: 'Two' });
      await expectStatus(client.product.createOrUpdate(RG, SVC, 'sdkp-etag', { displayName: 'Stale' }, { ifMatch: created.eTag! }), 412);
      await expectStatus(client.product.get(RG, SVC, 'sdkp-none'), 404);
      await expectStatus(client.product.getEntityTag(RG, SVC, 'sdkp-none'), 404);
    });

    it('refuses a product without displayName, or with approval on an open product (400)', async () => {
      await expectStatus(client.product.createOrUpdate(RG, SVC, 'sdkp-bad', { description: 'x' }), 400);
      await expectStatus(client.product.createOrUpdate(RG, SVC, 'sdkp-bad', { displayName: 'x', subscriptionRequired: false, approvalRequired: true }), 400);
      await expectStatus(client.product.createOrUpdate(RG, SVC, 'sdkp-bad', { displayName: 'x', subscriptionRequired: false, subscriptionsLimit: 1 }), 400);
      await expectStatus(client.product.get(RG, SVC, 'sdkp-bad'), 404);
    });

    it('update needs a matching ETag', async () => {
      const created = await createProduct('sdkp-update');
      const updated = await client.product.update(RG, SVC, 'sdkp-update', created.eTag!, { state: 'published' });
      expect(updated.state).toBe('published');
      expect(updated.displayName).toBe('Product sdkp-update');
      await expectStatus(client.product.update(RG, SVC, 'sdkp-update', created.eTag!, { displayName: 'Stale' }), 412);
      expect((await client.product.update(RG, SVC, 'sdkp-update', '*', { displayName: 'Star' })).displayName).toBe('Star');
    });

    it('delete: 200, then 204; deleteSubscriptions is sent as a query parameter', async () => {
      const created = await createProduct('sdkp-delete');
      const first = captureResponse();
      await client.product.delete(RG, SVC, 'sdkp-delete', created.eTag!, { deleteSubscriptions: true, onResponse: first.onResponse });
      expect(first.captured.status).toBe(200);
      await expectStatus(client.product.get(RG, SVC, 'sdkp-delete'), 404);
      const second = captureResponse();
      await client.product.delete(RG, SVC, 'sdkp-delete', '*', { onResponse: second.onResponse });
      expect(second.captured.status).toBe(204);
    });

    it('listByService filters, pages and expands groups', async () => {
      await createProduct('sdkl-a', { displayName: 'List A', state: 'published' });
      await createProduct('sdkl-b', { displayName: 'List B' });
      await createProduct('sdkl-c', { displayName: 'Other C', state: 'published' });
      expect(names(await collect(client.product.listByService(RG, SVC, { filter: "startswith(name,'sdkl-')" })))).toEqual(['sdkl-a', 'sdkl-b', 'sdkl-c']);
      expect(names(await collect(client.product.listByService(RG, SVC, { filter: "startswith(name,'sdkl-') and state eq 'published'" })))).toEqual([
        'sdkl-a',
        'sdkl-c',
      ]);
      expect(names(await collect(client.product.listByService(RG, SVC, { filter: "contains(displayName,'list')" })))).toEqual(['sdkl-a', 'sdkl-b']);
      // The pager follows nextLink across pages of one.
      expect(names(await collect(client.product.listByService(RG, SVC, { filter: "startswith(name,'sdkl-')", top: 1 })))).toEqual([
        'sdkl-a',
        'sdkl-b',
        'sdkl-c',
      ]);
      const expanded = await collect(client.product.listByService(RG, SVC, { filter: "name eq 'starter'", expandGroups: true }));
      expect(names(expanded)).toEqual(['starter']);
      await expectStatus(collect(client.product.listByService(RG, SVC, { filter: "nope eq 'x'" })), 400);
      await expectStatus(collect(client.product.listByService(RG, SVC, { tags: 'gold' })), 400);
    });

    it('the seeded starter and unlimited products', async () => {
      const starter = await client.product.get(RG, SVC, 'starter');
      expect(starter).toMatchObject({ displayName: 'Starter', subscriptionRequired: true, approvalRequired: false, subscriptionsLimit: 1, state: 'published' });
      const unlimited = await client.product.get(RG, SVC, 'unlimited');
      expect(unlimited).toMatchObject({ displayName: 'Unlimited', subscriptionRequired: true, approvalRequired: true, subscriptionsLimit: 1, state: 'published' });
      expect(names(await collect(client.productGroup.listByProduct(RG, SVC, 'starter')))).toEqual(['administrators', 'developers', 'guests']);
    });
  });

  describe('productApi', () => {
    it('createOrUpdate, checkEntityExists, listByProduct, delete', async () => {
      await createProduct('sdkpa');
      await insertApi('sdkpa-echo', 'sdk-echo');
      await insertApi('sdkpa-calc', 'sdk-calc');
      const first = captureResponse();
      const api = await client.productApi.createOrUpdate(RG, SVC, 'sdkpa', 'sdkpa-echo', { onResponse: first.onResponse });
      expect(first.captured.status).toBe(201);
      expect(api.id).toBe(`${serviceId()}/apis/sdkpa-echo`);
      expect(api.name).toBe('sdkpa-echo');
      expect(api.displayName).toBe('API sdkpa-echo');
      expect(api.path).toBe('sdk-echo');
      expect(api.protocols).toEqual(['http', 'https']);
      expect(api.subscriptionKeyParameterNames).toEqual({ header: 'Ocp-Apim-Subscription-Key', query: 'subscription-key' });
      expect(api.isCurrent).toBe(true);
      expect(api.apiRevision).toBe('1');
      expect(api.apiType).toBe('http');
      const second = captureResponse();
      await client.productApi.createOrUpdate(RG, SVC, 'sdkpa', 'sdkpa-echo', { onResponse: second.onResponse });
      expect(second.captured.status).toBe(200);
      await client.productApi.createOrUpdate(RG, SVC, 'sdkpa', 'sdkpa-calc');

      expect((await client.productApi.checkEntityExists(RG, SVC, 'sdkpa', 'sdkpa-echo')).body).toBe(true);
      await expectStatus(client.productApi.checkEntityExists(RG, SVC, 'sdkpa', 'sdkpa-none'), 404);
      expect(names(await collect(client.productApi.listByProduct(RG, SVC, 'sdkpa')))).toEqual(['sdkpa-calc', 'sdkpa-echo']);
      expect(names(await collect(client.productApi.listByProduct(RG, SVC, 'sdkpa', { filter: "path eq 'sdk-echo'" })))).toEqual(['sdkpa-echo']);

      await client.productApi.delete(RG, SVC, 'sdkpa', 'sdkpa-echo');
      await expectStatus(client.productApi.checkEntityExists(RG, SVC, 'sdkpa', 'sdkpa-echo'), 404);
      await client.productApi.delete(RG, SVC, 'sdkpa', 'sdkpa-echo');
      await expectStatus(client.productApi.createOrUpdate(RG, SVC, 'sdkpa', 'sdkpa-none'), 404);
      await expectStatus(client.productApi.createOrUpdate(RG, SVC, 'sdkpa-none', 'sdkpa-calc'), 404);
    });
  });

  describe('productGroup', () => {
    it('createOrUpdate, checkEntityExists, listByProduct, delete', async () => {
      await createProduct('sdkpg');
      await client.group.createOrUpdate(RG, SVC, 'sdkpg-group', { displayName: 'SDK group' });
      const first = captureResponse();
      const group = await client.productGroup.createOrUpdate(RG, SVC, 'sdkpg', 'sdkpg-group', { onResponse: first.onResponse });
      expect(first.captured.status).toBe(201);
      expect(group.id).toBe(`${serviceId()}/groups/sdkpg-group`);
      expect(group.type).toBe('Microsoft.ApiManagement/service/products/groups');
      expect(group.displayName).toBe('SDK group');
      expect(group.builtIn).toBe(false);
      expect(group.typePropertiesType).toBe('custom');
      const second = captureResponse();
      await client.productGroup.createOrUpdate(RG, SVC, 'sdkpg', 'sdkpg-group', { onResponse: second.onResponse });
      expect(second.captured.status).toBe(200);
      await client.productGroup.createOrUpdate(RG, SVC, 'sdkpg', 'developers');

      expect((await client.productGroup.checkEntityExists(RG, SVC, 'sdkpg', 'developers')).body).toBe(true);
      await expectStatus(client.productGroup.checkEntityExists(RG, SVC, 'sdkpg', 'guests'), 404);
      expect(names(await collect(client.productGroup.listByProduct(RG, SVC, 'sdkpg')))).toEqual(['developers', 'sdkpg-group']);
      expect(names(await collect(client.productGroup.listByProduct(RG, SVC, 'sdkpg', { filter: "displayName eq 'Developers'" })))).toEqual(['developers']);
      await client.productGroup.delete(RG, SVC, 'sdkpg', 'developers');
      await expectStatus(client.productGroup.checkEntityExists(RG, SVC, 'sdkpg', 'developers'), 404);
      await expectStatus(client.productGroup.createOrUpdate(RG, SVC, 'sdkpg', 'sdkpg-none'), 404);
    });
  });

  describe('productApiLink and productGroupLink', () => {
    it('apiLinks map onto the product APIs', async () => {
      await createProduct('sdkal');
      await insertApi('sdkal-api', 'sdk-al');
      const apiId = `${serviceId()}/apis/sdkal-api`;
      const first = captureResponse();
      const link = await client.productApiLink.createOrUpdate(RG, SVC, 'sdkal', 'sdkal-api', { apiId }, { onResponse: first.onResponse });
      expect(first.captured.status).toBe(201);
      expect(link).toMatchObject({
        id: `${serviceId()}/products/sdkal/apiLinks/sdkal-api`,
        name: 'sdkal-api',
        type: 'Microsoft.ApiManagement/service/products/apiLinks',
        apiId,
      });
      expect((await client.productApi.checkEntityExists(RG, SVC, 'sdkal', 'sdkal-api')).body).toBe(true);
      expect((await client.productApiLink.get(RG, SVC, 'sdkal', 'sdkal-api')).apiId).toBe(apiId);
      const listed = await collect(client.productApiLink.listByProduct(RG, SVC, 'sdkal'));
      expect(listed.map((l) => l.apiId)).toEqual([apiId]);
      expect(await collect(client.productApiLink.listByProduct(RG, SVC, 'sdkal', { filter: `apiId eq '${apiId}'` }))).toHaveLength(1);
      await client.productApiLink.delete(RG, SVC, 'sdkal', 'sdkal-api');
      await expectStatus(client.productApiLink.get(RG, SVC, 'sdkal', 'sdkal-api'), 404);
      await expectStatus(client.productApi.checkEntityExists(RG, SVC, 'sdkal', 'sdkal-api'), 404);
    });

    it('groupLinks map onto the product groups', async () => {
      await createProduct('sdkgl');
      const groupId = `${serviceId()}/groups/guests`;
      const link = await client.productGroupLink.createOrUpdate(RG, SVC, 'sdkgl', 'guests', { groupId });
      expect(link).toMatchObject({ name: 'guests', type: 'Microsoft.ApiManagement/service/products/groupLinks', groupId });
      expect((await client.productGroup.checkEntityExists(RG, SVC, 'sdkgl', 'guests')).body).toBe(true);
      expect((await client.productGroupLink.get(RG, SVC, 'sdkgl', 'guests')).groupId).toBe(groupId);
      expect((await collect(client.productGroupLink.listByProduct(RG, SVC, 'sdkgl'))).map((l) => l.groupId)).toEqual([groupId]);
      await client.productGroupLink.delete(RG, SVC, 'sdkgl', 'guests');
      await expectStatus(client.productGroup.checkEntityExists(RG, SVC, 'sdkgl', 'guests'), 404);
      await expectStatus(client.productGroupLink.createOrUpdate(RG, SVC, 'sdkgl', 'x', { groupId: `${serviceId()}/groups/none` }), 404);
    });
  });

  describe('productSubscriptions', () => {
    it('lists (empty for a new product); 404 for a missing product', async () => {
      await createProduct('sdkps');
      expect(await collect(client.productSubscriptions.list(RG, SVC, 'sdkps'))).toEqual([]);
      await expectStatus(collect(client.productSubscriptions.list(RG, SVC, 'sdkps-none')), 404);
    });
  });
});
