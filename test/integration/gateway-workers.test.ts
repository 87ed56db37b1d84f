/**
 * `tollgate gateway --workers N` as a user runs it: a real primary and its workers on one port,
 * over the SQLite file of a Tollgate that manages the APIs and keys. Which worker answered a request
 * is read off its debug log line (pino's `pid`), so the answers themselves carry nothing about it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, type CliBundle } from '../helpers/cli-bundle.js';
import { logLines, startGatewayProcess, waitFor, type GatewayProcess } from '../helpers/gateway-process.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { activeSubscription, putApi, putProduct, until } from '../helpers/gateway.js';

const run = promisify(execFile);
let cli: CliBundle;
const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-workers-'));

type Gateway = GatewayProcess;

const startGateway = (databaseUrl: string, args: string[]) => startGatewayProcess(cli.path, { DATABASE_URL: databaseUrl, LOG_LEVEL: 'debug' }, args);

const listeningPids = (gateway: Gateway) => logLines(gateway.output(), 'gateway listening').map((l) => l.pid);

/** A GET on a connection of its own: node:cluster hands out connections, not requests, round-robin. */
function freshStatus(url: string, key: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false, headers: { 'Ocp-Apim-Subscription-Key': key } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    }).on('error', reject);
  });
}

/** Requests over `count` fresh connections, one after another; answers the first status that is not 200, else 200. */
async function statusOfEach(gateway: Gateway, key: string, count: number, path = '/echo/hello'): Promise<number> {
  for (let i = 0; i < count; i++) {
    const status = await freshStatus(`${gateway.url}${path.replace('{i}', String(i))}`, key);
    if (status !== 200) return status;
  }
  return 200;
}

/** Which worker pids answered the requests to paths starting with `prefix` (once their log lines are in). */
async function answeredBy(gateway: Gateway, prefix: string, count: number): Promise<Set<number>> {
  const lines = () => logLines(gateway.output(), 'gateway request').filter((l) => l.path?.startsWith(prefix));
  await waitFor(() => lines().length >= count, () => `${lines().length} of ${count} request lines logged`);
  return new Set(lines().map((l) => l.pid));
}

let server: TestServer;
let upstream: Upstream;
let key = '';

beforeAll(async () => {
  cli = await bundleCli('workers');
  upstream = await startUpstream();
  server = await startServer('sqlite');
  const dev = await server.request('PUT', '/users/dev', { body: { properties: { email: 'dev@example.com', firstName: 'Dev', lastName: 'Eloper' } } });
  expect(dev.status, dev.text).toBeLessThan(300);
  await putApi(server, 'echo', { displayName: 'Echo', path: 'echo', serviceUrl: upstream.url, protocols: ['http'] }, [
    { id: 'all', displayName: 'All', method: 'GET', urlTemplate: '/*' },
  ]);
  await putProduct(server, 'p', { displayName: 'P', subscriptionRequired: true, state: 'published' }, { apis: ['echo'] });
  key = await activeSubscription(server, 's1', 'dev', 'p', 'Before');
}, 60_000);

