/**
 * Counters across gateway nodes (issue 11): three Node processes, each with its own counters in one
 * Redis, decide 1,000 calls sent round-robin on one counter key under a rate-limit-by-key of 100
 * calls per 60 s and a quota of 500, as a burst and spread evenly; how many were let through
 * against what one exact counter lets through for the same calls; then decisions/s and CPU per
 * decision (the node's and Redis's) with the calls let through and with the calls refused. For
 * each algorithm: the Lua script per decision (baseline), Tollgate's (the script, refusals
 * remembered), the sub-windows Tollgate counts limits above 1,000 calls by (here for every
 * limit), and local counting synchronised every --sync-ms (Kong's sync_rate), for their error.
 * Markdown on stdout, progress on stderr; every key written is deleted at the end. See
 * docs/limits.md.
 *
 *   npm run bench:counters -- --redis-url redis://127.0.0.1:6379
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { runBenchCli, wholeNumbersOf, type OptionValues } from '../common/cli.js';
import { loadAverage, printReportHead } from '../common/machine.js';
import { ALGORITHMS, type Algorithm, type Call, type FromNode, type Policy, type Throughput, type ToNode } from './protocol.js';

const HELP = `Usage: node dist/bench/counters/run.js [options]

Forks --nodes Node processes, each with its own Redis counters, and sends them --calls calls
round-robin on one counter key under a rate-limit-by-key of --rate-calls per --period seconds and
a quota of --quota calls: at once (a burst), and spread evenly at half and at twice the rate limit;
reports how many were let through against an exact single counter fed the same calls. Then each
node makes --throughput decisions let through (1,000 keys under a high limit) and as many refused
(one key over its limit), --concurrency at a time: decisions/s, and CPU µs per decision of the
nodes and of Redis. Algorithms: ${ALGORITHMS.join(', ')}.

Options:
  --nodes N          node processes (default 3)
  --calls N          calls of each accuracy run (default 1000)
  --rate-calls N     the rate limit's calls (default 100)
  --period S         the rate limit's renewal period, seconds (default 60)
  --quota N          the quota's calls (default 500)
  --throughput N     decisions per node of each throughput run (default 20000)
  --concurrency N    decisions in flight per node (default 32)
  --rounds N         throughput runs of each kind; the medians are reported (default 3)
  --sync-ms N        sync-rate's interval between synchronisations, ms of the calls' time (default 1000)
  --algorithms LIST  comma-separated (default ${ALGORITHMS.join(',')})
  --redis-url URL    Redis (default: $TEST_REDIS_URL, then $REDIS_URL, then redis://127.0.0.1:6379)
  -h, --help         this text
`;

const OPTIONS = {
  nodes: { type: 'string', default: '3' },
  calls: { type: 'string', default: '1000' },
  'rate-calls': { type: 'string', default: '100' },
  period: { type: 'string', default: '60' },
  quota: { type: 'string', default: '500' },
  throughput: { type: 'string', default: '20000' },
  concurrency: { type: 'string', default: '32' },
  rounds: { type: 'string', default: '3' },
  'sync-ms': { type: 'string', default: '1000' },
  algorithms: { type: 'string', default: ALGORITHMS.join(',') },
  'redis-url': { type: 'string' },
} as const;

interface Options {
  nodes: number;
  calls: number;
  rateCalls: number;
  periodSeconds: number;
  quota: number;
  throughput: number;
  concurrency: number;
  rounds: number;
  syncMs: number;
  algorithms: Algorithm[];
  redisUrl: string;
}

function parseOptions(values: OptionValues<typeof OPTIONS>): Options {
  const n = wholeNumbersOf(values, { underscores: true });
  const algorithms = values.algorithms.split(',').map((a) => a.trim());
  for (const a of algorithms) if (!(ALGORITHMS as readonly string[]).includes(a)) throw new Error(`--algorithms: unknown ${a} (known: ${ALGORITHMS.join(', ')})`);
  return {
    nodes: n('nodes', 1),
    calls: n('calls', 1),
    rateCalls: n('rate-calls', 1),
    periodSeconds: n('period', 1),
    quota: n('quota', 1),
    throughput: n('throughput', 1),
    concurrency: n('concurrency', 1),
    rounds: n('rounds', 1),
    syncMs: n('sync-ms', 1),
    algorithms: algorithms as Algorithm[],
    redisUrl: values['redis-url'] ?? process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  };
}

interface Node {
  /** Sends a message and resolves with the node's answer (one question at a time per node). */
  ask<T extends FromNode['type']>(message: ToNode, reply: T): Promise<Extract<FromNode, { type: T }>>;
  stop(): Promise<void>;
}

