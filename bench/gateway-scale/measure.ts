/**
 * What is measured once the two processes serve: how fast a change reaches each gateway
 * (propagation), and the all-in-one gateway's latency under a light steady load while writes are
 * made at a steady rate (phases), with both processes' event-loop delays over each phase.
 */
import type { Child } from '../gateway/child.js';
import { runPaced } from '../gateway/paced.js';
import type { LoadResult } from '../gateway/measure.js';
import { KEY_HEADER, REQUEST_PATH } from '../gateway/setup.js';
import { progressBar } from '../management/progress.js';
import { prng } from '../management/seed.js';
import type { GatewayClient, Management, Wait } from './clients.js';
import type { KnownSubscription } from './seed.js';
import { PRODUCT_SCOPE } from './seed.js';
import type { LoopDelay, Ready, Sample } from './protocol.js';

export type Server = Child<Ready>;

/** The gateway benchmark's "light steady load", paced evenly: enough requests for a p99 per phase. */
const LOAD_RATE = 200;
const LOAD_CONNECTIONS = 4;
/** Writes in flight at once at most; a write due while they are all busy is skipped (and counted). */
const WRITES_IN_FLIGHT = 8;
/** The longest a gateway is polled for a change before it counts as an error. */
export const PROPAGATION_BOUND_MS = 5000;
/** An untimed pause of 0 to this before each change, so that changes fall anywhere in a polling gateway's cycle. */
const PAUSE_MS = 200;

export const sample = (server: Server, reset = false) => server.ask<Sample>('sample', { reset });

export interface Propagation {
  name: string;
  samples: number;
  /** How often the first request to the all-in-one gateway after the write's answer got the new answer. */
  firstRight: number;
  /** From the write's answer to the new answer: the all-in-one gateway, the second node (ms). */
  here: number[];
  there: number[];
  /** The write's own latency (ms). */
  writes: number[];
  /** Timeouts, other statuses, failed writes. */
  errors: string[];
}

export interface Gateways {
  here: GatewayClient;
  there: GatewayClient;
}

function record(result: Propagation, where: 'here' | 'there', wait: Wait): void {
  if ('ms' in wait) result[where].push(wait.ms);
  else if ('timeout' in wait) result.errors.push(`${where}: still ${wait.last} after ${PROPAGATION_BOUND_MS} ms`);
  else result.errors.push(`${where}: unexpected ${wait.unexpected}`);
}

/**
 * One change, timed from its write's answer: `write` makes it and returns the key to try and the
 * answers before and after; both gateways are then polled at once.
 */
async function timeChange(result: Propagation, gateways: Gateways, write: () => Promise<{ key: string; before: number; after: number }>): Promise<void> {
  const sent = performance.now();
  let change: Awaited<ReturnType<typeof write>>;
  try {
    change = await write();
  } catch (error) {
    result.errors.push((error as Error).message);
    return;
  }
  const answered = performance.now();
  result.writes.push(answered - sent);
  const { key, before, after } = change;
  const [here, there] = await Promise.all([
    (async () => {
      const first = await gateways.here.status(key);
      if (first === after) {
        result.firstRight++;
        return { ms: performance.now() - answered };
      }
      return gateways.here.until(key, after, before, answered, PROPAGATION_BOUND_MS);
    })(),
    gateways.there.until(key, after, before, answered, PROPAGATION_BOUND_MS),
  ]);
  record(result, 'here', here);
  record(result, 'there', there);
}

export interface PropagationPlan {
  changes: number;
  seed: number;
  /** Active owners with a known key: blocked in turn (and activated again), and owning the new subscriptions. */
  owners: KnownSubscription[];
}

/**
 * `changes` times each: a new subscription (PUT, then its key from listSecrets, as an integrator
 * gets it; the second request of the answer) must open the API at once; an owner blocked must be
 * refused. After a block the owner is activated again and the second node awaited, untimed.
 */
export async function measurePropagation(name: string, management: Management, gateways: Gateways, plan: PropagationPlan): Promise<Propagation[]> {
  const fresh = (label: string): Propagation => ({ name: label, samples: 0, firstRight: 0, here: [], there: [], writes: [], errors: [] });
  const newKey = fresh('New subscription: its key → 200');
  const block = fresh('Owner blocked: their key → 403');
  const random = prng(plan.seed);
  const bar = progressBar(`${name}: propagation`, plan.changes * 2);
  for (let i = 0; i < plan.changes; i++) {
    const owner = plan.owners[i % plan.owners.length]!;
    await new Promise((r) => setTimeout(r, random() * PAUSE_MS));
    newKey.samples++;
    await timeChange(newKey, gateways, async () => {
      const id = `new-${i}`;
      await management.call('PUT', `/subscriptions/${id}`, {
        properties: { ownerId: `/users/${owner.ownerId}`, scope: PRODUCT_SCOPE, displayName: `New ${i}`, state: 'active' },
      });
      const { primaryKey } = (await management.call('POST', `/subscriptions/${id}/listSecrets`)) as { primaryKey: string };
      return { key: primaryKey, before: 401, after: 200 };
    });
    bar.update(i * 2 + 1);

    await new Promise((r) => setTimeout(r, random() * PAUSE_MS));
    block.samples++;
    await timeChange(block, gateways, async () => {
      await management.call('PATCH', `/users/${owner.ownerId}`, { properties: { state: 'blocked' } });
      return { key: owner.key, before: 200, after: 403 };
    });
    try {
      await management.call('PATCH', `/users/${owner.ownerId}`, { properties: { state: 'active' } });
      const back = await gateways.there.until(owner.key, 200, 403, performance.now(), PROPAGATION_BOUND_MS);
      if (!('ms' in back)) block.errors.push(`activated again: the second node still refuses ${owner.ownerId}'s key`);
    } catch (error) {
      block.errors.push((error as Error).message);
    }
    bar.update(i * 2 + 2);
  }
  bar.finish();
  return [newKey, block];
}

