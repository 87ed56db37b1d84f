/**
 * /metrics of `tollgate gateway` as a user runs it (its own process, over the SQLite file of a
 * Tollgate that manages the catalogue): with --workers 2 the primary serves METRICS_PORT and sums
 * what each worker counted under the node's name — the counts add up to the calls made, spread
 * over both workers (read off their debug lines), while the snapshot's size is one worker's, not
 * the sum; with --workers 1 the node serves its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, type CliBundle } from '../helpers/cli-bundle.js';
import { logLines, startGatewayProcess, waitFor, type GatewayProcess } from '../helpers/gateway-process.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { activeSubscription, putProduct, until } from '../helpers/gateway.js';
import { freePort, get, parseMetrics, putCatalogue, seriesKey, sumOf } from '../helpers/ops.js';

const KEY_HEADER = 'Ocp-Apim-Subscription-Key';
let cli: CliBundle;
let server: TestServer;
let upstream: Upstream;
let freeKey = '';

beforeAll(async () => {
  cli = await bundleCli('metrics-cluster');
  upstream = await startUpstream();
  server = await startServer('sqlite');
  await putCatalogue(server, upstream.url);
  // No limits: every call with this key is answered by the backend, whichever worker takes it.
  await putProduct(server, 'free', { displayName: 'Free', subscriptionRequired: true, state: 'published' }, { apis: ['echo'] });
  freeKey = await activeSubscription(server, 's-free', 'dev', 'free', 'Free');
}, 60_000);

afterAll(async () => {
  await server?.close();
  await upstream?.close();
  cli?.remove();
});

async function startGateway(workers: number): Promise<{ gateway: GatewayProcess; metricsUrl: string }> {
  const port = await freePort();
  const gateway = await startGatewayProcess(
    cli.path,
    { DATABASE_URL: server.databaseUrl, LOG_LEVEL: 'debug', METRICS_PORT: String(port), TOLLGATE_NODE_NAME: 'gw' },
    ['--workers', String(workers)],
  );
  return { gateway, metricsUrl: `http://127.0.0.1:${port}/metrics` };
}

/** Scrapes until the calls counted reach `total` (the workers count in their own processes). */
async function scrapeCounted(metricsUrl: string, total: number): Promise<Map<string, number>> {
  let series = new Map<string, number>();
  const counted = async () => {
    const res = await get(metricsUrl);
    expect(res.status, res.body).toBe(200);
    series = parseMetrics(res.body);
    return sumOf(series, 'tollgate_gateway_requests_total');
  };
  // Bounded polling of other processes only (test/helpers/gateway.ts): it fails with the count it saw.
  await until(counted, total, 15_000);
  return series;
}

describe('tollgate gateway --workers 2, METRICS_PORT', () => {
  let gateway: GatewayProcess;
  let metricsUrl = '';

  beforeAll(async () => {
    ({ gateway, metricsUrl } = await startGateway(2));
  }, 30_000);

  afterAll(() => {
    gateway?.child.kill('SIGKILL');
  });

  it('the primary serves the sum of both workers\' counts under the node\'s name', async () => {
    expect(gateway.output()).toContain(`  Metrics          ${metricsUrl} (the sum of every worker)`);
    const statuses: number[] = [];
    // Each on a connection of its own: node:cluster hands out connections round-robin.
    for (let i = 0; i < 6; i++) statuses.push((await get(`${gateway.url}/echo/ok-${i}`, { [KEY_HEADER]: freeKey })).status);
    for (let i = 0; i < 4; i++) statuses.push((await get(`${gateway.url}/echo/no-key-${i}`)).status);
    for (let i = 0; i < 2; i++) statuses.push((await get(`${gateway.url}/nowhere-${i}`)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 401, 401, 401, 401, 404, 404]);

    const series = await scrapeCounted(metricsUrl, 12);
    const requests = (api: string, cls: string) => series.get(seriesKey('tollgate_gateway_requests_total', { api, status_class: cls, node: 'gw' }));
    expect(requests('echo', '2xx')).toBe(6);
    expect(requests('echo', '4xx')).toBe(4);
    expect(requests('', '4xx')).toBe(2);
    expect(series.get(seriesKey('tollgate_gateway_refusals_total', { reason: 'key', node: 'gw' }))).toBe(4);
    expect(series.get(seriesKey('tollgate_gateway_refusals_total', { reason: 'not_found', node: 'gw' }))).toBe(2);
    expect(series.get(seriesKey('tollgate_gateway_request_duration_seconds_count', { api: 'echo', node: 'gw' }))).toBe(10);
    expect(series.get(seriesKey('tollgate_gateway_backend_duration_seconds_count', { api: 'echo', node: 'gw' }))).toBe(6);
    // Each worker holds the whole snapshot: its size, not twice it.
    expect(series.get(seriesKey('tollgate_gateway_apis', { node: 'gw' }))).toBe(2);
    expect(series.get(seriesKey('tollgate_gateway_snapshot_loaded', { node: 'gw' }))).toBe(1);
    // No outbox on a gateway node (the all-in-one process reports it).
    expect([...series.keys()].some((k) => k.startsWith('tollgate_outbox_'))).toBe(false);

    // Both workers took calls: the sums are of two processes' counts.
    const lines = () => logLines(gateway.output(), 'gateway request').filter((l) => /^\/(echo|nowhere)/.test(l.path ?? ''));
    await waitFor(() => lines().length >= 12, () => `${lines().length} of 12 request lines logged`);
    expect(new Set(lines().map((l) => l.pid)).size).toBe(2);
  });
});

describe('tollgate gateway --workers 1, METRICS_PORT', () => {
  let gateway: GatewayProcess;
  let metricsUrl = '';

  beforeAll(async () => {
    ({ gateway, metricsUrl } = await startGateway(1));
  }, 30_000);

  afterAll(() => {
    gateway?.child.kill('SIGKILL');
  });

  it('the node serves its own metrics', async () => {
    expect(gateway.output()).toContain(`  Metrics          ${metricsUrl}\n`);
    expect((await get(`${gateway.url}/echo/one`, { [KEY_HEADER]: freeKey })).status).toBe(200);
    const series = await scrapeCounted(metricsUrl, 1);
    expect(series.get(seriesKey('tollgate_gateway_requests_total', { api: 'echo', status_class: '2xx', node: 'gw' }))).toBe(1);
  });
});
