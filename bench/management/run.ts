/**
 * Management API benchmark: starts Tollgate (createApp, as `tollgate start` does) over a temporary
 * SQLite file and/or a fresh PostgreSQL schema, seeds N users, and times real HTTP requests.
 * Results go to stdout as markdown tables (progress goes to stderr); nothing is written to the
 * repository. See docs/benchmarks.md.
 *
 *   npm run bench:management -- --users 100000 --backend both
 */
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import type { SqlDialect } from '../../src/store/database.js';
import { analyze, analyzeName, chooseBackends, databaseVersion, startTollgate } from './instance.js';
import { progressBar } from './progress.js';
import { seedUsers } from './seed.js';
import { cases } from './cases.js';
import { createClient, runCases, type CaseResult, type Client } from './measure.js';
import { explainUserQueries } from './explain.js';

const HELP = `Usage: node dist/bench/management/run.js [options]

Times the management API over HTTP against SQLite (a temporary file) and PostgreSQL (a fresh
schema, dropped afterwards) holding N seeded users. Prints markdown tables on stdout.

Options:
  --users N             users to seed (default 100000)
  --backend B           sqlite | postgres | both (default both: PostgreSQL is skipped when no URL is known)
  --pg-url URL          PostgreSQL server (default: $TEST_DATABASE_URL, then $DATABASE_URL if postgres://)
  --samples N           timed requests per read case (default 300)
  --create-samples N    timed user creations without a password (default 200)
  --password-samples N  timed user creations with a password, argon2id (default 30)
  --warmup N            untimed requests before each case (default 50; 5 for the password case)
  --seed N              PRNG seed for the generated data and request order (default 1)
  --explain             also print the SQL, the time and the query plan of each query behind the reads
  -h, --help            this text
`;

const TARGETS = { getUserP50: 2, filteredListP50: 20 };

interface Options {
  users: number;
  backends: SqlDialect[];
  pgUrl: string | undefined;
  samples: number;
  createSamples: number;
  passwordSamples: number;
  warmup: number;
  seed: number;
  explain: boolean;
}

function parseOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      users: { type: 'string', default: '100000' },
      backend: { type: 'string', default: 'both' },
      'pg-url': { type: 'string' },
      samples: { type: 'string', default: '300' },
      'create-samples': { type: 'string', default: '200' },
      'password-samples': { type: 'string', default: '30' },
      warmup: { type: 'string', default: '50' },
      seed: { type: 'string', default: '1' },
      explain: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return undefined;
  const count = (name: keyof typeof values, min: number): number => {
    const text = String(values[name]);
    const n = Number(text.replace(/_/g, ''));
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number of at least ${min}, not ${text}`);
    return n;
  };
  const { backends, pgUrl } = chooseBackends(values.backend, values['pg-url']);
  return {
    users: count('users', 1),
    backends,
    pgUrl,
    samples: count('samples', 1),
    createSamples: count('create-samples', 0),
    passwordSamples: count('password-samples', 0),
    warmup: count('warmup', 0),
    seed: count('seed', 0),
    explain: values.explain,
  };
}

const ms = (v: number) => v.toFixed(v < 10 ? 2 : 1);

function table(results: readonly CaseResult[]): string {
  const baseline = results[0]!.p50;
  const lines = [
    '| Case | Samples | p50 ms | p90 ms | p99 ms | mean ms | p50 / baseline p50 |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    lines.push(`| ${r.name} | ${r.samples} | ${ms(r.p50)} | ${ms(r.p90)} | ${ms(r.p99)} | ${ms(r.mean)} | ${(r.p50 / baseline).toFixed(2)}× |`);
  }
  return lines.join('\n');
}

function targets(results: readonly CaseResult[]): string[] {
  const get = results.find((r) => r.name.startsWith('GET user by id'));
  const lists = results.filter((r) => r.name.startsWith('List $filter'));
  const line = (what: string, r: CaseResult | undefined, limit: number) =>
    r ? `- ${what}: p50 ${ms(r.p50)} ms, target < ${limit} ms: **${r.p50 < limit ? 'met' : 'missed'}**` : undefined;
  return [
    line('GET user by id', get, TARGETS.getUserP50),
    ...lists.map((r) => line(r.name, r, TARGETS.filteredListP50)),
  ].filter((l): l is string => l !== undefined);
}

async function runBackend(dialect: SqlDialect, options: Options): Promise<void> {
  const name = dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  console.error(`\n${name}: starting Tollgate`);
  const instance = await startTollgate(dialect, options.pgUrl);
  // Ctrl-C still removes the temporary database (a 100,000-user schema is worth cleaning up).
  const interrupted = () => {
    console.error(`\n${name}: interrupted, removing the benchmark database`);
    void instance.dispose().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  let client: Client | undefined;
  try {
    const { app } = instance;
    const bar = progressBar(`${name}: seeding users`, options.users);
    const seedStart = performance.now();
    const seeded = await seedUsers(app.database.db, options.users, { seed: options.seed, onProgress: (d) => bar.update(d) });
    bar.finish();
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const analyzeStart = performance.now();
    await analyze(app);
    const analyzeSeconds = (performance.now() - analyzeStart) / 1000;
    console.error(`${name}: ${analyzeName(dialect)} in ${analyzeSeconds.toFixed(1)}s`);

    client = createClient(instance.base, instance.key);
    const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
    const loadBefore = load();
    const results = await runCases(client, cases(options, seeded), `${name}: measuring`);
    const loadAfter = load();

    const { byState } = seeded;
    console.log(`### ${name}, ${options.users.toLocaleString('en-US')} users\n`);
    console.log(
      `${await databaseVersion(app)}; seeded in ${seedSeconds.toFixed(1)} s ` +
        `(${byState.active.toLocaleString('en-US')} active, ${byState.blocked.toLocaleString('en-US')} blocked, ` +
        `${byState.pending.toLocaleString('en-US')} pending), then ${analyzeName(dialect)}. ` +
        `Load average (1/5/15 min) ${loadBefore} before the measurements, ${loadAfter} after.\n`,
    );
    console.log(table(results));
    console.log('');
    console.log(`Targets (set for SQLite at 100,000 users):\n`);
    console.log(targets(results).join('\n'));
    console.log('');

    if (options.explain) {
      console.log(`#### Query plans (${name})\n`);
      console.log(await explainUserQueries(app.database.db, dialect, seeded));
    }
  } finally {
    process.off('SIGINT', interrupted);
    client?.close();
    await instance.dispose();
  }
}

async function main(): Promise<void> {
  let options: Options | undefined;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${HELP}`);
    process.exitCode = 2;
    return;
  }
  if (!options) {
    process.stdout.write(HELP);
    return;
  }
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`## Management API benchmark\n`);
  console.log(
    `${new Date().toISOString().slice(0, 10)}; ${availableParallelism()} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ` +
      `Node ${process.version}, ${process.platform}/${process.arch}. Sequential requests over one keep-alive ` +
      `connection, the cases interleaved; client and server in one process. ` +
      `Warm-up ${options.warmup} requests per case (the password case: ${Math.min(options.warmup, 5)}).\n`,
  );
  for (const dialect of options.backends) await runBackend(dialect, options);
}

await main();
