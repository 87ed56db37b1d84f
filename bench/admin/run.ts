/**
 * Admin UI benchmark: starts Tollgate (createApp, as `tollgate start` does) with a first
 * administrator, over a temporary SQLite file and/or a fresh PostgreSQL schema, seeds N users,
 * signs in at /admin and times the Users list pages over real HTTP, each against a trivial admin
 * page of the same server. Results go to stdout as markdown (progress to stderr); nothing is
 * written to the repository. See docs/benchmarks.md.
 *
 *   npm run bench:admin -- --users 100000 --backend both
 */
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import type { SqlDialect } from '../../src/store/database.js';
import { analyze, analyzeName, chooseBackends, databaseVersion, startTollgate } from '../management/instance.js';
import { progressBar } from '../management/progress.js';
import { seedUsers } from '../management/seed.js';
import { runCases, type CaseResult } from '../management/measure.js';
import { adminCases } from './cases.js';
import { createAdminClient, type AdminClient } from './client.js';

const HELP = `Usage: node dist/bench/admin/run.js [options]

Times the admin UI's Users list (and the overview) over HTTP, signed in as an administrator,
against SQLite (a temporary file) and PostgreSQL (a fresh schema, dropped afterwards) holding N
seeded users. Each page is also given as a ratio to a trivial admin page of the same server (the
Add user form: the same session check and layout, no list). Prints markdown tables on stdout.

Options:
  --users N      users to seed (default 100000)
  --backend B    sqlite | postgres | both (default both: PostgreSQL is skipped when no URL is known)
  --pg-url URL   PostgreSQL server (default: $TEST_DATABASE_URL, then $DATABASE_URL if postgres://)
  --samples N    timed requests per page (default 100)
  --warmup N     untimed requests before each page (default 10)
  --seed N       PRNG seed for the generated data and request order (default 1)
  -h, --help     this text
`;

const ADMIN_EMAIL = 'bench-admin@example.com';
const ADMIN_PASSWORD = 'Benchmark-Lighthouse-Quartz-58';
/** What the test once asserted per page at 100,000 users (generous for a busy CI machine). */
const FORMER_TEST_BOUND_MS = 2000;

interface Options {
  users: number;
  backends: SqlDialect[];
  pgUrl: string | undefined;
  samples: number;
  warmup: number;
  seed: number;
}

function parseOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      users: { type: 'string', default: '100000' },
      backend: { type: 'string', default: 'both' },
      'pg-url': { type: 'string' },
      samples: { type: 'string', default: '100' },
      warmup: { type: 'string', default: '10' },
      seed: { type: 'string', default: '1' },
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
  return { users: count('users', 1), backends, pgUrl, samples: count('samples', 1), warmup: count('warmup', 0), seed: count('seed', 0) };
}

const ms = (v: number) => v.toFixed(v < 10 ? 2 : 1);

function table(results: readonly CaseResult[]): string {
  const baseline = results[0]!.p50;
  const lines = [
    '| Page | Samples | p50 ms | p90 ms | p99 ms | max ms | p50 / baseline p50 |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    lines.push(`| ${r.name} | ${r.samples} | ${ms(r.p50)} | ${ms(r.p90)} | ${ms(r.p99)} | ${ms(r.max)} | ${(r.p50 / baseline).toFixed(2)}× |`);
  }
  return lines.join('\n');
}

async function runBackend(dialect: SqlDialect, options: Options): Promise<void> {
  const name = dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  console.error(`\n${name}: starting Tollgate`);
  const instance = await startTollgate(dialect, options.pgUrl, { TOLLGATE_ADMIN_EMAIL: ADMIN_EMAIL, TOLLGATE_ADMIN_PASSWORD: ADMIN_PASSWORD });
  const interrupted = () => {
    console.error(`\n${name}: interrupted, removing the benchmark database`);
    void instance.dispose().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  let client: AdminClient | undefined;
  try {
    const { app } = instance;
    const bar = progressBar(`${name}: seeding users`, options.users);
    const seedStart = performance.now();
    const seeded = await seedUsers(app.database.db, options.users, { seed: options.seed, onProgress: (d) => bar.update(d) });
    bar.finish();
    const seedSeconds = (performance.now() - seedStart) / 1000;
    await analyze(app);

    client = createAdminClient(instance.url);
    await client.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
    const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
    const loadBefore = load();
    const results = await runCases(client, adminCases(options, seeded), `${name}: measuring`);
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
    const slowest = results.slice(1).reduce((a, b) => (b.max > a.max ? b : a));
    console.log(
      `\nSlowest single request: ${ms(slowest.max)} ms (${slowest.name}); the test's former bound was ` +
        `${FORMER_TEST_BOUND_MS.toLocaleString('en-US')} ms per page.\n`,
    );
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
  console.log(`## Admin UI benchmark\n`);
  console.log(
    `${new Date().toISOString().slice(0, 10)}; ${availableParallelism()} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ` +
      `Node ${process.version}, ${process.platform}/${process.arch}. Signed in as an administrator; sequential requests ` +
      `over one keep-alive connection, the pages interleaved; client and server in one process. ` +
      `Warm-up ${options.warmup} requests per page.\n`,
  );
  for (const dialect of options.backends) await runBackend(dialect, options);
}

await main();
