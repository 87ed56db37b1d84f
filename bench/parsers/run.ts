/**
 * Parser benchmark: how long Tollgate's three parsers of untrusted text take on the inputs their
 * tests feed them — the OData `$filter` parser (with its compilation to SQL and a run on SQLite, as
 * test/unit/filter-fuzz.test.ts does), the XHTML well-formedness check of email template bodies and
 * the Velocity template parser and renderer — each against a trivial input of the same parser
 * measured in the same run, and at a quarter of each size, so that the growth shows (×4 input:
 * ×4 time is linear, ×16 quadratic). Results go to stdout as markdown (progress to stderr).
 * See docs/benchmarks.md.
 *
 *   npm run bench:parsers
 */
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { Kysely, SqliteDialect } from 'kysely';
import { AppError } from '../../src/domain/errors.js';
import { USER_FILTER_FIELDS } from '../../src/domain/filter/fields.js';
import { parseFilter } from '../../src/domain/filter/parser.js';
import { compileFilter } from '../../src/store/filter-sql.js';
import { checkWellFormed, XhtmlError } from '../../src/mail/render/xhtml.js';
import { parseTemplate, render } from '../../src/mail/render/velocity.js';
import { runBenchCli, wholeNumbersOf, type OptionValues } from '../common/cli.js';
import { loadAverage, printReportHead } from '../common/machine.js';
import { percentile } from '../management/measure.js';
import { progressBar } from '../management/progress.js';

const HELP = `Usage: node dist/bench/parsers/run.js [options]

Times the $filter parser (parse, compile to SQL, run on an in-memory SQLite), the XHTML
well-formedness check and the Velocity template parser + renderer on the inputs of their tests,
at full size and at a quarter of it, against a trivial input of each parser. Prints markdown.

Options:
  --samples N    timed batches per input (default 15; the median is reported)
  --min-ms N     a batch repeats its input until it has run this long (default 20)
  --fuzz N       random $filter inputs drawn as the fuzz test draws them (default 1000)
  --seed N       fast-check seed for those inputs (default 1)
  -h, --help     this text
`;

interface Options {
  samples: number;
  minMs: number;
  fuzz: number;
  seed: number;
}

const OPTIONS = {
  samples: { type: 'string', default: '15' },
  'min-ms': { type: 'string', default: '20' },
  fuzz: { type: 'string', default: '1000' },
  seed: { type: 'string', default: '1' },
} as const;

function parseOptions(values: OptionValues<typeof OPTIONS>): Options {
  const count = wholeNumbersOf(values);
  return { samples: count('samples', 1), minMs: count('min-ms', 1), fuzz: count('fuzz', 0), seed: count('seed', 0) };
}

// ---------------------------------------------------------------------------------------------
// What each parser is asked to do, as in its test.

const sqlite = new Database(':memory:');
sqlite.exec(`create table users (id text primary key, first_name text not null, last_name text not null,
  email text not null, email_lc text not null, state text not null, note text, registration_date text not null)`);
const insert = sqlite.prepare('insert into users values (?, ?, ?, ?, ?, ?, ?, ?)');
for (const [i, name] of ['Alice', 'bob', "O'Brien", 'Ève', '100%', 'a_b', '😀s', 'And'].entries()) {
  insert.run(`u${i}`, name, `Last${i}`, `${name.toLowerCase()}@x.example`, `${name.toLowerCase()}@x.example`, i % 3 ? 'active' : 'blocked', i % 2 ? null : 'n', `202${i}-01-01T00:00:00.000Z`);
}
const db = new Kysely<{ users: { id: string } }>({ dialect: new SqliteDialect({ database: sqlite }) });

/** What the fuzz test's runFilter does: parse, compile, run; an AppError is an answer (a 400), anything else a bug. */
function runFilter(input: string): void {
  try {
    const query = db.selectFrom('users').select('id').where(compileFilter(parseFilter(input, USER_FILTER_FIELDS))).compile();
    sqlite.prepare(query.sql).all(...query.parameters);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
  }
}

function checkXhtml(input: string): void {
  try {
    checkWellFormed(input);
  } catch (error) {
    if (!(error instanceof XhtmlError)) throw error;
  }
}

function velocity(input: string): void {
  render(parseTemplate(input), { a: 'v' }, { escape: (s) => s });
}

/** One pass over the characters, the least any parser must do: the baseline of the unbounded inputs. */
function scan(input: string): void {
  let h = 0;
  for (let i = 0; i < input.length; i++) h = (h + input.charCodeAt(i)) | 0;
  if (h === 0.5) throw new Error('unreachable'); // keeps the loop from being optimised away
}

interface Family {
  /** What its test asserted, for the record. */
  formerBound: string;
  name: string;
  run: (input: string) => void;
  /**
   * `typical`: each input against one typical input of the parser (the $filter inputs are all
   * capped at 2,048 characters); `scan`: each input against one plain pass over its own
   * characters, and at a quarter of its size to show how the time grows.
   */
  baseline: { kind: 'typical'; name: string; input: string } | { kind: 'scan' };
  inputs: { name: string; make: (scale: number) => string }[];
}

