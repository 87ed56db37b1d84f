/**
 * `tollgate gateway`: a gateway alone in its process, on the database of a Tollgate that manages
 * the APIs and keys. It serves what the other process configures, follows its changes through the
 * change feed within a second, serves nothing else, and never touches the schema.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startServer, type TestServer } from '../helpers/server.js';
import { createGatewayNode, type GatewayNode } from '../../src/gateway-node.js';
import { loadConfig } from '../../src/config.js';
import { Writable } from 'node:stream';

const silent = new Writable({ write: (_chunk, _encoding, done) => done() });

function nodeConfig(databaseUrl: string) {
  return loadConfig({ GATEWAY_PORT: '0', HOST: '127.0.0.1', DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' });
}

async function until(call: () => Promise<number>, expected: number, limitMs = 1000): Promise<number> {
  const start = Date.now();
  for (;;) {
    const status = await call();
    if (status === expected) return Date.now() - start;
    if (Date.now() - start > limitMs) throw new Error(`still ${status} after ${limitMs} ms, expected ${expected}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(BACKENDS)('gateway node (%s)', (backend) => {
  let server: TestServer;
  let node: GatewayNode;
  let nodeUrl: string;
  let upstream: Server;
  let key = '';

  const call = async (path: string, withKey = true) => {
    const res = await fetch(`${nodeUrl}${path}`, { headers: withKey ? { 'Ocp-Apim-Subscription-Key': key } : {} });
    await res.arrayBuffer();
    return res.status;
  };

  beforeAll(async () => {
    upstream = createServer((req, res) => res.end(JSON.stringify({ path: req.url })));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const upstreamUrl = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
    server = await startServer(backend);
    const put = async (path: string, properties: unknown = {}) => {
      const res = await server.request('PUT', path, { body: { properties } });
      expect(res.status, res.text).toBeLessThan(300);
    };
    await put('/users/dev', { email: 'dev@example.com', firstName: 'Dev', lastName: 'Eloper' });
    await put('/apis/echo', { displayName: 'Echo', path: 'echo', serviceUrl: upstreamUrl, protocols: ['http'] });
    await put('/apis/echo/operations/all', { displayName: 'All', method: 'GET', urlTemplate: '/*' });
    await put('/products/p', { displayName: 'P', subscriptionRequired: true, state: 'published' });
    await put('/products/p/apis/echo');
    await put('/subscriptions/s', { ownerId: '/users/dev', scope: '/products/p', displayName: 'S', state: 'active' });
    key = (await server.request('POST', '/subscriptions/s/listSecrets')).json.primaryKey;

    node = await createGatewayNode(nodeConfig(server.databaseUrl), { database: server.databaseOptions, logStream: silent });
    nodeUrl = (await node.listen()).gatewayUrl;
  });

  afterAll(async () => {
    await node?.close();
    await server?.close();
    await new Promise((resolve) => upstream?.close(resolve));
  });

  it('forwards calls with a key that the other process issued', async () => {
    expect(await call('/echo/hello')).toBe(200);
    expect(await call('/echo/hello', false)).toBe(401);
  });

  it("follows the other process's changes within a second", async () => {
    await server.request('PATCH', '/subscriptions/s', { body: { properties: { state: 'suspended' } }, headers: { 'if-match': '*' } });
    expect(await until(() => call('/echo/hello'), 403)).toBeLessThan(1000);
    await server.request('PATCH', '/subscriptions/s', { body: { properties: { state: 'active' } }, headers: { 'if-match': '*' } });
    expect(await until(() => call('/echo/hello'), 200)).toBeLessThan(1000);
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
