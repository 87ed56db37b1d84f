/**
 * Admin UI benchmark: starts Tollgate (createApp, as `tollgate start` does) with a first
 * administrator, over a temporary SQLite file and/or a fresh PostgreSQL schema, seeds N users,
 * signs in at /admin and times the Users list pages over real HTTP, each against a trivial admin
 * page of the same server. Results go to stdout as markdown (progress to stderr); nothing is
 * written to the repository. See docs/benchmarks.md.
 *
 *   npm run bench:admin -- --users 100000 --backend both
 */
import type { SqlDialect } from '../../src/store/database.js';
import { runBenchCli, wholeNumbersOf, type OptionValues } from '../common/cli.js';
import { loadAverage, printReportHead } from '../common/machine.js';
import { analyze, BACKEND_OPTIONS, chooseBackends, printSeededHead, withTollgate } from '../management/instance.js';
import { seedUsersShowingProgress } from '../management/seed.js';
import { formatMs, resultsTable, runCases } from '../management/measure.js';
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

const OPTIONS = {
  users: { type: 'string', default: '100000' },
  ...BACKEND_OPTIONS,
  samples: { type: 'string', default: '100' },
  warmup: { type: 'string', default: '10' },
  seed: { type: 'string', default: '1' },
} as const;

function parseOptions(values: OptionValues<typeof OPTIONS>): Options {
  const count = wholeNumbersOf(values, { underscores: true });
  const { backends, pgUrl } = chooseBackends(values.backend, values['pg-url']);
  return { users: count('users', 1), backends, pgUrl, samples: count('samples', 1), warmup: count('warmup', 0), seed: count('seed', 0) };
}

function runBackend(dialect: SqlDialect, options: Options): Promise<void> {
  return withTollgate(dialect, options.pgUrl, { TOLLGATE_ADMIN_EMAIL: ADMIN_EMAIL, TOLLGATE_ADMIN_PASSWORD: ADMIN_PASSWORD }, async (instance, name) => {
    let client: AdminClient | undefined;
    try {
      const { app } = instance;
      const { seeded, seconds: seedSeconds } = await seedUsersShowingProgress(app.database.db, name, options.users, options.seed);
      await analyze(app);

      client = createAdminClient(instance.url);
      await client.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
      const loadBefore = loadAverage();
      const results = await runCases(client, adminCases(options, seeded), `${name}: measuring`);
      const loadAfter = loadAverage();

      await printSeededHead(app, { name, users: options.users, seeded, seedSeconds, loadBefore, loadAfter });
      console.log(resultsTable(results, 'Page', 'max'));
      const slowest = results.slice(1).reduce((a, b) => (b.max > a.max ? b : a));
      console.log(
        `\nSlowest single request: ${formatMs(slowest.max)} ms (${slowest.name}); the test's former bound was ` +
          `${FORMER_TEST_BOUND_MS.toLocaleString('en-US')} ms per page.\n`,
      );
    } finally {
      client?.close();
    }
  });
}

async function main(options: Options): Promise<void> {
  printReportHead(
    'Admin UI benchmark',
    `Signed in as an administrator; sequential requests over one keep-alive connection, the pages interleaved; ` +
      `client and server in one process. Warm-up ${options.warmup} requests per page.`,
  );
  for (const dialect of options.backends) await runBackend(dialect, options);
}

await runBenchCli({ help: HELP, options: OPTIONS, parse: parseOptions, run: main });
