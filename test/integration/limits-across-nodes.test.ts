/**
 * Limits that hold across gateway nodes: three `tollgate gateway` processes on one PostgreSQL and
 * one Redis, calls spread round-robin over them. Of 1,000 calls, a rate-limit-by-key of 100 per
 * 60 s must let through at least 100 and at most 102 (2 % over), a quota of 500 at least 500 and at
 * most 510. Then Redis goes away mid-run (a relay in front of it is cut): nodes told to `allow` let
 * calls through, a node told to `refuse` answers 503, each logs a warning, none crashes, and limits
 * count again once Redis is back.
 *
 * Needs TEST_DATABASE_URL and TEST_REDIS_URL (as .ci/run sets); skipped without them.
 */
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, type CliBundle } from '../helpers/cli-bundle.js';
import { activeSubscription, putApi, putProduct, until } from '../helpers/gateway.js';
import { startGatewayProcess, waitFor, type GatewayProcess } from '../helpers/gateway-process.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { freePort } from '../helpers/net.js';
import { TcpRelay } from '../helpers/tcp-relay.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

const enabled = Boolean(process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL);
const CALLS = 1_000;
/** Calls in flight per node: enough that the nodes decide at the same moments. */
const IN_FLIGHT = 8;

const policy = (inbound: string) =>
  `<policies><inbound><base />${inbound}</inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`;

