/**
 * The traffic recorder as it runs in `tollgate start`: real calls through the gateway, counted in
 * memory and written by flushTraffic() into the traffic tables (read here directly: the reports
 * and pages built on them have their own tests). Counts per minute and per API, operation,
 * product, subscription and user; Azure's classes; bytes; times; several flushes of one minute
 * add up; a flush that fails loses nothing; the sampled request log is bounded and never holds a key.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { BACKENDS, startServer, type TestServer } from '../helpers/server.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { activeSubscription, putApi, putProduct } from '../helpers/gateway.js';
import { ManualClock } from '../../src/domain/clock.js';
import { HEALTH_PATH } from '../../src/gateway/handler.js';

const MINUTE = 60_000;
const START = '2026-12-03T10:00:10.000Z';

describe.each(BACKENDS)('traffic recorder (%s)', (backend) => {
  let server: TestServer;
  let upstream: Upstream;
  let key = '';
  const clock = new ManualClock(START);

  const call = async (path: string, headers: Record<string, string> = {}, init: RequestInit = {}) => {
    const res = await fetch(`${server.gatewayUrl}${path}`, { ...init, headers: { ...headers } });
    const body = await res.arrayBuffer();
    return { status: res.status, requestId: res.headers.get('x-request-id'), bytes: body.byteLength };
  };
  const db = () => server.app.database.db;
  const minutes = async () =>
    (await db().selectFrom('traffic_minutes').selectAll().orderBy('minute').orderBy('api_id').orderBy('operation_id').orderBy('subscription_id').execute()).map(
      (r) => ({ ...r, minute: Number(r.minute), calls_total: Number(r.calls_total) }),
    );
  const clear = async () => {
    for (const table of ['traffic_minutes', 'traffic_hours', 'traffic_days', 'traffic_statuses', 'traffic_statuses_hours', 'traffic_statuses_days'] as const) {
      await db().deleteFrom(table).execute();
    }
    await db().deleteFrom('traffic_requests').execute();
  };

  beforeAll(async () => {
    upstream = await startUpstream();
    server = await startServer(backend, { clock, env: { ANALYTICS_REQUEST_LOG_PER_SECOND: '1', ANALYTICS_FLUSH_SECONDS: '3' } });
    await server.request('PUT', '/users/ann', { body: { properties: { email: 'ann@example.com', firstName: 'Ann', lastName: 'A' } } });
    await putApi(server, 'echo', { displayName: 'Echo', path: 'echo', serviceUrl: upstream.url, protocols: ['http'] }, [
      { id: 'get-item', displayName: 'Get an item', method: 'GET', urlTemplate: '/items/{id}', templateParameters: [{ name: 'id', type: 'string', required: true }] },
    ]);
    await putProduct(server, 'gold', { displayName: 'Gold', subscriptionRequired: true, state: 'published' }, { apis: ['echo'] });
    key = await activeSubscription(server, 'ann-gold', 'ann', 'gold', 'Ann gold');
  });
  afterEach(async () => {
    await server.app.gateway.flushTraffic();
    await clear();
    clock.set(START);
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  it('counts each call once, in its minute and by who called what, with Azure’s classes, bytes and times', async () => {
    const ok1 = await call('/echo/items/1', { 'ocp-apim-subscription-key': key });
    const ok2 = await call('/echo/items/2', { 'ocp-apim-subscription-key': key });
    const missing = await call('/echo/items/3');
    const nowhere = await call('/nothing/here', { 'ocp-apim-subscription-key': key });
    const health = await call(HEALTH_PATH);
    clock.advance(MINUTE);
    const later = await call('/echo/items/4', { 'ocp-apim-subscription-key': key });
    expect([ok1.status, ok2.status, missing.status, nowhere.status, health.status, later.status]).toEqual([200, 200, 401, 404, 200, 200]);
    expect(new Set([ok1.requestId, ok2.requestId, missing.requestId, health.requestId]).size).toBe(4);

    await server.app.gateway.flushTraffic();
    const rows = await minutes();
    const m0 = Date.parse('2026-12-03T10:00:00.000Z');
    const summary = rows.map((r) => [r.minute - m0, r.api_id, r.operation_id, r.product_id, r.subscription_id, r.user_id, Number(r.calls_success), Number(r.calls_blocked), Number(r.calls_other), r.calls_total]);
    expect(summary).toEqual([
      // The 404 matched no API: counted (for byTime) under no API; the health check not at all.
      [0, '', '', '', '', '', 0, 0, 1, 1],
      // No key: the API is known, nobody else is.
      [0, 'echo', 'get-item', '', '', '', 0, 1, 0, 1],
      [0, 'echo', 'get-item', 'gold', 'ann-gold', 'ann', 2, 0, 0, 2],
      [MINUTE, 'echo', 'get-item', 'gold', 'ann-gold', 'ann', 1, 0, 0, 1],
    ]);
    const ok = rows[2]!;
    expect(Number(ok.bandwidth)).toBe(ok1.bytes + ok2.bytes);
    expect(Number(ok.service_calls)).toBe(2);
    expect(Number(ok.api_time_min)).toBeLessThanOrEqual(Number(ok.api_time_sum) / 2);
    expect(Number(ok.api_time_max)).toBeGreaterThanOrEqual(Number(ok.api_time_sum) / 2);
    expect(Number(ok.service_time_max)).toBeLessThanOrEqual(Number(ok.api_time_max));
    const histogram = Array.from({ length: 14 }, (_, i) => Number((ok as unknown as Record<string, number>)[`latency_${i}`]));
    expect(histogram.reduce((a, b) => a + b, 0)).toBe(2);
    // Refused calls never reached a backend.
    expect(Number(rows[1]!.service_calls)).toBe(0);

    const statuses = (await db().selectFrom('traffic_statuses').selectAll().orderBy('minute').orderBy('api_id').orderBy('status').execute()).map((s) => [
      Number(s.minute) - m0,
      s.api_id,
      s.status,
      Number(s.calls),
    ]);
    expect(statuses).toEqual([
      [0, '', 404, 1],
      [0, 'echo', 200, 2],
      [0, 'echo', 401, 1],
      [MINUTE, 'echo', 200, 1],
    ]);
  });

  it('adds a minute’s later flushes to what earlier ones wrote', async () => {
    await call('/echo/items/1', { 'ocp-apim-subscription-key': key });
    await server.app.gateway.flushTraffic();
    await call('/echo/items/2', { 'ocp-apim-subscription-key': key });
    await call('/echo/items/3', { 'ocp-apim-subscription-key': key });
    await server.app.gateway.flushTraffic();
    const rows = await minutes();
    expect(rows.map((r) => [r.subscription_id, r.calls_total, Number(r.calls_success), Number(r.service_calls)])).toEqual([['ann-gold', 3, 3, 3]]);
    expect(Number(rows[0]!.api_time_min)).toBeLessThanOrEqual(Number(rows[0]!.api_time_max));
    const s = await db().selectFrom('traffic_statuses').select(['status', 'calls']).execute();
    expect(s.map((r) => [r.status, Number(r.calls)])).toEqual([[200, 3]]);
  });

  it('keeps what a failed flush could not write, and writes it, once, with the next', async () => {
    await call('/echo/items/1', { 'ocp-apim-subscription-key': key });
    await call('/echo/items/2');
    await sql`alter table traffic_minutes rename to traffic_minutes_away`.execute(db());
    try {
      await expect(server.app.gateway.flushTraffic()).rejects.toThrow();
    } finally {
      await sql`alter table traffic_minutes_away rename to traffic_minutes`.execute(db());
    }
    // Nothing of the failed flush landed (one transaction).
    expect(await db().selectFrom('traffic_statuses').selectAll().execute()).toEqual([]);
    await call('/echo/items/3', { 'ocp-apim-subscription-key': key });
    await server.app.gateway.flushTraffic();
    const rows = await minutes();
    expect(rows.map((r) => [r.subscription_id, r.calls_total])).toEqual([
      ['', 1],
      ['ann-gold', 2],
    ]);
    const s = await db().selectFrom('traffic_statuses').select(['status', 'calls']).orderBy('status').execute();
    expect(s.map((r) => [r.status, Number(r.calls)])).toEqual([
      [200, 2],
      [401, 1],
    ]);
  });

  it('keeps a bounded sample of single requests, with their request ids and never a key', async () => {
    // ANALYTICS_REQUEST_LOG_PER_SECOND=1 and a 3 s flush interval: 3 requests per flush at most.
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await call(`/echo/items/${i}?subscription-key=${key}&color=blue`);
      expect(r.status).toBe(200);
      ids.push(r.requestId!);
    }
    await server.app.gateway.flushTraffic();
    const logged = await db().selectFrom('traffic_requests').selectAll().execute();
    expect(logged).toHaveLength(3);
    for (const r of logged) {
      expect(ids).toContain(r.request_id);
      expect(r.url).toMatch(/^\/echo\/items\/\d\?color=blue$/);
      expect(JSON.stringify(r)).not.toContain(key);
      expect([r.method, r.api_id, r.operation_id, r.product_id, r.subscription_id, r.user_id, r.response_code, r.backend_response_code, r.ip]).toEqual([
        'GET',
        'echo',
        'get-item',
        'gold',
        'ann-gold',
        'ann',
        200,
        200,
        '127.0.0.1',
      ]);
      expect(Number(r.at)).toBe(Date.parse(START));
    }
  });

  it('rolls what it writes up into hours and UTC days, adding up across flushes', async () => {
    const at = (iso: string) => clock.set(iso);
    const ok = () => call('/echo/items/1', { 'ocp-apim-subscription-key': key });
    at('2026-12-03T10:00:10.000Z');
    await ok();
    await ok();
    await server.app.gateway.flushTraffic();
    at('2026-12-03T10:59:50.000Z');
    await ok();
    await call('/echo/items/2');
    at('2026-12-04T00:00:30.000Z');
    await ok();
    await server.app.gateway.flushTraffic();

    const rows = async (table: 'traffic_hours' | 'traffic_days') =>
      (await db().selectFrom(table).selectAll().orderBy('minute').orderBy('subscription_id').execute()).map((r) => [
        new Date(Number(r.minute)).toISOString(),
        r.subscription_id,
        Number(r.calls_success),
        Number(r.calls_blocked),
        Number(r.calls_total),
      ]);
    expect(await rows('traffic_hours')).toEqual([
      ['2026-12-03T10:00:00.000Z', '', 0, 1, 1],
      ['2026-12-03T10:00:00.000Z', 'ann-gold', 3, 0, 3],
      ['2026-12-04T00:00:00.000Z', 'ann-gold', 1, 0, 1],
    ]);
    expect(await rows('traffic_days')).toEqual([
      ['2026-12-03T00:00:00.000Z', '', 0, 1, 1],
      ['2026-12-03T00:00:00.000Z', 'ann-gold', 3, 0, 3],
      ['2026-12-04T00:00:00.000Z', 'ann-gold', 1, 0, 1],
    ]);
    // The day's times are those of its minutes.
    const minuteRows = (await minutes()).filter((r) => r.subscription_id === 'ann-gold' && r.minute < Date.parse('2026-12-04T00:00:00Z'));
    const day = (await db().selectFrom('traffic_days').selectAll().where('subscription_id', '=', 'ann-gold').orderBy('minute').executeTakeFirstOrThrow());
    expect(Number(day.api_time_min)).toBe(Math.min(...minuteRows.map((r) => Number(r.api_time_min))));
    expect(Number(day.api_time_max)).toBe(Math.max(...minuteRows.map((r) => Number(r.api_time_max))));
    expect(Number(day.api_time_sum)).toBeCloseTo(minuteRows.reduce((a, r) => a + Number(r.api_time_sum), 0), 9);
    const statuses = await db().selectFrom('traffic_statuses_days').select(['minute', 'status', 'calls']).orderBy('minute').orderBy('status').execute();
    expect(statuses.map((r) => [new Date(Number(r.minute)).toISOString(), r.status, Number(r.calls)])).toEqual([
      ['2026-12-03T00:00:00.000Z', 200, 3],
      ['2026-12-03T00:00:00.000Z', 401, 1],
      ['2026-12-04T00:00:00.000Z', 200, 1],
    ]);

    // A report over whole days reads the day rollup: it still answers once the minute rows are gone;
    // one whose bounds are not on an hour reads the minutes.
    const byApi = async (filter: string) => {
      const res = await server.request('GET', '/reports/byApi', { query: { $filter: filter } });
      expect(res.status, res.text).toBe(200);
      return res.json.value.map((r: { apiId: string; callCountTotal: number }) => [r.apiId, r.callCountTotal]);
    };
    const days = "timestamp ge datetime'2026-12-03T00:00:00' and timestamp lt datetime'2026-12-05T00:00:00'";
    const minutesOnly = "timestamp ge datetime'2026-12-03T00:00:00' and timestamp le datetime'2026-12-05T00:00:00'";
    expect(await byApi(days)).toEqual([['/apis/echo', 5]]);
    expect(await byApi(minutesOnly)).toEqual([['/apis/echo', 5]]);
    await db().deleteFrom('traffic_minutes').execute();
    expect(await byApi(days)).toEqual([['/apis/echo', 5]]);
    expect(await byApi(minutesOnly)).toEqual([]);
  });

  it('prunes aggregates and requests past their retention', async () => {
    await call('/echo/items/1', { 'ocp-apim-subscription-key': key });
    await server.app.gateway.flushTraffic();
    clock.advance(8 * 24 * 60 * MINUTE); // past the request log's 7 days, within the aggregates' 90
    await server.app.trafficRetention.pruneNow();
    expect(await db().selectFrom('traffic_requests').selectAll().execute()).toHaveLength(0);
    expect(await minutes()).toHaveLength(1);
    clock.advance(83 * 24 * 60 * MINUTE);
    await server.app.trafficRetention.pruneNow();
    expect(await minutes()).toHaveLength(0);
    expect(await db().selectFrom('traffic_statuses').selectAll().execute()).toHaveLength(0);
  });
});

describe('ANALYTICS=off', () => {
  it('records nothing', async () => {
    const upstream = await startUpstream();
    const server = await startServer('sqlite', { env: { ANALYTICS: 'off' } });
    try {
      await putApi(server, 'open', { displayName: 'Open', path: 'open', serviceUrl: upstream.url, protocols: ['http'], subscriptionRequired: false });
      // No operation matches: a 404, which a recorder that is on counts (see the first test).
      expect((await fetch(`${server.gatewayUrl}/open/x`)).status).toBe(404);
      await server.app.gateway.flushTraffic();
      expect(await server.app.database.db.selectFrom('traffic_minutes').selectAll().execute()).toEqual([]);
    } finally {
      await server.close();
      await upstream.close();
    }
  });
});
