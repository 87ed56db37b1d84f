/**
 * The gateway against a real backend: routing, subscription keys (401/403), the change feed
 * (changes stop keys without a refresh; how fast: `npm run bench:propagation`), streaming both
 * ways, forwarded headers, 502 and 504.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { rawCall, type RawCallOptions, type Reply } from '../helpers/raw-call.js';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BACKENDS, startServer, type TestServer } from '../helpers/server.js';
import { freePort } from '../helpers/net.js';
import { until } from '../helpers/gateway.js';
import { createGateway, GATEWAY_MESSAGES, type Gateway, type GatewayLogger } from '../../src/gateway/index.js';
import { systemClock } from '../../src/domain/clock.js';
import { subscriptionKeyRing } from '../../src/services/signing-keys.js';
import { lookupHash, newSubscriptionKey, seal, type KeyRing } from '../../src/domain/subscription-keys.js';
import type { SubscriptionState } from '../../src/domain/subscription.js';
import type { ChangedEntity } from '../../src/store/changes-repo.js';

const KEY_HEADER = 'Ocp-Apim-Subscription-Key';
const NOW = () => new Date().toISOString();

const call = (port: number, path: string, o: RawCallOptions = {}): Promise<Reply> => rawCall('127.0.0.1', port, path, o);

/** The backend: echoes method, url, headers and body; /stream pipes the body back; /slow waits; /hop sends hop-by-hop headers. */
function startBackend(): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const url = req.url ?? '';
    if (url.startsWith('/backend/stream')) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      req.pipe(res);
      return;
    }
    if (url.startsWith('/backend/slow')) {
      const t = setTimeout(() => res.end('late'), 3_000);
      res.on('close', () => clearTimeout(t));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.stringify({ method: req.method, url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (url.startsWith('/backend/hop')) {
        headers.connection = 'keep-alive, x-hop';
        headers['x-hop'] = 'secret-hop';
        headers['x-kept'] = 'yes';
        headers['proxy-authenticate'] = 'Basic';
      }
      res.writeHead(200, headers);
      res.end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port })));
}

