/**
 * Traffic recording, in one process (issue 12): what the recorder adds to each call, against a
 * baseline that does everything but record (the same loop handing the same calls to a sink that
 * does nothing), with calls spread over many subscriptions as on a busy instance; then what a flush
 * costs: the time one flush of N distinct buckets (and its sampled requests) takes to write, on a
 * SQLite file (better-sqlite3 writes synchronously: the longest wait of the event loop meanwhile is
 * how long the gateway stops answering) and, with --database-url, on PostgreSQL. Markdown on stdout. See docs/benchmarks.md.
 *
 *   npm run bench:analytics -- --calls 2000000 --subscriptions 10000
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { runBenchCli, wholeNumbersOf, type OptionValues } from '../common/cli.js';
import { loadAverage, printReportHead } from '../common/machine.js';
import { dropSchema, migrateToLatest, openDatabase } from '../../src/store/database.js';
import { createStore } from '../../src/store/index.js';
import { createTrafficRecorder } from '../../src/gateway/analytics/recorder.js';
import type { CallRecord, CallSink } from '../../src/gateway/observe/call.js';

const HELP = `Usage: node dist/bench/analytics/run.js [options]

Measures the traffic recorder: nanoseconds per call it adds (against the same loop with a sink
that does nothing), with the calls spread over --subscriptions subscriptions; then the time one
flush of --buckets distinct buckets takes to write, on SQLite and (with --database-url) PostgreSQL.

Options:
  --calls N          calls per timed loop (default 2000000)
  --subscriptions N  distinct subscriptions the calls come from (default 10000)
  --buckets LIST     bucket counts of the flush runs, comma-separated (default 100,1000,10000)
  --rounds N         rounds of each measurement; medians reported (default 5)
  --database-url U   PostgreSQL to measure the flush on too (default: $TEST_DATABASE_URL, if set)
  -h, --help         this text
`;

const OPTIONS = {
  calls: { type: 'string', default: '2000000' },
  subscriptions: { type: 'string', default: '10000' },
  buckets: { type: 'string', default: '100,1000,10000' },
  rounds: { type: 'string', default: '5' },
  'database-url': { type: 'string', default: process.env.TEST_DATABASE_URL ?? '' },
} as const;

interface Options {
  calls: number;
  subscriptions: number;
  buckets: number[];
  rounds: number;
  databaseUrl: string | undefined;
}

function parse(values: OptionValues<typeof OPTIONS>): Options {
  const count = wholeNumbersOf(values);
  const buckets = values.buckets.split(',').map((b) => Number(b.trim()));
  if (buckets.some((b) => !Number.isInteger(b) || b < 1)) throw new Error('--buckets takes whole numbers, comma-separated');
  return {
    calls: count('calls', 1000),
    subscriptions: count('subscriptions', 1),
    buckets,
    rounds: count('rounds', 1),
    databaseUrl: values['database-url'] || undefined,
  };
}

const silent = { info() {}, warn() {}, error() {} };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Calls as the gateway hands them over: ids of `subscriptions` subscriptions, 4 operations, statuses mostly 200. */
function makeCalls(n: number, subscriptions: number, at: number): CallRecord[] {
  const statuses = [200, 200, 200, 200, 200, 200, 200, 201, 401, 429, 404, 502];
  return Array.from({ length: n }, (_, i) => {
    const s = i % subscriptions;
    return {
      at: at + (i % 1000),
      startedAt: 0,
      requestId: randomUUID(),
      traceparent: '',
      method: 'GET',
      path: `/orders/items/${i}`,
      query: 'expand=lines',
      ip: '127.0.0.1',
      apiId: 'orders',
      operationId: `op-${i % 4}`,
      productId: `product-${s % 10}`,
      subscriptionId: `sub-${s}`,
      userId: `user-${s}`,
      requestBytes: 0,
      status: statuses[i % statuses.length]!,
      backendStatus: 200,
      responseBytes: 100,
      apiMs: 0.5 + (i % 50) / 10,
      serviceMs: 0.3 + (i % 40) / 10,
      dispatchedAt: 1,
      cause: undefined,
    };
  });
}

function timeLoop(sink: CallSink, calls: CallRecord[], total: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0, j = 0; i < total; i++, j = j + 1 === calls.length ? 0 : j + 1) sink.record(calls[j]!);
  return Number(process.hrtime.bigint() - start) / total;
}

