/**
 * Several gateway nodes add up: two `tollgate gateway` processes on the database of one Tollgate
 * count calls each on their own and write them into the same minute rows. One flushes every 100 ms
 * (many flushes adding to the same rows), the other only when it stops (its interval is longer
 * than the test): SIGTERM must write what it counted before the process exits. byApi's total is
 * then exactly the calls sent to both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, type CliBundle } from '../helpers/cli-bundle.js';
import { activeSubscription, putApi, putProduct } from '../helpers/gateway.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { timeFilter } from '../helpers/reports.js';
import { BACKENDS, startServer, type TestServer } from '../helpers/server.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

const CALLS_PER_NODE = 25;

describe.each(BACKENDS)('reports across gateway nodes (%s)', (backend) => {
  let cli: CliBundle;
  let server: TestServer;
  let upstream: Upstream;
  let nodes: GatewayProcess[] = [];
  let key = '';
  const started = Date.now();

  beforeAll(async () => {
    cli = await bundleCli('reports-nodes');
    upstream = await startUpstream();
    server = await startServer(backend);
    const dev = await server.request('PUT', '/users/dev', { body: { properties: { email: 'dev@example.com', firstName: 'Dev', lastName: 'Eloper' } } });
    expect(dev.status, dev.text).toBeLessThan(300);
    await putApi(server, 'echo', { displayName: 'Echo', path: 'echo', serviceUrl: upstream.url, protocols: ['http'] }, [
      { id: 'all', displayName: 'All', method: 'GET', urlTemplate: '/*' },
    ]);
    await putProduct(server, 'p', { displayName: 'P', subscriptionRequired: true, state: 'published' }, { apis: ['echo'] });
    key = await activeSubscription(server, 's', 'dev', 'p', 'S');
    const env = (flushSeconds: string) => ({
      DATABASE_URL: server.databaseUrl,
      ...(backend === 'postgres' ? { PGOPTIONS: `-c search_path=${server.databaseOptions!.schema!}` } : {}),
      ANALYTICS_FLUSH_SECONDS: flushSeconds,
      LOG_LEVEL: 'warn',
    });
    nodes = await Promise.all([startGatewayProcess(cli.path, env('0.1'), ['--workers', '1']), startGatewayProcess(cli.path, env('300'), ['--workers', '1'])]);
  }, 60_000);

  afterAll(async () => {
    for (const n of nodes) if (n.child.exitCode === null) n.child.kill('SIGKILL');
    await server?.close();
    await upstream?.close();
    cli?.remove();
  });

  it("byApi's total is exactly the sum of every node's calls, the last ones written on SIGTERM", async () => {
    for (const node of nodes) {
      for (let i = 0; i < CALLS_PER_NODE; i++) {
        const res = await fetch(`${node.url}/echo/n${i}`, { headers: { 'ocp-apim-subscription-key': key } });
        await res.arrayBuffer();
        expect(res.status).toBe(200);
      }
    }
    const answered = await fetch(`${nodes[1]!.url}/echo/none`);
    await answered.arrayBuffer();
    expect(answered.status).toBe(401);
    for (const node of nodes) {
      node.child.kill('SIGTERM');
      expect(await node.exited, node.output()).toBe(0);
    }
    const res = await server.request('GET', '/reports/byApi', { query: { $filter: timeFilter(started - 120_000, Date.now() + 120_000) } });
    expect(res.status, res.text).toBe(200);
    expect(res.json.value).toHaveLength(1);
    expect(res.json.value[0]).toMatchObject({
      apiId: '/apis/echo',
      callCountSuccess: 2 * CALLS_PER_NODE,
      callCountBlocked: 1,
      callCountTotal: 2 * CALLS_PER_NODE + 1,
    });
    const subs = await server.request('GET', '/reports/bySubscription', { query: { $filter: timeFilter(started - 120_000, Date.now() + 120_000) } });
    expect(subs.json.value.map((r: { subscriptionId: string; callCountTotal: number }) => [r.subscriptionId, r.callCountTotal])).toEqual([
      ['/subscriptions/s', 2 * CALLS_PER_NODE],
    ]);
  });
});
