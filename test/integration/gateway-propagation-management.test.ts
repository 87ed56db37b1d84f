/**
 * Every kind of management API write that changes what the gateway does, checked twice: at the
 * gateway of the process that answered it, right after the answer (the write awaits that
 * gateway's catch-up before answering: no test waits or polls there), and at a second gateway node
 * over the same database, which follows the change feed (polled with `until`, a bound, not a
 * speed requirement). Every answer is checked with its reason (which 401, which 403) or backend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startServer } from '../helpers/server.js';
import { putApi } from '../helpers/gateway.js';
import { DEFAULT_KEY_HEADER, forwardedTo, REFUSED, startRig, type Offer, type Rig } from '../helpers/propagation.js';
import { activeDeveloper } from '../helpers/users.js';

const HOUR = 60 * 60 * 1000;

describe.each(BACKENDS)('management API writes reach both gateways (%s)', (backend) => {
  let rig: Rig;

  beforeAll(async () => {
    rig = await startRig(() => startServer(backend));
  });
  afterAll(async () => {
    await rig?.close();
  });

  /** A management API write that must succeed; PATCH and DELETE go unconditionally (If-Match: *). */
  async function write(method: 'PUT' | 'PATCH' | 'DELETE' | 'POST', path: string, properties?: Record<string, unknown>, query?: Record<string, string>): Promise<void> {
    const conditional = method === 'PATCH' || method === 'DELETE';
    const res = await rig.server.request(method, path, {
      ...(properties === undefined ? {} : { body: { properties } }),
      ...(conditional ? { headers: { 'if-match': '*' } } : {}),
      ...(query === undefined ? {} : { query }),
    });
    expect(res.status, `${method} ${path}: ${res.text}`).toBeLessThan(300);
  }

  const everywhere = (...args: Parameters<Rig['expectEverywhere']>) => rig.expectEverywhere(...args);

  /** A new offer whose access a PATCH of `path` with `stop` takes away and one with `restore` gives back (Rig.expectStopAndRestore). */
  async function patchStopAndRestore(
    prefix: string,
    path: (o: Offer) => string,
    stop: Record<string, unknown>,
    refusal: string,
    restore: Record<string, unknown>,
  ): Promise<void> {
    const o = await rig.offer(prefix);
    await rig.expectStopAndRestore(o, () => write('PATCH', path(o), stop), refusal, () => write('PATCH', path(o), restore));
  }

  describe('APIs', () => {
    it('routes a new API path at once: the new path owns its calls even before it has an operation, then its operation forwards', async () => {
      const outer = await rig.offer('api-create');
      await write('PUT', `/apis/${outer.apiId}/operations/all`, { displayName: 'All', method: 'GET', urlTemplate: '/*' });
      const inner = `${outer.apiId}/inner`;
      const call = { path: `/${inner}/items`, key: outer.keys.primary };
      await everywhere(call, forwardedTo('a'));

      await putApi(rig.server, `${outer.apiId}-inner`, { displayName: 'Inner', path: inner, serviceUrl: rig.backends.b.url, protocols: ['http'], subscriptionRequired: false });
      // The longest API path owns the request, and an API without operations matches nothing: no fall-back to the outer API.
      await everywhere(call, REFUSED.noRoute);

      await write('PUT', `/apis/${outer.apiId}-inner/operations/items`, { displayName: 'Items', method: 'GET', urlTemplate: '/items' });
      await everywhere({ path: call.path }, forwardedTo('b'));
      await everywhere(outer.call(), forwardedTo('a'));
    });

    it('follows a changed path: the old one answers 404, the new one forwards', async () => {
      const o = await rig.offer('api-path');
      await write('PATCH', `/apis/${o.apiId}`, { path: `${o.apiId}-moved` });
      await everywhere({ path: `/${o.apiId}-moved/items`, key: o.keys.primary }, forwardedTo('a'));
      await everywhere(o.call(), REFUSED.noRoute);
    });

    it('follows a changed service URL to the new backend', async () => {
      const o = await rig.offer('api-backend');
      await write('PATCH', `/apis/${o.apiId}`, { serviceUrl: rig.backends.b.url });
      await everywhere(o.call(), forwardedTo('b'));
    });

    it('lets keyless calls through once the API requires no subscription, and asks for the key again when it does', async () => {
      const o = await rig.offer('api-keyless');
      const keyless = { path: `/${o.apiId}/items` };
      await everywhere(keyless, REFUSED.missingKey);
      await write('PATCH', `/apis/${o.apiId}`, { subscriptionRequired: false });
      await everywhere(keyless, forwardedTo('a'));
      await write('PATCH', `/apis/${o.apiId}`, { subscriptionRequired: true });
      await everywhere(keyless, REFUSED.missingKey);
      await everywhere(o.call(), forwardedTo('a'));
    });

    it('takes the key from the new header once the key parameter names change, and no longer from the old one', async () => {
      const o = await rig.offer('api-header');
      await write('PATCH', `/apis/${o.apiId}`, { subscriptionKeyParameterNames: { header: 'X-Api-Key', query: 'apikey' } });
      await everywhere({ ...o.call(), header: 'X-Api-Key' }, forwardedTo('a'));
      await everywhere({ path: `/${o.apiId}/items?apikey=${o.keys.primary}` }, forwardedTo('a'));
      await everywhere({ ...o.call(), header: DEFAULT_KEY_HEADER }, REFUSED.missingKey);
    });

    it('stops routing a deleted API', async () => {
      const o = await rig.offer('api-delete');
      await write('DELETE', `/apis/${o.apiId}`);
      await everywhere(o.call(), REFUSED.noRoute);
    });
  });

  describe('operations', () => {
    it("routes a new operation's calls", async () => {
      const o = await rig.offer('op-create');
      const post = { ...o.call(), method: 'POST' };
      await everywhere(post, REFUSED.noRoute);
      await write('PUT', `/apis/${o.apiId}/operations/add-item`, { displayName: 'Add an item', method: 'POST', urlTemplate: '/items' });
      await everywhere(post, forwardedTo('a'));
    });

    it('follows a changed method, then a changed URL template', async () => {
      const o = await rig.offer('op-update');
      await write('PATCH', `/apis/${o.apiId}/operations/items`, { method: 'PUT' });
      await everywhere({ ...o.call(), method: 'PUT' }, forwardedTo('a'));
      await everywhere(o.call(), REFUSED.noRoute);

      await write('PATCH', `/apis/${o.apiId}/operations/items`, { urlTemplate: '/things' });
      await everywhere({ path: `/${o.apiId}/things`, method: 'PUT', key: o.keys.primary }, forwardedTo('a'));
      await everywhere({ ...o.call(), method: 'PUT' }, REFUSED.noRoute);
    });

    it("stops routing a deleted operation's calls", async () => {
      const o = await rig.offer('op-delete');
      await write('DELETE', `/apis/${o.apiId}/operations/items`);
      await everywhere(o.call(), REFUSED.noRoute);
    });
  });

  describe('products', () => {
    it('refuses the keys of an unpublished product (PATCH), and lets them through once published again', async () => {
      await patchStopAndRestore('product-patch', (o) => `/products/${o.productId}`, { state: 'notPublished' }, REFUSED.productUnpublished, { state: 'published' });
    });

    it('does the same when the state comes with a whole product (PUT)', async () => {
      const o = await rig.offer('product-put');
      const properties = { displayName: o.productId, subscriptionRequired: true };
      await rig.expectStopAndRestore(
        o,
        () => write('PUT', `/products/${o.productId}`, { ...properties, state: 'notPublished' }),
        REFUSED.productUnpublished,
        () => write('PUT', `/products/${o.productId}`, { ...properties, state: 'published' }),
      );
    });

    it('refuses an API removed from the product as out of scope, and forwards again when it is added back', async () => {
      const o = await rig.offer('product-remove-api');
      await rig.expectStopAndRestore(
        o,
        () => write('DELETE', `/products/${o.productId}/apis/${o.apiId}`),
        REFUSED.outOfScope,
        () => write('PUT', `/products/${o.productId}/apis/${o.apiId}`),
      );
    });

    it("opens an API added to the product to the product's keys", async () => {
      const o = await rig.offer('product-add-api');
      const other = await rig.offer('product-add-api-other');
      // The other offer's API, called with this offer's key.
      const call = other.call(o.keys.primary);
      await everywhere(call, REFUSED.outOfScope);
      await write('PUT', `/products/${o.productId}/apis/${other.apiId}`);
      await everywhere(call, forwardedTo('a'));
    });

    it('stops the keys of a product deleted with its subscriptions', async () => {
      const o = await rig.offer('product-delete');
      await write('DELETE', `/products/${o.productId}`, undefined, { deleteSubscriptions: 'true' });
      await everywhere(o.call(), REFUSED.invalidKey);
      await everywhere(o.call(o.keys.secondary), REFUSED.invalidKey);
    });
  });

  describe('subscriptions', () => {
    it('lets the keys of a new subscription through', async () => {
      const o = await rig.offer('sub-create');
      const keys = { primary: rig.unique('chosen-primary-key'), secondary: rig.unique('chosen-secondary-key') };
      await everywhere(o.call(keys.primary), REFUSED.invalidKey);
      const owner = await activeDeveloper(rig.server, rig.unique('sub-create-owner'));
      await write('PUT', `/subscriptions/${o.apiId}-second`, {
        ownerId: `/users/${owner.id}`,
        scope: `/products/${o.productId}`,
        displayName: 'Second',
        state: 'active',
        primaryKey: keys.primary,
        secondaryKey: keys.secondary,
      });
      await everywhere(o.call(keys.primary), forwardedTo('a'));
      await everywhere(o.call(keys.secondary), forwardedTo('a'));
    });

    it('refuses a suspended subscription, and lets it through when active again', async () => {
      await patchStopAndRestore('sub-suspend', (o) => `/subscriptions/${o.sid}`, { state: 'suspended' }, REFUSED.subscriptionInactive, { state: 'active' });
    });

    it('refuses a cancelled subscription', async () => {
      const o = await rig.offer('sub-cancel');
      await write('PATCH', `/subscriptions/${o.sid}`, { state: 'cancelled' });
      await everywhere(o.call(), REFUSED.subscriptionInactive);
    });

    for (const which of ['primary', 'secondary'] as const) {
      const other = which === 'primary' ? 'secondary' : 'primary';
      it(`forgets a regenerated ${which} key and takes the new one, the ${other} key unchanged`, async () => {
        const o = await rig.offer(`sub-regenerate-${which}`);
        await write('POST', `/subscriptions/${o.sid}/regenerate${which === 'primary' ? 'Primary' : 'Secondary'}Key`);
        await everywhere(o.call(o.keys[which]), REFUSED.invalidKey);
        const fresh = await rig.server.request('POST', `/subscriptions/${o.sid}/listSecrets`);
        const key = fresh.json[`${which}Key`] as string;
        expect(key).not.toBe(o.keys[which]);
        await everywhere(o.call(key), forwardedTo('a'));
        await everywhere(o.call(o.keys[other]), forwardedTo('a'));
      });
    }

    it('takes keys set explicitly (PATCH) instead of the old ones', async () => {
      const o = await rig.offer('sub-set-keys');
      const keys = { primary: rig.unique('set-primary-key'), secondary: rig.unique('set-secondary-key') };
      await write('PATCH', `/subscriptions/${o.sid}`, { primaryKey: keys.primary, secondaryKey: keys.secondary });
      await everywhere(o.call(o.keys.primary), REFUSED.invalidKey);
      await everywhere(o.call(o.keys.secondary), REFUSED.invalidKey);
      await everywhere(o.call(keys.primary), forwardedTo('a'));
      await everywhere(o.call(keys.secondary), forwardedTo('a'));
    });

    it('forgets the keys of a deleted subscription', async () => {
      const o = await rig.offer('sub-delete');
      await write('DELETE', `/subscriptions/${o.sid}`);
      await everywhere(o.call(), REFUSED.invalidKey);
      await everywhere(o.call(o.keys.secondary), REFUSED.invalidKey);
    });

    it('refuses a subscription whose expiration date is set in the past, and lets it through once it has none', async () => {
      await patchStopAndRestore('sub-expire', (o) => `/subscriptions/${o.sid}`, { expirationDate: new Date(Date.now() - HOUR).toISOString() }, REFUSED.subscriptionExpired, { expirationDate: null });
    });

    it('follows a subscription moved to another product: its keys open the new API and no longer the old one', async () => {
      const o = await rig.offer('sub-scope');
      const other = await rig.offer('sub-scope-other');
      await write('PATCH', `/subscriptions/${o.sid}`, { scope: `/products/${other.productId}` });
      await everywhere(other.call(o.keys.primary), forwardedTo('a'));
      await everywhere(o.call(), REFUSED.outOfScope);
    });
  });

  describe('users', () => {
    it("refuses a blocked owner's keys, and lets them through when the owner is active again", async () => {
      await patchStopAndRestore('user-block', (o) => `/users/${o.user.id}`, { state: 'blocked' }, REFUSED.ownerInactive, { state: 'active' });
    });

    it("refuses a deleted user's keys (their subscriptions are cancelled)", async () => {
      const o = await rig.offer('user-delete');
      await write('DELETE', `/users/${o.user.id}`);
      await everywhere(o.call(), REFUSED.subscriptionInactive);
      await everywhere(o.call(o.keys.secondary), REFUSED.subscriptionInactive);
    });

    it("forgets a deleted user's keys when the subscriptions go with them", async () => {
      const o = await rig.offer('user-delete-subs');
      await write('DELETE', `/users/${o.user.id}`, undefined, { deleteSubscriptions: 'true' });
      await everywhere(o.call(), REFUSED.invalidKey);
    });

    it("refuses the keys of a user closed by state 'deleted'", async () => {
      const o = await rig.offer('user-close');
      await write('PATCH', `/users/${o.user.id}`, { state: 'deleted' });
      await everywhere(o.call(), REFUSED.subscriptionInactive);
    });
  });
});
