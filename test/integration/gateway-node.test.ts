/**
 * `tollgate gateway`: a gateway alone in its process, on the database of a Tollgate that manages
 * the APIs and keys. It serves what the other process configures, follows its changes through the
 * change feed (how fast: `npm run bench:propagation`), serves nothing else, and never touches the schema.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startServer, type TestServer } from '../helpers/server.js';
import { createGatewayNode, type GatewayNode } from '../../src/gateway-node.js';
import { loadConfig } from '../../src/config.js';
import { Writable } from 'node:stream';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { activeSubscription, putApi, putProduct, until } from '../helpers/gateway.js';

const silent = new Writable({ write: (_chunk, _encoding, done) => done() });

function nodeConfig(databaseUrl: string) {
  return loadConfig({ GATEWAY_PORT: '0', HOST: '127.0.0.1', DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' });
}

describe.each(BACKENDS)('gateway node (%s)', (backend) => {
  let server: TestServer;
  let node: GatewayNode;
  let nodeUrl: string;
  let upstream: Upstream;
  let key = '';
  const timings: number[] = [];

  const call = async (path: string, withKey = true) => {
    const res = await fetch(`${nodeUrl}${path}`, { headers: withKey ? { 'Ocp-Apim-Subscription-Key': key } : {} });
    await res.arrayBuffer();
    return res.status;
  };

  beforeAll(async () => {
    upstream = await startUpstream();
    server = await startServer(backend);
    const dev = await server.request('PUT', '/users/dev', { body: { properties: { email: 'dev@example.com', firstName: 'Dev', lastName: 'Eloper' } } });
    expect(dev.status, dev.text).toBeLessThan(300);
    await putApi(server, 'echo', { displayName: 'Echo', path: 'echo', serviceUrl: upstream.url, protocols: ['http'] }, [
      { id: 'all', displayName: 'All', method: 'GET', urlTemplate: '/*' },
    ]);
    await putProduct(server, 'p', { displayName: 'P', subscriptionRequired: true, state: 'published' }, { apis: ['echo'] });
    key = await activeSubscription(server, 's', 'dev', 'p', 'S');

    node = await createGatewayNode(nodeConfig(server.databaseUrl), { database: server.databaseOptions, logStream: silent, onTiming: (ms) => timings.push(ms) });
    nodeUrl = (await node.listen()).gatewayUrl;
  });

  afterAll(async () => {
    await node?.close();
    await server?.close();
    await upstream?.close();
  });

  it('forwards calls with a key that the other process issued', async () => {
    expect(await call('/echo/hello')).toBe(200);
    expect(await call('/echo/hello', false)).toBe(401);
  });

  it("reports the gateway's own time for each forwarded request when asked to (the benchmark's probe)", async () => {
    const before = timings.length;
    const roundTrips: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      expect(await call('/echo/hello')).toBe(200);
      roundTrips.push(performance.now() - started);
    }
    expect(await call('/echo/hello', false)).toBe(401);
    const added = timings.slice(before);
    expect(added).toHaveLength(3);
    // Milliseconds spent inside the gateway: more than nothing, and part of what the client waited.
    for (const [i, ms] of added.entries()) {
      expect(ms).toBeGreaterThan(0);
      expect(ms).toBeLessThanOrEqual(roundTrips[i]!);
    }
  });

  it("follows the other process's changes", async () => {
    await server.request('PATCH', '/subscriptions/s', { body: { properties: { state: 'suspended' } }, headers: { 'if-match': '*' } });
    await until(() => call('/echo/hello'), 403);
    await server.request('PATCH', '/subscriptions/s', { body: { properties: { state: 'active' } }, headers: { 'if-match': '*' } });
    await until(() => call('/echo/hello'), 200);
  });

  it('serves no management API, portal or admin UI', async () => {
    for (const path of ['/', '/signin', '/admin', `/subscriptions/x/resourceGroups/y/providers/Microsoft.ApiManagement/service/z/users`]) {
      const res = await fetch(`${nodeUrl}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/json');
    }
  });
});

describe('gateway node on a database that was never migrated', () => {
  it('refuses to start, saying what to run, and creates nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-node-'));
    try {
      await expect(createGatewayNode(nodeConfig(`sqlite:${join(dir, 'empty.db')}`), { logStream: silent })).rejects.toThrow(
        /not ready \(\d+ migrations not applied: 0001-accounts, .*\); run `tollgate migrate`/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
