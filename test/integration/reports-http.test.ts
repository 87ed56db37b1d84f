/**
 * The reports (Reports_ListBy*) over real gateway traffic, on each backend: two users' subscriptions
 * call an API with two operations through a real backend, and meet each class of answer (200, 401
 * without a key, 403 with a suspended subscription's key, 429 past a rate limit, 502 from a
 * backend that is down, 404 for no API); the app's clock places the calls in two 15-minute
 * buckets. After `flushTraffic()` every report's numbers must equal what the calls add up to,
 * read over raw HTTP and through Microsoft's SDK.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import { collect, createAzureClient } from '../helpers/azure-client.js';
import { activeSubscription, putApi, putProduct, subscriptionKeys } from '../helpers/gateway.js';
import { freePort } from '../helpers/net.js';
import { expectedBy, expectRecord, timeFilter, type Call } from '../helpers/reports.js';
import { BACKENDS, RESOURCE_GROUP, SERVICE_NAME, startServer, type TestServer } from '../helpers/server.js';
import { expectValidationError } from '../helpers/shape.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

const T0 = Date.parse('2026-03-02T10:00:00Z');
const QUARTER = 15 * 60_000;
const RANGE = timeFilter(T0 - 3600_000, T0 + 3600_000);

const policy = (inbound: string) =>
  `<policies><inbound><base />${inbound}</inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`;

describe.each(BACKENDS)('reports (%s)', (backend) => {
  let server: TestServer;
  let upstream: Upstream;
  const clock = new ManualClock(new Date(T0 + 5 * 60_000));
  const calls: Call[] = [];
  const keys: Record<string, string> = {};

  /** One gateway call; `who` states what the recorder must attribute it to. */
  async function call(
    method: string,
    path: string,
    who: Omit<Call, 'bucket' | 'status' | 'bytes' | 'requestId' | 'method'>,
    options: { key?: string; keyInQuery?: boolean; body?: string; status: number },
  ): Promise<void> {
    const headers: Record<string, string> = {};
    let target = `${server.gatewayUrl}${path}`;
    if (options.key && options.keyInQuery) target += `${path.includes('?') ? '&' : '?'}subscription-key=${options.key}`;
    else if (options.key) headers['ocp-apim-subscription-key'] = options.key;
    const res = await fetch(target, { method, headers, body: options.body });
    const received = (await res.arrayBuffer()).byteLength;
    expect(res.status, `${method} ${path}`).toBe(options.status);
    const now = clock.now().getTime();
    calls.push({
      ...who,
      bucket: now - (now % QUARTER),
      status: res.status,
      bytes: Buffer.byteLength(options.body ?? '') + received,
      requestId: res.headers.get('x-request-id') ?? '',
      method,
    });
  }

  const get = (report: string, query: Record<string, string | number>) => server.request('GET', `/reports/${report}`, { query });

  beforeAll(async () => {
    upstream = await startUpstream();
    server = await startServer(backend, { clock });
    for (const [id, firstName, lastName] of [
      ['alice', 'Alice', 'Smith'],
      ['bob', 'Bob', 'Jones'],
    ] as const) {
      const res = await server.request('PUT', `/users/${id}`, { body: { properties: { email: `${id}@example.com`, firstName, lastName } } });
      expect(res.status, res.text).toBeLessThan(300);
    }
    await putApi(server, 'echo', { displayName: 'Echo API', path: 'echo', serviceUrl: upstream.url, protocols: ['http'] }, [
      { id: 'get-item', displayName: 'Get item', method: 'GET', urlTemplate: '/items/*' },
      { id: 'post-item', displayName: 'Post item', method: 'POST', urlTemplate: '/items' },
    ]);
    // Nothing listens there: the gateway answers 502.
    await putApi(server, 'down', { displayName: 'Down API', path: 'down', serviceUrl: `http://127.0.0.1:${await freePort()}`, protocols: ['http'] }, [
      { id: 'any', displayName: 'Anything', method: 'GET', urlTemplate: '/*' },
    ]);
    await putProduct(server, 'gold', { displayName: 'Gold', subscriptionRequired: true, approvalRequired: false, state: 'published' }, { apis: ['echo', 'down'] });
    await putProduct(server, 'tight', { displayName: 'Tight', subscriptionRequired: true, approvalRequired: false, state: 'published' }, { apis: ['echo'] });
    const set = await server.request('PUT', '/products/tight/policies/policy', {
      body: { properties: { format: 'xml', value: policy('<rate-limit calls="1" renewal-period="60" />') } },
    });
    expect(set.status, set.text).toBe(201);
    keys.sa = await activeSubscription(server, 'sa', 'alice', 'gold', 'Alice main');
    keys.sb = await activeSubscription(server, 'sb', 'bob', 'tight', 'Bob tight');
    keys.sc = await activeSubscription(server, 'sc', 'alice', 'gold', 'Alice spare');
    const suspend = await server.request('PATCH', '/subscriptions/sc', { body: { properties: { state: 'suspended' } }, headers: { 'if-match': '*' } });
    expect(suspend.status, suspend.text).toBe(200);
    expect((await subscriptionKeys(server, 'sc')).primary).toBe(keys.sc);

    const alice = { product: 'gold', subscription: 'sa', user: 'alice' };
    const bob = { product: 'tight', subscription: 'sb', user: 'bob' };
    const nobody = { product: '', subscription: '', user: '' };
    // First quarter hour (10:00-10:15).
    await call('GET', '/echo/items/1?colour=red', { api: 'echo', operation: 'get-item', ...alice }, { key: keys.sa, keyInQuery: true, status: 200 });
    await call('POST', '/echo/items', { api: 'echo', operation: 'post-item', ...alice }, { key: keys.sa, body: 'hello, backend', status: 200 });
    await call('GET', '/echo/items/1', { api: 'echo', operation: 'get-item', ...nobody }, { status: 401 });
    await call('GET', '/echo/items/1', { api: 'echo', operation: 'get-item', ...nobody }, { key: keys.sc, status: 403 });
    await call('GET', '/echo/items/2', { api: 'echo', operation: 'get-item', ...bob }, { key: keys.sb, status: 200 });
    await call('GET', '/echo/items/3', { api: 'echo', operation: 'get-item', ...bob }, { key: keys.sb, status: 429 });
    await call('GET', '/nowhere', { api: '', operation: '', ...nobody }, { status: 404 });
    // Second quarter hour (10:15-10:30).
    clock.advance(QUARTER);
    await call('GET', '/down/x', { api: 'down', operation: 'any', ...alice }, { key: keys.sa, status: 502 });
    await call('GET', '/echo/items/4', { api: 'echo', operation: 'get-item', ...alice }, { key: keys.sa, status: 200 });
    await server.app.gateway.flushTraffic();
  });

  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  it('byApi: each API with its counts, bandwidth and times; calls that matched no API are left out', async () => {
    const res = await get('byApi', { $filter: RANGE });
    expect(res.status, res.text).toBe(200);
    const expected = expectedBy(calls, (c) => c.api);
    expect(res.json.value.map((r: { apiId: string }) => r.apiId)).toEqual(['/apis/down', '/apis/echo']);
    expect(res.json.count).toBe(2);
    expect(res.json.nextLink).toBe('');
    for (const r of res.json.value) {
      expectRecord(r, expected.get(r.apiId.slice('/apis/'.length)), r.apiId);
      expect(r).toMatchObject({ cacheHitCount: 0, cacheMissCount: 0, apiRegion: 'default' });
    }
    expect(res.json.value.map((r: { name: string }) => r.name)).toEqual(['Down API', 'Echo API']);
    // The backend that is down: its one call failed (502), and its error body counts as bandwidth.
    expect(res.json.value[0]).toMatchObject({ callCountFailed: 1, callCountTotal: 1 });
  });

  it('byOperation, byProduct, byUser, bySubscription: each dimension adds up, with display names', async () => {
    const ops = await get('byOperation', { $filter: RANGE });
    expect(ops.status, ops.text).toBe(200);
    const byOp = expectedBy(calls, (c) => (c.operation ? `/apis/${c.api}/operations/${c.operation}` : ''));
    expect(ops.json.value.map((r: { operationId: string; name: string }) => [r.operationId, r.name])).toEqual([
      ['/apis/down/operations/any', 'Anything'],
      ['/apis/echo/operations/get-item', 'Get item'],
      ['/apis/echo/operations/post-item', 'Post item'],
    ]);
    for (const r of ops.json.value) expectRecord(r, byOp.get(r.operationId), r.operationId);
    expect(ops.json.value[1].apiId).toBe('/apis/echo');

    const products = await get('byProduct', { $filter: RANGE });
    const byProduct = expectedBy(calls, (c) => c.product);
    expect(products.json.value.map((r: { productId: string; name: string }) => [r.productId, r.name])).toEqual([
      ['/products/gold', 'Gold'],
      ['/products/tight', 'Tight'],
    ]);
    for (const r of products.json.value) expectRecord(r, byProduct.get(r.productId.slice('/products/'.length)), r.productId);

    const users = await get('byUser', { $filter: RANGE });
    const byUser = expectedBy(calls, (c) => c.user);
    expect(users.json.value.map((r: { userId: string; name: string }) => [r.userId, r.name])).toEqual([
      ['/users/alice', 'Alice Smith'],
      ['/users/bob', 'Bob Jones'],
    ]);
    for (const r of users.json.value) expectRecord(r, byUser.get(r.userId.slice('/users/'.length)), r.userId);

    const subs = await get('bySubscription', { $filter: RANGE });
    const bySub = expectedBy(calls, (c) => c.subscription);
    expect(subs.json.value.map((r: Record<string, string>) => [r.subscriptionId, r.name, r.userId, r.productId])).toEqual([
      ['/subscriptions/sa', 'Alice main', '/users/alice', '/products/gold'],
      ['/subscriptions/sb', 'Bob tight', '/users/bob', '/products/tight'],
    ]);
    for (const r of subs.json.value) expectRecord(r, bySub.get(r.subscriptionId.slice('/subscriptions/'.length)), r.subscriptionId);
  });

  it('byTime: one record per 15-minute bucket with data, aligned to the interval; PT1H adds the two up', async () => {
    const res = await get('byTime', { $filter: RANGE, interval: 'PT15M' });
    expect(res.status, res.text).toBe(200);
    const byBucket = expectedBy(calls, (c) => new Date(c.bucket).toISOString().replace('.000Z', 'Z'));
    expect(res.json.value.map((r: { timestamp: string; interval: string }) => [r.timestamp, r.interval])).toEqual([
      ['2026-03-02T10:00:00Z', 'PT15M'],
      ['2026-03-02T10:15:00Z', 'PT15M'],
    ]);
    // The call that matched no API counts here (it is traffic), as its 'other' class shows.
    for (const r of res.json.value) expectRecord(r, byBucket.get(r.timestamp), r.timestamp);
    expect(res.json.value[0].callCountOther).toBe(1);

    const hourly = await get('byTime', { $filter: RANGE, interval: 'PT60M' });
    expect(hourly.json.value).toHaveLength(1);
    expect(hourly.json.value[0]).toMatchObject({ timestamp: '2026-03-02T10:00:00Z', interval: 'PT1H', callCountTotal: calls.length });
    expectRecord(hourly.json.value[0], expectedBy(calls, () => 'all').get('all'), 'PT1H');
  });

  it('byGeo: one record for all calls, its location unknown (empty), so that clients get the totals', async () => {
    const res = await get('byGeo', { $filter: RANGE });
    expect(res.status, res.text).toBe(200);
    expect(res.json.count).toBe(1);
    expect(res.json.value[0]).toMatchObject({ country: '', region: '', zip: '' });
    expectRecord(res.json.value[0], expectedBy(calls, () => 'all').get('all'), 'byGeo');
    const none = await get('byGeo', { $filter: timeFilter(T0 + 86_400_000, T0 + 2 * 86_400_000) });
    expect(none.json).toEqual({ value: [], count: 0, nextLink: '' });
  });

  it('byRequest: every call, oldest first, with the x-request-id the client got, an absolute URL and no key in it', async () => {
    const res = await get('byRequest', { $filter: RANGE });
    expect(res.status, res.text).toBe(200);
    expect(res.json.count).toBe(calls.length);
    expect(res.json.value.map((r: { requestId: string }) => r.requestId)).toEqual(calls.map((c) => c.requestId));
    expect(res.text).not.toContain(keys.sa);
    expect(res.text).not.toContain('subscription-key');
    const [first, second] = res.json.value;
    expect(first).toMatchObject({
      apiId: '/apis/echo',
      operationId: '/apis/echo/operations/get-item',
      productId: '/products/gold',
      userId: '/users/alice',
      subscriptionId: '/subscriptions/sa',
      method: 'GET',
      url: `${server.app.config.gatewayPublicUrl}/echo/items/1?colour=red`,
      ipAddress: '127.0.0.1',
      responseCode: 200,
      backendResponseCode: '200',
      requestSize: 0,
      responseSize: calls[0]!.bytes,
      cache: 'none',
      apiRegion: 'default',
      timestamp: new Date(T0 + 5 * 60_000).toISOString(),
    });
    expect(second).toMatchObject({ method: 'POST', requestSize: Buffer.byteLength('hello, backend') });
    const refused = res.json.value[2];
    expect(refused).toMatchObject({ responseCode: 401, backendResponseCode: '', productId: '/products/-', subscriptionId: '/subscriptions/-', userId: '/users/-' });
    expect(refused.apiTime).toBeGreaterThan(0);
    const down = res.json.value.find((r: { responseCode: number }) => r.responseCode === 502);
    expect(down).toMatchObject({ apiId: '/apis/down', backendResponseCode: '' });

    const newest = await get('byRequest', { $filter: RANGE, $orderby: 'timestamp desc', $top: 2 });
    expect(newest.json.value.map((r: { requestId: string }) => r.requestId)).toEqual([calls[8]!.requestId, calls[7]!.requestId]);
  });

  it('filters by time and by id (a path or a plain id, or a full ARM id), and by region', async () => {
    const later = await get('byApi', { $filter: `timestamp ge datetime'${new Date(T0 + QUARTER).toISOString()}'` });
    expect(later.json.value.map((r: { apiId: string; callCountTotal: number }) => [r.apiId, r.callCountTotal])).toEqual([
      ['/apis/down', 1],
      ['/apis/echo', 1],
    ]);
    const before = await get('byApi', { $filter: `timestamp ge datetime'2026-03-02T09:00:00' and timestamp lt datetime'2026-03-02T10:15:00'` });
    expect(before.json.value.map((r: { apiId: string; callCountTotal: number }) => [r.apiId, r.callCountTotal])).toEqual([['/apis/echo', 6]]);

    const bobs = await get('byApi', { $filter: `${RANGE} and subscriptionId eq '/subscriptions/sb'` });
    expect(bobs.json.value).toHaveLength(1);
    expectRecord(bobs.json.value[0], expectedBy(calls.filter((c) => c.subscription === 'sb'), (c) => c.api).get('echo'), 'sb');

    const plain = await get('byOperation', { $filter: `${RANGE} and userId eq 'alice' and apiId eq '${server.base.slice(server.url.length)}/apis/echo'` });
    expect(plain.json.value.map((r: { operationId: string; callCountTotal: number }) => [r.operationId, r.callCountTotal])).toEqual([
      ['/apis/echo/operations/get-item', 2],
      ['/apis/echo/operations/post-item', 1],
    ]);
    const oneOp = await get('byUser', { $filter: `${RANGE} and operationId eq '/apis/echo/operations/get-item'` });
    expect(oneOp.json.value.map((r: { userId: string; callCountTotal: number }) => [r.userId, r.callCountTotal])).toEqual([
      ['/users/alice', 2],
      ['/users/bob', 2],
    ]);

    const here = await get('byApi', { $filter: `${RANGE} and apiRegion eq 'default'` });
    expect(here.json.count).toBe(2);
    const elsewhere = await get('byApi', { $filter: `${RANGE} and apiRegion eq 'West Europe'` });
    expect(elsewhere.json).toEqual({ value: [], count: 0, nextLink: '' });
  });

  it('orders and pages in the database: $orderby on the numbers, $top/$skip with a nextLink that the SDK follows', async () => {
    const desc = await get('byApi', { $filter: RANGE, $orderby: 'callCountTotal desc' });
    expect(desc.json.value.map((r: { apiId: string }) => r.apiId)).toEqual(['/apis/echo', '/apis/down']);
    const ops = await get('byOperation', { $filter: RANGE, $orderby: 'callCountBlocked desc, apiTimeAvg asc' });
    expect(ops.json.value[0].operationId).toBe('/apis/echo/operations/get-item');

    const first = await get('byOperation', { $filter: RANGE, $top: 2 });
    expect(first.json.value).toHaveLength(2);
    expect(first.json.count).toBe(3);
    const next = new URL(first.json.nextLink);
    expect(next.origin).toBe(server.url);
    expect(next.searchParams.get('$skip')).toBe('2');
    expect(next.searchParams.get('$filter')).toBe(RANGE);
    const second = await server.request('GET', first.json.nextLink);
    expect(second.json.value.map((r: { operationId: string }) => r.operationId)).toEqual(['/apis/echo/operations/post-item']);
    expect(second.json.nextLink).toBe('');
    const past = await get('byOperation', { $filter: RANGE, $top: 2, $skip: 10 });
    expect(past.json).toEqual({ value: [], count: 3, nextLink: '' });

    const client = createAzureClient(server);
    const all = await collect(client.reports.listByOperation(RESOURCE_GROUP, SERVICE_NAME, RANGE, { top: 1 }));
    expect(all.map((r) => r.operationId)).toEqual(['/apis/down/operations/any', '/apis/echo/operations/get-item', '/apis/echo/operations/post-item']);
  });

  it('through the Azure SDK: every report deserializes, with the same numbers', async () => {
    const client = createAzureClient(server);
    const apis = await collect(client.reports.listByApi(RESOURCE_GROUP, SERVICE_NAME, RANGE));
    const byApi = expectedBy(calls, (c) => c.api);
    expect(apis.map((r) => r.name)).toEqual(['Down API', 'Echo API']);
    for (const r of apis) expectRecord(r, byApi.get(r.apiId!.slice('/apis/'.length)), r.apiId!);

    const users = await collect(client.reports.listByUser(RESOURCE_GROUP, SERVICE_NAME, RANGE, { orderby: 'callCountTotal desc' }));
    expect(users.map((r) => [r.userId, r.callCountTotal])).toEqual([
      ['/users/alice', 4],
      ['/users/bob', 2],
    ]);
    const products = await collect(client.reports.listByProduct(RESOURCE_GROUP, SERVICE_NAME, RANGE));
    expect(products.map((r) => r.productId)).toEqual(['/products/gold', '/products/tight']);
    const subs = await collect(client.reports.listBySubscription(RESOURCE_GROUP, SERVICE_NAME, RANGE));
    expect(subs.map((r) => [r.subscriptionId, r.userId, r.productId])).toEqual([
      ['/subscriptions/sa', '/users/alice', '/products/gold'],
      ['/subscriptions/sb', '/users/bob', '/products/tight'],
    ]);
    const ops = await collect(client.reports.listByOperation(RESOURCE_GROUP, SERVICE_NAME, RANGE));
    expect(ops).toHaveLength(3);
    const time = await collect(client.reports.listByTime(RESOURCE_GROUP, SERVICE_NAME, RANGE, 'PT15M'));
    expect(time.map((r) => [r.timestamp?.toISOString(), r.interval, r.callCountTotal])).toEqual([
      ['2026-03-02T10:00:00.000Z', 'PT15M', 7],
      ['2026-03-02T10:15:00.000Z', 'PT15M', 2],
    ]);
    const geo = await collect(client.reports.listByGeo(RESOURCE_GROUP, SERVICE_NAME, RANGE));
    expect(geo.map((r) => [r.country, r.callCountTotal])).toEqual([['', calls.length]]);
    const requests = await collect(client.reports.listByRequest(RESOURCE_GROUP, SERVICE_NAME, RANGE));
    expect(requests.map((r) => r.requestId)).toEqual(calls.map((c) => c.requestId));
    expect(requests[0]!.backendResponseCode).toBe('200');
    expect(requests[0]!.timestamp).toBeInstanceOf(Date);
  });

  it('refuses bad requests with 400 in Azure’s error shape, naming the parameter', async () => {
    expectValidationError(await get('byApi', {}), '$filter');
    expectValidationError(await get('byApi', { $filter: "apiId eq 'echo'" }), '$filter');
    expectValidationError(await get('byApi', { $filter: `${RANGE} or apiId eq 'echo'` }), '$filter');
    expectValidationError(await get('byApi', { $filter: `${RANGE} and apiId ne 'echo'` }), '$filter');
    expectValidationError(await get('byApi', { $filter: `${RANGE} and color eq 'red'` }), '$filter');
    expectValidationError(await get('byApi', { $filter: `${RANGE} and apiId eq '/products/echo'` }), '$filter');
    expectValidationError(await get('byProduct', { $filter: `${RANGE} and apiId eq 'echo'` }), '$filter');
    expectValidationError(await get('byApi', { $filter: "timestamp ge datetime'2026-02-30T00:00:00'" }), '$filter');
    expectValidationError(await get('byTime', { $filter: RANGE }), 'interval');
    expectValidationError(await get('byTime', { $filter: RANGE, interval: 'PT10M' }), 'interval');
    expectValidationError(await get('byTime', { $filter: RANGE, interval: 'P1M' }), 'interval');
    expectValidationError(await get('byApi', { $filter: RANGE, $orderby: 'name asc' }), '$orderby');
    expectValidationError(await get('byApi', { $filter: RANGE, $orderby: 'callCountTotal sideways' }), '$orderby');
    expectValidationError(await get('byApi', { $filter: RANGE, $top: 0 }), '$top');
    const unauthenticated = await server.request('GET', '/reports/byApi', { query: { $filter: RANGE }, auth: false });
    expect(unauthenticated.status).toBe(401);
  });
});
