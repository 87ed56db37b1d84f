/**
 * Gateway benchmark: CPU time per request of Tollgate's gateway and of the proxies people pick
 * instead, in front of the same upstream, on the same machine, in one run; each server in its own
 * process. A saturation pass with wrk (the CPU per request, then req/s and latency) and a
 * moderate-load pass at an evenly paced rate (the latency a hop adds). Markdown on stdout, progress
 * on stderr. See docs/benchmarks.md.
 *
 *   npm run bench:gateway -- --duration 6 --warmup 2 --rounds 3
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runBenchCli, wholeNumbersOf, type OptionValues } from '../common/cli.js';
import { loadAverage, printReportHead } from '../common/machine.js';
import { killAllChildren, pinned } from './child.js';
import type { GatewayTimings, LoadOptions, LoadResult } from './measure.js';
import { ensureNginx, nginxVersion } from './nginx.js';
import { runPaced } from './paced.js';
import { summarizeProfile } from './profile.js';
import { KEY_HEADER } from './setup.js';
import {
  check,
  LUA_KEYS,
  startBareProxy,
  startFastify,
  startNginxLuaTarget,
  startNginxTarget,
  startTollgate,
  startUpstream,
  TARGET_IDS,
  type Target,
  type TargetId,
} from './targets.js';
import { ensureWrk, runWrk, wrkVersion } from './wrk.js';

const HELP = `Usage: node dist/bench/gateway/run.js [options]

Measures the CPU time per request, then req/s and latency, of: (a) the upstream directly,
(b) Tollgate's gateway with subscription key checks in a gateway node (\`tollgate gateway\`), (b′) the
same in the all-in-one process (\`tollgate start\`), (c) Fastify + @fastify/reply-from without checks,
(d) nginx with one worker, (e) nginx with one worker and its Lua module checking the key against an
in-memory table before proxy_pass (what Kong does), (f) a bare node:http + undici proxy without
checks (the floor of the gateway's architecture), (g) the gateway node called with a key of a product
with Starter's policy (a rate limit and a quota, limits never reached), counting in its process,
(h) the same counting in Redis (--redis-url), (i) the gateway node with traffic recording off
(ANALYTICS=off: (b) records, as by default) — all in front of the same minimal node:http
upstream, each in its own process. The load generator is wrk, one thread. Installs wrk, nginx and
libnginx-mod-http-lua with apt-get if missing. Prints markdown on stdout.

Options:
  --duration S      seconds measured per target and pass (default 10)
  --connections N   wrk's connections in the saturation pass (default 50)
  --warmup S        seconds of unrecorded load before each measurement (default 3)
  --rate R          req/s of the paced moderate-load pass, all connections together (default 1000;
                    0: no paced pass)
  --moderate-connections N   connections of the paced pass (default 10)
  --targets LIST    which targets, comma-separated, of a,b,b',c,d,e,f,g,h,i (default all of them)
  --redis-url URL   Redis for (h) (default: $TEST_REDIS_URL, then $REDIS_URL, then
                    redis://127.0.0.1:6379)
  --no-pin          do not pin processes to CPUs (default: with 2+ CPUs, the server under test and
                    the upstream on CPU 0, wrk and this process on CPU 1)
  --rounds N        repeat the passes N times; figures are judged on the medians (default 3)
  --keep-awake      during the paced pass, keep the servers' CPU from idling with a lowest-priority
                    busy loop (nice 19) pinned to it: on virtual machines, waking an idle vCPU can
                    take milliseconds, which every proxy hop then pays (see docs/benchmarks.md)
  --profile         afterwards, run (b) once more under wrk with V8's CPU profiler on and print its
                    top functions
  --profile-file F  with --profile: also keep the .cpuprofile there (for Chrome DevTools)
  -h, --help        this text
`;

/**
 * Gateway ÷ nginx + Lua, CPU per request, at most (issue 10); added p99 at moderate load, ms;
 * throughput with Starter's policy ÷ without, at least, counting in the process and in Redis (issue 11).
 */
