/**
 * Starts the targets — the upstream itself (a), Tollgate's gateway node (b) and all-in-one process
 * (b′), a Fastify + reply-from proxy (c), nginx (d), nginx + Lua checking the key (e), a bare
 * node:http + undici proxy (f), and Tollgate's gateway node calling a product with Starter's policy,
 * its counters in the process (g) or in Redis (h), and the gateway node with traffic recording off
 * (i: what analytics cost, against b) — each in its own process, and checks that each answers the benchmark request with the upstream's 200 and body
 * before anything is measured.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../common/net.js';
import { startNodeChild, type Child } from './child.js';
import { startNginx } from './nginx.js';
import { adminKey, configureTollgate, KEY_HEADER, REQUEST_PATH } from './setup.js';
import { UPSTREAM_BODY } from './upstream.js';

export const TARGET_IDS = ['a', 'b', "b'", 'c', 'd', 'e', 'f', 'g', 'h', 'i'] as const;
export type TargetId = (typeof TARGET_IDS)[number];

export interface Target {
  id: TargetId;
  name: string;
  url: string;
  headers: Record<string, string>;
  /** The server process (nginx: its master; the worker is its child, counted with it). */
  pid: number;
  /** Node children only: asks the process something (see child.ts). */
  ask?: Child<unknown>['ask'];
  stop(): Promise<void>;
}

export interface Cpus {
  /** Where the proxy (or the upstream, for a) under test runs. */
  server: number | undefined;
  /** Where the upstream runs, next to the load generator. */
  client: number | undefined;
}

async function get(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { headers });
  return { status: res.status, body: await res.text() };
}

/** The request must reach the upstream and come back whole: 200 and the upstream's exact body. */
export async function check(t: Pick<Target, 'name' | 'url' | 'headers'>): Promise<void> {
  const r = await get(t.url, t.headers);
  if (r.status !== 200 || r.body !== UPSTREAM_BODY) throw new Error(`${t.name}: expected 200 and the upstream's body, got ${r.status} ${r.body.slice(0, 200)}`);
}

export async function startUpstream(cpu: number | undefined): Promise<Target & { origin: string }> {
  const child = await startNodeChild<{ port: number }>('upstream', ['--serve'], { cpu, name: 'upstream' });
  const origin = `http://127.0.0.1:${child.info.port}`;
  return { id: 'a', name: '(a) upstream directly', url: origin + REQUEST_PATH, headers: {}, origin, pid: child.pid, ask: child.ask, stop: child.stop };
}

