/**
 * Subscriptions over raw HTTP: keys never leave except through listSecrets, keys at rest are sealed,
 * states and transitions, approval, limits, notify emails, the change feed, user DELETE with and
 * without deleteSubscriptions, the portal's use cases, and the shapes of Azure's examples.
 *
 * Products and APIs are inserted straight into their tables, so this suite does not depend on their routes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startServer, type TestResponse, type TestServer } from '../helpers/server.js';
import { compareShapes, expectAzureError, expectValidationError } from '../helpers/shape.js';
import { lookupHash } from '../../src/domain/subscription-keys.js';
import { subscriptionKeyRing } from '../../src/services/signing-keys.js';
import { seed } from '../../src/services/seed.js';
import { systemClock } from '../../src/domain/clock.js';

const TYPE = 'Microsoft.ApiManagement/service/subscriptions';
const USER_TYPE = 'Microsoft.ApiManagement/service/users/subscriptions';
const EXAMPLES = join(fileURLToPath(new URL('.', import.meta.url)), '../../test/fixtures/azure-apim-rest/2024-05-01/examples');

function example(name: string): { responses: Record<string, { body?: unknown }> } {
  for (const dir of [process.env.AZURE_APIM_REFERENCE ? join(process.env.AZURE_APIM_REFERENCE, '2024-05-01/examples') : '', EXAMPLES]) {
    if (!dir) continue;
    try {
      return JSON.parse(readFileSync(join(dir, name), 'utf8'));
    } catch {
      /* next */
    }
  }
  throw new Error(`example ${name} not found`);
}