const GOALS = { cpuOverLua: 2.5, addedP99Ms: 1, starterLocal: 0.9, starterRedis: 0.75, recording: 1.05 };

interface Options {
  durationS: number;
  connections: number;
  warmupS: number;
  rate: number;
  moderateConnections: number;
  targets: ReadonlySet<TargetId>;
  pin: boolean;
  profile: boolean;
  profileFile: string | undefined;
  rounds: number;
  keepAwake: boolean;
  redisUrl: string;
}

const OPTIONS = {
  duration: { type: 'string', default: '10' },
  connections: { type: 'string', default: '50' },
  warmup: { type: 'string', default: '3' },
  rate: { type: 'string', default: '1000' },
  'moderate-connections': { type: 'string', default: '10' },
  targets: { type: 'string', default: TARGET_IDS.join(',') },
  'no-pin': { type: 'boolean', default: false },
  profile: { type: 'boolean', default: false },
  'profile-file': { type: 'string' },
  rounds: { type: 'string', default: '3' },
  'keep-awake': { type: 'boolean', default: false },
  'redis-url': { type: 'string' },
} as const;

function parseTargets(raw: string): Set<TargetId> {
  const out = new Set<TargetId>();
  for (const part of raw.split(',').map((s) => s.trim().replace('′', "'"))) {
    if (!(TARGET_IDS as readonly string[]).includes(part)) throw new Error(`--targets takes ${TARGET_IDS.join(',')}, not ${part}`);
    out.add(part as TargetId);
  }
  return out;
}

function parseOptions(values: OptionValues<typeof OPTIONS>): Options {
  const count = wholeNumbersOf(values);
  const targets = parseTargets(values.targets);
  if (values.profile) targets.add('b');
  return {
    durationS: count('duration', 1),
    connections: count('connections', 1),
    warmupS: count('warmup', 0),
    rate: count('rate', 0),
    moderateConnections: count('moderate-connections', 1),
    targets,
    pin: !values['no-pin'],
    profile: values.profile,
    profileFile: values['profile-file'],
    rounds: count('rounds', 1),
    keepAwake: values['keep-awake'],
    redisUrl: values['redis-url'] ?? process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  };
}

// ---------------------------------------------------------------------------------------------
// Cleanup: everything started registers how to stop it; run on success, error and Ctrl-C.

const disposers: (() => Promise<void>)[] = [];
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const d of disposers.splice(0).reverse()) await d().catch((e: unknown) => console.error(`cleanup: ${(e as Error).message}`));
  })();
  return cleaning;
}
function onSignal(signal: NodeJS.Signals): void {
  console.error(`\n${signal}: stopping every server and removing the temporary directories`);
  void cleanup().finally(() => process.exit(130));
}
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);
process.once('exit', killAllChildren);

// ---------------------------------------------------------------------------------------------
// Formatting

