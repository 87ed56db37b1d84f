/**
 * One gateway node of the counters benchmark (forked by run.ts): its own counters in Redis, making
 * the decisions it is sent as the gateway would (rate-limit-by-key, then the quota if the rate limit
 * let the call through), and timing bulk decisions for their cost. Exits when the parent goes away.
 */
import { createRedisCounters } from '../../src/gateway/counters/redis.js';
import type { Counters } from '../../src/gateway/counters/types.js';
import { createSyncRateCounters } from './sync-rate.js';
import type { Call, FromNode, Policy, Setup, Throughput, ToNode } from './protocol.js';

type Deciding = Pick<Counters, 'takeRate' | 'takeQuota' | 'close'>;

const logger = {
  info: () => {},
  warn: (fields: object, message?: string) => console.error(JSON.stringify({ pid: process.pid, message, ...fields })),
  error: (fields: object, message?: string) => console.error(JSON.stringify({ pid: process.pid, message, ...fields })),
};

let counters: Deciding | undefined;

function send(message: FromNode): void {
  process.send!(message);
}

async function setUp(setup: Setup): Promise<void> {
  if (setup.algorithm === 'sync-rate') {
    counters = createSyncRateCounters(setup.redisUrl, setup.keyPrefix, setup.syncMs);
    return;
  }
  const redis = createRedisCounters({
    url: setup.redisUrl,
    logger,
    keyPrefix: setup.keyPrefix,
    rememberRefusals: setup.algorithm !== 'script',
    ...(setup.algorithm === 'sub-windows' ? { exactUpTo: 0 } : {}),
  });
  if (!(await redis.waitUntilAvailable(10_000))) throw new Error(`Redis at ${setup.redisUrl} did not answer`);
  counters = redis;
}

/** Runs `work(0..n-1)` with at most `concurrency` at a time, in order of starting. */
async function pool(n: number, concurrency: number, work: (j: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
}

async function decideCalls(policy: Policy, calls: Call[], concurrency: number): Promise<{ rateThrough: number[]; letThrough: number[] }> {
  const c = counters!;
  const rateThrough: number[] = [];
  const letThrough: number[] = [];
  await pool(calls.length, concurrency, async (j) => {
    const call = calls[j]!;
    const now = call.now ?? Date.now();
    const rate = await c.takeRate(policy.key, policy.rateCalls, policy.periodSeconds, 1, now);
    if (!rate.allowed) return;
    rateThrough.push(call.i);
    const quota = await c.takeQuota(policy.key, policy.quotaWindow, { calls: policy.quotaCalls }, 1, now);
    if (quota.allowed) letThrough.push(call.i);
  });
  return { rateThrough, letThrough };
}

/**
 * Bulk decisions for their cost: `admitted` spreads them over 1,000 keys of this node with a limit
 * none reaches; `refused` sends them all on one key whose limit (100) is soon reached.
 */
async function throughput(mode: Throughput, decisions: number, concurrency: number, node: number) {
  const c = counters!;
  let unavailable = 0;
  const keyOf = mode === 'admitted' ? (j: number) => `tp-${node}-${j % 1000}` : () => `tp-${node}-hot`;
  const limit = mode === 'admitted' ? 1000 : 100;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await pool(decisions, concurrency, async (j) => {
    const d = await c.takeRate(keyOf(j), limit, 60, 1, Date.now());
    if (d.unavailable) unavailable++;
  });
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { cpuUs: used.user + used.system, wallMs, decisions, unavailable };
}

process.on('disconnect', () => process.exit(0));
process.on('message', (m: ToNode) => {
  const run = async () => {
    switch (m.type) {
      case 'setup':
        await setUp(m.setup);
        return send({ type: 'ready' });
      case 'calls':
        return send({ type: 'calls', id: m.id, ...(await decideCalls(m.policy, m.calls, m.concurrency)) });
      case 'throughput':
        return send({ type: 'throughput', id: m.id, ...(await throughput(m.mode, m.decisions, m.concurrency, m.node)) });
      case 'stop':
        await counters?.close();
        process.exit(0);
    }
  };
  run().catch((error: Error) => send({ type: 'error', error: error.stack ?? error.message }));
});
