/**
 * Gateway benchmark: the upstream directly (a), Tollgate's gateway with key checks (b), a Fastify +
 * reply-from proxy without checks (c) and nginx with one worker (d), same upstream, same machine,
 * one run; each server in its own process. A saturation pass (N connections, as fast as possible)
 * and two moderate-load passes at a fixed rate (autocannon's, and an evenly paced one). Markdown
 * on stdout, progress on stderr. See
 * docs/benchmarks.md.
 *
 *   npm run bench:gateway -- --duration 10 --connections 50 --warmup 3
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBenchCli, wholeNumbersOf, type OptionValues } from '../common/cli.js';
import { loadAverage, printReportHead } from '../common/machine.js';
import { killAllChildren, pinned } from './child.js';
import { runLoad, type GatewayTimings, type LoadResult } from './measure.js';
import { runPaced } from './paced.js';
import { ensureNginx, nginxVersion } from './nginx.js';
import { summarizeProfile } from './profile.js';
import { KEY_HEADER } from './setup.js';
import { check, startFastify, startNginxTarget, startTollgate, startUpstream, type Target } from './targets.js';

const HELP = `Usage: node dist/bench/gateway/run.js [options]

Measures req/s and latency of: (a) the upstream directly, (b) Tollgate's gateway with subscription
key checks in a gateway node (\`tollgate gateway\`), (b′) the same in the all-in-one process
(\`tollgate start\`), (c) Fastify + @fastify/reply-from without checks, (d) nginx with one worker — all in
front of the same minimal node:http upstream, each in its own process. Installs nginx with apt-get
if /usr/sbin/nginx is missing. Prints markdown on stdout.

Options:
  --duration S      seconds measured per target and pass (default 10)
  --connections N   connections of the saturation pass (default 50)
  --warmup S        seconds of unrecorded load before each measurement (default 3)
  --rate R          req/s of the moderate-load passes, all connections together (default 1000)
  --moderate-connections N   connections of the moderate-load passes (default 10)
  --no-pin          do not pin processes to CPUs (default: with 2+ CPUs, servers under test on
                    CPU 0, load generator and upstream on CPU 1)
  --rounds N        repeat the three passes N times and judge the targets on the medians (default 1)
  --keep-awake      during the moderate-load passes, keep the servers' CPU from idling with a
                    lowest-priority busy loop (nice 19) pinned to it: on virtual machines, waking an
                    idle vCPU can take milliseconds, which every proxy hop then pays (see
                    docs/benchmarks.md); the same for every target
  --profile         afterwards, run (b) once more with V8's CPU profiler on and print its top functions
  -h, --help        this text
`;

const TARGETS = { bOverC: 1.0, bOverD: 0.6, addedP99Ms: 1 };

interface Options {
  durationS: number;
  connections: number;
  warmupS: number;
  rate: number;
  moderateConnections: number;
  pin: boolean;
  profile: boolean;
  rounds: number;
  keepAwake: boolean;
}

const OPTIONS = {
  duration: { type: 'string', default: '10' },
  connections: { type: 'string', default: '50' },
  warmup: { type: 'string', default: '3' },
  rate: { type: 'string', default: '1000' },
  'moderate-connections': { type: 'string', default: '10' },
  'no-pin': { type: 'boolean', default: false },
  profile: { type: 'boolean', default: false },
  rounds: { type: 'string', default: '1' },
  'keep-awake': { type: 'boolean', default: false },
} as const;

function parseOptions(values: OptionValues<typeof OPTIONS>): Options {
  const count = wholeNumbersOf(values);
  return {
    durationS: count('duration', 1),
    connections: count('connections', 1),
    warmupS: count('warmup', 0),
    rate: count('rate', 1),
    moderateConnections: count('moderate-connections', 1),
    pin: !values['no-pin'],
    profile: values.profile,
    rounds: count('rounds', 1),
    keepAwake: values['keep-awake'],
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
const int = (v: number) => Math.round(v).toLocaleString('en-US');
const pct = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? `${Math.round(v * 100)} %` : '–');
const cores = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '–');
const signed = (v: number) => `${v >= 0 ? '+' : '−'}${ms(Math.abs(v))}`;

function statusText(r: LoadResult): string {
  const odd = Object.entries(r.statuses).filter(([code]) => !code.startsWith('2'));
  return odd.length ? odd.map(([code, n]) => `${n}×${code}`).join(', ') : '0';
}

function table(rows: [Target, LoadResult][]): string {
  const lines = [
    '| Target | req/s | p50 ms | p90 ms | p99 ms | max ms | non-2xx | errors | server CPU | server µs CPU/req | upstream CPU | client CPU | other processes | new upstream conns |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const [t, r] of rows) {
    const c = r.cpu;
    lines.push(
      `| ${t.name} | ${int(r.rps)} | ${ms(r.p50)} | ${ms(r.p90)} | ${ms(r.p99)} | ${ms(r.max)} | ${statusText(r)} | ${r.errors} | ` +
        `${pct(c.server)} | ${int(c.serverUsPerRequest)} | ${t.id === 'a' ? '(server)' : pct(c.upstream)} | ${pct(c.client)} | ${cores(c.others)} cores | ${r.upstream ? int(r.upstream.connections) : '–'} |`,
    );
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------

interface Pass {
  title: string;
  connections: number;
  rate?: number;
  /** Open-loop, evenly spread requests (paced.ts) instead of autocannon. */
  paced?: boolean;
}