const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(v < 10 ? 2 : 1) : '–');
const int = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '–');
const us = (v: number) => (Number.isFinite(v) ? v.toFixed(v < 100 ? 1 : 0) : '–');
const pct = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? `${Math.round(v * 100)} %` : '–');
const cores = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '–');
const ratio = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '–');
const signed = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? '+' : '−'}${ms(Math.abs(v))}` : '–');

function statusText(r: LoadResult): string {
  const odd = Object.entries(r.statuses).filter(([code]) => !code.startsWith('2'));
  return odd.length ? odd.map(([code, n]) => `${n}×${code}`).join(', ') : '0';
}

function table(rows: [Target, LoadResult][], client: string): string {
  const lines = [
    `| Target | **µs CPU per request** | server CPU | req/s | p50 ms | p90 ms | p99 ms | max ms | non-2xx | errors | upstream CPU | ${client} CPU | other processes | new upstream conns |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const [t, r] of rows) {
    const c = r.cpu;
    lines.push(
      `| ${t.name} | **${us(c.serverUsPerRequest)}** | ${pct(c.server)} | ${int(r.rps)} | ${ms(r.p50)} | ${ms(r.p90)} | ${ms(r.p99)} | ${ms(r.max)} | ${statusText(r)} | ${r.errors} | ` +
        `${t.id === 'a' ? '(server)' : pct(c.upstream)} | ${pct(c.client)} | ${cores(c.others)} cores | ${r.upstream ? int(r.upstream.connections) : '–'} |`,
    );
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------

interface Pass {
  title: string;
  kind: 'wrk' | 'paced';
  connections: number;
  rate: number;
}

type Counters = { connections: number; requests: number };

function run(pass: Pass, load: LoadOptions, clientCpu: number | undefined): Promise<LoadResult> {
  return pass.kind === 'paced' ? runPaced({ ...load, rate: pass.rate }) : runWrk({ ...load, cpu: clientCpu });
}

async function measurePass(pass: Pass, targets: Target[], upstream: Target, o: Options): Promise<Map<TargetId, LoadResult>> {
  const counters = () => upstream.ask!<Counters>('counters');
  const results = new Map<TargetId, LoadResult>();
  for (const t of targets) {
    const load = { url: t.url, headers: t.headers, connections: pass.connections, serverPid: t.pid, upstreamPid: upstream.pid };
    if (o.warmupS > 0) {
      console.error(`${pass.title}: ${t.name}: warm-up ${o.warmupS} s`);
      const w = await run(pass, { ...load, durationS: o.warmupS }, clientCpuOf(o));
      if (w.non2xx || w.errors) console.error(`  warm-up had ${w.non2xx} non-2xx (${statusText(w)}) and ${w.errors} errors`);
    }
    console.error(`${pass.title}: ${t.name}: measuring ${o.durationS} s`);
    const timed = t.id === 'b' && t.ask !== undefined;
    if (timed) await t.ask!('timings-reset');
    const before = await counters();
    const r = await run(pass, { ...load, durationS: o.durationS }, clientCpuOf(o));
    const after = await counters();
    r.upstream = { connections: after.connections - before.connections, requests: after.requests - before.requests };
    if (timed) r.inGateway = await t.ask!<GatewayTimings>('timings');
    console.error(
      `  ${us(r.cpu.serverUsPerRequest)} µs CPU/req (server ${pct(r.cpu.server)} CPU); ${int(r.rps)} req/s, p50 ${ms(r.p50)} ms, p99 ${ms(r.p99)} ms, ` +
        `non-2xx ${statusText(r)}, errors ${r.errors}; other processes ${cores(r.cpu.others)} cores; upstream: ${r.upstream.connections} new connections, ${int(r.upstream.requests)} requests`,
    );
    results.set(t.id, r);
  }
  return results;
}

function clean(r: LoadResult | undefined): boolean {
  return r !== undefined && r.non2xx === 0 && r.errors === 0 && r.requests > 0;
}

function verdict(ok: boolean, valid: boolean): string {
  if (!valid) return '**not measurable** (non-2xx or errors above)';
  return ok ? '**met**' : '**missed**';
}

function pin(pid: number, cpu: number): void {
  const r = spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`taskset failed: ${r.stderr}`);
}

/** The gateway node's own time per request in one pass, as measured inside it. */
function inGatewayLine(r: LoadResult | undefined): string {
  const t = r?.inGateway;
  if (!t || t.n === 0) return '- time inside the gateway node (b): not measured';
  return `- time inside the gateway node (b) per forwarded request (everything but the backend's round trip), over ${int(t.n)} requests: p50 ${ms(t.p50)} ms, p90 ${ms(t.p90)} ms, p99 **${ms(t.p99)} ms**, max ${ms(t.max)} ms`;
}

const pinning = (o: Options) => o.pin && availableParallelism() >= 2;
/** The CPU of the servers under test and the upstream (undefined without pinning). */
const serverCpuOf = (o: Options) => (pinning(o) ? 0 : undefined);
/** The CPU of wrk and of this process. */
const clientCpuOf = (o: Options) => (pinning(o) ? 1 : undefined);