const FAMILIES: Family[] = [
  {
    name: '$filter: parse, compile to SQL, run on SQLite (test/unit/filter-fuzz.test.ts)',
    formerBound: 'each input < 1,000 ms',
    run: runFilter,
    baseline: { kind: 'typical', name: "name eq 'a'", input: "name eq 'a'" },
    inputs: [
      { name: "10,000 '(' (refused: too long)", make: (s) => '('.repeat(10_000 * s) },
      { name: "2,048 '(' (refused: too deep)", make: (s) => '('.repeat(Math.round(2048 * s)) },
      { name: "10,000 ')' (refused: too long)", make: (s) => ')'.repeat(10_000 * s) },
      { name: "512 'not ' (refused: too deep)", make: (s) => 'not '.repeat(512 * s) },
      { name: 'an unterminated 2 KB string', make: (s) => `name eq '${'x'.repeat(Math.round(2030 * s))}` },
      { name: "2,047 quotes", make: (s) => "'".repeat(Math.round(2047 * s) | 1) },
      { name: '1 MB of text (refused: too long)', make: (s) => 'a'.repeat(1_000_000 * s) },
      { name: '121 conditions (refused: too many)', make: (s) => `${"name eq 'a' and ".repeat(Math.round(120 * s))}name eq 'a'` },
    ],
  },
  {
    name: 'Template bodies: XHTML well-formedness (test/unit/mail-xhtml.test.ts)',
    formerBound: 'both documents < 5,000 ms',
    run: checkXhtml,
    baseline: { kind: 'scan' },
    inputs: [
      { name: '100,000 nested elements', make: (s) => '<d>'.repeat(100_000 * s) + 'x'.repeat(10) + '</d>'.repeat(100_000 * s) },
      { name: '50,000 paragraphs (2.6 MB)', make: (s) => '<r>' + '<p class="c" id=\'i\'>text &amp; $Var &#169;</p>\n'.repeat(50_000 * s) + '</r>' },
    ],
  },
  {
    name: 'Templates: Velocity parse and render (test/unit/mail-velocity.test.ts)',
    formerBound: '< 5,000 ms',
    run: velocity,
    baseline: { kind: 'scan' },
    inputs: [{ name: '20,000 lines of $a, #if, #333, ## (0.6 MB)', make: (s) => '<p>$a #if ($a) x #end #333 ## c\n'.repeat(20_000 * s) }],
  },
];

// ---------------------------------------------------------------------------------------------

interface Measured {
  /** Median time of one call, ms. */
  ms: number;
}

/** Calls per batch so that a batch runs about `minMs`. */
function calibrate(run: (input: string) => void, input: string, minMs: number): number {
  let reps = 1;
  for (;;) {
    const started = performance.now();
    for (let i = 0; i < reps; i++) run(input);
    const elapsed = performance.now() - started;
    if (elapsed >= minMs || reps >= 1 << 20) return reps;
    reps = Math.min(1 << 20, Math.max(reps * 2, Math.ceil((reps * minMs) / Math.max(elapsed, 0.001))));
  }
}

/**
 * Every input of every family, interleaved: each round times one batch of each, so that load from
 * elsewhere on the machine lands on all of them alike, and the ratios hold.
 */
function measureAll(jobs: { run: (input: string) => void; input: string }[], options: Options): Measured[] {
  const reps = jobs.map((j) => calibrate(j.run, j.input, options.minMs));
  const times: number[][] = jobs.map(() => []);
  const bar = progressBar('parsers: measuring', options.samples * jobs.length);
  let done = 0;
  for (let round = 0; round < options.samples; round++) {
    for (const [k, job] of jobs.entries()) {
      const n = reps[k]!;
      const started = performance.now();
      for (let i = 0; i < n; i++) job.run(job.input);
      times[k]!.push((performance.now() - started) / n);
      bar.update(++done);
    }
  }
  bar.finish();
  return times.map((t) => ({ ms: percentile([...t].sort((a, b) => a - b), 50) }));
}

const fmt = (ms: number) => (ms >= 1 ? `${ms.toFixed(ms < 10 ? 2 : 1)} ms` : `${(ms * 1000).toFixed(ms < 0.01 ? 2 : 1)} µs`);

