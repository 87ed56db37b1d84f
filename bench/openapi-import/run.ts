/**
 * OpenAPI import benchmark (issue 13: "a 5 MB document imports in under 2 s"): a real Tollgate
 * (createApp, as `tollgate start` does) over a temporary SQLite file and/or a fresh PostgreSQL
 * schema, and real HTTP PUTs of a ~5 MB real document (document.ts: GitHub's REST description
 * grown with copies of its own operations) with `format: openapi+json`. Each round times, in
 * turn:
 *   - the floor: @readme/openapi-parser's validate() of the same text in this process, with the
 *     import's options (what any import must do at least: it also resolves the references; no
 *     HTTP, no SQL), and what the import did before this benchmark (validate() and dereference(),
 *     each of a structuredClone of the document);
 *   - an import that creates the API (201; deleted again after the round, untimed);
 *   - a re-import of the same document into an API that has it already (200; nothing changes).
 * Results go to stdout as markdown (progress to stderr). See docs/benchmarks.md.
 *
 *   npm run bench:openapi-import -- --rounds 10
 */
import { dereference, validate } from '@readme/openapi-parser';
import type { SqlDialect } from '../../src/store/database.js';
import { runBenchCli, wholeNumbersOf, type OptionValues } from '../common/cli.js';
import { loadAverage, printReportHead } from '../common/machine.js';
import { BACKEND_OPTIONS, chooseBackends, databaseVersion, withTollgate, type Instance } from '../management/instance.js';
import { formatMs, percentile, sendRequest, type HttpResult } from '../management/measure.js';
import { progressBar } from '../management/progress.js';
import { benchDocument, GITHUB_DESCRIPTION, type BenchDocument } from './document.js';

const HELP = `Usage: node dist/bench/openapi-import/run.js [options]

Imports a ~5 MB real OpenAPI document (GitHub's REST description, grown with copies of its own
operations) into Tollgate over HTTP (PUT /apis/{id}, format openapi+json): as a new API and as a
re-import of an API that has it, against the parser's own validate() of the same document in this
process (the floor). Prints markdown tables on stdout.

Options:
  --mb N         size of the document in MB (default 5; never less than the original 3 MB)
  --rounds N     timed rounds (default 10)
  --warmup N     untimed rounds first (default 1)
  --backend B    sqlite | postgres | both (default both: PostgreSQL is skipped when no URL is known)
  --pg-url URL   PostgreSQL server (default: $TEST_DATABASE_URL, then $DATABASE_URL if postgres://)
  -h, --help     this text
`;

/** The target for a 5 MB document. */
const TARGET_MS = 2000;

/** Size (MB) and rounds; the backends and PostgreSQL URL as chooseBackends gives them. */
type Options = { mb: number; rounds: number; warmup: number } & ReturnType<typeof chooseBackends>;

const OPTIONS = { mb: { type: 'string', default: '5' }, rounds: { type: 'string', default: '10' }, warmup: { type: 'string', default: '1' }, ...BACKEND_OPTIONS } as const;

function parseOptions(values: OptionValues<typeof OPTIONS>): Options {
  const count = wholeNumbersOf(values);
  return { mb: count('mb', 1), rounds: count('rounds', 1), warmup: count('warmup', 0), ...chooseBackends(values.backend, values['pg-url']) };
}

/** The parser's options of src/services/api-import.ts: nothing outside the document, repeated operationIds allowed. */
const PARSER_OPTIONS = {
  resolve: { external: false },
  validate: { rules: { openapi: { 'duplicate-operation-id': 'warning' as const } } },
};

/** The least any import must do: the parser's validate() of the document (which also resolves its references). */
async function floor(text: string): Promise<void> {
  const result = await validate(JSON.parse(text), { ...PARSER_OPTIONS, dereference: { circular: 'ignore' } });
  if (!result.valid) throw new Error('the benchmark document does not validate');
}

/** What the import's parser work was before the benchmark: validate() and a separate dereference(), each of a copy. */
async function twoPasses(text: string): Promise<void> {
  const doc = JSON.parse(text) as object;
  await dereference(structuredClone(doc) as never, { ...PARSER_OPTIONS, dereference: { circular: 'ignore' } });
  await validate(structuredClone(doc) as never, PARSER_OPTIONS);
}

interface Timing {
  /** Wall-clock time. */
  ms: number;
  /**
   * CPU time of this process (user + system, all its threads) meanwhile: Tollgate runs here too,
   * so this is what the import cost, PostgreSQL's own work aside. It hardly grows when other
   * processes load the machine, which wall-clock time does.
   */
  cpuMs: number;
}