/**
 * A busy loop at the lowest priority (nice 19) on the servers' CPU, so that it never idles: the
 * scheduler runs a server the moment it has work (the loop's share is ~1.5 % against a nice-0
 * process), and no request pays for waking an idle (virtual) CPU.
 */
function keepCpuAwake(cpu: number | undefined): { stop(): void } {
  const [command, args] = pinned(cpu, 'nice', ['-n', '19', process.execPath, '-e', 'for (;;) {}']);
  const child = spawn(command, args, { stdio: 'ignore' });
  const stop = () => child.kill('SIGKILL');
  process.once('exit', stop);
  return {
    stop() {
      process.off('exit', stop);
      stop();
    },
  };
}

/** The ratios of CPU per request printed in each round and over the rounds: [label, numerator, denominator]. */
const RATIOS: [string, TargetId, TargetId][] = [
  ['gateway node ÷ nginx + Lua (b/e)', 'b', 'e'],
  ['all-in-one ÷ nginx + Lua (b′/e)', "b'", 'e'],
  ['gateway node ÷ Fastify (b/c)', 'b', 'c'],
  ['gateway node ÷ nginx (b/d)', 'b', 'd'],
  ['nginx + Lua ÷ nginx (e/d)', 'e', 'd'],
  ['bare node:http + undici ÷ nginx + Lua (f/e)', 'f', 'e'],
  ['gateway node ÷ bare node:http + undici (b/f)', 'b', 'f'],
  ["Starter's policy in the process ÷ none (g/b)", 'g', 'b'],
  ["Starter's policy in Redis ÷ none (h/b)", 'h', 'b'],
  ['traffic recording on ÷ off (b/i)', 'b', 'i'],
];

/** What one round yields: CPU per request and req/s by target at saturation, the paced pass's added p99. */
interface RoundFigures {
  cpu: Map<TargetId, number>;
  rps: Map<TargetId, number>;
  p99: Map<TargetId, number>;
  /** Paced pass: p99 of each proxy minus that of the upstream directly, ms. */
  pacedAddedP99: Map<TargetId, number>;
  /** p99 of the gateway node's own time per request, paced. */
  pacedInGatewayP99: number;
  clean: boolean;
}

const cpuRatio = (f: RoundFigures, x: TargetId, y: TargetId) => (f.cpu.get(x) ?? NaN) / (f.cpu.get(y) ?? NaN);
const rpsRatio = (f: RoundFigures, x: TargetId, y: TargetId) => (f.rps.get(x) ?? NaN) / (f.rps.get(y) ?? NaN);