async function waitForKey(name: string, url: string, headers: Record<string, string>): Promise<void> {
  // A gateway picks the configuration up from the change feed (polled every 200 ms).
  const deadline = Date.now() + 10_000;
  for (;;) {
    const r = await get(url, headers);
    if (r.status === 200) break;
    if (Date.now() > deadline) throw new Error(`${name} still answers ${r.status} 10 s after the configuration: ${r.body}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await refusesBadKeys(name, url);
}

/** The checks are really on: no key and a wrong key are refused. */
async function refusesBadKeys(name: string, url: string): Promise<void> {
  const none = await get(url, {});
  const wrong = await get(url, { [KEY_HEADER]: 'f'.repeat(64) });
  if (none.status !== 401 || wrong.status !== 401) throw new Error(`${name} should refuse requests without a valid key, got ${none.status} and ${wrong.status}`);
}

/**
 * Tollgate on one SQLite file: (b) a gateway node (`tollgate gateway`: the gateway alone in its
 * process), (b′) the all-in-one process (`tollgate start`: the gateway next to the idle management
 * API, portal and email worker), configured once through the latter's management API; and, when
 * asked for, gateway nodes called with a key of a product with Starter's policy: counting in the
 * process (g), or in Redis at `redisUrl` (h).
 */
export async function startTollgate(
  upstreamOrigin: string,
  cpu: number | undefined,
  policies: { local: boolean; redisUrl: string | undefined; analyticsOff?: boolean },
): Promise<Target[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-gw-'));
  const key = adminKey();
  const children: Child<{ url?: string; gatewayPort: number }>[] = [];
  const stopAll = async () => {
    for (const child of children.splice(0).reverse()) await child.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const app = await startNodeChild<{ url?: string; gatewayPort: number }>('tollgate', ['app', dir, key], { cpu, name: 'Tollgate (all-in-one)' });
    children.push(app);
    const keys = await configureTollgate(app.info.url!, key, upstreamOrigin);
    const gatewayNode = async (name: string, subscriptionKey: string, extra: string[] = []) => {
      const node = await startNodeChild<{ url?: string; gatewayPort: number }>('tollgate', ['gateway', dir, key, ...extra], { cpu, name });
      children.push(node);
      const headers = { [KEY_HEADER]: subscriptionKey };
      const url = `http://127.0.0.1:${node.info.gatewayPort}${REQUEST_PATH}`;
      await waitForKey(name, url, headers);
      return { node, url, headers };
    };
    const plain = await gatewayNode('Tollgate (gateway node)', keys.plain);
    const appUrl = `http://127.0.0.1:${app.info.gatewayPort}${REQUEST_PATH}`;
    await waitForKey("the all-in-one process's gateway", appUrl, plain.headers);
    const local = policies.local ? await gatewayNode('Tollgate (gateway node, Starter policy)', keys.starter) : undefined;
    const redis = policies.redisUrl ? await gatewayNode('Tollgate (gateway node, Starter policy, Redis)', keys.starter, [policies.redisUrl]) : undefined;
    const quiet = policies.analyticsOff ? await gatewayNode('Tollgate (gateway node, no traffic recording)', keys.plain, ['--no-analytics']) : undefined;
    // Each target stops its own process; the directory goes with the last one.
    let left = children.length;
    const stopOne = (child: Child<unknown>) => async () => {
      await child.stop();
      if (--left === 0) rmSync(dir, { recursive: true, force: true });
    };
    const target = (id: TargetId, name: string, t: { node: Child<unknown>; url: string; headers: Record<string, string> }): Target => ({
      id,
      name,
      url: t.url,
      headers: t.headers,
      pid: t.node.pid,
      ask: t.node.ask,
      stop: stopOne(t.node),
    });
    return [
      target('b', "(b) Tollgate's gateway node, key checked", plain),
      { id: "b'", name: "(b′) Tollgate all-in-one's gateway, key checked", url: appUrl, headers: plain.headers, pid: app.pid, ask: app.ask, stop: stopOne(app) },
      ...(local ? [target('g', "(g) Tollgate's gateway node, Starter's policy, counted in the process", local)] : []),
      ...(redis ? [target('h', "(h) Tollgate's gateway node, Starter's policy, counted in Redis", redis)] : []),
      ...(quiet ? [target('i', "(i) Tollgate's gateway node, key checked, traffic recording off (ANALYTICS=off)", quiet)] : []),
    ];
  } catch (error) {
    await stopAll();
    throw error;
  }
}

export async function startFastify(upstreamOrigin: string, cpu: number | undefined): Promise<Target> {
  const child = await startNodeChild<{ port: number }>('fastify-proxy', [upstreamOrigin], { cpu, name: 'Fastify proxy' });
  return { id: 'c', name: '(c) Fastify + reply-from, no checks', url: `http://127.0.0.1:${child.info.port}${REQUEST_PATH}`, headers: {}, pid: child.pid, stop: child.stop };
}

export async function startBareProxy(upstreamOrigin: string, cpu: number | undefined): Promise<Target> {
  const child = await startNodeChild<{ port: number }>('bare-proxy', [upstreamOrigin], { cpu, name: 'bare node:http + undici proxy' });
  return { id: 'f', name: '(f) bare node:http + undici proxy, no checks', url: `http://127.0.0.1:${child.info.port}${REQUEST_PATH}`, headers: {}, pid: child.pid, stop: child.stop };
}

export async function startNginxTarget(upstreamPort: number, cpu: number | undefined): Promise<Target> {
  const port = await freePort();
  const nginx = await startNginx(port, upstreamPort, cpu);
  return { id: 'd', name: '(d) nginx, 1 worker', url: `http://127.0.0.1:${port}${REQUEST_PATH}`, headers: {}, pid: nginx.pid, stop: nginx.stop };
}

/** Keys in the nginx + Lua target's table: the benchmark's own among random ones, like a real key store. */
export const LUA_KEYS = 10_000;

export async function startNginxLuaTarget(upstreamPort: number, cpu: number | undefined, key: string): Promise<Target> {
  const port = await freePort();
  const keys = Array.from({ length: LUA_KEYS - 1 }, () => randomBytes(32).toString('hex'));
  keys.splice(LUA_KEYS >> 1, 0, key);
  const nginx = await startNginx(port, upstreamPort, cpu, { header: KEY_HEADER, keys });
  const url = `http://127.0.0.1:${port}${REQUEST_PATH}`;
  try {
    await refusesBadKeys('nginx + Lua', url);
  } catch (error) {
    await nginx.stop();
    throw error;
  }
  return { id: 'e', name: '(e) nginx + Lua key check, 1 worker', url, headers: { [KEY_HEADER]: key }, pid: nginx.pid, stop: nginx.stop };
}