async function timed(run: () => Promise<void>): Promise<Timing> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await run();
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
}

/**
 * One management request on a new connection: between two PUTs the floor runs for seconds, longer
 * than the server keeps an idle connection open (5 s), and a kept-alive socket would be reset.
 */
function send(instance: Instance, method: string, path: string, body?: unknown): Promise<HttpResult> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers = {
    authorization: `Bearer ${instance.key}`,
    // A DELETE must name the version it deletes (any); a PUT with it would refuse to create.
    ...(method === 'DELETE' ? { 'if-match': '*' } : {}),
    ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
  };
  return sendRequest(new URL(`${instance.base}${path}?api-version=2024-05-01`), { method, headers, agent: false }, payload);
}

async function put(instance: Instance, id: string, document: BenchDocument, status: number): Promise<void> {
  const res = await send(instance, 'PUT', `/apis/${id}`, { properties: { format: 'openapi+json', value: document.text, path: id } });
  if (res.status !== status) throw new Error(`PUT /apis/${id}: ${res.status}, expected ${status}: ${res.body.slice(0, 300)}`);
}

interface Case {
  name: string;
  times: Timing[];
}

const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);

function table(cases: readonly Case[]): string {
  const floorMs = median(cases[0]!.times.map((t) => t.ms));
  const floorCpu = median(cases[0]!.times.map((t) => t.cpuMs));
  const lines = [
    '| Case | Rounds | p50 ms | p95 ms | min ms | p50 / floor p50 | under 2 s | CPU p50 ms | CPU / floor CPU |',
    '|---|---:|---:|---:|---:|---:|---|---:|---:|',
  ];
  for (const c of cases) {
    const sorted = c.times.map((t) => t.ms).sort((a, b) => a - b);
    const p50 = percentile(sorted, 50);
    const p95 = percentile(sorted, 95);
    const cpu = median(c.times.map((t) => t.cpuMs));
    const under = p95 < TARGET_MS ? 'yes (p95)' : p50 < TARGET_MS ? 'p50 only' : 'no';
    lines.push(`| ${c.name} | ${sorted.length} | ${formatMs(p50)} | ${formatMs(p95)} | ${formatMs(sorted[0]!)} | ${(p50 / floorMs).toFixed(2)}× | ${under} | ${formatMs(cpu)} | ${(cpu / floorCpu).toFixed(2)}× |`);
  }
  return lines.join('\n');
}

function runBackend(dialect: SqlDialect, options: Options, document: BenchDocument): Promise<void> {
  return withTollgate(dialect, options.pgUrl, {}, async (instance, name) => {
    await put(instance, 'github', document, 201);
    const cases: Case[] = [
      { name: 'floor: validate() in process', times: [] },
      { name: 'validate() + dereference() of copies in process (the import before)', times: [] },
      { name: 'PUT: import as a new API (201)', times: [] },
      { name: 'PUT: re-import, nothing changed (200)', times: [] },
    ];
    const total = options.warmup + options.rounds;
    const bar = progressBar(`${name}: importing`, total);
    const loadBefore = loadAverage();
    for (let round = 0; round < total; round++) {
      const figures = [
        await timed(() => floor(document.text)),
        await timed(() => twoPasses(document.text)),
        await timed(() => put(instance, 'fresh', document, 201)),
        await timed(() => put(instance, 'github', document, 200)),
      ];
      const removed = await send(instance, 'DELETE', '/apis/fresh');
      if (removed.status !== 200) throw new Error(`DELETE /apis/fresh: ${removed.status} ${removed.body.slice(0, 200)}`);
      if (round >= options.warmup) figures.forEach((t, i) => cases[i]!.times.push(t));
      bar.update(round + 1);
    }
    bar.finish();
    const loadAfter = loadAverage();
    console.log(`### ${name}\n`);
    console.log(`${await databaseVersion(instance.app)}. Load average (1/5/15 min) ${loadBefore} before, ${loadAfter} after.\n`);
    console.log(`${table(cases)}\n`);
  });
}

async function main(options: Options): Promise<void> {
  const document = benchDocument(options.mb * 1024 * 1024);
  printReportHead(
    'OpenAPI import',
    `Document: ${GITHUB_DESCRIPTION} (GitHub's REST description, 706 operations) grown with ${document.copies} copies of its own ` +
      `operations to ${(document.text.length / 1024 / 1024).toFixed(2)} MB of JSON, ${document.operations} operations; ` +
      `${options.rounds} rounds after ${options.warmup} untimed.`,
  );
  for (const dialect of options.backends) await runBackend(dialect, options, document);
}

await runBenchCli({ help: HELP, options: OPTIONS, parse: parseOptions, run: main });