async function measureRound(targets: Target[], upstream: Target, o: Options, passes: Pass[]): Promise<RoundFigures> {
  const [saturation, paced] = passes as [Pass, Pass | undefined];
  const sat = await measurePass(saturation, targets, upstream, o);
  let pac = new Map<TargetId, LoadResult>();
  if (paced) {
    const awake = o.keepAwake ? keepCpuAwake(serverCpuOf(o)) : undefined;
    try {
      pac = await measurePass(paced, targets, upstream, o);
    } finally {
      awake?.stop();
    }
  }
  const rows = (m: Map<TargetId, LoadResult>) => targets.map((t) => [t, m.get(t.id)!] as [Target, LoadResult]);
  const figures: RoundFigures = {
    cpu: new Map([...sat].map(([id, r]) => [id, r.cpu.serverUsPerRequest])),
    rps: new Map([...sat].map(([id, r]) => [id, r.rps])),
    p99: new Map([...sat].map(([id, r]) => [id, r.p99])),
    pacedAddedP99: new Map([...pac].filter(([id]) => id !== 'a').map(([id, r]) => [id, r.p99 - (pac.get('a')?.p99 ?? NaN)])),
    pacedInGatewayP99: pac.get('b')?.inGateway?.p99 ?? NaN,
    clean: [...sat.values(), ...pac.values()].every(clean),
  };

  console.log(`#### ${saturation.title} (as fast as they answer)\n`);
  console.log(table(rows(sat), 'wrk'));
  console.log('');
  console.log(`- CPU per request, ${RATIOS.map(([label, x, y]) => `${label}: ${x === 'b' && y === 'e' ? `**${ratio(cpuRatio(figures, x, y))}**` : ratio(cpuRatio(figures, x, y))}`).join('; ')}`);
  console.log(inGatewayLine(sat.get('b')));
  console.log('');
  if (paced) {
    console.log(`#### ${paced.title}\n`);
    console.log(
      "Open loop: one request every 1/rate s (node:http keep-alive agent, at most that many connections), whatever the answers' speed; " +
        'a request waiting for a connection counts the wait.\n',
    );
    console.log(table(rows(pac), 'client (Node)'));
    console.log('');
    for (const t of targets.filter((x) => figures.pacedAddedP99.has(x.id))) console.log(`- p99 added by ${t.name} over (a): **${signed(figures.pacedAddedP99.get(t.id)!)} ms**`);
    console.log(inGatewayLine(pac.get('b')));
    console.log('');
  }
  const notes: string[] = [];
  const busiest = Math.max(...[...sat.values(), ...pac.values()].map((r) => r.cpu.others));
  if (busiest > 0.2) notes.push(`Other processes on the machine used up to ${cores(busiest)} cores during the measurements: req/s and latencies are disturbed by them; the CPU time per request much less.`);
  if (!figures.clean) notes.push('**Some responses were not 2xx or failed (see the tables): the figures of this round are not comparable.**');
  if (notes.length) console.log(`${notes.map((n) => `Note: ${n}`).join('\n\n')}\n`);
  console.error(`  load average ${loadAverage()}`);
  return figures;
}