async function measureRecord(o: Options): Promise<{ baseline: number; recording: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-analytics-'));
  const database = await openDatabase(`sqlite:${join(dir, 'tollgate.db')}`);
  try {
    await migrateToLatest(database.db, database.dialect);
    const store = createStore(database.db, database.dialect);
    const calls = makeCalls(Math.min(o.calls, 200_000), o.subscriptions, Date.parse('2026-12-03T10:00:00Z'));
    let sunk = 0;
    const nothing: CallSink = { record: (c) => void (sunk += c.status) };
    const base: number[] = [];
    const rec: number[] = [];
    for (let r = 0; r < o.rounds; r++) {
      // A fresh recorder per round, flushed (untimed) after: its map holds one interval, as in the gateway.
      const recorder = createTrafficRecorder({ store, logger: silent, flushMs: 5000, requestLogPerSecond: 50 });
      base.push(timeLoop(nothing, calls, o.calls));
      rec.push(timeLoop(recorder, calls, o.calls));
      await recorder.flush();
      console.error(`record: round ${r + 1}: baseline ${base.at(-1)!.toFixed(0)} ns, recording ${rec.at(-1)!.toFixed(0)} ns per call`);
    }
    if (sunk < 0) console.log(sunk);
    return { baseline: median(base), recording: median(rec) };
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface FlushFigures {
  ms: number;
  /** The longest the event loop waited during the flush, ms. */
  heldMs: number;
}

async function measureFlush(url: string, o: Options, schema?: string): Promise<Map<number, FlushFigures>> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-analytics-'));
  const database = await openDatabase(url.startsWith('sqlite:') ? `sqlite:${join(dir, 'tollgate.db')}` : url, schema ? { schema } : {});
  const out = new Map<number, FlushFigures>();
  try {
    await migrateToLatest(database.db, database.dialect);
    const store = createStore(database.db, database.dialect);
    let minute = Date.parse('2026-12-03T10:00:00Z');
    for (const n of o.buckets) {
      const times: number[] = [];
      const held: number[] = [];
      for (let r = 0; r < o.rounds; r++) {
        const recorder = createTrafficRecorder({ store, logger: silent, flushMs: 5000, requestLogPerSecond: 50 });
        // n subscriptions, one call each, in a minute of their own: n new rows (the inserting case, the dearest).
        for (const c of makeCalls(n, n, minute)) recorder.record(c);
        minute += 60_000;
        const delay = monitorEventLoopDelay({ resolution: 1 });
        delay.enable();
        const start = process.hrtime.bigint();
        await recorder.flush();
        times.push(Number(process.hrtime.bigint() - start) / 1e6);
        delay.disable();
        held.push(delay.max / 1e6);
      }
      out.set(n, { ms: median(times), heldMs: median(held) });
      console.error(`flush (${database.dialect}): ${n} buckets: ${out.get(n)!.ms.toFixed(1)} ms, event loop held ${out.get(n)!.heldMs.toFixed(1)} ms at most`);
    }
    return out;
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(o: Options): Promise<void> {
  printReportHead(
    'Traffic recording (bench/analytics)',
    `${o.calls.toLocaleString('en')} calls per timed loop over ${o.subscriptions.toLocaleString('en')} subscriptions, ${o.rounds} rounds (medians). Load average ${loadAverage()} at the start.`,
  );
  const { baseline, recording } = await measureRecord(o);
  console.log('| per call | ns |\n|---|---:|');
  console.log(`| baseline: the same loop, a sink that does nothing | ${baseline.toFixed(0)} |`);
  console.log(`| with the traffic recorder | ${recording.toFixed(0)} |`);
  console.log(`| **added by recording** | **${(recording - baseline).toFixed(0)}** |\n`);

  const sqlite = await measureFlush('sqlite:', o);
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const pg = o.databaseUrl ? await measureFlush(o.databaseUrl, o, schema).finally(() => dropSchema(o.databaseUrl!, schema)) : undefined;
  const cells = (f: FlushFigures) => `${f.ms.toFixed(1)} | ${f.heldMs.toFixed(1)} |`;
  console.log(
    `| one flush of N new buckets | SQLite, ms | SQLite, longest event-loop wait, ms |${pg ? ' PostgreSQL, ms | PostgreSQL, longest event-loop wait, ms |' : ''}\n` +
      `|---:|---:|---:|${pg ? '---:|---:|' : ''}`,
  );
  for (const n of o.buckets) console.log(`| ${n.toLocaleString('en')} | ${cells(sqlite.get(n)!)}${pg ? ` ${cells(pg.get(n)!)}` : ''}`);
  console.log('');
}

void runBenchCli({ help: HELP, options: OPTIONS, parse, run: main });
