/**
 * Paging a report with more groups than a page holds, on each backend: 2,500 subscriptions' minute
 * rows put straight into traffic_minutes (as the gateways' flushes leave them), then bySubscription
 * read page by page, ordered by a number with ties, must list every subscription exactly once with
 * its sums, its count over all pages, and bigint sums beyond 32 bits intact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timeFilter } from '../helpers/reports.js';
import { BACKENDS, startServer, type TestServer } from '../helpers/server.js';
import type { TrafficMinuteRow } from '../../src/store/traffic-repo.js';

const SUBSCRIPTIONS = 2_500;
const T0 = Date.parse('2026-05-01T00:00:00Z');
const MINUTE = 60_000;
const latency = Object.fromEntries(Array.from({ length: 14 }, (_, i) => [`latency_${i}`, 0]));

/** Subscription i (s0000..s2499): two minutes of traffic; i % 7 + 1 calls in each, 3 GB of bandwidth each minute. */
function rows(i: number): TrafficMinuteRow[] {
  const id = `s${String(i).padStart(4, '0')}`;
  const calls = (i % 7) + 1;
  return [0, 1].map((m) => ({
    minute: T0 + (i % 30) * MINUTE + m * 30 * MINUTE,
    api_id: 'echo',
    operation_id: 'get',
    product_id: 'gold',
    subscription_id: id,
    user_id: `u${i}`,
    calls_success: calls,
    calls_blocked: 0,
    calls_failed: 0,
    calls_other: 0,
    calls_total: calls,
    bandwidth: 3_000_000_000,
    api_time_sum: calls * 10,
    api_time_min: 5,
    api_time_max: 15,
    service_calls: 0,
    service_time_sum: 0,
    service_time_min: Number.MAX_VALUE,
    service_time_max: 0,
    ...latency,
  })) as TrafficMinuteRow[];
}

describe.each(BACKENDS)('reports paging (%s)', (backend) => {
  let server: TestServer;
  const filter = timeFilter(T0, T0 + 86_400_000);

  beforeAll(async () => {
    server = await startServer(backend);
    const all = Array.from({ length: SUBSCRIPTIONS }, (_, i) => rows(i)).flat();
    await server.app.store.transaction((tx) => tx.traffic.addTrafficMinutes(tx.dialect, all));
  });

  afterAll(async () => {
    await server?.close();
  });

  it('pages through every group once, ordered in the database, ties by id, following nextLink', async () => {
    const seen: { subscriptionId: string; callCountTotal: number }[] = [];
    let res = await server.request('GET', '/reports/bySubscription', { query: { $filter: filter, $orderby: 'callCountTotal desc', $top: 5000 } });
    for (;;) {
      expect(res.status, res.text).toBe(200);
      expect(res.json.count).toBe(SUBSCRIPTIONS);
      // $top is capped at 1,000 per page.
      expect(res.json.value.length).toBeLessThanOrEqual(1000);
      seen.push(...res.json.value);
      if (!res.json.nextLink) break;
      res = await server.request('GET', res.json.nextLink);
    }
    expect(seen).toHaveLength(SUBSCRIPTIONS);
    expect(new Set(seen.map((r) => r.subscriptionId)).size).toBe(SUBSCRIPTIONS);
    const expected = Array.from({ length: SUBSCRIPTIONS }, (_, i) => ({ subscriptionId: `/subscriptions/s${String(i).padStart(4, '0')}`, callCountTotal: 2 * ((i % 7) + 1) }))
      .sort((a, b) => b.callCountTotal - a.callCountTotal || (a.subscriptionId < b.subscriptionId ? -1 : 1));
    expect(seen.map((r) => ({ subscriptionId: r.subscriptionId, callCountTotal: r.callCountTotal }))).toEqual(expected);
    const first = seen[0] as unknown as Record<string, unknown>;
    // No such subscription exists: its id stands for its name. No call reached a backend: service times 0.
    expect(first).toMatchObject({ name: 's0006', userId: '/users/u6', productId: '/products/gold', bandwidth: 6_000_000_000, serviceTimeMin: 0, serviceTimeAvg: 0, apiTimeAvg: 10 });
  });

  it('the report of one subscription reads its own rows only', async () => {
    const res = await server.request('GET', '/reports/byApi', { query: { $filter: `${filter} and subscriptionId eq 's1234'` } });
    expect(res.json.value).toHaveLength(1);
    expect(res.json.value[0]).toMatchObject({ apiId: '/apis/echo', callCountTotal: 2 * ((1234 % 7) + 1), bandwidth: 6_000_000_000 });
  });

  it('byTime PT15M over the day: one bucket per quarter hour with traffic, in order', async () => {
    const res = await server.request('GET', '/reports/byTime', { query: { $filter: filter, interval: 'PT15M' } });
    expect(res.json.value.map((r: { timestamp: string }) => r.timestamp)).toEqual([
      '2026-05-01T00:00:00Z',
      '2026-05-01T00:15:00Z',
      '2026-05-01T00:30:00Z',
      '2026-05-01T00:45:00Z',
    ]);
    const total = res.json.value.reduce((n: number, r: { callCountTotal: number }) => n + r.callCountTotal, 0);
    expect(total).toBe(Array.from({ length: SUBSCRIPTIONS }, (_, i) => 2 * ((i % 7) + 1)).reduce((a, b) => a + b, 0));
  });
});