const median = (values: number[]): number => {
  const sorted = values.filter(Number.isFinite).sort((x, y) => x - y);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Every round's figures side by side, their medians, and the goals judged on the medians. */
function printSummary(rounds: RoundFigures[], targets: Target[]): void {
  const head = `| | ${rounds.map((_, i) => `round ${i + 1}`).join(' | ')} | median |\n|---|${rounds.map(() => '---:|').join('')}---:|`;
  const row = (name: string, get: (f: RoundFigures) => number, format: (v: number) => string, bold = false) => {
    const m = format(median(rounds.map(get)));
    return `| ${name} | ${rounds.map((f) => format(get(f))).join(' | ')} | ${bold ? `**${m}**` : m} |`;
  };
  console.log(`### Summary of ${rounds.length} round${rounds.length > 1 ? 's' : ''}\n`);
  console.log('CPU time per request at saturation (µs; the server process, nginx with its worker):\n');
  console.log(head);
  for (const t of targets) console.log(row(t.name, (f) => f.cpu.get(t.id) ?? NaN, us, true));
  console.log('');
  console.log('Ratios of CPU per request, each within its round:\n');
  console.log(head);
  for (const [label, x, y] of RATIOS) console.log(row(label, (f) => cpuRatio(f, x, y), ratio, x === 'b' && y === 'e'));
  console.log('');
  console.log('req/s and p99 at saturation (wrk; with the upstream on the same CPU, the CPU per request decides them):\n');
  console.log(head);
  for (const t of targets) console.log(row(`${t.name}, req/s`, (f) => f.rps.get(t.id) ?? NaN, int));
  for (const t of targets) console.log(row(`${t.name}, p99 ms`, (f) => f.p99.get(t.id) ?? NaN, ms));
  const paced = rounds.some((f) => f.pacedAddedP99.size > 0);
  if (paced) {
    for (const t of targets.filter((x) => x.id !== 'a')) console.log(row(`p99 added by ${t.name}, paced, ms`, (f) => f.pacedAddedP99.get(t.id) ?? NaN, signed));
    console.log(row('p99 of the time spent inside the gateway node (b), paced, ms', (f) => f.pacedInGatewayP99, ms));
  }
  console.log('');
  const valid = rounds.every((f) => f.clean);
  const m = (get: (f: RoundFigures) => number) => median(rounds.map(get));
  const be = m((f) => cpuRatio(f, 'b', 'e'));
  console.log(`### Goals (medians of ${rounds.length} round${rounds.length > 1 ? 's' : ''})\n`);
  console.log(`- CPU per request, gateway node ÷ nginx + Lua ≤ ${GOALS.cpuOverLua}: ${ratio(be)} — ${Number.isFinite(be) ? verdict(be <= GOALS.cpuOverLua, valid) : 'not measured (needs targets b and e)'}`);
  for (const [id, goal, where] of [['g', GOALS.starterLocal, 'in the process'], ['h', GOALS.starterRedis, 'in Redis']] as const) {
    const r = m((f) => rpsRatio(f, id, 'b'));
    const c = m((f) => cpuRatio(f, id, 'b'));
    console.log(
      `- req/s with Starter's policy counted ${where} ÷ without (${id}/b) ≥ ${goal}: ${ratio(r)} — ${Number.isFinite(r) ? verdict(r >= goal, valid) : `not measured (needs targets b and ${id})`}` +
        (Number.isFinite(c) ? `; CPU per request ${ratio(c)} of (b)` : ''),
    );
  }
  const rec = m((f) => cpuRatio(f, 'b', 'i'));
  console.log(
    `- CPU per request with traffic recording on ÷ off (b/i) ≤ ${GOALS.recording}: ${ratio(rec)} — ${Number.isFinite(rec) ? verdict(rec <= GOALS.recording, valid) : 'not measured (needs targets b and i)'}` +
      (Number.isFinite(rec) ? `; req/s ${ratio(m((f) => rpsRatio(f, 'b', 'i')))} of (i)` : ''),
  );
  if (paced) {
    const added = m((f) => f.pacedAddedP99.get('b') ?? NaN);
    const inside = m((f) => f.pacedInGatewayP99);
    console.log(`- p99 added < ${GOALS.addedP99Ms} ms at moderate load, paced, end to end: ${signed(added)} ms — ${verdict(added < GOALS.addedP99Ms, valid)}; inside the gateway node: ${ms(inside)} ms — ${verdict(inside < GOALS.addedP99Ms, valid)}`);
  }
}

/** One more saturation run of (b) under wrk, CPU-profiled (V8's sampling profiler, as `node --cpu-prof`) over the measured seconds only. */
async function profileGateway(t: Target, upstreamPid: number, o: Options): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-prof-'));
  disposers.push(async () => rmSync(dir, { recursive: true, force: true }));
  const file = o.profileFile ? resolve(o.profileFile) : join(dir, 'gateway.cpuprofile');
  console.error(`profile: (b) at saturation for ${o.durationS} s, profiled`);
  await t.ask!('profile-start');
  const r = await runWrk({ url: t.url, headers: t.headers, connections: o.connections, durationS: o.durationS, serverPid: t.pid, upstreamPid, cpu: clientCpuOf(o) });
  await t.ask!('profile-stop', { file });
  console.log(`### Profile of (b) at saturation (wrk, ${o.connections} connections, ${o.durationS} s)\n`);
  console.log(
    `V8's sampling CPU profiler (what \`node --cpu-prof\` uses) in the Tollgate process, started and stopped around the measurement. ` +
      `${int(r.rps)} req/s and ${us(r.cpu.serverUsPerRequest)} µs CPU per request while profiled (profiling slows it down), non-2xx ${statusText(r)}, errors ${r.errors}.\n`,
  );
  console.log(summarizeProfile(file));
  console.log('');
}