describe.each(BACKENDS)('gateway proxy (%s)', (backend) => {
  let server: TestServer;
  let upstream: { server: Server; port: number };
  let gateway: Gateway;
  let port: number;
  let ring: KeyRing;
  const logLines: string[] = [];
  const allKeys: string[] = [];
  let counter = 0;

  const db = () => server.app.database.db;
  const change = (entity: ChangedEntity, id: string) => server.app.store.changes.recordChanges([{ entity, entity_id: id, at: NOW() }], server.app.store.dialect);

  async function addUser(id: string, state: 'active' | 'blocked' = 'active'): Promise<void> {
    await db()
      .insertInto('users')
      .values({
        id,
        first_name: 'Dev',
        last_name: id,
        email: `${id}@example.com`,
        email_lc: `${id}@example.com`,
        state,
        note: null,
        registration_date: NOW(),
        password_hash: null,
        etag: 'e',
        updated_at: NOW(),
      })
      .execute();
    await change('user', id);
  }

  async function addApi(id: string, path: string, serviceUrl: string, required: boolean, operations: [string, string][]): Promise<void> {
    await db()
      .insertInto('apis')
      .values({
        id,
        display_name: id,
        description: null,
        path,
        service_url: serviceUrl,
        protocols: '["http","https"]',
        subscription_required: required ? 1 : 0,
        key_header: KEY_HEADER,
        key_query: 'subscription-key',
        api_type: 'http',
        etag: 'e',
        created_at: NOW(),
      })
      .execute();
    let n = 0;
    for (const [method, template] of operations) {
      await db()
        .insertInto('api_operations')
        .values({ api_id: id, id: `op${n++}`, display_name: template, method, url_template: template, description: null, template_parameters: null, etag: 'e' })
        .execute();
    }
    await change('api', id);
  }

  async function addProduct(id: string, apiIds: string[], state: 'published' | 'notPublished' = 'published'): Promise<void> {
    await db()
      .insertInto('products')
      .values({ id, display_name: id, description: null, terms: null, subscription_required: 1, approval_required: 0, subscriptions_limit: null, state, etag: 'e', created_at: NOW() })
      .execute();
    for (const apiId of apiIds) await db().insertInto('product_apis').values({ product_id: id, api_id: apiId }).execute();
    await change('product', id);
  }

  async function addSubscription(scope: string, ownerId: string | null, state: SubscriptionState = 'active'): Promise<{ id: string; primary: string; secondary: string }> {
    const id = `sub${++counter}`;
    const primary = newSubscriptionKey();
    const secondary = newSubscriptionKey();
    allKeys.push(primary, secondary);
    await db()
      .insertInto('subscriptions')
      .values({
        id,
        owner_id: ownerId,
        scope,
        display_name: id,
        state,
        state_comment: null,
        allow_tracing: null,
        created_at: NOW(),
        start_date: null,
        expiration_date: null,
        end_date: null,
        notification_date: null,
        primary_key_sealed: seal(ring, primary),
        secondary_key_sealed: seal(ring, secondary),
        primary_key_lookup: lookupHash(ring, primary),
        secondary_key_lookup: lookupHash(ring, secondary),
        etag: 'e',
      })
      .execute();
    await change('subscription', id);
    return { id, primary, secondary };
  }

  const get = (path: string, key?: string, headers: Record<string, string> = {}) =>
    call(port, path, { headers: { ...(key ? { [KEY_HEADER]: key } : {}), ...headers } });

  beforeAll(async () => {
    server = await startServer(backend);
    upstream = await startBackend();
    ring = await subscriptionKeyRing(server.app.store);
    const base = `http://127.0.0.1:${upstream.port}/backend`;
    await addUser('dev1');
    await addApi('echo', 'echo', base, true, [
      ['GET', '/hello'],
      ['GET', '/items/{id}'],
      ['POST', '/items'],
      ['GET', '/files/*'],
      ['POST', '/stream'],
      ['GET', '/slow'],
      ['GET', '/hop'],
    ]);
    await addApi('open', 'open/v1', base, false, [['GET', '/*']]);
    await addApi('other', 'other', base, true, [['GET', '/*']]);
    await addApi('down', 'down', `http://127.0.0.1:${await freePort()}/`, false, [['GET', '/*']]);
    await addApi('bare', 'bare', base, false, []);
    await addProduct('basic', ['echo']);
    const logger: GatewayLogger = {
      info: (o, m) => logLines.push(JSON.stringify([o, m])),
      warn: (o, m) => logLines.push(JSON.stringify([o, m])),
      error: (o, m) => logLines.push(JSON.stringify([o, m])),
      debug: (o, m) => logLines.push(JSON.stringify([o, m])),
    };
    gateway = createGateway({ store: server.app.store, clock: systemClock, logger });
    port = (await gateway.listen(0, '127.0.0.1')).port;
  });

  afterAll(async () => {
    await gateway?.close();
    await new Promise((r) => upstream?.server.close(r));
    await server?.close();
  });

  it('passes a request with the key in the header, without forwarding the key', async () => {
    const sub = await addSubscription('/products/basic', 'dev1');
    await gateway.refresh();
    const r = await get('/echo/hello?a=1', sub.primary);
    expect(r.status).toBe(200);
    expect(r.json.method).toBe('GET');
    expect(r.json.url).toBe('/backend/hello?a=1');
    expect(r.json.headers['ocp-apim-subscription-key']).toBeUndefined();
    expect(r.json.headers.host).toBe(`127.0.0.1:${upstream.port}`);
    expect((await get('/echo/hello', sub.secondary)).status).toBe(200);
    // Path of the API is case-insensitive.
    expect((await get('/ECHO/Hello', sub.primary)).status).toBe(200);
  });

  it('passes a request with the key in the query, and strips only that parameter', async () => {
    const sub = await addSubscription('/apis/echo', 'dev1');
    await gateway.refresh();
    const r = await get(`/echo/hello?a=1&subscription-key=${sub.primary}&b=%20x`);
    expect(r.status).toBe(200);
    expect(r.json.url).toBe('/backend/hello?a=1&b=%20x');
    expect(r.text).not.toContain(sub.primary);
  });

  it('answers 401 for a missing or unknown key', async () => {
    const missing = await get('/echo/hello');
    expect(missing.status).toBe(401);
    expect(missing.json).toEqual({
      statusCode: 401,
      message: 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.',
    });
    const wrong = await get('/echo/hello', newSubscriptionKey());
    expect(wrong.status).toBe(401);
    expect(wrong.json).toEqual({
      statusCode: 401,
      message: 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.',
    });
  });

  it('answers 403 for a suspended subscription, and passes again once it is active', async () => {
    const sub = await addSubscription('/products/basic', 'dev1');
    await gateway.refresh();
    expect((await get('/echo/hello', sub.primary)).status).toBe(200);
    await db().updateTable('subscriptions').set({ state: 'suspended' }).where('id', '=', sub.id).execute();
    await change('subscription', sub.id);
    await gateway.refresh();
    const r = await get('/echo/hello', sub.primary);
    expect(r.status).toBe(403);
    expect(r.json).toEqual({ statusCode: 403, message: 'Access denied: the subscription is not active.' });
    await db().updateTable('subscriptions').set({ state: 'active' }).where('id', '=', sub.id).execute();
    await change('subscription', sub.id);
    await gateway.refresh();
    expect((await get('/echo/hello', sub.primary)).status).toBe(200);
  });

  it('answers 403 when the owner is blocked, and passes again when re-activated', async () => {
    await addUser('dev-block');
    const sub = await addSubscription('/products/basic', 'dev-block');
    await gateway.refresh();
    expect((await get('/echo/hello', sub.primary)).status).toBe(200);
    await db().updateTable('users').set({ state: 'blocked' }).where('id', '=', 'dev-block').execute();
    await change('user', 'dev-block');
    await gateway.refresh();
    const r = await get('/echo/hello', sub.primary);
    expect(r.status).toBe(403);
    expect(r.json.message).toBe('Access denied: the owner of the subscription is not active.');
    await db().updateTable('users').set({ state: 'active' }).where('id', '=', 'dev-block').execute();
    await change('user', 'dev-block');
    await gateway.refresh();
    expect((await get('/echo/hello', sub.primary)).status).toBe(200);
  });

  it('answers 403 when the scope does not cover the API', async () => {
    const sub = await addSubscription('/apis/other', 'dev1');
    await gateway.refresh();
    expect((await get('/other/x', sub.primary)).status).toBe(200);
    const r = await get('/echo/hello', sub.primary);
    expect(r.status).toBe(403);
    expect(r.json.message).toBe('Access denied: the subscription does not give access to this API.');
    const all = await addSubscription('/apis', 'dev1');
    await gateway.refresh();
    expect((await get('/echo/hello', all.primary)).status).toBe(200);
    expect((await get('/other/y', all.primary)).status).toBe(200);
  });

  it('stops the old key after regeneration', async () => {
    const sub = await addSubscription('/products/basic', 'dev1');
    await gateway.refresh();
    expect((await get('/echo/hello', sub.primary)).status).toBe(200);
    const fresh = newSubscriptionKey();
    allKeys.push(fresh);
    await db()
      .updateTable('subscriptions')
      .set({ primary_key_sealed: seal(ring, fresh), primary_key_lookup: lookupHash(ring, fresh) })
      .where('id', '=', sub.id)
      .execute();
    await change('subscription', sub.id);
    await gateway.refresh();
    expect((await get('/echo/hello', sub.primary)).status).toBe(401);
    expect((await get('/echo/hello', fresh)).status).toBe(200);
    expect((await get('/echo/hello', sub.secondary)).status).toBe(200);
  });

  it('stops the keys of a deleted subscription', async () => {
    const sub = await addSubscription('/products/basic', 'dev1');
    await gateway.refresh();
    expect((await get('/echo/hello', sub.primary)).status).toBe(200);
    await db().deleteFrom('subscriptions').where('id', '=', sub.id).execute();
    await change('subscription', sub.id);
    await gateway.refresh();
    expect((await get('/echo/hello', sub.primary)).status).toBe(401);
  });

  it('answers 403 once the product is unpublished', async () => {
    await addProduct('gold', ['echo']);
    const sub = await addSubscription('/products/gold', 'dev1');
    await gateway.refresh();
    expect((await get('/echo/hello', sub.primary)).status).toBe(200);
    await db().updateTable('products').set({ state: 'notPublished' }).where('id', '=', 'gold').execute();
    await change('product', 'gold');
    await gateway.refresh();
    const r = await get('/echo/hello', sub.primary);
    expect(r.status).toBe(403);
    expect(r.json.message).toBe('Access denied: the product of the subscription is not published.');
  });

  it('passes without a key when the API requires no subscription', async () => {
    const r = await get('/open/v1/anything/here?x=1');
    expect(r.status).toBe(200);
    expect(r.json.url).toBe('/backend/anything/here?x=1');
  });

  it('matches templated and wildcard operations, and answers 404 otherwise', async () => {
    const sub = await addSubscription('/products/basic', 'dev1');
    await gateway.refresh();
    const item = await get('/echo/items/42', sub.primary);
    expect(item.status).toBe(200);
    expect(item.json.url).toBe('/backend/items/42');
    const file = await get('/echo/files/a/b/c.txt', sub.primary);
    expect(file.status).toBe(200);
    expect(file.json.url).toBe('/backend/files/a/b/c.txt');
    expect((await get('/echo/items/42/more', sub.primary)).status).toBe(404);
    const wrongMethod = await call(port, '/echo/hello', { method: 'DELETE', headers: { [KEY_HEADER]: sub.primary } });
    expect(wrongMethod.status).toBe(404);
    expect(wrongMethod.json).toEqual({ statusCode: 404, message: 'Resource not found' });
    expect((await get('/nowhere/at/all', sub.primary)).json).toEqual({ statusCode: 404, message: 'Resource not found' });
    expect((await get('/bare/x')).status).toBe(404);
    // A dot segment is refused before routing, whatever API it would reach (gateway-edge.test.ts has the rest).
    const dots = await get('/echo/files/../hello', sub.primary);
    expect(dots.status).toBe(400);
    expect(dots.json).toEqual({ statusCode: 400, message: GATEWAY_MESSAGES.unsafePath });
  });

  it('forwards a POST body', async () => {
    const sub = await addSubscription('/products/basic', 'dev1');
    await gateway.refresh();
    const r = await call(port, '/echo/items', {
      method: 'POST',
      headers: { [KEY_HEADER]: sub.primary, 'content-type': 'application/json' },
      body: '{"name":"widget"}',
    });
    expect(r.status).toBe(200);
    expect(r.json.method).toBe('POST');
    expect(r.json.body).toBe('{"name":"widget"}');
    expect(r.json.headers['content-type']).toBe('application/json');
  });

  it('streams a 20 MB body both ways', async () => {
    const sub = await addSubscription('/products/basic', 'dev1');
    await gateway.refresh();
    const sent = createHash('sha256');
    const received = createHash('sha256');
    let receivedBytes = 0;
    const total = 20 * 1024 * 1024;
    async function* generate() {
      for (let n = 0; n < total; n += 64 * 1024) {
        const chunk = randomBytes(64 * 1024);
        sent.update(chunk);
        yield chunk;
      }
    }
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path: '/echo/stream', method: 'POST', agent: false, headers: { [KEY_HEADER]: sub.primary, 'content-type': 'application/octet-stream' } },
        (res) => {
          res.on('data', (c: Buffer) => {
            receivedBytes += c.length;
            received.update(c);
          });
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      pipeline(Readable.from(generate()), req).catch(reject);
    });
    expect(status).toBe(200);
    expect(receivedBytes).toBe(total);
    expect(received.digest('hex')).toBe(sent.digest('hex'));
  });

  it('sets X-Forwarded-* and drops hop-by-hop headers both ways', async () => {
    const sub = await addSubscription('/products/basic', 'dev1');
    await gateway.refresh();
    const r = await call(port, '/echo/hop', {
      headers: {
        [KEY_HEADER]: sub.primary,
        connection: 'keep-alive, x-drop-me',
        'keep-alive': 'timeout=5',
        'x-drop-me': '1',
        'proxy-authorization': 'Basic abc',
        te: 'trailers',
        'x-forwarded-for': '203.0.113.7',
        'x-custom': 'kept',
      },
    });
    expect(r.status).toBe(200);
    const h = r.json.headers;
    // The client's own X-Forwarded-For is dropped, not appended to (gateway-edge.test.ts has the rest).
    expect(h['x-forwarded-for']).toBe('127.0.0.1');
    expect(h['x-forwarded-proto']).toBe('http');
    expect(h['x-forwarded-host']).toBe(`127.0.0.1:${port}`);
    expect(h.host).toBe(`127.0.0.1:${upstream.port}`);
    expect(h['x-custom']).toBe('kept');
    for (const gone of ['x-drop-me', 'keep-alive', 'proxy-authorization', 'te', 'ocp-apim-subscription-key']) expect(h[gone]).toBeUndefined();
    expect(r.headers['x-kept']).toBe('yes');
    expect(r.headers['x-hop']).toBeUndefined();
    expect(r.headers['proxy-authenticate']).toBeUndefined();
  });

  it('answers 502 when the backend cannot be reached', async () => {
    const r = await get('/down/x');
    expect(r.status).toBe(502);
    expect(r.json).toEqual({ statusCode: 502, message: 'Bad gateway: the backend could not be reached.' });
  });

  it('answers 504 when the backend is too slow', async () => {
    const quick = createGateway({ store: server.app.store, clock: systemClock, logger: server.app.http.log, upstreamTimeoutMs: 200 });
    try {
      const quickPort = (await quick.listen(0, '127.0.0.1')).port;
      const sub = await addSubscription('/products/basic', 'dev1');
      await quick.refresh();
      // The backend would answer 200 after 3 s: a 504 is the gateway's timeout.
      const r = await call(quickPort, '/echo/slow', { headers: { [KEY_HEADER]: sub.primary } });
      expect(r.status).toBe(504);
      expect(r.json.statusCode).toBe(504);
    } finally {
      await quick.close();
    }
  });

  // The changes are written around the services, so nothing tells the gateway but its own poll
  // of the feed: the one place it is waited for (bounded; how fast: `npm run bench:propagation`).
  it('picks up a change from the feed, without refresh()', async () => {
    const status = (key: string) => get('/echo/hello', key).then((r) => r.status);
    const sub = await addSubscription('/products/basic', 'dev1');
    await until(() => status(sub.primary), 200);
    await db().updateTable('subscriptions').set({ state: 'suspended' }).where('id', '=', sub.id).execute();
    await change('subscription', sub.id);
    await until(() => status(sub.primary), 403);
  });

  it('never logs a key', () => {
    expect(logLines.length).toBeGreaterThan(0);
    const log = logLines.join('\n');
    for (const key of allKeys) expect(log).not.toContain(key);
  });
});