describe.each(BACKENDS)('subscriptions over HTTP (%s)', (backend) => {
  let server: TestServer;
  let svc: string;

  const db = () => server.app.database.db;

  async function insertProduct(
    id: string,
    o: { approval?: boolean; limit?: number | null; state?: 'published' | 'notPublished'; groups?: string[]; required?: boolean } = {},
  ): Promise<void> {
    await db()
      .insertInto('products')
      .values({
        id,
        display_name: `Product ${id}`,
        description: null,
        terms: null,
        subscription_required: o.required === false ? 0 : 1,
        approval_required: o.approval ? 1 : 0,
        subscriptions_limit: o.limit ?? null,
        state: o.state ?? 'published',
        etag: 'e',
        created_at: new Date().toISOString(),
      })
      // Seeded products (starter, unlimited) take the test's settings.
      .onConflict((oc) =>
        oc.column('id').doUpdateSet({
          subscription_required: o.required === false ? 0 : 1,
          approval_required: o.approval ? 1 : 0,
          subscriptions_limit: o.limit ?? null,
          state: o.state ?? 'published',
        }),
      )
      .execute();
    for (const g of o.groups ?? []) {
      await db().insertInto('product_groups').values({ product_id: id, group_id: g }).onConflict((oc) => oc.doNothing()).execute();
    }
  }

  async function insertApi(id: string): Promise<void> {
    await db()
      .insertInto('apis')
      .values({
        id,
        display_name: `API ${id}`,
        description: null,
        path: id,
        service_url: null,
        protocols: '["https"]',
        subscription_required: 1,
        key_header: 'Ocp-Apim-Subscription-Key',
        key_query: 'subscription-key',
        api_type: 'http',
        etag: 'e',
        created_at: new Date().toISOString(),
      })
      .execute();
  }

  async function createUser(id: string): Promise<void> {
    const res = await server.request('PUT', `/users/${id}`, {
      body: { properties: { email: `${id}@example.com`, firstName: 'First', lastName: id } },
    });
    expect(res.status, res.text).toBe(201);
  }

  async function put(sid: string, properties: Record<string, unknown>, query: Record<string, string> = {}): Promise<TestResponse> {
    return server.request('PUT', `/subscriptions/${sid}`, { body: { properties }, query });
  }

  async function create(sid: string, properties: Record<string, unknown>, query: Record<string, string> = {}): Promise<TestResponse> {
    const res = await put(sid, properties, query);
    expect(res.status, res.text).toBe(201);
    return res;
  }

  async function patch(sid: string, properties: Record<string, unknown>, query: Record<string, string> = {}): Promise<TestResponse> {
    return server.request('PATCH', `/subscriptions/${sid}`, { body: { properties }, headers: { 'if-match': '*' }, query });
  }

  async function secrets(sid: string): Promise<{ primaryKey: string; secondaryKey: string }> {
    const res = await server.request('POST', `/subscriptions/${sid}/listSecrets`);
    expect(res.status, res.text).toBe(200);
    return res.json;
  }

  async function outbox(userId: string): Promise<{ template: string; params: Record<string, string> }[]> {
    const rows = await server.app.store.outbox.listOutbox(userId);
    return rows.map((r) => ({ template: r.template, params: JSON.parse(r.params) }));
  }

  async function changes(id: string): Promise<number> {
    const rows = await db().selectFrom('change_feed').select('seq').where('entity', '=', 'subscription').where('entity_id', '=', id).execute();
    return rows.length;
  }

  function expectNoKeys(res: TestResponse, ...keys: string[]): void {
    expect(res.text).not.toMatch(/primaryKey|secondaryKey/);
    for (const k of keys) expect(res.text).not.toContain(k);
  }

  beforeAll(async () => {
    server = await startServer(backend);
    svc = new URL(server.base).pathname;
    await insertProduct('starter');
    await insertProduct('gold', { approval: true, limit: 1, groups: ['developers'] });
    await insertProduct('hidden', { state: 'notPublished' });
    await insertProduct('open', { required: false, groups: ['developers'] });
    await insertApi('echo');
    for (const u of ['alice', 'bob', 'carol', 'dave', 'erin']) await createUser(u);
  });

  afterAll(async () => {
    await server?.close();
  });

  describe('create and read', () => {
    it('creates with relative ids, answers full ARM ids, never the keys', async () => {
      const res = await create('s1', { ownerId: '/users/alice', scope: '/products/starter', displayName: 'First' });
      expect(res.headers.get('etag')).toMatch(/^".+"$/);
      expect(res.json).toMatchObject({
        id: `${svc}/subscriptions/s1`,
        type: TYPE,
        name: 's1',
        properties: { ownerId: `${svc}/users/alice`, scope: `${svc}/products/starter`, displayName: 'First', state: 'active' },
      });
      expect(res.json.properties.createdDate).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(res.json.properties.startDate).toBeTruthy();
      const { primaryKey, secondaryKey } = await secrets('s1');
      expect(primaryKey).toMatch(/^[0-9a-f]{64}$/);
      expect(secondaryKey).toMatch(/^[0-9a-f]{64}$/);
      expect(primaryKey).not.toBe(secondaryKey);
      expectNoKeys(res, primaryKey, secondaryKey);

      const get = await server.request('GET', '/subscriptions/s1');
      expect(get.status).toBe(200);
      expect(get.headers.get('etag')).toBe(res.headers.get('etag'));
      expectNoKeys(get, primaryKey, secondaryKey);
      const head = await server.request('HEAD', '/subscriptions/s1');
      expect(head.status).toBe(200);
      expect(head.headers.get('etag')).toBe(res.headers.get('etag'));

      const list = await server.request('GET', '/subscriptions');
      expect(list.status).toBe(200);
      expectNoKeys(list, primaryKey, secondaryKey);
      const patched = await patch('s1', { displayName: 'Renamed' });
      expect(patched.status, patched.text).toBe(200);
      expect(patched.json.properties.displayName).toBe('Renamed');
      expectNoKeys(patched, primaryKey, secondaryKey);
      const again = await put('s1', { ownerId: '/users/alice', scope: '/products/starter', displayName: 'Again' });
      expect(again.status, again.text).toBe(200);
      expectNoKeys(again, primaryKey, secondaryKey);
    });

    it('accepts full ARM ids, given keys, API and all-API and service scopes', async () => {
      const res = await create('s-arm', {
        ownerId: `/subscriptions/x/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1/users/bob`,
        scope: `/subscriptions/x/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1/apis/echo`,
        displayName: 'Echo',
        primaryKey: 'my-own-primary-key',
        secondaryKey: 'my-own-secondary-key',
        allowTracing: false,
      });
      expect(res.json.properties).toMatchObject({ ownerId: `${svc}/users/bob`, scope: `${svc}/apis/echo`, allowTracing: false });
      expectNoKeys(res, 'my-own-primary-key');
      expect(await secrets('s-arm')).toEqual({ primaryKey: 'my-own-primary-key', secondaryKey: 'my-own-secondary-key' });
      expect((await create('s-all', { scope: '/apis', displayName: 'All' })).json.properties.scope).toBe(`${svc}/apis`);
      const service = await create('s-svc', { scope: '/', displayName: 'Service' });
      expect(service.json.properties.scope).toBe(`${svc}/`);
      expect(service.json.properties.ownerId).toBeUndefined();
    });

    it('refuses a key another subscription has (409)', async () => {
      expectAzureError(await put('s-dup', { scope: '/apis', displayName: 'Dup', primaryKey: 'my-own-primary-key' }), 409);
      expectAzureError(await put('s-dup', { scope: '/apis', displayName: 'Dup', secondaryKey: 'my-own-primary-key' }), 409);
      expect((await server.request('GET', '/subscriptions/s-dup')).status).toBe(404);
    });

    it('validates the body, the owner and the scope', async () => {
      expectValidationError(await put('bad', { scope: '/products/starter' }), 'displayName');
      expectValidationError(await put('bad', { displayName: 'x' }), 'scope');
      expectValidationError(await put('bad', { scope: '/products/starter', displayName: 'x'.repeat(101) }), 'displayName');
      expectValidationError(await put('bad', { scope: '/products/starter', displayName: 'x', primaryKey: 'k'.repeat(257) }), 'primaryKey');
      expectValidationError(await put('bad', { scope: '/products/starter', displayName: 'x', state: 'gone' }), 'state');
      expectValidationError(await put('bad', { scope: '/products/nope', displayName: 'x' }), 'scope');
      expectValidationError(await put('bad', { scope: '/apis/nope', displayName: 'x' }), 'scope');
      expectValidationError(await put('bad', { scope: '/groups/x', displayName: 'x' }), 'scope');
      expectValidationError(await put('bad', { ownerId: '/users/nobody', scope: '/apis', displayName: 'x' }), 'ownerId');
      expectValidationError(await put('bad', { ownerId: '/groups/developers', scope: '/apis', displayName: 'x' }), 'ownerId');
      expectAzureError(await server.request('GET', `/subscriptions/${'x'.repeat(257)}`), 400);
      expectAzureError(await server.request('GET', '/subscriptions/a*b'), 400);
      expectAzureError(await server.request('GET', '/subscriptions/missing'), 404);
    });

    it('lets an administrator subscribe a user to an unpublished product', async () => {
      const res = await create('s-hidden', { ownerId: '/users/alice', scope: '/products/hidden', displayName: 'Hidden' });
      expect(res.json.properties.state).toBe('active');
    });
  });

  describe('keys', () => {
    it('regenerates each key; the old lookup hash is gone', async () => {
      const ring = await subscriptionKeyRing(server.app.store);
      const before = await secrets('s1');
      const etag = (await server.request('GET', '/subscriptions/s1')).headers.get('etag');
      const changesBefore = await changes('s1');
      const r1 = await server.request('POST', '/subscriptions/s1/regeneratePrimaryKey');
      expect(r1.status, r1.text).toBe(204);
      expect(r1.text).toBe('');
      const mid = await secrets('s1');
      expect(mid.primaryKey).not.toBe(before.primaryKey);
      expect(mid.secondaryKey).toBe(before.secondaryKey);
      expect(await server.app.store.subscriptions.findByKeyLookup(lookupHash(ring, before.primaryKey))).toBeUndefined();
      expect((await server.app.store.subscriptions.findByKeyLookup(lookupHash(ring, mid.primaryKey)))?.id).toBe('s1');
      const r2 = await server.request('POST', '/subscriptions/s1/regenerateSecondaryKey');
      expect(r2.status).toBe(204);
      const after = await secrets('s1');
      expect(after.secondaryKey).not.toBe(before.secondaryKey);
      expect(after.primaryKey).toBe(mid.primaryKey);
      expect(await server.app.store.subscriptions.findByKeyLookup(lookupHash(ring, before.secondaryKey))).toBeUndefined();
      expect((await server.request('GET', '/subscriptions/s1')).headers.get('etag')).not.toBe(etag);
      expect(await changes('s1')).toBe(changesBefore + 2);
      expect((await server.request('POST', '/subscriptions/missing/regeneratePrimaryKey')).status).toBe(404);
    });

    it('listSecrets sends the ETag', async () => {
      const res = await server.request('POST', '/subscriptions/s1/listSecrets');
      expect(res.headers.get('etag')).toBe((await server.request('GET', '/subscriptions/s1')).headers.get('etag'));
      expect(Object.keys(res.json).sort()).toEqual(['primaryKey', 'secondaryKey']);
    });

    it('keeps no key in clear at rest', async () => {
      const rows = await db().selectFrom('subscriptions').selectAll().execute();
      const dump = JSON.stringify(rows);
      expect(rows.length).toBeGreaterThan(3);
      for (const row of rows) {
        const { primaryKey, secondaryKey } = await secrets(row.id);
        expect(dump).not.toContain(primaryKey);
        expect(dump).not.toContain(secondaryKey);
      }
      expect(dump).not.toContain('my-own-primary-key');
    });

    it('PATCH replaces a key', async () => {
      const res = await patch('s-arm', { primaryKey: 'replaced-primary' });
      expect(res.status, res.text).toBe(200);
      expectNoKeys(res, 'replaced-primary');
      expect((await secrets('s-arm')).primaryKey).toBe('replaced-primary');
    });
  });

  describe('states', () => {
    it('moves along legal transitions and sets the dates; an illegal one is 400', async () => {
      await create('st', { ownerId: '/users/carol', scope: '/products/starter', displayName: 'States', state: 'submitted' });
      let res = await patch('st', { state: 'suspended' });
      expectValidationError(res, 'state');
      res = await patch('st', { state: 'active' });
      expect(res.json.properties.state).toBe('active');
      expect(res.json.properties.startDate).toBeTruthy();
      res = await patch('st', { state: 'suspended', stateComment: 'Too many calls' });
      expect(res.json.properties).toMatchObject({ state: 'suspended', stateComment: 'Too many calls' });
      res = await patch('st', { state: 'expired', expirationDate: '2030-01-02T03:04:05Z' });
      expect(res.json.properties).toMatchObject({ state: 'expired', expirationDate: '2030-01-02T03:04:05.000Z' });
      expect(res.json.properties.endDate).toBeTruthy();
      res = await patch('st', { state: 'active' });
      expect(res.json.properties.endDate).toBeUndefined();
      res = await patch('st', { state: 'cancelled' });
      expect(res.json.properties.state).toBe('cancelled');
      expect(res.json.properties.endDate).toBeTruthy();
      expectValidationError(await patch('st', { state: 'active' }), 'state');
      expectValidationError(await patch('st', { expirationDate: 'tomorrow' }), 'expirationDate');
    });

    it('PATCH and DELETE require If-Match; a stale one is 412', async () => {
      expectValidationError(await server.request('PATCH', '/subscriptions/st', { body: { properties: {} } }), 'If-Match');
      expectAzureError(await server.request('PATCH', '/subscriptions/st', { body: { properties: {} }, headers: { 'if-match': '"stale"' } }), 412);
      expectValidationError(await server.request('DELETE', '/subscriptions/st'), 'If-Match');
      expectAzureError(await server.request('DELETE', '/subscriptions/st', { headers: { 'if-match': '"stale"' } }), 412);
      const stalePut = await server.request('PUT', '/subscriptions/st', {
        body: { properties: { scope: '/apis', displayName: 'x' } },
        headers: { 'if-match': '"stale"' },
      });
      expectAzureError(stalePut, 412);
    });

    it('DELETE answers 200, then 204; master cannot be deleted', async () => {
      await create('gone', { scope: '/apis', displayName: 'Gone' });
      const before = await changes('gone');
      expect((await server.request('DELETE', '/subscriptions/gone', { headers: { 'if-match': '*' } })).status).toBe(200);
      expect((await server.request('DELETE', '/subscriptions/gone', { headers: { 'if-match': '*' } })).status).toBe(204);
      expect(await changes('gone')).toBe(before + 1);
      await seed(server.app.store, systemClock);
      await seed(server.app.store, systemClock);
      const master = await server.request('GET', '/subscriptions/master');
      expect(master.json.properties).toMatchObject({ ownerId: `${svc}/users/1`, scope: `${svc}/`, state: 'active', displayName: 'Built-in all-access subscription' });
      expectAzureError(await server.request('DELETE', '/subscriptions/master', { headers: { 'if-match': '*' } }), 400);
    });
  });

  describe('approval, limits and notify', () => {
    it('a product that needs approval starts submitted; notify emails each state', async () => {
      const res = await create('g1', { ownerId: '/users/dave', scope: '/products/gold', displayName: 'Gold' }, { notify: 'true' });
      expect(res.json.properties.state).toBe('submitted');
      expect(res.json.properties.startDate).toBeUndefined();
      let mails = await outbox('dave');
      expect(mails.map((m) => m.template)).toEqual(['requestDeveloperNotificationMessage']);
      expect(mails[0]!.params).toMatchObject({ DevFirstName: 'First', DevLastName: 'dave', DevEmail: 'dave@example.com', ProdId: 'gold', ProdName: 'Product gold' });
      await patch('g1', { state: 'active' }, { notify: 'true' });
      mails = await outbox('dave');
      expect(mails.map((m) => m.template)).toEqual(['requestDeveloperNotificationMessage', 'purchaseDeveloperNotificationMessage']);
      expect(mails[1]!.params.SubStartDate).toBeTruthy();
      await patch('g1', { displayName: 'Gold again' }, { notify: 'true' });
      expect(await outbox('dave')).toHaveLength(2);
      for (const m of mails) expect(JSON.stringify(m)).not.toMatch(/[0-9a-f]{64}/);
    });

    it('rejection emails the reason; without notify nothing is sent', async () => {
      await create('g2', { ownerId: '/users/erin', scope: '/products/gold', displayName: 'Gold' });
      expect(await outbox('erin')).toEqual([]);
      await patch('g2', { state: 'rejected', stateComment: 'Not now' }, { notify: 'true' });
      const mails = await outbox('erin');
      expect(mails.map((m) => m.template)).toEqual(['rejectDeveloperNotificationMessage']);
      expect(mails[0]!.params.SubDeclineReason).toBe('Not now');
    });

    it('refuses a subscription over the product limit, counts only live ones', async () => {
      // dave holds g1 (active) and gold allows one per user.
      const over = await put('g3', { ownerId: '/users/dave', scope: '/products/gold', displayName: 'Over' });
      expectAzureError(over, 409);
      expect(over.json.error.message).toMatch(/at most 1/);
      // erin's g2 is rejected, so she may subscribe again.
      await create('g4', { ownerId: '/users/erin', scope: '/products/gold', displayName: 'Again' });
      // Moving another subscription into the product is counted too.
      await create('g5', { ownerId: '/users/dave', scope: '/products/starter', displayName: 'Move' });
      expectAzureError(await patch('g5', { scope: '/products/gold' }), 409);
      // A finished one may be created (it takes no place).
      await create('g6', { ownerId: '/users/dave', scope: '/products/gold', displayName: 'Old', state: 'cancelled' });
    });
  });

  describe('filters and pages', () => {
    const names = (res: TestResponse) => (res.json.value as { name: string }[]).map((s) => s.name);
    const filter = (f: string) => server.request('GET', '/subscriptions', { query: { $filter: f } });

    it('filters on every field', async () => {
      expect(names(await filter(`name eq 's1'`))).toEqual(['s1']);
      expect(names(await filter(`startswith(displayName,'gold')`)).sort()).toEqual(['g1', 'g2']);
      expect(names(await filter(`stateComment eq 'Not now'`))).toEqual(['g2']);
      expect(names(await filter(`userId eq 'dave'`)).sort()).toEqual(['g1', 'g5', 'g6']);
      expect(names(await filter(`ownerId eq '/users/dave'`)).sort()).toEqual(['g1', 'g5', 'g6']);
      expect(names(await filter(`ownerId eq '${svc}/users/dave'`)).sort()).toEqual(['g1', 'g5', 'g6']);
      expect(names(await filter(`productId eq 'gold'`)).sort()).toEqual(['g1', 'g2', 'g4', 'g6']);
      expect(names(await filter(`scope eq '/apis/echo'`))).toEqual(['s-arm']);
      expect(names(await filter(`scope eq '${svc}/'`))).toEqual(['master', 's-svc']);
      expect(names(await filter(`contains(scope,'gold') and state eq 'submitted'`))).toEqual(['g4']);
      expect(names(await filter(`productId eq 'gold' and state eq 'active'`))).toEqual(['g1']);
      expectValidationError(await filter(`state gt 'active'`));
      expectValidationError(await filter(`primaryKey eq 'x'`));
    });

    it('pages with $top and $skip', async () => {
      const all = await server.request('GET', '/subscriptions');
      const first = await server.request('GET', '/subscriptions', { query: { $top: 2 } });
      expect(first.json.value).toHaveLength(2);
      expect(first.json.count).toBe(all.json.count);
      expect(first.json.nextLink).toContain('%24skip=2'.replace('%24', '$'));
      const second = await server.request('GET', '/subscriptions', { query: { $top: 2, $skip: 2 } });
      expect(names(second)).toEqual(names(all).slice(2, 4));
    });

    it('lists and gets a user\'s subscriptions', async () => {
      const list = await server.request('GET', '/users/dave/subscriptions');
      expect(list.status).toBe(200);
      expect(names(list).sort()).toEqual(['g1', 'g5', 'g6']);
      expect(list.json.value[0]).toMatchObject({ type: USER_TYPE, id: `${svc}/users/dave/subscriptions/${list.json.value[0].name}` });
      expectNoKeys(list);
      const filtered = await server.request('GET', '/users/dave/subscriptions', { query: { $filter: `productId eq 'starter'` } });
      expect(names(filtered)).toEqual(['g5']);
      const one = await server.request('GET', '/users/dave/subscriptions/g1');
      expect(one.status).toBe(200);
      expect(one.json).toMatchObject({ id: `${svc}/users/dave/subscriptions/g1`, type: USER_TYPE, name: 'g1' });
      expectNoKeys(one);
      expectAzureError(await server.request('GET', '/users/alice/subscriptions/g1'), 404);
      expectAzureError(await server.request('GET', '/users/nobody/subscriptions'), 404);
    });
  });

  describe('user DELETE', () => {
    it('cancels the subscriptions by default, deletes them with deleteSubscriptions=true', async () => {
      await createUser('quit1');
      await createUser('quit2');
      await create('q1', { ownerId: '/users/quit1', scope: '/products/starter', displayName: 'Q1' });
      await create('q2', { ownerId: '/users/quit2', scope: '/products/starter', displayName: 'Q2' });
      const etag = (await server.request('GET', '/subscriptions/q1')).headers.get('etag');
      const c1 = await changes('q1');
      const c2 = await changes('q2');
      expect((await server.request('DELETE', '/users/quit1', { headers: { 'if-match': '*' } })).status).toBe(204);
      const q1 = await server.request('GET', '/subscriptions/q1');
      expect(q1.json.properties.state).toBe('cancelled');
      expect(q1.json.properties.endDate).toBeTruthy();
      expect(q1.headers.get('etag')).not.toBe(etag);
      expect(await changes('q1')).toBe(c1 + 1);
      expect(
        (await server.request('DELETE', '/users/quit2', { headers: { 'if-match': '*' }, query: { deleteSubscriptions: 'true' } })).status,
      ).toBe(204);
      expect((await server.request('GET', '/subscriptions/q2')).status).toBe(404);
      expect(await changes('q2')).toBe(c2 + 1);
    });
  });

  describe('portal use cases', () => {
    it('subscribes to a visible published product, honours approval and limit, lists own keys, cancels', async () => {
      const subs = server.app.services.portalSubscriptions;
      const dev = { userId: 'dev', ip: '203.0.113.9' };
      await createUser('dev');
      await expect(subs.subscribe(dev, 'hidden', 'x')).rejects.toMatchObject({ kind: 'not-found' });
      await db().deleteFrom('product_groups').where('product_id', '=', 'starter').execute();
      await expect(subs.subscribe(dev, 'starter', 'x')).rejects.toMatchObject({ kind: 'not-found' }); // no group sees it
      await expect(subs.subscribe(dev, 'open', 'x')).rejects.toMatchObject({ kind: 'validation' });
      const mine = await subs.subscribe(dev, 'gold', 'My gold');
      expect(mine).toMatchObject({ state: 'submitted', ownerId: 'dev', scope: '/products/gold', productName: 'Product gold' });
      // Waiting for approval: the keys open nothing yet, so they are not unsealed.
      expect(mine.keys).toBeNull();
      expect((await outbox('dev')).map((m) => m.template)).toContain('requestDeveloperNotificationMessage');
      await expect(subs.subscribe(dev, 'gold', 'Second')).rejects.toMatchObject({ kind: 'conflict' });
      const approved = await server.request('PATCH', `/subscriptions/${mine.id}`, { body: { properties: { state: 'active' } }, headers: { 'if-match': '*' } });
      expect(approved.status).toBe(200);
      const own = await subs.listOwn('dev');
      expect(own.map((s) => s.id)).toEqual([mine.id]);
      const keys = own[0]!.keys!;
      expect(keys.primary).toMatch(/^[0-9a-f]{64}$/);
      const secrets = await server.request('POST', `/subscriptions/${mine.id}/listSecrets`);
      expect(keys).toEqual({ primary: secrets.json.primaryKey, secondary: secrets.json.secondaryKey });
      const regenerated = await subs.regenerate(dev, mine.id, 'secondary');
      expect(regenerated.keys!.secondary).not.toBe(keys.secondary);
      expect(regenerated.keys!.primary).toBe(keys.primary);
      await expect(subs.cancel({ userId: 'alice' }, mine.id)).rejects.toMatchObject({ kind: 'not-found' });
      expect((await subs.cancel(dev, mine.id)).state).toBe('cancelled');
      // Cancelled: listed, but its keys are neither shown nor unsealed, and cannot be regenerated.
      expect((await subs.listOwn('dev'))[0]!.keys).toBeNull();
      await expect(subs.regenerate(dev, mine.id, 'primary')).rejects.toMatchObject({ kind: 'validation' });
      // The developer's actions are audited with the address they came from.
      const entries = await server.app.store.audit.listAudit({ userId: 'dev', limit: 20 });
      expect(entries.filter((e) => e.actor === 'user:dev').map((e) => [e.action, e.ip])).toEqual(
        expect.arrayContaining([
          ['subscription.created', '203.0.113.9'],
          ['subscription.key-regenerated', '203.0.113.9'],
          ['subscription.state-changed', '203.0.113.9'],
        ]),
      );
    });
  });

  describe('Azure example shapes', () => {
    it('Get, Create, Update, List, ListUser, GetUser, ListSecrets', async () => {
      const checks: [string, string, TestResponse][] = [
        ['ApiManagementGetSubscription.json', '200', await server.request('GET', '/subscriptions/g1')],
        ['ApiManagementCreateSubscription.json', '201', await put('ex', { ownerId: '/users/alice', scope: '/products/starter', displayName: 'testsub' })],
        ['ApiManagementCreateSubscription.json', '200', await put('ex', { ownerId: '/users/alice', scope: '/products/starter', displayName: 'testsub' })],
        ['ApiManagementUpdateSubscription.json', '200', await patch('ex', { displayName: 'testsub' })],
        ['ApiManagementListSubscriptions.json', '200', await server.request('GET', '/subscriptions')],
        ['ApiManagementListUserSubscriptions.json', '200', await server.request('GET', '/users/dave/subscriptions')],
        ['ApiManagementGetUserSubscription.json', '200', await server.request('GET', '/users/dave/subscriptions/g1')],
        ['ApiManagementSubscriptionListSecrets.json', '200', await server.request('POST', '/subscriptions/ex/listSecrets')],
      ];
      for (const [file, status, res] of checks) {
        expect(String(res.status), `${file}: ${res.text}`).toBe(status);
        const body = example(file).responses[status]?.body;
        expect(compareShapes(body, res.json), file).toEqual([]);
        const item = (body as { type?: string; value?: { type?: string }[] }) ?? {};
        const type = item.type ?? item.value?.[0]?.type;
        const ours = res.json.type ?? res.json.value?.[0]?.type;
        if (type) expect(ours, file).toBe(type);
      }
    });
  });
});