afterAll(async () => {
  await server?.close();
  await upstream?.close();
  cli?.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('tollgate gateway --workers 2', () => {
  let gateway: Gateway;

  beforeAll(async () => {
    gateway = await startGateway(server.databaseUrl, ['--workers', '2']);
  }, 30_000);

  afterAll(() => {
    gateway?.child.kill('SIGKILL');
  });

  it('says how many workers run, and runs that many processes on one port', () => {
    expect(gateway.output()).toMatch(/Tollgate gateway node is running with 2 workers \(started in \d+ ms\)/);
    expect(gateway.output()).toContain(`Database         SQLite ${server.databaseUrl.slice('sqlite:'.length)}`);
    // Without Redis each worker counts limits on its own: said at startup.
    expect(gateway.output()).toContain('Limit counters   in each worker: without REDIS_URL a client spread over the workers gets up to 2 times its rate limits');
    const listening = logLines(gateway.output(), 'gateway listening');
    expect(new Set(listening.map((l) => l.pid)).size).toBe(2);
    expect(listening.map((l) => l.pid)).not.toContain(gateway.child.pid);
    expect(listening.map((l) => `http://127.0.0.1:${l.port}`)).toEqual([gateway.url, gateway.url]);
  });

  it('spreads connections over both workers', async () => {
    expect(await statusOfEach(gateway, key, 6, '/echo/spread-{i}')).toBe(200);
    expect(await answeredBy(gateway, '/echo/spread-', 6)).toEqual(new Set(listeningPids(gateway)));
  });

  it('accepts, in every worker, a key created after they started', async () => {
    const later = await activeSubscription(server, 's2', 'dev', 'p', 'After');
    // Four connections in a row reach each of the two workers twice.
    await until(() => statusOfEach(gateway, later, 4), 200);
    expect(await statusOfEach(gateway, 'no-such-key', 1)).toBe(401);
  });

  it('replaces a worker killed with SIGKILL, and keeps serving on the port meanwhile', async () => {
    const [victim, survivor] = listeningPids(gateway) as [number, number];
    process.kill(victim, 'SIGKILL');
    await waitFor(() => gateway.output().includes('starting another'), () => `no restart logged: ${gateway.output()}`);
    expect(await statusOfEach(gateway, key, 4, '/echo/meanwhile-{i}')).toBe(200);
    await waitFor(() => listeningPids(gateway).length === 3, () => `no replacement listening: ${gateway.output()}`);
    const replacement = listeningPids(gateway)[2]!;
    expect([victim, survivor]).not.toContain(replacement);
    expect(await statusOfEach(gateway, key, 6, '/echo/after-{i}')).toBe(200);
    expect(await answeredBy(gateway, '/echo/after-', 6)).toEqual(new Set([survivor, replacement]));
  });

  it('stops every worker on SIGTERM and exits 0', async () => {
    const pids = listeningPids(gateway);
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
    for (const pid of pids) expect(() => process.kill(pid, 0), `worker ${pid}`).toThrow(/ESRCH/);
  });
});

describe('tollgate gateway: other worker counts', () => {
  it('runs in one process with --workers 1', async () => {
    const gateway = await startGateway(server.databaseUrl, ['--workers', '1']);
    try {
      expect(gateway.output()).toMatch(/running with 1 worker \(/);
      expect(listeningPids(gateway)).toEqual([gateway.child.pid]);
      expect(await statusOfEach(gateway, key, 2)).toBe(200);
      gateway.child.kill('SIGTERM');
      expect(await gateway.exited).toBe(0);
    } finally {
      gateway.child.kill('SIGKILL');
    }
  });

  it.each([['0'], ['abc'], ['2.5'], ['100000']])('refuses --workers %s with a clear message and exit code 1', async (value) => {
    const error = await run(process.execPath, [cli.path, 'gateway', '--workers', value], { env: { PATH: process.env.PATH, DATABASE_URL: server.databaseUrl } }).catch(
      (e) => e,
    );
    expect(error.code).toBe(1);
    expect(error.stderr).toMatch(/--workers <n>' argument '.*' is invalid\. must be a whole number from 1 to \d+/);
  });

  it('documents --workers in --help', async () => {
    const { stdout } = await run(process.execPath, [cli.path, 'gateway', '--help']);
    expect(stdout).toMatch(/-w, --workers <n> +gateway processes sharing GATEWAY_PORT/);
  });

  it('checks an unmigrated database once, in the primary, and starts no worker', async () => {
    const error = await run(process.execPath, [cli.path, 'gateway', '--workers', '2'], {
      env: { PATH: process.env.PATH, DATABASE_URL: `sqlite:${join(dataDir, 'never-migrated.db')}`, GATEWAY_PORT: '0' },
    }).catch((e) => e);
    expect(error.code).toBe(1);
    expect(error.stderr.match(/run `tollgate migrate`/g)).toHaveLength(1);
    expect(error.stdout).not.toContain('gateway listening');
  });

  it('gives up, exiting 1, when workers keep dying soon after they start', async () => {
    const databaseUrl = `sqlite:${join(dataDir, 'removed.db')}`;
    await run(process.execPath, [cli.path, 'migrate'], { env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl, TOLLGATE_ADMIN_KEY: '' } });
    const gateway = await startGateway(databaseUrl, ['--workers', '2']);
    try {
      // Replacements now open an empty database, which they refuse.
      for (const suffix of ['', '-wal', '-shm']) rmSync(join(dataDir, `removed.db${suffix}`), { force: true });
      process.kill(listeningPids(gateway)[0]!, 'SIGKILL');
      expect(await gateway.exited).toBe(1);
      expect(gateway.output()).toMatch(/tollgate: 5 gateway workers in a row exited within 10 s of starting \(the last: exit code 1\); stopped all/);
      expect(gateway.output().match(/starting another/g)).toHaveLength(4);
    } finally {
      gateway.child.kill('SIGKILL');
    }
  }, 30_000);
});