const NODE_SCRIPT = fileURLToPath(new URL('./node.js', import.meta.url));

async function startNode(setup: ToNode & { type: 'setup' }): Promise<Node> {
  const child: ChildProcess = fork(NODE_SCRIPT, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let answer: ((m: FromNode) => void) | undefined;
  child.on('message', (m: FromNode) => answer?.(m));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const node: Node = {
    ask(message, reply) {
      return new Promise((resolve, reject) => {
        answer = (m) => {
          answer = undefined;
          if (m.type === reply) resolve(m as Extract<FromNode, { type: typeof reply }>);
          else reject(new Error(m.type === 'error' ? m.error : `expected ${reply}, got ${m.type}`));
        };
        child.send(message);
      });
    },
    async stop() {
      if (child.connected) child.send({ type: 'stop' } satisfies ToNode);
      await exited;
    },
  };
  await node.ask(setup, 'ready');
  return node;
}

/** What a scenario's calls got: how many the rate limit let through, the most of those in any one period, how many the quota then let through. */
interface Outcome {
  rate: number;
  mostInPeriod: number;
  letThrough: number;
}

/** The most of these times that fall in any one sliding window of `periodMs` (sorted or not). */
function mostInPeriod(times: number[], periodMs: number): number {
  const sorted = [...times].sort((x, y) => x - y);
  let most = 0;
  for (let end = 0, start = 0; end < sorted.length; end++) {
    while (sorted[start]! <= sorted[end]! - periodMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

/** What one exact sliding-window counter and one exact quota counter let through of the same calls, in order. */
function exactOutcome(nows: number[], policy: Policy): Outcome {
  const periodMs = policy.periodSeconds * 1000;
  const admitted: number[] = [];
  let letThrough = 0;
  for (const now of nows) {
    const inWindow = admitted.filter((t) => t > now - periodMs).length;
    if (inWindow >= policy.rateCalls) continue;
    admitted.push(now);
    if (letThrough < policy.quotaCalls) letThrough++;
  }
  return { rate: admitted.length, mostInPeriod: mostInPeriod(admitted, periodMs), letThrough };
}

interface Scenario {
  name: string;
  /** Each call's time from the start, ms; undefined: a burst, decided on each node's clock. */
  offset?: (i: number) => number;
}

function scenarios(o: Options): Scenario[] {
  const perMinute = (o.rateCalls * 60) / o.periodSeconds;
  const spread = (factor: number): Scenario => {
    const gapMs = (o.periodSeconds * 1000) / (o.rateCalls * factor);
    const minutes = (o.calls * gapMs) / 60_000;
    return { name: `spread evenly, ${Math.round(perMinute * factor)}/min for ${minutes.toFixed(minutes < 10 ? 1 : 0)} min`, offset: (i) => Math.round(i * gapMs) };
  };
  return [{ name: 'a burst (all at once)' }, spread(0.5), spread(2)];
}

/** A burst goes to every node at once; spread calls go one per node at a time, so the nodes' clocks stay together. */
async function runScenario(nodes: Node[], o: Options, scenario: Scenario, policy: Policy, start: number): Promise<Outcome> {
  const calls: Call[] = Array.from({ length: o.calls }, (_, i) => ({ i, ...(scenario.offset ? { now: start + scenario.offset(i) } : {}) }));
  const share = (batch: Call[], n: number) => batch.filter((c) => c.i % nodes.length === n);
  let id = 0;
  const rateThrough: number[] = [];
  let letThrough = 0;
  const batches = scenario.offset ? Array.from({ length: Math.ceil(o.calls / nodes.length) }, (_, s) => calls.slice(s * nodes.length, (s + 1) * nodes.length)) : [calls];
  for (const batch of batches) {
    id++;
    const replies = await Promise.all(nodes.map((node, n) => node.ask({ type: 'calls', id, policy, calls: share(batch, n), concurrency: o.concurrency }, 'calls')));
    for (const r of replies) {
      rateThrough.push(...r.rateThrough);
      letThrough += r.letThrough.length;
    }
  }
  // A burst's calls all fall within one period.
  const most = scenario.offset ? mostInPeriod(rateThrough.map((i) => start + scenario.offset!(i)), policy.periodSeconds * 1000) : rateThrough.length;
  return { rate: rateThrough.length, mostInPeriod: most, letThrough };
}

interface Cost {
  decisionsPerSecond: number;
  nodeUs: number;
  redisUs: number;
  unavailable: number;
}

async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? NaN);
  return field('used_cpu_user') + field('used_cpu_sys');
}

async function measureCost(nodes: Node[], o: Options, mode: Throughput, redis: Redis, round: number): Promise<Cost> {
  const redisBefore = await redisCpuSeconds(redis);
  const started = performance.now();
  const replies = await Promise.all(
    nodes.map((node, n) => node.ask({ type: 'throughput', id: round, mode, decisions: o.throughput, concurrency: o.concurrency, node: n }, 'throughput')),
  );
  const wallMs = performance.now() - started;
  const redisUsed = (await redisCpuSeconds(redis)) - redisBefore;
  const decisions = replies.reduce((s, r) => s + r.decisions, 0);
  return {
    decisionsPerSecond: decisions / (wallMs / 1000),
    nodeUs: replies.reduce((s, r) => s + r.cpuUs, 0) / decisions,
    redisUs: (redisUsed * 1e6) / decisions,
    unavailable: replies.reduce((s, r) => s + r.unavailable, 0),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Each figure's median over the rounds (the unavailable decisions summed). */
function medianCost(rounds: Cost[]): Cost {
  return {
    decisionsPerSecond: median(rounds.map((r) => r.decisionsPerSecond)),
    nodeUs: median(rounds.map((r) => r.nodeUs)),
    redisUs: median(rounds.map((r) => r.redisUs)),
    unavailable: rounds.reduce((s, r) => s + r.unavailable, 0),
  };
}

interface AlgorithmResult {
  algorithm: Algorithm;
  outcomes: Outcome[];
  costs: Record<Throughput, Cost>;
}

async function runAlgorithm(o: Options, algorithm: Algorithm, prefix: string, redis: Redis, policyOf: (s: number) => Policy, starts: number[]): Promise<AlgorithmResult> {
  const setup = { type: 'setup', setup: { algorithm, redisUrl: o.redisUrl, keyPrefix: `${prefix}${algorithm}:`, syncMs: o.syncMs } } as const;
  const nodes = await Promise.all(Array.from({ length: o.nodes }, () => startNode(setup)));
  try {
    const outcomes: Outcome[] = [];
    for (const [s, scenario] of scenarios(o).entries()) {
      console.error(`${algorithm}: ${scenario.name}`);
      outcomes.push(await runScenario(nodes, o, scenario, policyOf(s), starts[s]!));
    }
    const rounds: Record<Throughput, Cost[]> = { admitted: [], refused: [] };
    for (let round = 0; round < o.rounds; round++) {
      console.error(`${algorithm}: throughput, round ${round + 1} of ${o.rounds}`);
      for (const mode of ['admitted', 'refused'] as const) rounds[mode].push(await measureCost(nodes, o, mode, redis, round));
    }
    const costs = { admitted: medianCost(rounds.admitted), refused: medianCost(rounds.refused) };
    return { algorithm, outcomes, costs };
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
  }
}

const NAMES: Record<Algorithm, string> = {
  script: 'Lua script per decision (baseline)',
  tollgate: 'Tollgate: script + refusals remembered',
  'sub-windows': 'Tollgate above exactUpTo: 60 sub-windows',
  'sync-rate': 'local counting, synced to Redis (Kong sync_rate)',
};

const signedPercent = (got: number, expected: number) => {
  const p = ((got - expected) / expected) * 100;
  return `${p > 0 ? '+' : ''}${p.toFixed(1)} %`;
};

function printReport(o: Options, results: AlgorithmResult[], expected: Outcome[]): void {
  const names = scenarios(o).map((s) => s.name);
  const table = (title: string, cell: (got: Outcome, exact: Outcome) => string, head: (exact: Outcome) => string) => {
    console.log(`${title}\n`);
    console.log(`| Algorithm | ${names.map((n, s) => `${n} (${head(expected[s]!)})`).join(' | ')} |`);
    console.log(`|---|${names.map(() => '---:').join('|')}|`);
    for (const r of results) console.log(`| ${NAMES[r.algorithm]} | ${r.outcomes.map((got, s) => cell(got, expected[s]!)).join(' | ')} |`);
    console.log('');
  };
  const what = `${o.calls} calls round-robin over ${o.nodes} nodes, rate-limit-by-key ${o.rateCalls} per ${o.periodSeconds} s then a quota of ${o.quota}`;
  table(`### Let through of ${what}`, (got, exact) => `${got.letThrough} (${signedPercent(got.letThrough, exact.letThrough)})`, (exact) => `exact: ${exact.letThrough}`);
  table(
    `### The rate limit alone: let through, and the most in any ${o.periodSeconds} s (limit ${o.rateCalls})`,
    (got, exact) => `${got.rate} (${signedPercent(got.rate, exact.rate)}); most ${got.mostInPeriod}${got.mostInPeriod > o.rateCalls ? ` (${signedPercent(got.mostInPeriod, o.rateCalls)} over the limit)` : ''}`,
    (exact) => `exact: ${exact.rate}; most ${exact.mostInPeriod}`,
  );
  console.log(`sync-rate synchronises every ${o.syncMs} ms of the calls' time.\n`);
  console.log(`### Cost: ${o.throughput} decisions per node, ${o.concurrency} in flight per node, ${o.nodes} nodes, medians of ${o.rounds} rounds\n`);
  console.log('| Algorithm | let through: decisions/s | node µs CPU/decision | Redis µs CPU/decision | refused: decisions/s | node µs CPU/decision | Redis µs CPU/decision |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    const { admitted: a, refused: f } = r.costs;
    console.log(`| ${NAMES[r.algorithm]} | ${a.decisionsPerSecond.toFixed(0)} | ${a.nodeUs.toFixed(1)} | ${a.redisUs.toFixed(1)} | ${f.decisionsPerSecond.toFixed(0)} | ${f.nodeUs.toFixed(1)} | ${f.redisUs.toFixed(1)} |`);
    if (a.unavailable + f.unavailable > 0) console.log(`\n(${NAMES[r.algorithm]}: ${a.unavailable + f.unavailable} decisions answered as Redis unavailable)\n`);
  }
}

async function run(o: Options): Promise<void> {
  const redis = new Redis(o.redisUrl, { maxRetriesPerRequest: 1 });
  const prefix = `tollgate-bench:${randomBytes(4).toString('hex')}:`;
  try {
    const version = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? 'unknown';
    printReportHead('Counters across nodes (`bench/counters`)', `Redis ${version} on the same machine. Load average before: ${loadAverage()}.`);
    const now = Date.now();
    // Every scenario has its own key and times, the same for each algorithm (so the expected counts are theirs too).
    const list = scenarios(o);
    const starts = list.map((_, s) => now + s * 3_600_000);
    const policyOf = (s: number): Policy => ({
      key: `scenario-${s}`,
      rateCalls: o.rateCalls,
      periodSeconds: o.periodSeconds,
      quotaCalls: o.quota,
      quotaWindow: { start: now - 1000, end: now + 30 * 86_400_000 },
    });
    const expected = list.map((scenario, s) =>
      exactOutcome(Array.from({ length: o.calls }, (_, i) => (scenario.offset ? starts[s]! + scenario.offset(i) : now)), policyOf(s)),
    );
    const results: AlgorithmResult[] = [];
    for (const algorithm of o.algorithms) results.push(await runAlgorithm(o, algorithm, prefix, redis, policyOf, starts));
    printReport(o, results, expected);
    console.log(`\nLoad average after: ${loadAverage()}.`);
  } finally {
    const keys = await redis.keys(`${prefix}*`);
    for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
    await redis.quit();
  }
}

await runBenchCli({ help: HELP, options: OPTIONS, parse: parseOptions, run });
