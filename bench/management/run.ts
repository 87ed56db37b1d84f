/**
 * Management API benchmark: starts Tollgate (createApp, as `tollgate start` does) over a temporary
 * SQLite file and/or a fresh PostgreSQL schema, seeds N users, and times real HTTP requests.
 * Results go to stdout as markdown tables (progress goes to stderr); nothing is written to the
 * repository. See docs/benchmarks.md.
 *
 *   npm run bench:management -- --users 100000 --backend both
 */
import type { SqlDialect } from '../../src/store/database.js';
import { runBenchCli, wholeNumbersOf, type OptionValues } from '../common/cli.js';
import { loadAverage, printReportHead } from '../common/machine.js';
import { analyze, analyzeName, BACKEND_OPTIONS, chooseBackends, printSeededHead, withTollgate } from './instance.js';
import { seedUsersShowingProgress } from './seed.js';
import { cases } from './cases.js';
import { createClient, formatMs, resultsTable, runCases, type CaseResult, type Client } from './measure.js';
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

const OPTIONS = {
  users: { type: 'string', default: '100000' },
  ...BACKEND_OPTIONS,
  samples: { type: 'string', default: '300' },
  'create-samples': { type: 'string', default: '200' },
  'password-samples': { type: 'string', default: '30' },
  warmup: { type: 'string', default: '50' },
  seed: { type: 'string', default: '1' },
  explain: { type: 'boolean', default: false },
} as const;

function parseOptions(values: OptionValues<typeof OPTIONS>): Options {
  const count = wholeNumbersOf(values, { underscores: true });
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

function targets(results: readonly CaseResult[]): string[] {
  const get = results.find((r) => r.name.startsWith('GET user by id'));
  const lists = results.filter((r) => r.name.startsWith('List $filter'));
  const line = (what: string, r: CaseResult | undefined, limit: number) =>
    r ? `- ${what}: p50 ${formatMs(r.p50)} ms, target < ${limit} ms: **${r.p50 < limit ? 'met' : 'missed'}**` : undefined;
  return [
    line('GET user by id', get, TARGETS.getUserP50),
    ...lists.map((r) => line(r.name, r, TARGETS.filteredListP50)),
  ].filter((l): l is string => l !== undefined);
}

function runBackend(dialect: SqlDialect, options: Options): Promise<void> {
  return withTollgate(dialect, options.pgUrl, {}, async (instance, name) => {
    let client: Client | undefined;
    try {
      const { app } = instance;
      const { seeded, seconds: seedSeconds } = await seedUsersShowingProgress(app.database.db, name, options.users, options.seed);
      const analyzeStart = performance.now();
      await analyze(app);
      const analyzeSeconds = (performance.now() - analyzeStart) / 1000;
      console.error(`${name}: ${analyzeName(dialect)} in ${analyzeSeconds.toFixed(1)}s`);

      client = createClient(instance.base, instance.key);
      const loadBefore = loadAverage();
      const results = await runCases(client, cases(options, seeded), `${name}: measuring`);
      const loadAfter = loadAverage();

      await printSeededHead(app, { name, users: options.users, seeded, seedSeconds, loadBefore, loadAfter });
      console.log(resultsTable(results, 'Case', 'mean'));
      console.log('');
      console.log(`Targets (set for SQLite at 100,000 users):\n`);
      console.log(targets(results).join('\n'));
      console.log('');

      if (options.explain) {
        console.log(`#### Query plans (${name})\n`);
        console.log(await explainUserQueries(app.database.db, dialect, seeded));
      }
    } finally {
      client?.close();
    }
  });
}

async function main(options: Options): Promise<void> {
  printReportHead(
    'Management API benchmark',
    `Sequential requests over one keep-alive connection, the cases interleaved; client and server in one process. ` +
      `Warm-up ${options.warmup} requests per case (the password case: ${Math.min(options.warmup, 5)}).`,
  );
  for (const dialect of options.backends) await runBackend(dialect, options);
}

await runBenchCli({ help: HELP, options: OPTIONS, parse: parseOptions, run: main });
