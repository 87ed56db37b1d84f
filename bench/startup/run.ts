/**
 * Start-up benchmark: how long `tollgate start` (the compiled CLI, dist/src/cli/main.js, as `npm
 * start` runs it) takes from spawning the process until it prints that it is running, on a new
 * database (migrations, signing keys, built-in entities) and on one it has already prepared, on
 * SQLite and on PostgreSQL; against `node -e 0` (spawning Node and letting it exit) measured in the
 * same run. Results go to stdout as markdown (progress to stderr); every temporary file and
 * database is removed at the end. See docs/benchmarks.md.
 *
 *   npm run bench:startup -- --samples 10
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { SqlDialect } from '../../src/store/database.js';
import { runBenchCli, wholeNumbersOf, type OptionValues } from '../common/cli.js';
import { loadAverage, printReportHead } from '../common/machine.js';
import { freePort } from '../common/net.js';
import { BACKEND_OPTIONS, chooseBackends, dialectName } from '../management/instance.js';
import { summarize, type CaseResult } from '../management/measure.js';
import { progressBar } from '../management/progress.js';

const HELP = `Usage: node dist/bench/startup/run.js [options]

Times \`tollgate start\` (dist/src/cli/main.js) from spawning the process until it prints
"Stop with Ctrl+C", on a new database and on an existing one, against \`node -e 0\` and
\`tollgate --help\` measured in the same run, the cases interleaved. PostgreSQL runs use a
temporary database on the server (created and dropped by the benchmark).

Options:
  --samples N    timed runs per case (default 10)
  --warmup N     untimed runs per case first (default 1)
  --backend B    sqlite | postgres | both (default both: PostgreSQL is skipped when no URL is known)
  --pg-url URL   PostgreSQL server (default: $TEST_DATABASE_URL, then $DATABASE_URL if postgres://)
  -h, --help     this text
`;

const CLI = 'dist/src/cli/main.js';
const READY = 'Stop with Ctrl+C';
/** What the CLI test once asserted (a first start on SQLite). */
const FORMER_TEST_BOUND_MS = 5000;

interface Options {
  samples: number;
  warmup: number;
  backends: SqlDialect[];
  pgUrl: string | undefined;
}

const OPTIONS = {
  samples: { type: 'string', default: '10' },
  warmup: { type: 'string', default: '1' },
  ...BACKEND_OPTIONS,
} as const;

function parseOptions(values: OptionValues<typeof OPTIONS>): Options {
  const count = wholeNumbersOf(values);
  const { backends, pgUrl } = chooseBackends(values.backend, values['pg-url']);
  return { samples: count('samples', 1), warmup: count('warmup', 0), backends, pgUrl };
}

interface Run {
  /** From spawn() until the process exited (exit runs) or printed READY (server runs). */
  ms: number;
  /** The "started in N ms" Tollgate prints about itself (server runs). */
  selfMs?: number;
}

const children = new Set<ReturnType<typeof spawn>>();

/** Spawns node with `args`; resolves when it exits with 0. */
function timeExit(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    children.add(child);
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const ms = performance.now() - started;
      children.delete(child);
      if (code === 0) resolve({ ms });
      else reject(new Error(`node ${args.join(' ')} exited with ${code}: ${stderr}`));
    });
  });
}

/** Spawns `tollgate start` with `env`; resolves once it printed READY and, stopped, has exited. */
function timeStart(env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI, 'start'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let output = '';
    let run: Run | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout!.on('data', (c: Buffer) => {
      output += c.toString();
      if (run === undefined && output.includes(READY)) {
        const ms = performance.now() - started;
        const self = /started in (\d+) ms/.exec(output);
        run = { ms, ...(self ? { selfMs: Number(self[1]) } : {}) };
        child.kill('SIGTERM');
      }
    });
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      if (run) resolve(run);
      else reject(new Error(`tollgate start exited (${code ?? signal}) before "${READY}":\n${output}`));
    });
  });
}

interface Case {
  name: string;
  /** Untimed preparation of each run (a new database, for instance). */
  prepare?(i: number): Promise<void>;
  run(i: number): Promise<Run>;
}

interface Target {
  /** The environment of a start on an existing database, and of one on a new database per run. */
  existing: Record<string, string>;
  fresh(i: number): Promise<Record<string, string>>;
  dispose(): Promise<void>;
}

