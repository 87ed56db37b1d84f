/**
 * A flood of idle connections on PORT, with Tollgate in a process of its own (`tollgate start`,
 * default limits), so that the 20,000 file descriptors it may open (`ulimit -n` here) are its
 * own: 20,000 idle TCP connections held by two further processes must not stop the gateway, which
 * shares the process, and PORT answers again as soon as they are gone. Without the cap on PORT,
 * its connections take every descriptor and the gateway can accept nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, type CliBundle } from '../helpers/cli-bundle.js';
import { freePort } from '../helpers/net.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { DEFAULT_LIMITS } from '../../src/listener/limits.js';

const FLOOD = 20_000;

/** The hard open-file limit each child gets (Node raises its soft limit to it); 20,000 here. */
function fileLimit(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const hard = Number(line?.trim().split(/\s+/)[4]);
    return Number.isFinite(hard) ? hard : 20_000;
  } catch {
    return 20_000;
  }
}

/**
 * Each holder stays well under its own descriptor limit, and spreads its connections over two
 * source addresses of its own (127.0.0.2 and .3, .4 and .5, ...), so that ephemeral ports do not
 * run short.
 */
const PER_HOLDER = Math.min(10_000, fileLimit() - 500);
const HOLDERS = Array.from({ length: Math.ceil(FLOOD / PER_HOLDER) }, (_, i) => [`127.0.0.${2 + 2 * i}`, `127.0.0.${3 + 2 * i}`]);
const BASE = '/subscriptions/s/resourceGroups/r/providers/Microsoft.ApiManagement/service/tollgate';

interface FloodStatus {
  connected: number;
  failed: number;
  open: number;
}

/** A process holding `count` connections; `status()` asks it for its counts; `release()` closes them all and waits for its exit. */
function startHolder(port: number, count: number, addresses: string[]) {
  const child = spawn(process.execPath, ['test/helpers/flood-client.mjs', String(port), String(count), addresses.join(',')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const waiting: ((status: FloodStatus) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(JSON.parse(line) as FloodStatus));
  const nextStatus = () => new Promise<FloodStatus>((resolve) => waiting.push(resolve));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    /** Resolves once every connection was attempted. */
    ready: nextStatus(),
    status() {
      const next = nextStatus();
      child.stdin!.write('status\n');
      return next;
    },
    async release() {
      child.stdin!.end();
      await exited;
    },
  };
}

/** The status of a GET over a new connection (none reused from before the flood); 0 if there is no answer within 3 s. */
function freshStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { agent: false, headers: { connection: 'close', ...headers }, timeout: 3_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

async function poll(check: () => Promise<boolean>, limitMs: number, what: string): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a connection flood on PORT (Tollgate in its own process, default limits)', () => {
  const key = randomBytes(24).toString('base64url');
  const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-flood-'));
  let cli: CliBundle | undefined;
  let tollgate: ChildProcess;
  let output = '';
  let upstream: Upstream;
  let port = 0;
  let gatewayPort = 0;
  const holders: ReturnType<typeof startHolder>[] = [];

  const portalStatus = () => freshStatus(`http://127.0.0.1:${port}/signin`);
  const gatewayStatus = () => freshStatus(`http://127.0.0.1:${gatewayPort}/open/hello`);

  beforeAll(async () => {
    cli = await bundleCli('flood');
    upstream = await startUpstream();
    port = await freePort();
    gatewayPort = await freePort();
    tollgate = spawn(process.execPath, [cli.path, 'start'], {
      env: {
        PATH: process.env.PATH,
        PORT: String(port),
        GATEWAY_PORT: String(gatewayPort),
        HOST: '127.0.0.1',
        DATABASE_URL: `sqlite:${join(dataDir, 'tollgate.db')}`,
        TOLLGATE_ADMIN_KEY: key,
        LOG_LEVEL: 'warn',
      },
    });
    tollgate.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Tollgate did not start: ${output}`)), 15_000);
      tollgate.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Stop with Ctrl+C')) {
          clearTimeout(timer);
          resolve();
        }
      });
      tollgate.once('exit', (code) => reject(new Error(`Tollgate exited with ${code}: ${output}`)));
    });

    const put = async (path: string, properties: Record<string, unknown>) => {
      const res = await fetch(`http://127.0.0.1:${port}${BASE}${path}?api-version=2024-05-01`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ properties }),
      });
      expect(res.status, await res.text()).toBeLessThan(300);
    };
    await put('/apis/open', { displayName: 'Open', path: 'open', serviceUrl: upstream.url, protocols: ['http'], subscriptionRequired: false });
    await put('/apis/open/operations/all', { displayName: 'All', method: 'GET', urlTemplate: '/*' });
    // The process that answered the PUTs serves the new API already (read your writes).
    expect(await gatewayStatus()).toBe(200);
  }, 30_000);

  afterAll(async () => {
    for (const holder of holders) await holder.release();
    if (tollgate && tollgate.exitCode === null) {
      const exited = new Promise((resolve) => tollgate.once('exit', resolve));
      tollgate.kill('SIGTERM');
      await exited;
    }
    await upstream?.close();
    rmSync(dataDir, { recursive: true, force: true });
    cli?.remove();
  });

  it(`keeps the gateway forwarding while ${FLOOD} idle connections are held on PORT, and PORT answers again once they are gone`, async () => {
    HOLDERS.forEach((addresses, i) => holders.push(startHolder(port, Math.min(PER_HOLDER, FLOOD - i * PER_HOLDER), addresses)));
    const ready = await Promise.all(holders.map((h) => h.ready));
    expect(ready.reduce((n, s) => n + s.connected, 0)).toBe(FLOOD);
    expect(ready.reduce((n, s) => n + s.failed, 0)).toBe(0);

    // PORT keeps MAX_CONNECTIONS of them and closes the rest at once, which gives their descriptors back.
    let open = 0;
    await poll(
      async () => {
        open = (await Promise.all(holders.map((h) => h.status()))).reduce((n, s) => n + s.open, 0);
        return open <= DEFAULT_LIMITS.http.maxConnections;
      },
      5_000,
      'PORT holds no more than MAX_CONNECTIONS',
    );
    expect(open).toBeGreaterThan(0);

    const forwarded = upstream.seen.length;
    expect(await gatewayStatus()).toBe(200);
    expect(upstream.seen.length).toBe(forwarded + 1);
    expect(upstream.seen.at(-1)!.url).toBe('/hello');
    expect(tollgate.exitCode).toBeNull();

    await Promise.all(holders.splice(0).map((h) => h.release()));
    await poll(async () => (await portalStatus()) === 200, 5_000, 'PORT answers again');
    expect(await gatewayStatus()).toBe(200);
  }, 30_000);
});