describe.runIf(enabled)('limits across three gateway nodes sharing PostgreSQL and Redis', () => {
  let cli: CliBundle;
  let server: TestServer;
  let upstream: Upstream;
  let redis: TcpRelay;
  let nodes: GatewayProcess[] = [];
  let refusing: GatewayProcess;
  const agent = new Agent({ connections: 64 });
  // Counters in Redis outlive a test run: fresh ids keep runs apart.
  const run = randomBytes(4).toString('hex');
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    const target = new URL(process.env.TEST_REDIS_URL!);
    redis = new TcpRelay({ host: target.hostname, port: Number(target.port || 6379) }, await freePort());
    await redis.start();
    cli = await bundleCli('limits-nodes');
    upstream = await startUpstream();
    server = await startServer('postgres');
    const dev = await server.request('PUT', '/users/dev', { body: { properties: { email: 'dev@example.com', firstName: 'Dev', lastName: 'Eloper' } } });
    expect(dev.status, dev.text).toBeLessThan(300);
    await putApi(server, 'echo', { displayName: 'Echo', path: 'echo', serviceUrl: upstream.url, protocols: ['http'] }, [
      { id: 'all', displayName: 'All', method: 'GET', urlTemplate: '/*' },
    ]);
    const products = {
      rate: policy('<rate-limit-by-key calls="100" renewal-period="60" counter-key="@(context.Subscription.Id)" />'),
      quota: policy('<quota calls="500" renewal-period="3600" />'),
      outage: policy('<rate-limit-by-key calls="50" renewal-period="60" counter-key="@(context.Subscription.Id)" />'),
      refused: policy('<rate-limit-by-key calls="1000" renewal-period="60" counter-key="@(context.Subscription.Id)" />'),
    };
    for (const [product, xml] of Object.entries(products)) {
      await putProduct(server, product, { displayName: product, subscriptionRequired: true, state: 'published' }, { apis: ['echo'] });
      const res = await server.request('PUT', `/products/${product}/policies/policy`, { body: { properties: { format: 'xml', value: xml } } });
      expect(res.status, res.text).toBe(201);
      keys[product] = await activeSubscription(server, `${product}-${run}`, 'dev', product, product);
    }
    const schema = server.databaseOptions!.schema!;
    const env = (unavailable: 'allow' | 'refuse') => ({
      DATABASE_URL: server.databaseUrl,
      PGOPTIONS: `-c search_path=${schema}`,
      REDIS_URL: redis.url,
      REDIS_UNAVAILABLE: unavailable,
      LOG_LEVEL: 'info',
    });
    nodes = await Promise.all([1, 2, 3].map(() => startGatewayProcess(cli.path, env('allow'), ['--workers', '1'])));
    refusing = await startGatewayProcess(cli.path, env('refuse'), ['--workers', '1']);
    for (const node of nodes) expect(node.output()).toContain('Limit counters   in Redis (REDIS_URL), shared by every node');
  }, 90_000);

  afterAll(async () => {
    for (const node of [...nodes, refusing]) node?.child.kill('SIGTERM');
    await Promise.all([...nodes, refusing].map((n) => n?.exited));
    await agent.close();
    await server?.close();
    await upstream?.close();
    await redis?.cut();
    cli?.remove();
  });

  const call = async (node: GatewayProcess, key: string): Promise<number> => {
    const res = await request(`${node.url}/echo/hello`, { dispatcher: agent, headers: { 'ocp-apim-subscription-key': key } });
    await res.body.dump();
    return res.statusCode;
  };

  /** `count` calls, the i-th to node i mod 3, IN_FLIGHT per node at a time; the statuses by count. */
  async function roundRobin(key: string, count: number): Promise<Map<number, number>> {
    const statuses = new Map<number, number>();
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < count; i = next++) {
        const status = await call(nodes[i % nodes.length]!, key);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT * nodes.length }, worker));
    return statuses;
  }

  it('a rate-limit-by-key of 100 per 60 s lets through 100 to 102 of 1,000 calls spread over three nodes', async () => {
    const statuses = await roundRobin(keys.rate!, CALLS);
    const passed = statuses.get(200) ?? 0;
    console.log(`rate-limit-by-key 100/60 s over 3 nodes: ${passed} of ${CALLS} let through, ${statuses.get(429) ?? 0} refused (429)`);
    expect(passed).toBeGreaterThanOrEqual(100);
    expect(passed).toBeLessThanOrEqual(102);
    expect(passed + (statuses.get(429) ?? 0)).toBe(CALLS);
  }, 60_000);

  it('a quota of 500 lets through 500 to 510 of 1,000 calls spread over three nodes', async () => {
    const statuses = await roundRobin(keys.quota!, CALLS);
    const passed = statuses.get(200) ?? 0;
    console.log(`quota 500 over 3 nodes: ${passed} of ${CALLS} let through, ${statuses.get(403) ?? 0} refused (403)`);
    expect(passed).toBeGreaterThanOrEqual(500);
    expect(passed).toBeLessThanOrEqual(510);
    expect(passed + (statuses.get(403) ?? 0)).toBe(CALLS);
    // The counter every node wrote is the one the management API shows.
    const quota = await server.request('GET', `/quotas/quota-${run}`);
    expect(quota.status, quota.text).toBe(200);
  }, 60_000);

  it('with Redis gone mid-run, nodes told to allow let calls through and one told to refuse answers 503; all log it, none crashes, and limits count again after', async () => {
    const key = keys.outage!;
    // Half the limit used while Redis answers.
    const before = await roundRobin(key, 25);
    expect(before.get(200)).toBe(25);

    await redis.cut();
    const during = await roundRobin(key, 200);
    expect(during.get(200), JSON.stringify([...during])).toBe(200);
    expect(await call(refusing, keys.refused!)).toBe(503);
    for (const node of [...nodes, refusing]) {
      await waitFor(() => /"level":40[^\n]*[Rr]edis/.test(node.output()), () => `no warning about Redis logged: ${node.output().slice(-2000)}`);
      expect(node.child.exitCode).toBeNull();
    }

    await redis.start();
    // Each node reconnects on its own and says so; until then an `allow` node lets calls through
    // uncounted (a key's refusal it remembers proves nothing about the connection).
    for (const node of [...nodes, refusing]) {
      await waitFor(() => node.output().includes('Redis counters reachable again'), () => `no reconnection logged: ${node.output().slice(-2000)}`);
    }
    await until(() => call(refusing, keys.refused!), 200, 15_000);
    // 25 counted before the outage, none during it: 25 more fit, then the limit holds again.
    const after = await roundRobin(key, 60);
    expect(after.get(200) ?? 0).toBeGreaterThanOrEqual(25);
    expect(after.get(200) ?? 0).toBeLessThanOrEqual(26);
  }, 90_000);
});
