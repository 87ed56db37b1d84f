/**
 * Every subscription operation of apimsubscriptions.json, and UserSubscription list/get, driven
 * through Microsoft's own management SDK (`@azure/arm-apimanagement`), on each backend. Products
 * and APIs are inserted straight into their tables.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiManagementClient } from '@azure/arm-apimanagement';
import { BACKENDS, RESOURCE_GROUP as RG, SERVICE_NAME as SVC, SUBSCRIPTION_ID, startServer, type TestServer } from '../helpers/server.js';
import { captureResponse, collect, createAzureClient, expectStatus, recordResponses } from '../helpers/azure-client.js';

describe.each(BACKENDS)('Azure SDK: subscriptions (%s)', (backend) => {
  let server: TestServer;
  let client: ApiManagementClient;
  let record: { bodies: string[]; headers: string[] };
  const serviceId = `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${RG}/providers/Microsoft.ApiManagement/service/${SVC}`;

  beforeAll(async () => {
    server = await startServer(backend);
    client = createAzureClient(server);
    record = recordResponses(client);
    const db = server.app.database.db;
    const now = new Date().toISOString();
    for (const [id, approval] of [
      ['starter', 0],
      ['unlimited', 1],
    ] as const) {
      await db
        .insertInto('products')
        .values({
          id,
          display_name: id,
          description: null,
          terms: null,
          subscription_required: 1,
          approval_required: approval,
          subscriptions_limit: null,
          state: 'published',
          etag: 'e',
          created_at: now,
        })
        // The seeded starter and unlimited products are replaced by these test settings (no limit).
        .onConflict((oc) => oc.column('id').doUpdateSet({ approval_required: approval, subscriptions_limit: null }))
        .execute();
    }
    await client.user.createOrUpdate(RG, SVC, 'sdkuser', { email: 'sdkuser@example.com', firstName: 'Sdk', lastName: 'User' });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('createOrUpdate (201, then 200), get, getEntityTag', async () => {
    const first = captureResponse();
    const created = await client.subscription.createOrUpdate(
      RG,
      SVC,
      'sdk1',
      { ownerId: '/users/sdkuser', scope: '/products/starter', displayName: 'SDK one' },
      { onResponse: first.onResponse },
    );
    expect(first.captured.status).toBe(201);
    expect(created).toMatchObject({
      id: `${serviceId}/subscriptions/sdk1`,
      name: 'sdk1',
      type: 'Microsoft.ApiManagement/service/subscriptions',
      ownerId: `${serviceId}/users/sdkuser`,
      scope: `${serviceId}/products/starter`,
      displayName: 'SDK one',
      state: 'active',
    });
    expect(created.createdDate).toBeInstanceOf(Date);
    expect(created.startDate).toBeInstanceOf(Date);
    expect(created.primaryKey).toBeUndefined();
    expect(created.secondaryKey).toBeUndefined();
    expect(created.eTag).toBeTruthy();

    const second = captureResponse();
    await client.subscription.createOrUpdate(
      RG,
      SVC,
      'sdk1',
      { ownerId: '/users/sdkuser', scope: '/products/starter', displayName: 'SDK one' },
      { onResponse: second.onResponse },
    );
    expect(second.captured.status).toBe(200);

    const got = await client.subscription.get(RG, SVC, 'sdk1');
    expect(got.displayName).toBe('SDK one');
    expect(got.primaryKey).toBeUndefined();
    expect((await client.subscription.getEntityTag(RG, SVC, 'sdk1')).eTag).toBe(got.eTag);
    await expectStatus(client.subscription.get(RG, SVC, 'missing'), 404);
  });

  it('approval: a product that needs approval starts submitted', async () => {
    const s = await client.subscription.createOrUpdate(RG, SVC, 'sdk2', {
      ownerId: `${serviceId}/users/sdkuser`,
      scope: `${serviceId}/products/unlimited`,
      displayName: 'SDK two',
    });
    expect(s.state).toBe('submitted');
    const approved = await client.subscription.update(RG, SVC, 'sdk2', s.eTag!, { state: 'active' }, { notify: true });
    expect(approved.state).toBe('active');
    await expectStatus(client.subscription.update(RG, SVC, 'sdk2', '*', { state: 'submitted' }), 400);
    await expectStatus(client.subscription.update(RG, SVC, 'sdk2', '"stale"', { displayName: 'x' }), 412);
  });

  it('listSecrets and regenerate keys', async () => {
    const before = await client.subscription.listSecrets(RG, SVC, 'sdk1');
    expect(before.primaryKey).toMatch(/^[0-9a-f]{64}$/);
    expect(before.secondaryKey).toMatch(/^[0-9a-f]{64}$/);
    expect(before.eTag).toBeTruthy();
    await client.subscription.regeneratePrimaryKey(RG, SVC, 'sdk1');
    const mid = await client.subscription.listSecrets(RG, SVC, 'sdk1');
    expect(mid.primaryKey).not.toBe(before.primaryKey);
    expect(mid.secondaryKey).toBe(before.secondaryKey);
    await client.subscription.regenerateSecondaryKey(RG, SVC, 'sdk1');
    const after = await client.subscription.listSecrets(RG, SVC, 'sdk1');
    expect(after.secondaryKey).not.toBe(before.secondaryKey);
    expect(after.primaryKey).toBe(mid.primaryKey);
  });

  it('update sets keys, dates, comment and tracing', async () => {
    const updated = await client.subscription.update(RG, SVC, 'sdk1', '*', {
      displayName: 'Renamed',
      expirationDate: new Date('2031-05-06T07:08:09Z'),
      stateComment: 'Fine',
      allowTracing: true,
      primaryKey: 'sdk-chosen-key',
    });
    expect(updated).toMatchObject({ displayName: 'Renamed', stateComment: 'Fine', allowTracing: true });
    expect(updated.expirationDate?.toISOString()).toBe('2031-05-06T07:08:09.000Z');
    expect(updated.primaryKey).toBeUndefined();
    expect((await client.subscription.listSecrets(RG, SVC, 'sdk1')).primaryKey).toBe('sdk-chosen-key');
  });

  it('list with $filter, $top, and the user routes', async () => {
    const all = await collect(client.subscription.list(RG, SVC));
    // The built-in master subscription is there too, as in Azure.
    expect(all.map((s) => s.name).sort()).toEqual(['master', 'sdk1', 'sdk2']);
    const paged = await collect(client.subscription.list(RG, SVC, { top: 1 }));
    expect(paged.map((s) => s.name).sort()).toEqual(['master', 'sdk1', 'sdk2']);
    const filtered = await collect(client.subscription.list(RG, SVC, { filter: `productId eq 'unlimited'` }));
    expect(filtered.map((s) => s.name)).toEqual(['sdk2']);

    const mine = await collect(client.userSubscription.list(RG, SVC, 'sdkuser'));
    expect(mine.map((s) => s.name).sort()).toEqual(['sdk1', 'sdk2']);
    expect(mine[0]!.type).toBe('Microsoft.ApiManagement/service/users/subscriptions');
    expect(mine[0]!.id).toBe(`${serviceId}/users/sdkuser/subscriptions/${mine[0]!.name}`);
    const one = await client.userSubscription.get(RG, SVC, 'sdkuser', 'sdk2');
    expect(one).toMatchObject({ name: 'sdk2', ownerId: `${serviceId}/users/sdkuser`, state: 'active' });
    await expectStatus(client.userSubscription.get(RG, SVC, 'sdkuser', 'missing'), 404);
    const filteredMine = await collect(client.userSubscription.list(RG, SVC, 'sdkuser', { filter: `displayName eq 'Renamed'` }));
    expect(filteredMine.map((s) => s.name)).toEqual(['sdk1']);
  });

  it('delete requires If-Match and answers 200, then 204', async () => {
    const first = captureResponse();
    await client.subscription.delete(RG, SVC, 'sdk2', '*', { onResponse: first.onResponse });
    expect(first.captured.status).toBe(200);
    const second = captureResponse();
    await client.subscription.delete(RG, SVC, 'sdk2', '*', { onResponse: second.onResponse });
    expect(second.captured.status).toBe(204);
    await expectStatus(client.subscription.get(RG, SVC, 'sdk2'), 404);
  });

  it('no key ever appeared outside listSecrets', async () => {
    const secrets = await client.subscription.listSecrets(RG, SVC, 'sdk1');
    const keyBodies = record.bodies.filter((b) => b.includes('primaryKey'));
    // Only listSecrets answers carry keys: a body with exactly the two keys.
    for (const body of keyBodies) expect(Object.keys(JSON.parse(body)).sort()).toEqual(['primaryKey', 'secondaryKey']);
    for (const body of record.bodies.filter((b) => !b.includes('primaryKey'))) {
      expect(body).not.toContain(secrets.secondaryKey!);
      expect(body).not.toContain('sdk-chosen-key');
    }
  });
});