async function main(o: Options): Promise<void> {
  const serverCpu = serverCpuOf(o);
  const clientCpu = clientCpuOf(o);
  if (clientCpu !== undefined) pin(process.pid, clientCpu);
  const want = (id: TargetId) => o.targets.has(id);

  ensureWrk();
  if (want('d') || want('e')) ensureNginx(want('e'));

  console.error('starting the upstream');
  const upstream = await startUpstream(serverCpu);
  disposers.push(upstream.stop);
  console.error('starting Tollgate (SQLite in a temporary directory) and configuring it through the management API');
  const tollgates = await startTollgate(upstream.origin, serverCpu, { local: want('g'), redisUrl: want('h') ? o.redisUrl : undefined, analyticsOff: want('i') });
  disposers.push(...tollgates.map((t) => t.stop));
  const tollgate = tollgates.find((t) => t.id === 'b')!;
  const key = tollgate.headers[KEY_HEADER];
  if (!key) throw new Error('no subscription key');
  const started: Target[] = [upstream, ...tollgates];
  if (want('c')) {
    console.error('starting the Fastify proxy');
    const fastify = await startFastify(upstream.origin, serverCpu);
    disposers.push(fastify.stop);
    started.push(fastify);
  }
  if (want('f')) {
    console.error('starting the bare node:http + undici proxy');
    const bare = await startBareProxy(upstream.origin, serverCpu);
    disposers.push(bare.stop);
    started.push(bare);
  }
  const upstreamPort = Number(new URL(upstream.origin).port);
  if (want('d')) {
    console.error('starting nginx');
    const nginx = await startNginxTarget(upstreamPort, serverCpu);
    disposers.push(nginx.stop);
    started.push(nginx);
  }
  if (want('e')) {
    console.error(`starting nginx + Lua (${int(LUA_KEYS)} keys in its table)`);
    const lua = await startNginxLuaTarget(upstreamPort, serverCpu, key);
    disposers.push(lua.stop);
    started.push(lua);
  }

  // Every target gets the same request, key header included (only (b), (b′), (e), (g) and (h) look
  // at it); (g) and (h) get the key of the product with Starter's policy.
  const targets = TARGET_IDS.filter(want).map((id) => {
    const t = started.find((s) => s.id === id)!;
    return { ...t, headers: { ...(id === 'g' || id === 'h' ? t.headers : tollgate.headers) } };
  });
  for (const t of targets) await check(t);

  printReportHead(
    'Gateway benchmark',
    (serverCpu !== undefined
      ? 'CPU 0: the server under test and the upstream (the other servers idle); CPU 1: the load generator (wrk, one thread; the paced pass: this process). '
      : 'No CPU pinning. ') +
      (o.keepAwake ? "Paced pass with `--keep-awake`: a nice-19 busy loop on the servers' CPU keeps it from idling. " : '') +
      `Request: \`GET /echo/hello\` with an \`${KEY_HEADER}\` header, 100-byte JSON answer. ` +
      `Warm-up ${o.warmupS} s before each ${o.durationS} s measurement. Load average ${loadAverage()} at the start.`,
    // All the machine's CPUs (cpus().length): pinned, this process may run on one of them only by now.
    { cpuCount: cpus().length, alsoRunning: [wrkVersion(), ...(want('d') || want('e') ? [`nginx ${nginxVersion()}`] : [])] },
  );

  const passes: Pass[] = [{ title: `Saturation, wrk, 1 thread, ${o.connections} connections`, kind: 'wrk', connections: o.connections, rate: 0 }];
  if (o.rate > 0) passes.push({ title: `Moderate load, paced, up to ${o.moderateConnections} connections at ${int(o.rate)} req/s`, kind: 'paced', connections: o.moderateConnections, rate: o.rate });
  const rounds: RoundFigures[] = [];
  for (let round = 1; round <= o.rounds; round++) {
    console.error(`round ${round} of ${o.rounds}`);
    console.log(`### Round ${round} of ${o.rounds}\n`);
    // Every other round measures the targets in the opposite order: the first and the last of a
    // round differ by more than some changes do (idle time, the CPU's state), which alternating evens out.
    rounds.push(await measureRound(round % 2 === 1 ? targets : [...targets].reverse(), upstream, o, passes));
  }
  printSummary(rounds, targets);
  console.log(`\nLoad average ${loadAverage()} at the end.\n`);

  if (o.profile) await profileGateway(targets.find((t) => t.id === 'b')!, upstream.pid, o);
}

try {
  await runBenchCli({ help: HELP, options: OPTIONS, parse: parseOptions, run: main });
} catch (error) {
  console.error(`\nbench:gateway failed: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