async function main(options: Options): Promise<void> {
  const jobs: { run: (input: string) => void; input: string }[] = [];
  const add = (run: (input: string) => void, input: string) => jobs.push({ run, input }) - 1;
  /** Per family: its baseline job (typical), and per input its full-size, quarter-size and scan jobs. */
  const index = FAMILIES.map((family) => ({
    baseline: family.baseline.kind === 'typical' ? add(family.run, family.baseline.input) : undefined,
    inputs: family.inputs.map((input) => {
      const full = input.make(1);
      return {
        chars: full.length,
        full: add(family.run, full),
        quarter: family.baseline.kind === 'scan' ? add(family.run, input.make(0.25)) : undefined,
        scan: family.baseline.kind === 'scan' ? add(scan, full) : undefined,
      };
    }),
  }));
  const loadBefore = loadAverage();
  const measured = measureAll(jobs, options);

  // The fuzz test's random inputs (a), drawn with the same arbitraries, each timed once.
  const tokens = fc.constantFrom(
    '(', ')', "'", "''", ' ', ',', 'not ', ' and ', ' or ', 'eq', ' gt ', 'null', 'true', 'name', 'Email', 'state', 'registrationDate',
    'startswith(', 'substringof(', 'datetime', "datetime'", '2020-01-01', 'T10:00:00Z', '+02:00', '-', '1', '.5', '\\', '%', '_',
    '😀', '\uD800', '\uDC00', '\u0000', '\u{10FFFF}', "'active'", "'x'",
  );
  const fuzzInputs = options.fuzz > 0
    ? fc.sample(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: tokens, maxLength: 200 })), { numRuns: options.fuzz, seed: options.seed })
    : [];
  for (const input of fuzzInputs.slice(0, 50)) runFilter(input); // warm-up
  const fuzzTimed = fuzzInputs.map((input) => {
    const started = performance.now();
    runFilter(input);
    return { input, ms: performance.now() - started };
  });
  const fuzzTimes = fuzzTimed.map((t) => t.ms).sort((a, b) => a - b);
  // Is the slowest input slow, or was that call unlucky (a GC pause, another process)? Time it again.
  const slowestInput = fuzzTimed.reduce((a, b) => (b.ms > a.ms ? b : a), { input: '', ms: -1 }).input;
  const again = fuzzInputs.length > 0 ? measureAll([{ run: runFilter, input: slowestInput }], options)[0]!.ms : 0;
  const loadAfter = loadAverage();

  printReportHead(
    'Parser benchmark',
    `One process; every input timed in batches of at least ${options.minMs} ms, ${options.samples} batches each, interleaved; ` +
      `the median time per call is given. Load average (1/5/15 min) ${loadBefore} before, ${loadAfter} after.`,
  );
  for (const [f, family] of FAMILIES.entries()) {
    const entry = index[f]!;
    console.log(`### ${family.name}\n`);
    if (family.baseline.kind === 'typical') {
      const baseline = measured[entry.baseline!]!.ms;
      console.log(`Baseline: the typical filter \`${family.baseline.name}\`, ${fmt(baseline)} per call. The test asserted ${family.formerBound}.\n`);
      console.log('| Input | characters | time per call | / baseline |');
      console.log('|---|---:|---:|---:|');
      for (const [i, input] of family.inputs.entries()) {
        const { full, chars } = entry.inputs[i]!;
        const t = measured[full]!.ms;
        console.log(`| ${input.name} | ${chars.toLocaleString('en-US')} | ${fmt(t)} | ${(t / baseline).toFixed(1)}× |`);
      }
      if (fuzzTimes.length > 0) {
        const slowest = fuzzTimes[fuzzTimes.length - 1]!;
        console.log(
          `\nThe fuzz test's random inputs (a), ${fuzzTimes.length.toLocaleString('en-US')} drawn with its arbitraries (seed ${options.seed}), ` +
            `each timed once: p50 ${fmt(percentile(fuzzTimes, 50))} (${(percentile(fuzzTimes, 50) / baseline).toFixed(1)}×), ` +
            `p99 ${fmt(percentile(fuzzTimes, 99))} (${(percentile(fuzzTimes, 99) / baseline).toFixed(1)}×), ` +
            `slowest ${fmt(slowest)} (${(slowest / baseline).toFixed(1)}× the baseline); that input (${slowestInput.length} characters) ` +
            `timed again as the others: ${fmt(again)} per call (${(again / baseline).toFixed(1)}×).`,
        );
      }
    } else {
      console.log(`Baseline: one plain pass over the same characters (a sum of their char codes). The test asserted ${family.formerBound}.\n`);
      console.log('| Input | characters | time per call | / one pass over it | at ¼ size | growth, ×4 input (4 = linear) |');
      console.log('|---|---:|---:|---:|---:|---:|');
      for (const [i, input] of family.inputs.entries()) {
        const { full, quarter, scan: pass, chars } = entry.inputs[i]!;
        const t = measured[full]!.ms;
        const q = measured[quarter!]!.ms;
        console.log(
          `| ${input.name} | ${chars.toLocaleString('en-US')} | ${fmt(t)} | ${(t / measured[pass!]!.ms).toFixed(0)}× | ${fmt(q)} | ${(t / q).toFixed(2)}× |`,
        );
      }
    }
    console.log('');
  }
  await db.destroy();
}

await runBenchCli({ help: HELP, options: OPTIONS, parse: parseOptions, run: main });