export interface Writes {
  /** Writes per second asked for. */
  rate: number;
  made: number;
  /** Due while WRITES_IN_FLIGHT were still unanswered: the write rate could not be kept. */
  skipped: number;
  latencies: number[];
  errors: string[];
}

/** `rate` writes a second, evenly spread, for `durationS`: `write(n)` is the n-th. */
async function pacedWrites(rate: number, durationS: number, write: (n: number) => Promise<void>): Promise<Writes> {
  const result: Writes = { rate, made: 0, skipped: 0, latencies: [], errors: [] };
  if (rate === 0) return result;
  const total = Math.round(rate * durationS);
  let due = 0;
  let inFlight = 0;
  const pending = new Set<Promise<void>>();
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
      for (; due < now; due++) {
        if (inFlight >= WRITES_IN_FLIGHT) {
          result.skipped++;
          continue;
        }
        const n = due;
        inFlight++;
        const t0 = performance.now();
        const p = write(n)
          .then(
            () => {
              result.latencies.push(performance.now() - t0);
              result.made++;
            },
            (error: unknown) => {
              result.errors.push((error as Error).message);
            },
          )
          .finally(() => {
            inFlight--;
            pending.delete(p);
          });
        pending.add(p);
      }
      if (due >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  await Promise.all(pending);
  return result;
}

export interface Phase {
  name: string;
  load: LoadResult;
  writes: Writes;
  /** The event loop's delays over the phase: the all-in-one process, the second node. */
  loop: { app: LoopDelay; node: LoopDelay };
}

export interface PhasePlan {
  durationS: number;
  /** The key the steady load uses (never blocked by the benchmark). */
  loadKey: string;
  /** Owner of the subscriptions the writes create. */
  owner: string;
  /** Seeded subscriptions the writes suspend and reactivate in turn (ids). */
  toggled: string[];
}

/**
 * The all-in-one gateway's latency under LOAD_RATE req/s, idle and while writes are made at each
 * rate: alternately a new subscription (PUT) and a seeded one's state flipped (PATCH).
 */
export async function measurePhases(name: string, servers: { app: Server; node: Server }, gatewayUrl: string, management: Management, rates: number[], plan: PhasePlan): Promise<Phase[]> {
  const url = new URL(REQUEST_PATH, gatewayUrl).href;
  const headers = { [KEY_HEADER]: plan.loadKey };
  const load = (durationS: number) => runPaced({ url, headers, connections: LOAD_CONNECTIONS, durationS, rate: LOAD_RATE, serverPid: servers.app.pid });
  console.error(`${name}: warming up (2 s of ${LOAD_RATE} req/s)`);
  await load(2);
  let created = 0;
  let flipped = 0;
  const write = async (n: number) => {
    if (n % 2 === 0 || plan.toggled.length === 0) {
      const id = `load-${created++}`;
      await management.call('PUT', `/subscriptions/${id}`, { properties: { ownerId: `/users/${plan.owner}`, scope: PRODUCT_SCOPE, displayName: id, state: 'active' } });
    } else {
      const k = flipped++;
      const round = Math.floor(k / plan.toggled.length);
      await management.call('PATCH', `/subscriptions/${plan.toggled[k % plan.toggled.length]}`, { properties: { state: round % 2 === 0 ? 'suspended' : 'active' } });
    }
  };
  const phases: Phase[] = [];
  for (const rate of rates) {
    const label = rate === 0 ? 'idle' : `${rate} writes/s`;
    console.error(`${name}: gateway at ${LOAD_RATE} req/s, ${label}, ${plan.durationS} s`);
    await Promise.all([sample(servers.app, true), sample(servers.node, true)]);
    const [result, writes] = await Promise.all([load(plan.durationS), pacedWrites(rate, plan.durationS, write)]);
    const [app, node] = await Promise.all([sample(servers.app, true), sample(servers.node, true)]);
    phases.push({ name: label, load: result, writes, loop: { app: app.loop, node: node.loop } });
  }
  return phases;
}

export const LOAD = { rate: LOAD_RATE, connections: LOAD_CONNECTIONS, writesInFlight: WRITES_IN_FLIGHT, pauseMs: PAUSE_MS };