async function sqliteTarget(): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-startup-'));
  return {
    existing: { DATABASE_URL: `sqlite:${join(dir, 'existing.db')}` },
    fresh: async (i) => ({ DATABASE_URL: `sqlite:${join(dir, `fresh-${i}.db`)}` }),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Temporary databases on the server of `url` (the CLI cannot be given a schema), dropped by dispose(). */
async function postgresTarget(url: string): Promise<Target> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const tag = randomBytes(4).toString('hex');
  const made: string[] = [];
  const database = async (name: string) => {
    await admin.query(`create database ${name}`);
    made.push(name);
    const u = new URL(url);
    u.pathname = `/${name}`;
    return u.toString();
  };
  const existing = await database(`tollgate_bench_${tag}`);
  return {
    existing: { DATABASE_URL: existing },
    fresh: async (i) => ({ DATABASE_URL: await database(`tollgate_bench_${tag}_${i}`) }),
    async dispose() {
      for (const name of made) await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

async function serverEnv(): Promise<Record<string, string>> {
  return { PORT: String(await freePort()), GATEWAY_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', TOLLGATE_ADMIN_KEY: '' };
}

const fmt = (v: number) => (v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0));

async function main(options: Options): Promise<void> {
  const targets: [string, Target][] = [];
  const stopAll = async () => {
    for (const child of children) child.kill('SIGKILL');
    for (const [, t] of targets) await t.dispose().catch(() => undefined);
  };
  process.once('SIGINT', () => {
    console.error('\ninterrupted: stopping and removing the benchmark databases');
    void stopAll().finally(() => process.exit(130));
  });
  try {
    for (const dialect of options.backends) {
      targets.push([dialectName(dialect), dialect === 'sqlite' ? await sqliteTarget() : await postgresTarget(options.pgUrl!)]);
    }
    const cases: Case[] = [
      { name: 'Baseline: `node -e 0`', run: () => timeExit(['-e', '0']) },
      { name: '`tollgate --help` (loads the CLI, prints, exits)', run: () => timeExit([CLI, '--help']) },
    ];
    for (const [label, target] of targets) {
      const fresh = new Map<number, Record<string, string>>();
      cases.push({
        name: `\`tollgate start\`, ${label}, new database (migrations, keys, built-in entities)`,
        prepare: async (i) => void fresh.set(i, await target.fresh(i)),
        run: async (i) => timeStart({ ...(await serverEnv()), ...fresh.get(i)! }),
      });
      cases.push({
        name: `\`tollgate start\`, ${label}, existing database (a restart)`,
        run: async () => timeStart({ ...(await serverEnv()), ...target.existing }),
      });
    }
    // The existing databases are prepared by one untimed start each.
    for (const [, target] of targets) await timeStart({ ...(await serverEnv()), ...target.existing });

    const total = (options.warmup + options.samples) * cases.length;
    const bar = progressBar('start-up: measuring', total);
    const runs: Run[][] = cases.map(() => []);
    const loadBefore = loadAverage();
    let done = 0;
    for (let i = 0; i < options.warmup + options.samples; i++) {
      for (const [k, c] of cases.entries()) {
        await c.prepare?.(i);
        const run = await c.run(i);
        if (i >= options.warmup) runs[k]!.push(run);
        bar.update(++done);
      }
    }
    bar.finish();
    const loadAfter = loadAverage();

    const results: CaseResult[] = runs.map((r, k) => summarize(cases[k]!.name, r.map((x) => x.ms)));
    const baseline = results[0]!.p50;
    printReportHead(
      'Start-up benchmark',
      `Each run a new process, timed from spawn() until "${READY}" on stdout (server runs) or until exit; the cases ` +
        `interleaved, ${options.warmup} untimed run(s) of each first. Load average (1/5/15 min) ${loadBefore} before, ${loadAfter} after.`,
    );
    console.log('| Case | Runs | p50 ms | p90 ms | max ms | Tollgate\'s own "started in", p50 ms | p50 / baseline p50 |');
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    for (const [k, r] of results.entries()) {
      const self = runs[k]!.map((x) => x.selfMs).filter((v): v is number => v !== undefined);
      const selfP50 = self.length > 0 ? fmt(summarize('', self).p50) : '';
      console.log(`| ${r.name} | ${r.samples} | ${fmt(r.p50)} | ${fmt(r.p90)} | ${fmt(r.max)} | ${selfP50} | ${(r.p50 / baseline).toFixed(2)}× |`);
    }
    const slowest = results.slice(2).reduce((a, b) => (b.max > a.max ? b : a), results[0]!);
    console.log(
      `\nSlowest start: ${fmt(slowest.max)} ms (${slowest.name}); the CLI test's former bound was ${FORMER_TEST_BOUND_MS.toLocaleString('en-US')} ms.\n`,
    );
  } finally {
    await stopAll();
  }
}

await runBenchCli({ help: HELP, options: OPTIONS, parse: parseOptions, run: main });
