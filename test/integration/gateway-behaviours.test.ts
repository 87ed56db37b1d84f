/**
 * Gateway behaviours configured through the management API and checked against real backends that
 * record what they receive: an expired subscription is refused (also when it expires while the
 * gateway runs, with no change in the feed); an API without a backend answers 502; an API's own
 * key header and query names work, the default ones then do not, and the key never reaches the
 * backend; of overlapping API paths the longest wins, on segment boundaries, without falling back
 * to the shorter; and a changed service URL is followed. Each change is enforced by the time the
 * management API answers it (read your writes): no test waits for the gateway.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startServer, type TestServer } from '../helpers/server.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { activeSubscription, putApi, putProduct } from '../helpers/gateway.js';
import { createGateway, GATEWAY_MESSAGES } from '../../src/gateway/index.js';
import { ManualClock } from '../../src/domain/clock.js';

const DEFAULT_HEADER = 'Ocp-Apim-Subscription-Key';
const HOUR = 60 * 60 * 1000;

interface Reply {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

async function get(url: string, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(url, { headers });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json };
}

describe.each(BACKENDS)('gateway behaviours configured through the management API (%s)', (backend) => {
  let server: TestServer;
  let a: Upstream;
  let b: Upstream;
  const gw = (path: string, headers: Record<string, string> = {}) => get(`${server.gatewayUrl}${path}`, headers);
  const patch = async (path: string, properties: Record<string, unknown>) => {
    const res = await server.request('PATCH', path, { body: { properties }, headers: { 'if-match': '*' } });
    expect(res.status, `PATCH ${path}: ${res.text}`).toBeLessThan(300);
  };

  beforeAll(async () => {
    a = await startUpstream((r) => ({ backend: 'a', path: r.url }));
    b = await startUpstream((r) => ({ backend: 'b', path: r.url }));
    server = await startServer(backend);
    const dev = await server.request('PUT', '/users/dev', { body: { properties: { email: 'dev@example.com', firstName: 'Dev', lastName: 'Eloper' } } });
    expect(dev.status, dev.text).toBeLessThan(300);
  });

  afterAll(async () => {
    await server?.close();
    await a?.close();
    await b?.close();
  });

  describe('subscription expiry', () => {
    let key = '';
    const call = () => gw('/orders/1', { [DEFAULT_HEADER]: key });

    beforeAll(async () => {
      await putApi(server, 'orders', { displayName: 'Orders', path: 'orders', serviceUrl: a.url, protocols: ['http'] }, [
        { id: 'all', displayName: 'All', method: 'GET', urlTemplate: '/*' },
      ]);
      await putProduct(server, 'orders-p', { displayName: 'Orders', subscriptionRequired: true, state: 'published' }, { apis: ['orders'] });
      key = await activeSubscription(server, 'orders-s', 'dev', 'orders-p', 'Orders');
      expect((await call()).status).toBe(200);
    });

    it('refuses a subscription whose expirationDate is in the past with 403, and lets it through again without one', async () => {
      await patch('/subscriptions/orders-s', { expirationDate: new Date(Date.now() - HOUR).toISOString() });
      expect((await call()).status).toBe(403);
      expect((await call()).json).toEqual({ statusCode: 403, message: GATEWAY_MESSAGES.subscriptionExpired });
      await patch('/subscriptions/orders-s', { expirationDate: null });
      expect((await call()).status).toBe(200);
    });

    it('refuses a subscription as soon as its expirationDate passes, with no change in the feed', async () => {
      // A second gateway over the same database whose clock the test moves.
      const clock = new ManualClock(new Date());
      const timed = createGateway({ store: server.app.store, clock, logger: server.app.http.log });
      try {
        const port = (await timed.listen(0, '127.0.0.1')).port;
        const callTimed = () => get(`http://127.0.0.1:${port}/orders/1`, { [DEFAULT_HEADER]: key });
        await patch('/subscriptions/orders-s', { expirationDate: new Date(Date.now() + HOUR).toISOString() });
        await timed.refresh();
        expect((await callTimed()).status).toBe(200);
        clock.advance(2 * HOUR);
        const r = await callTimed();
        expect(r.status).toBe(403);
        expect(r.json.message).toBe(GATEWAY_MESSAGES.subscriptionExpired);
      } finally {
        await timed.close();
        await patch('/subscriptions/orders-s', { expirationDate: null });
      }
    });
  });

  describe('an API without a backend', () => {
    it('answers 502 with the no-backend message, and forwards again once it has one', async () => {
      await putApi(server, 'nowhere', { displayName: 'Nowhere', path: 'nowhere', serviceUrl: '', protocols: ['http'], subscriptionRequired: false }, [
        { id: 'all', displayName: 'All', method: 'GET', urlTemplate: '/*' },
      ]);
      const seen = a.seen.length;
      expect((await gw('/nowhere/x')).status).toBe(502);
      expect((await gw('/nowhere/x')).json).toEqual({ statusCode: 502, message: GATEWAY_MESSAGES.noBackend });
      expect(a.seen.length).toBe(seen);
      await patch('/apis/nowhere', { serviceUrl: a.url });
      expect((await gw('/nowhere/x')).status).toBe(200);
      expect(a.seen.at(-1)!.url).toBe('/x');
      await patch('/apis/nowhere', { serviceUrl: '' });
      expect((await gw('/nowhere/x')).status).toBe(502);
    });
  });

  describe("an API's own subscription key names", () => {
    let key = '';

    beforeAll(async () => {
      await putApi(
        server,
        'custom',
        { displayName: 'Custom', path: 'custom', serviceUrl: a.url, protocols: ['http'], subscriptionKeyParameterNames: { header: 'X-Api-Key', query: 'apikey' } },
        [{ id: 'all', displayName: 'All', method: 'GET', urlTemplate: '/*' }],
      );
      await putProduct(server, 'custom-p', { displayName: 'Custom', subscriptionRequired: true, state: 'published' }, { apis: ['custom'] });
      key = await activeSubscription(server, 'custom-s', 'dev', 'custom-p', 'Custom');
      expect((await gw('/custom/x', { 'X-Api-Key': key })).status).toBe(200);
    });

    const lastSeen = () => a.seen.at(-1)!;
    const expectNoKey = () => {
      const seen = lastSeen();
      expect(seen.headers['x-api-key']).toBeUndefined();
      expect(JSON.stringify(seen)).not.toContain(key);
    };

    it('takes the key in the API\'s header, and does not forward it', async () => {
      const r = await gw('/custom/items?a=1', { 'X-Api-Key': key });
      expect(r.status).toBe(200);
      expect(lastSeen().url).toBe('/items?a=1');
      expectNoKey();
    });

    it('takes the key in the API\'s query parameter, and forwards the rest of the query without it', async () => {
      const r = await gw(`/custom/items?a=1&apikey=${key}&b=2`);
      expect(r.status).toBe(200);
      expect(lastSeen().url).toBe('/items?a=1&b=2');
      expectNoKey();
    });

    it('strips both names when both are given', async () => {
      const r = await gw(`/custom/items?apikey=${key}`, { 'X-Api-Key': key });
      expect(r.status).toBe(200);
      expect(lastSeen().url).toBe('/items');
      expectNoKey();
    });

    it('does not take the key under the default names then', async () => {
      const seen = a.seen.length;
      const byHeader = await gw('/custom/items', { [DEFAULT_HEADER]: key });
      expect(byHeader.status).toBe(401);
      expect(byHeader.json.message).toBe(GATEWAY_MESSAGES.missingKey);
      const byQuery = await gw(`/custom/items?subscription-key=${key}`);
      expect(byQuery.status).toBe(401);
      expect(byQuery.json.message).toBe(GATEWAY_MESSAGES.missingKey);
      expect(a.seen.length).toBe(seen);
    });
  });

  describe('overlapping API paths', () => {
    beforeAll(async () => {
      // The longer path first: the order they were created in must not matter.
      await putApi(server, 'shop-admin', { displayName: 'Shop admin', path: 'shop/admin', serviceUrl: `${b.url}/admin`, protocols: ['http'], subscriptionRequired: false }, [
        { id: 'users', displayName: 'Users', method: 'GET', urlTemplate: '/users' },
      ]);
      await putApi(server, 'shop', { displayName: 'Shop', path: 'shop', serviceUrl: `${a.url}/shop`, protocols: ['http'], subscriptionRequired: false }, [
        { id: 'all', displayName: 'All', method: 'GET', urlTemplate: '/*' },
      ]);
      expect((await gw('/shop/products')).status).toBe(200);
      expect((await gw('/shop/admin/users')).status).toBe(200);
    });

    it('sends a path under the longer API path to that API', async () => {
      const r = await gw('/shop/admin/users');
      expect(r.json).toEqual({ backend: 'b', path: '/admin/users' });
      expect((await gw('/SHOP/Admin/users')).json).toEqual({ backend: 'b', path: '/admin/users' });
    });

    it('sends the rest to the shorter one', async () => {
      expect((await gw('/shop/products')).json).toEqual({ backend: 'a', path: '/shop/products' });
    });

    it('matches on segment boundaries: shop/administrator is not under shop/admin', async () => {
      expect((await gw('/shop/administrator/users')).json).toEqual({ backend: 'a', path: '/shop/administrator/users' });
      expect((await gw('/shop/admin-tools')).json).toEqual({ backend: 'a', path: '/shop/admin-tools' });
    });

    it('does not fall back to the shorter path when the longer one has no such operation', async () => {
      const seenA = a.seen.length;
      const seenB = b.seen.length;
      for (const path of ['/shop/admin/orders', '/shop/admin']) {
        const r = await gw(path);
        expect(r.status, path).toBe(404);
        expect(r.json).toEqual({ statusCode: 404, message: GATEWAY_MESSAGES.notFound });
      }
      expect(a.seen.length).toBe(seenA);
      expect(b.seen.length).toBe(seenB);
    });
  });

  describe('a changed service URL', () => {
    it('is followed: calls go to the new backend, none to the old one', async () => {
      await putApi(server, 'moving', { displayName: 'Moving', path: 'moving', serviceUrl: `${a.url}/v1`, protocols: ['http'], subscriptionRequired: false }, [
        { id: 'all', displayName: 'All', method: 'GET', urlTemplate: '/*' },
      ]);
      expect((await gw('/moving/x')).status).toBe(200);
      expect((await gw('/moving/x')).json).toEqual({ backend: 'a', path: '/v1/x' });

      await patch('/apis/moving', { serviceUrl: `${b.url}/v2` });
      expect((await gw('/moving/x')).json).toEqual({ backend: 'b', path: '/v2/x' });
      const seenA = a.seen.length;
      for (let i = 0; i < 5; i++) expect((await gw(`/moving/y${i}`)).json).toEqual({ backend: 'b', path: `/v2/y${i}` });
      expect(a.seen.length).toBe(seenA);
    });
  });
});