type Counters = { connections: number; requests: number };

function run(pass: Pass, load: Parameters<typeof runLoad>[0]): Promise<LoadResult> {
  return pass.paced && pass.rate ? runPaced({ ...load, rate: pass.rate }) : runLoad(load);
}

async function measurePass(pass: Pass, targets: Target[], upstream: Target, o: Options): Promise<Map<string, LoadResult>> {
  const counters = () => upstream.ask!<Counters>('counters');
  const results = new Map<string, LoadResult>();
  for (const t of targets) {
    const load = {
      url: t.url,
      headers: t.headers,
      connections: pass.connections,
      serverPid: t.pid,
      upstreamPid: upstream.pid,
      ...(pass.rate ? { rate: pass.rate } : {}),
    };
    if (o.warmupS > 0) {
      console.error(`${pass.title}: ${t.name}: warm-up ${o.warmupS} s`);
      const w = await run(pass, { ...load, durationS: o.warmupS });
      if (w.non2xx || w.errors) console.error(`  warm-up had ${w.non2xx} non-2xx (${statusText(w)}) and ${w.errors} errors`);
    }
    console.error(`${pass.title}: ${t.name}: measuring ${o.durationS} s`);
    const timed = t.id === 'b' && t.ask !== undefined;
    if (timed) await t.ask!('timings-reset');
    const before = await counters();
    const r = await run(pass, { ...load, durationS: o.durationS });
    const after = await counters();
    r.upstream = { connections: after.connections - before.connections, requests: after.requests - before.requests };
    if (timed) r.inGateway = await t.ask!<GatewayTimings>('timings');
    console.error(
      `  ${int(r.rps)} req/s, p50 ${ms(r.p50)} ms, p99 ${ms(r.p99)} ms, non-2xx ${statusText(r)}, errors ${r.errors}; ` +
        `server ${pct(r.cpu.server)} CPU, ${int(r.cpu.serverUsPerRequest)} µs/req; other processes ${cores(r.cpu.others)} cores; upstream: ${r.upstream.connections} new connections, ${int(r.upstream.requests)} requests`,
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
function inGatewayLine(r: LoadResult): string {
  const t = r.inGateway;
  if (!t || t.n === 0) return '- time inside the gateway node (b): not measured';
  return `- time inside the gateway node (b) per forwarded request (everything but the backend's round trip), over ${int(t.n)} requests: p50 ${ms(t.p50)} ms, p90 ${ms(t.p90)} ms, p99 **${ms(t.p99)} ms**, max ${ms(t.max)} ms`;
}

/** The CPU the servers under test are pinned to (undefined without pinning). */
function serverCpuOf(o: Options): number | undefined {
  return o.pin && availableParallelism() >= 2 ? 0 : undefined;
}

/**
 * A busy loop at the lowest priority (nice 19) on the servers' CPU, so that it never idles: the
 * scheduler runs a server the moment it has work (the loop's share is ~1.5 % against a nice-0
 * process), and no request pays for waking an idle (virtual) CPU. A child of this process, so its
 * CPU time is not counted as "other processes".
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

/** What one round yields for the targets: ratios and added latencies, and whether all answers were 2xx. */
interface RoundFigures {
  bOverC: number;
  bOverD: number;
  b1OverC: number;
  pacedP99: number;
  pacedP99AllInOne: number;
  burstP99: number;
  burstP99AllInOne: number;
  pacedP99Fastify: number;
  pacedP99Nginx: number;
  burstP99Nginx: number;
  /** p99 of the gateway node's own time per request (everything but the backend's round trip). */
  pacedInGatewayP99: number;
  burstInGatewayP99: number;
  clean: boolean;
}

interface Passes {
  saturation: Pass;
  moderate: Pass;
  paced: Pass;
}

async function measureRound(targets: Target[], upstream: Target, o: Options, passes: Passes, load: () => string): Promise<RoundFigures> {
  const { saturation, moderate, paced } = passes;
  const sat = await measurePass(saturation, targets, upstream, o);
  const awake = o.keepAwake ? keepCpuAwake(serverCpuOf(o)) : undefined;
  let mod: Map<string, LoadResult>;
  let pac: Map<string, LoadResult>;
  try {
    mod = await measurePass(moderate, targets, upstream, o);
    pac = await measurePass(paced, targets, upstream, o);
  } finally {
    awake?.stop();
  }

  const rows = (m: Map<string, LoadResult>) => targets.map((t) => [t, m.get(t.id)!] as [Target, LoadResult]);
  const [a, b, c, d] = (['a', 'b', 'c', 'd'] as const).map((id) => sat.get(id)!);
  const [ma, mb, mb1] = (['a', 'b', "b'"] as const).map((id) => mod.get(id)!);
  const [pa, pb, pb1, pc, pd] = (['a', 'b', "b'", 'c', 'd'] as const).map((id) => pac.get(id)!);
  const md = mod.get('d')!;
  const b1 = sat.get("b'")!;
  const allClean = [...sat.values(), ...mod.values(), ...pac.values()].every(clean);

  console.log(`### ${saturation.title} (as fast as they answer)\n`);
  console.log(table(rows(sat)));
  console.log('');
  console.log(`- b/c (req/s): **${(b!.rps / c!.rps).toFixed(2)}**; b/d: **${(b!.rps / d!.rps).toFixed(2)}**; c/d: ${(c!.rps / d!.rps).toFixed(2)}`);
  console.log(`- the all-in-one process (b′): b′/c ${(b1.rps / c!.rps).toFixed(2)}, b′/d ${(b1.rps / d!.rps).toFixed(2)}`);
  console.log(
    `- the same ratios from the servers' CPU time per request (capacity of one core, less sensitive to other load): ` +
      `b/c ${(c!.cpu.serverUsPerRequest / b!.cpu.serverUsPerRequest).toFixed(2)}, b/d ${(d!.cpu.serverUsPerRequest / b!.cpu.serverUsPerRequest).toFixed(2)}`,
  );
  console.log(`- added latency of (b) over (a): p50 ${signed(b!.p50 - a!.p50)} ms, p99 ${signed(b!.p99 - a!.p99)} ms (at saturation, mostly queueing)`);
  console.log(inGatewayLine(b!));
  console.log('');
  console.log(`### ${moderate.title}\n`);
  console.log(
    "autocannon's rate limit is a per-second quota per connection: at the start of each second every connection sends its share back to back, " +
      'then waits; the latencies are those of these bursts.\n',
  );
  console.log(table(rows(mod)));
  console.log('');
  console.log(`- added latency of (b) over (a): p50 ${signed(mb!.p50 - ma!.p50)} ms, p90 ${signed(mb!.p90 - ma!.p90)} ms, p99 **${signed(mb!.p99 - ma!.p99)} ms**`);
  console.log(`- added latency of (b′) over (a): p50 ${signed(mb1!.p50 - ma!.p50)} ms, p90 ${signed(mb1!.p90 - ma!.p90)} ms, p99 ${signed(mb1!.p99 - ma!.p99)} ms`);
  console.log(inGatewayLine(mb!));
  console.log('');
  console.log(`### ${paced.title}\n`);
  console.log(
    'Open loop: one request every 1/rate s (node:http keep-alive agent, at most that many connections), whatever the answers\' speed; ' +
      'a request waiting for a connection counts the wait.\n',
  );
  console.log(table(rows(pac)));
  console.log('');
  console.log(`- added latency of (b) over (a): p50 ${signed(pb!.p50 - pa!.p50)} ms, p90 ${signed(pb!.p90 - pa!.p90)} ms, p99 **${signed(pb!.p99 - pa!.p99)} ms**`);
  console.log(`- added latency of (b′) over (a): p50 ${signed(pb1!.p50 - pa!.p50)} ms, p90 ${signed(pb1!.p90 - pa!.p90)} ms, p99 ${signed(pb1!.p99 - pa!.p99)} ms`);
  console.log(inGatewayLine(pb!));
  console.log('');
  const notes: string[] = [];
  for (const [t, r] of rows(sat)) {
    if (t.id !== 'a' && r.cpu.server < 0.9) {
      notes.push(`${t.name} used only ${pct(r.cpu.server)} of a CPU at saturation: it was held back by the load generator, the upstream or other processes, so its req/s understates it.`);
    }
  }
  const busiest = Math.max(...[...sat.values(), ...mod.values(), ...pac.values()].map((r) => r.cpu.others));
  if (busiest > 0.2) notes.push(`Other processes on the machine used up to ${cores(busiest)} cores during the measurements: the req/s and latencies are disturbed by them; the CPU time per request much less.`);
  if (!allClean) notes.push('**Some responses were not 2xx or failed (see the tables): the figures of this round are not comparable.**');
  if (notes.length) console.log(`${notes.map((n) => `Note: ${n}`).join('\n\n')}\n`);
  console.error(`  load average ${load()}`);
  return {
    bOverC: b!.rps / c!.rps,
    bOverD: b!.rps / d!.rps,
    b1OverC: b1.rps / c!.rps,
    pacedP99: pb!.p99 - pa!.p99,
    pacedP99AllInOne: pb1!.p99 - pa!.p99,
    burstP99: mb!.p99 - ma!.p99,
    burstP99AllInOne: mb1!.p99 - ma!.p99,
    pacedP99Fastify: pc!.p99 - pa!.p99,
    pacedP99Nginx: pd!.p99 - pa!.p99,
    burstP99Nginx: md.p99 - ma!.p99,
    pacedInGatewayP99: pb!.inGateway?.p99 ?? NaN,
    burstInGatewayP99: mb!.inGateway?.p99 ?? NaN,
    clean: allClean,
  };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

function printTargets(f: RoundFigures, label = ''): void {
  console.log(`### Targets${label}\n`);
  const v = (ok: boolean) => verdict(ok, f.clean);
  console.log(`- b/c ≥ ${TARGETS.bOverC.toFixed(1)}: ${f.bOverC.toFixed(2)} — ${v(f.bOverC >= TARGETS.bOverC)}`);
  console.log(`- b/d ≥ ${TARGETS.bOverD.toFixed(1)}: ${f.bOverD.toFixed(2)} — ${v(f.bOverD >= TARGETS.bOverD)}`);
  console.log(
    `- p99 added < ${TARGETS.addedP99Ms} ms at moderate load, paced: ${signed(f.pacedP99)} ms — ${v(f.pacedP99 < TARGETS.addedP99Ms)}; ` +
      `with autocannon's bursts: ${signed(f.burstP99)} ms — ${v(f.burstP99 < TARGETS.addedP99Ms)}`,
  );
  console.log(
    `- time spent inside the gateway node itself (from the request's arrival to the upstream dispatch, plus from the upstream's answer to the end ` +
      `of the response: everything but the backend's round trip), p99: ${ms(f.pacedInGatewayP99)} ms paced — ${v(f.pacedInGatewayP99 < TARGETS.addedP99Ms)}; ` +
      `${ms(f.burstInGatewayP99)} ms in bursts — ${v(f.burstInGatewayP99 < TARGETS.addedP99Ms)}`,
  );
  console.log(
    `- for reference, the same hop through nginx (d) adds ${signed(f.pacedP99Nginx)} ms paced and ${signed(f.burstP99Nginx)} ms in bursts, ` +
      `Fastify (c) ${signed(f.pacedP99Fastify)} ms paced`,
  );
}

/** Several rounds: every figure per round, then the targets judged on the medians. */
function printSummary(rounds: RoundFigures[]): void {
  console.log(`### All ${rounds.length} rounds\n`);
  const rows: [string, (f: RoundFigures) => number, (v: number) => string][] = [
    ['b/c (req/s, saturation)', (f) => f.bOverC, (v) => v.toFixed(2)],
    ['b/d (req/s, saturation)', (f) => f.bOverD, (v) => v.toFixed(2)],
    ['b′/c (all-in-one)', (f) => f.b1OverC, (v) => v.toFixed(2)],
    ['p99 added by (b), paced, ms', (f) => f.pacedP99, signed],
    ['p99 added by (b′), paced, ms', (f) => f.pacedP99AllInOne, signed],
    ['p99 added by (b), bursts, ms', (f) => f.burstP99, signed],
    ['p99 added by (b′), bursts, ms', (f) => f.burstP99AllInOne, signed],
    ['p99 added by (c) Fastify, paced, ms', (f) => f.pacedP99Fastify, signed],
    ['p99 added by (d) nginx, paced, ms', (f) => f.pacedP99Nginx, signed],
    ['p99 added by (d) nginx, bursts, ms', (f) => f.burstP99Nginx, signed],
    ['p99 of the time spent inside the gateway node (b), paced, ms', (f) => f.pacedInGatewayP99, ms],
    ['p99 of the time spent inside the gateway node (b), bursts, ms', (f) => f.burstInGatewayP99, ms],
  ];
  console.log(`| | ${rounds.map((_, i) => `round ${i + 1}`).join(' | ')} | median |`);
  console.log(`|---|${rounds.map(() => '---:|').join('')}---:|`);
  for (const [name, get, format] of rows) {
    console.log(`| ${name} | ${rounds.map((f) => format(get(f))).join(' | ')} | **${format(median(rounds.map(get)))}** |`);
  }
  console.log('');
  printTargets(
    {
      bOverC: median(rounds.map((f) => f.bOverC)),
      bOverD: median(rounds.map((f) => f.bOverD)),
      b1OverC: median(rounds.map((f) => f.b1OverC)),
      pacedP99: median(rounds.map((f) => f.pacedP99)),
      pacedP99AllInOne: median(rounds.map((f) => f.pacedP99AllInOne)),
      burstP99: median(rounds.map((f) => f.burstP99)),
      burstP99AllInOne: median(rounds.map((f) => f.burstP99AllInOne)),
      pacedP99Fastify: median(rounds.map((f) => f.pacedP99Fastify)),
      pacedP99Nginx: median(rounds.map((f) => f.pacedP99Nginx)),
      burstP99Nginx: median(rounds.map((f) => f.burstP99Nginx)),
      pacedInGatewayP99: median(rounds.map((f) => f.pacedInGatewayP99)),
      burstInGatewayP99: median(rounds.map((f) => f.burstInGatewayP99)),
      clean: rounds.every((f) => f.clean),
    },
    ` (medians of ${rounds.length} rounds)`,
  );
}

/** One more saturation run of (b), CPU-profiled (V8's sampling profiler, as `node --cpu-prof`) over the measured seconds only. */
async function profileGateway(t: Target, upstreamPid: number, o: Options): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-prof-'));
  disposers.push(async () => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'gateway.cpuprofile');
  console.error(`profile: (b) at saturation for ${o.durationS} s, profiled`);
  await t.ask!('profile-start');
  const r = await runLoad({ url: t.url, headers: t.headers, connections: o.connections, durationS: o.durationS, serverPid: t.pid, upstreamPid });
  await t.ask!('profile-stop', { file });
  console.log(`### Profile of (b) at saturation (${o.connections} connections, ${o.durationS} s)\n`);
  console.log(
    `V8's sampling CPU profiler (what \`node --cpu-prof\` uses) in the Tollgate process, started and stopped around the measurement. ` +
      `${int(r.rps)} req/s while profiled (profiling slows it down), non-2xx ${statusText(r)}, errors ${r.errors}.\n`,
  );
  console.log(summarizeProfile(file));
  console.log('');
}

async function main(o: Options): Promise<void> {
  const nCpus = availableParallelism();
  const pinning = o.pin && nCpus >= 2;
  const serverCpu = pinning ? 0 : undefined;
  const clientCpu = pinning ? 1 : undefined;
  if (pinning) pin(process.pid, 1);

  ensureNginx();

  console.error('starting the upstream');
  const upstream = await startUpstream(clientCpu);
  disposers.push(upstream.stop);
  console.error("starting Tollgate (createApp, SQLite in a temporary directory) and configuring it through the management API");
  const [tollgate, allInOne] = await startTollgate(upstream.origin, serverCpu);
  disposers.push(tollgate.stop, allInOne.stop);
  console.error('starting the Fastify proxy');
  const fastify = await startFastify(upstream.origin, serverCpu);
  disposers.push(fastify.stop);
  console.error('starting nginx');
  const nginx = await startNginxTarget(Number(new URL(upstream.origin).port), serverCpu);
  disposers.push(nginx.stop);

  // Every target gets the same request, key header included (only the gateway looks at it).
  const targets: Target[] = [upstream, tollgate, allInOne, fastify, nginx].map((t) => ({ ...t, headers: { ...tollgate.headers } }));
  for (const t of targets) await check(t);
  if (!tollgate.headers[KEY_HEADER]) throw new Error('no subscription key');

  // All the machine's CPUs (cpus().length): with pinning, this process may run on one of them only by now.
  printReportHead(
    'Gateway benchmark',
    (pinning
      ? 'CPU 0: the server under test (every proxy, and nothing else busy); CPU 1: the load generator (this process: autocannon, or the paced client) and the upstream. '
      : 'No CPU pinning. ') +
      (o.keepAwake ? 'Moderate-load passes with `--keep-awake`: a nice-19 busy loop on the servers\' CPU keeps it from idling. ' : '') +
      `Request: \`GET /echo/hello\` with an \`${KEY_HEADER}\` header, 100-byte JSON answer. ` +
      `Warm-up ${o.warmupS} s before each ${o.durationS} s measurement. Load average ${loadAverage()} at the start.`,
    { cpuCount: cpus().length, alsoRunning: [`nginx ${nginxVersion()}`] },
  );

  const saturation = { title: `Saturation, ${o.connections} connections`, connections: o.connections };
  const moderate = { title: `Moderate load, autocannon, ${o.moderateConnections} connections at ${int(o.rate)} req/s`, connections: o.moderateConnections, rate: o.rate };
  const paced = { title: `Moderate load, paced, up to ${o.moderateConnections} connections at ${int(o.rate)} req/s`, connections: o.moderateConnections, rate: o.rate, paced: true };
  const rounds: RoundFigures[] = [];
  for (let round = 1; round <= o.rounds; round++) {
    if (o.rounds > 1) {
      console.error(`round ${round} of ${o.rounds}`);
      console.log(`### Round ${round} of ${o.rounds}\n`);
    }
    rounds.push(await measureRound(targets, upstream, o, { saturation, moderate, paced }, loadAverage));
  }
  if (o.rounds > 1) printSummary(rounds);
  else printTargets(rounds[0]!);
  console.log(`\nLoad average ${loadAverage()} at the end.\n`);

  if (o.profile) await profileGateway(targets[1]!, upstream.pid, o);
}

try {
  await runBenchCli({ help: HELP, options: OPTIONS, parse: parseOptions, run: main });
} catch (error) {
  console.error(`\nbench:gateway failed: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
