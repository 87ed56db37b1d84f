/**
 * /metrics of `tollgate start` (METRICS_PORT): real calls through the gateway — answered by the
 * backend, refused for a missing or wrong key, by a rate limit and by a quota, for a path no API
 * has, with a backend that refuses connections — then a scrape, read series by series: the exact
 * counts per API and status class, the histograms' counts, refusals by reason, upstream errors,
 * the snapshot's gauges, the change lag, the outbox and Node's event-loop delay. Health probes are
 * not counted, and no key appears. Without METRICS_PORT nothing listens.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startServer, type TestServer } from '../helpers/server.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { freePort, get, putCatalogue, scrape, seriesKey, sumOf, type Catalogue } from '../helpers/ops.js';

const KEY_HEADER = 'Ocp-Apim-Subscription-Key';
const NODE = 'node-a';

describe.each(BACKENDS)('gateway metrics (%s)', (backend) => {
  let server: TestServer;
  let upstream: Upstream;
  let catalogue: Catalogue;
  let metricsUrl = '';

  beforeAll(async () => {
    upstream = await startUpstream();
    const metricsPort = await freePort();
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    server = await startServer(backend, { env: { METRICS_PORT: String(metricsPort), TOLLGATE_NODE_NAME: NODE } });
    catalogue = await putCatalogue(server, upstream.url);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  it('counts each call once by API and status class, refusals by reason, upstream errors by kind; health probes not at all', async () => {
    const g = server.gatewayUrl;
    const { starterKey, goldKey } = catalogue;
    const statuses: number[] = [];
    const call = async (path: string, key?: string) => statuses.push((await get(`${g}${path}`, key ? { [KEY_HEADER]: key } : {})).status);
    for (let i = 0; i < 3; i++) await call('/echo/ok', starterKey);
    await call('/echo/limited', starterKey);
    await call('/echo/gold', goldKey);
    await call('/echo/over-quota', goldKey);
    await call('/echo/no-key');
    await call('/echo/wrong-key', 'not-a-key-of-anyone');
    await call('/nowhere');
    await call('/dead/x');
    expect(statuses).toEqual([200, 200, 200, 429, 200, 403, 401, 401, 404, 502]);
    for (let i = 0; i < 3; i++) expect((await get(`${g}/status-0123456789abcdef`)).status).toBe(200);

    const { text, series } = await scrape(metricsUrl);
    const requests = (labels: Record<string, string>) => series.get(seriesKey('tollgate_gateway_requests_total', { ...labels, node: NODE }));
    expect(requests({ api: 'echo', status_class: '2xx' })).toBe(4);
    expect(requests({ api: 'echo', status_class: '4xx' })).toBe(4);
    expect(requests({ api: '', status_class: '4xx' })).toBe(1);
    expect(requests({ api: 'dead', status_class: '5xx' })).toBe(1);
    // Ten calls in all: the three health probes are not among them.
    expect(sumOf(series, 'tollgate_gateway_requests_total')).toBe(10);

    const refusals = (reason: string) => series.get(seriesKey('tollgate_gateway_refusals_total', { reason, node: NODE }));
    expect(refusals('key')).toBe(2);
    expect(refusals('rate_limit')).toBe(1);
    expect(refusals('quota')).toBe(1);
    expect(refusals('not_found')).toBe(1);
    expect(sumOf(series, 'tollgate_gateway_refusals_total')).toBe(5);
    expect(series.get(seriesKey('tollgate_gateway_upstream_errors_total', { kind: 'error', node: NODE }))).toBe(1);
    expect(series.get(seriesKey('tollgate_gateway_upstream_errors_total', { kind: 'timeout', node: NODE }))).toBe(0);

    // Total time: every call of the API; backend time: only the four the backend answered.
    const total = 'tollgate_gateway_request_duration_seconds';
    expect(series.get(seriesKey(`${total}_count`, { api: 'echo', node: NODE }))).toBe(8);
    expect(series.get(seriesKey(`${total}_bucket`, { api: 'echo', le: '+Inf', node: NODE }))).toBe(8);
    expect(series.get(seriesKey(`${total}_bucket`, { api: 'echo', le: 10, node: NODE }))).toBe(8);
    expect(series.get(seriesKey(`${total}_sum`, { api: 'echo', node: NODE }))).toBeGreaterThan(0);
    const backendTime = 'tollgate_gateway_backend_duration_seconds';
    expect(series.get(seriesKey(`${backendTime}_count`, { api: 'echo', node: NODE }))).toBe(4);
    // Buckets are cumulative and end at the count.
    const buckets = [...series].filter(([k]) => k.startsWith(`${total}_bucket{api="echo"`)).map(([, v]) => v);
    expect(buckets.length).toBe(14);
    expect(buckets.every((v, i) => i === 0 || v >= buckets[i - 1]!)).toBe(true);
    expect(buckets[buckets.length - 1]).toBe(8);

    expect(text).not.toContain(starterKey);
    expect(text).not.toContain(goldKey);
    expect(text).not.toContain('not-a-key-of-anyone');
  });

  it('exposes the snapshot, the change lag, the traffic backlog, the outbox and the event loop', async () => {
    const { series } = await scrape(metricsUrl);
    const gauge = (name: string) => series.get(seriesKey(name, { node: NODE }));
    expect(gauge('tollgate_gateway_snapshot_loaded')).toBe(1);
    const stats = server.app.gateway.stats();
    expect(gauge('tollgate_gateway_apis')).toBe(2);
    // The two subscriptions of the catalogue, and the built-in all-access one.
    expect(gauge('tollgate_gateway_subscriptions')).toBe(stats.subscriptions);
    expect(stats.subscriptions).toBeGreaterThanOrEqual(2);
    expect(gauge('tollgate_gateway_keys')).toBe(2 * stats.subscriptions);
    expect(gauge('tollgate_gateway_key_index_bytes')).toBe(stats.keyIndexBytes);
    expect(gauge('tollgate_gateway_feed_position')).toBe(stats.feedSeq);
    expect(stats.feedSeq).toBeGreaterThan(0);
    // Changes made through this process are applied before the write is answered: well under a minute.
    const lag = gauge('tollgate_gateway_change_lag_seconds')!;
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(60);
    expect(gauge('tollgate_traffic_pending_buckets')).toBeGreaterThanOrEqual(0);
    // No email has been tried, so none gave up.
    expect(gauge('tollgate_outbox_dead')).toBe(0);
    expect(gauge('tollgate_outbox_pending')).toBe(await server.app.store.outbox.countByState('pending'));
    expect(gauge('nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('pending traffic buckets drop to 0 once the recorder flushed', async () => {
    await server.app.gateway.flushTraffic();
    const { series } = await scrape(metricsUrl);
    expect(series.get(seriesKey('tollgate_traffic_pending_buckets', { node: NODE }))).toBe(0);
  });

  it('serves /metrics only, GET and HEAD', async () => {
    expect((await get(metricsUrl.replace('/metrics', '/'))).status).toBe(404);
    expect((await get(metricsUrl.replace('/metrics', '/healthz'))).status).toBe(404);
  });
});

describe('without METRICS_PORT', () => {
  it('listens on no metrics port', async () => {
    const metricsPort = await freePort();
    const server = await startServer('sqlite');
    try {
      // The port chosen for it stays free: nothing accepts a connection there.
      const refused = await new Promise<boolean>((resolve) => {
        const socket = connect(metricsPort, '127.0.0.1');
        socket.once('connect', () => {
          socket.destroy();
          resolve(false);
        });
        socket.once('error', () => resolve(true));
      });
      expect(refused).toBe(true);
      expect(server.app.config.metricsPort).toBeUndefined();
    } finally {
      await server.close();
    }
  });
});
