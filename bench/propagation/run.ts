/**
 * Propagation benchmark: how long after a change made through the management API the gateways
 * enforce it — a subscription suspended or reactivated, its owner blocked or activated, its
 * product unpublished or published, its primary key regenerated — on SQLite and on PostgreSQL.
 * The gateway of the process that answers the write has applied it by then (read your writes): its
 * figure is the first request after the answer. A second gateway over the same database, as
 * another node runs it, learns of changes by polling the change feed (SQLite) or by NOTIFY (PostgreSQL); its baseline, measured in
 * the same run, is the same change followed by an explicit catchUp() of that node (everything but
 * the wait for the next poll). What answering only after the catch-up costs the write is its
 * latency, also at `--subscriptions N` (the gateway applies only what changed, whatever the size).
 * Results go to stdout as markdown (progress to stderr); the databases are removed at the end.
 * See docs/benchmarks.md.
 *
 *   npm run bench:propagation -- --samples 30 [--subscriptions 100000]
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { SqlDialect } from '../../src/store/database.js';
import { runBenchCli, wholeNumber, type OptionValues } from '../common/cli.js';
import { loadAverage, printReportHead } from '../common/machine.js';
import { BACKEND_OPTIONS, chooseBackends, databaseVersion, withTollgate, type Instance } from '../management/instance.js';
import { summarize, type CaseResult } from '../management/measure.js';
import { progressBar } from '../management/progress.js';
import { prng } from '../management/seed.js';
import { activeSubscriptionRow } from '../common/subscription-row.js';
import { configureTollgate, KEY_HEADER, REQUEST_PATH } from '../gateway/setup.js';
import { createGateway, type Gateway } from '../../src/gateway/index.js';
import { systemClock } from '../../src/domain/clock.js';

const HELP = `Usage: node dist/bench/propagation/run.js [options]

Times how long the gateways take to enforce a change made through the management API (until the
first request that gets the new answer): the one in the process that answered (read your writes),
and a second node over the same database, through the change feed, against the same change
followed by an explicit catchUp() of that node (the baseline), on SQLite and PostgreSQL; and the
write's own latency.

Options:
  --samples N        timed runs of each change, through the feed and with catchUp() (default 30)
  --seed N           PRNG seed of the untimed pauses before the changes (default 1)
  --subscriptions N  further active subscriptions in the database, written directly (default 0)
  --backend B        sqlite | postgres | both (default both: PostgreSQL is skipped when no URL is known)
  --pg-url URL       PostgreSQL server (default: $TEST_DATABASE_URL, then $DATABASE_URL if postgres://)
  -h, --help         this text
`;

/** The gateway's change-feed poll interval on SQLite (src/gateway/index.ts); on PostgreSQL NOTIFY wakes it at once. */
const POLL_MS = 100;
/** What the tests once asserted for every such change. */
const FORMER_TEST_BOUND_MS = 1000;
/** A poll of the gateway every millisecond or so: the resolution of the measurement. */
const POLL_EVERY_MS = 1;

interface Options {
  samples: number;
  seed: number;
  subscriptions: number;
  backends: SqlDialect[];
  pgUrl: string | undefined;
}

const OPTIONS = {
  samples: { type: 'string', default: '30' },
  seed: { type: 'string', default: '1' },
  subscriptions: { type: 'string', default: '0' },
  ...BACKEND_OPTIONS,
} as const;

function parseOptions(values: OptionValues<typeof OPTIONS>): Options {
  const samples = wholeNumber('samples', values.samples, 1);
  const seed = wholeNumber('seed', values.seed, 0, { namesMinimum: false });
  const subscriptions = wholeNumber('subscriptions', values.subscriptions, 0);
  const { backends, pgUrl } = chooseBackends(values.backend, values['pg-url']);
  return { samples, seed, subscriptions, backends, pgUrl };
}

function startUpstream(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

type GatewayClient = ReturnType<typeof gatewayClient>;

/** A developer's client of the gateway: one keep-alive connection, GET REQUEST_PATH with a key. */
function gatewayClient(gatewayUrl: string) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const status = (key: string) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(new URL(REQUEST_PATH, gatewayUrl), { agent, headers: { [KEY_HEADER]: key } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  return {
    status,
    /** Polls until `key` gets `expected`; the time from `since` to that answer's arrival, ms. */
    async until(key: string, expected: number, since: number): Promise<number> {
      for (;;) {
        const got = await status(key);
        if (got === expected) return performance.now() - since;
        if (performance.now() - since > 30_000) throw new Error(`the gateway still answers ${got} after 30 s, expected ${expected}`);
        await new Promise((r) => setTimeout(r, POLL_EVERY_MS));
      }
    },
    close: () => agent.destroy(),
  };
}

interface Way {
  name: string;
  /** Makes the change through the management API (throws unless it succeeded). */
  change(): Promise<void>;
  /** The key to call the gateway with afterwards, and the answer it must get. */
  expect(): Promise<{ key: string; status: number }>;
  /** Untimed bookkeeping once the answer came (e.g. reading the new key). */
  after?(): Promise<void>;
}

async function management(instance: Instance, method: string, path: string, body?: unknown): Promise<unknown> {
  const send = () => fetch(`${instance.base}${path}?api-version=2024-05-01`, {
    method,
    headers: {
      authorization: `Bearer ${instance.key}`,
      ...(method === 'PATCH' ? { 'if-match': '*' } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? null : JSON.stringify(body),
  });
  // A keep-alive connection the server closed while this process was busy seeding (same event
  // loop: the close is seen only when the next request is already on it) is reset, never served.
  const res = await send().catch((error: unknown) => {
    if ((error as { cause?: { code?: string } }).cause?.code !== 'ECONNRESET') throw error;
    return send();
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** The developer, their subscription to the product (see configureTollgate) and its current primary key. */
const OWNER = 'dev';
const SUBSCRIPTION = 'dev-bench';

/** The changes measured: each state change and its undoing, and a key regeneration. */
function changes(instance: Instance, keys: { primary: string }): Way[] {
  const patch = (path: string, properties: unknown) => () => management(instance, 'PATCH', path, { properties }).then(() => undefined);
  const current = (status: number) => async () => ({ key: keys.primary, status });
  let old = '';
  return [
    { name: 'Subscription suspended → 403', change: patch(`/subscriptions/${SUBSCRIPTION}`, { state: 'suspended' }), expect: current(403) },
    { name: 'Subscription reactivated → 200', change: patch(`/subscriptions/${SUBSCRIPTION}`, { state: 'active' }), expect: current(200) },
    { name: 'Owner blocked → 403', change: patch(`/users/${OWNER}`, { state: 'blocked' }), expect: current(403) },
    { name: 'Owner activated → 200', change: patch(`/users/${OWNER}`, { state: 'active' }), expect: current(200) },
    { name: 'Product unpublished → 403', change: patch('/products/bench', { state: 'notPublished' }), expect: current(403) },
    { name: 'Product published → 200', change: patch('/products/bench', { state: 'published' }), expect: current(200) },
    {
      name: 'Primary key regenerated: the old key → 401',
      change: async () => {
        old = keys.primary;
        await management(instance, 'POST', `/subscriptions/${SUBSCRIPTION}/regeneratePrimaryKey`);
      },
      expect: async () => ({ key: old, status: 401 }),
      after: async () => {
        keys.primary = ((await management(instance, 'POST', `/subscriptions/${SUBSCRIPTION}/listSecrets`)) as { primaryKey: string }).primaryKey;
      },
    },
  ];
}

const fmt = (v: number) => (v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0));

async function runBackend(dialect: SqlDialect, options: Options): Promise<void> {
  const upstream = await startUpstream();
  try {
    await withTollgate(dialect, options.pgUrl, {}, async (instance, name) => {
      // Another node: a gateway of its own over the same database, which only the feed tells.
      const other = createGateway({ store: instance.app.store, clock: systemClock, logger: instance.app.http.log, notifications: instance.app.database.notifications });
      const { port } = await other.listen(0, '127.0.0.1');
      const here = gatewayClient(instance.gatewayUrl);
      const there = gatewayClient(`http://127.0.0.1:${port}`);
      try {
        await measure(instance, name, { here, there, other }, upstream.url, options);
      } finally {
        here.close();
        there.close();
        await other.close();
      }
    });
  } finally {
    await upstream.close();
  }
}

/** `count` active subscriptions of one more user to the product, written directly in batches (random key digests: nobody holds their keys). */
async function seedSubscriptions(instance: Instance, count: number): Promise<void> {
  if (count === 0) return;
  await management(instance, 'PUT', '/users/crowd', { properties: { email: 'crowd@example.com', firstName: 'Many', lastName: 'Subscriptions' } });
  const bar = progressBar(`seeding ${count.toLocaleString('en-US')} subscriptions`, count);
  const at = new Date().toISOString();
  for (let i = 0; i < count; i += 1000) {
    const rows = Array.from({ length: Math.min(1000, count - i) }, (_, j) =>
      activeSubscriptionRow({
        id: `crowd-${i + j}`,
        ownerId: 'crowd',
        scope: '/products/bench',
        at,
        primaryLookup: randomBytes(32).toString('base64url'),
        secondaryLookup: randomBytes(32).toString('base64url'),
      }),
    );
    await instance.app.database.db.insertInto('subscriptions').values(rows).execute();
    bar.update(i + rows.length);
  }
  bar.finish();
  await instance.app.gateway.catchUp();
}

interface Gateways {
  /** The gateway of the process that answers the writes. */
  here: GatewayClient;
  /** A second node over the same database, and its client. */
  other: Gateway;
  there: GatewayClient;
}

async function measure(instance: Instance, name: string, gateways: Gateways, upstreamUrl: string, options: Options): Promise<void> {
  const { here, there, other } = gateways;
  // The API, its operation and the published product as the gateway benchmark makes them; then
  // a developer (who can be blocked, unlike the built-in administrator) subscribed to it.
  await configureTollgate(instance.url, instance.key, upstreamUrl);
  await seedSubscriptions(instance, options.subscriptions);
  await management(instance, 'PUT', `/users/${OWNER}`, { properties: { email: 'dev@example.com', firstName: 'Dev', lastName: 'Eloper' } });
  await management(instance, 'PUT', `/subscriptions/${SUBSCRIPTION}`, {
    properties: { ownerId: `/users/${OWNER}`, scope: '/products/bench', displayName: 'Dev', state: 'active' },
  });
  const secrets = (await management(instance, 'POST', `/subscriptions/${SUBSCRIPTION}/listSecrets`)) as { primaryKey: string };
  const keys = { primary: secrets.primaryKey };
  await there.until(keys.primary, 200, performance.now());
  const ways = changes(instance, keys);
  const random = prng(options.seed);
  const answered: number[][] = ways.map(() => []);
  const firstAnswers: number[] = [];
  const feed: number[][] = ways.map(() => []);
  const told: number[][] = ways.map(() => []);
  const writes: number[] = [];
  const bar = progressBar(`${name}: measuring`, options.samples * ways.length * 2);
  let done = 0;
  const loadBefore = loadAverage();
  for (let round = 0; round < options.samples; round++) {
    for (const viaRefresh of [false, true]) {
      for (const [k, way] of ways.entries()) {
        // The other node polls every POLL_MS: a change made right after the previous one was seen
        // would always wait a whole interval. An untimed random pause puts it anywhere in the cycle.
        if (!viaRefresh) await new Promise((r) => setTimeout(r, random() * POLL_MS));
        const sent = performance.now();
        await way.change();
        const committed = performance.now();
        writes.push(committed - sent);
        const { key, status } = await way.expect();
        if (viaRefresh) {
          await other.catchUp();
          told[k]!.push(await there.until(key, status, committed));
        } else {
          // The first request after the answer must already get the new answer here.
          const first = await here.status(key);
          firstAnswers.push(first === status ? 1 : 0);
          answered[k]!.push(await here.until(key, status, committed));
          feed[k]!.push(await there.until(key, status, committed));
        }
        await way.after?.();
        bar.update(++done);
      }
    }
  }
  bar.finish();
  const loadAfter = loadAverage();

  const write = summarize('write', writes);
  const right = firstAnswers.filter((x) => x === 1).length;
  console.log(`### ${name}${options.subscriptions > 0 ? `, ${options.subscriptions.toLocaleString('en-US')} more subscriptions` : ''}\n`);
  console.log(
    `${await databaseVersion(instance.app)}. Each change made through the management API, then each gateway polled every ` +
      `~${POLL_EVERY_MS} ms (one keep-alive connection each) until it gives the new answer; timed from the change's 2xx response ` +
      `(the change is committed, and applied by the gateway of that process) to that answer. ` +
      `The first request after the answer got the new answer from the gateway of the answering process ${right} times of ${firstAnswers.length}. ` +
      `The management call itself (the write, then the catch-up of that gateway): p50 ${fmt(write.p50)} ms, p90 ${fmt(write.p90)} ms, max ${fmt(write.max)} ms. ` +
      `Load average (1/5/15 min) ${loadBefore} before, ${loadAfter} after.\n`,
  );
  console.log(
    '| Change | Samples | this process: p50 ms | max ms | another node, through the change feed: p50 ms | p90 ms | max ms | another node told by catchUp() (baseline): p50 ms | max ms | feed p50 / baseline p50 |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const all: CaseResult[] = [];
  for (const [k, way] of ways.entries()) {
    const h = summarize(way.name, answered[k]!);
    const f = summarize(way.name, feed[k]!);
    const b = summarize(way.name, told[k]!);
    all.push(f);
    console.log(
      `| ${way.name} | ${f.samples} | ${fmt(h.p50)} | ${fmt(h.max)} | ${fmt(f.p50)} | ${fmt(f.p90)} | ${fmt(f.max)} | ${fmt(b.p50)} | ${fmt(b.max)} | ${(f.p50 / b.p50).toFixed(1)}× |`,
    );
  }
  const allHere = summarize('all', answered.flat());
  const allFeed = summarize('all', feed.flat());
  const allTold = summarize('all', told.flat());
  const slowest = all.reduce((a, b) => (b.max > a.max ? b : a));
  console.log(
    `\nEvery change, this process: p50 ${fmt(allHere.p50)} ms, max ${fmt(allHere.max)} ms. Another node through the feed: p50 ${fmt(allFeed.p50)} ms, p99 ${fmt(allFeed.p99)} ms, max ${fmt(allFeed.max)} ms ` +
      `(with catchUp(): p50 ${fmt(allTold.p50)} ms, p99 ${fmt(allTold.p99)} ms; p50 ratio ${(allFeed.p50 / allTold.p50).toFixed(1)}×, ` +
      `max ratio ${(allFeed.max / allTold.max).toFixed(1)}×) ` +
      `— slowest: ${slowest.name}; the poll interval is ${POLL_MS} ms (on SQLite a change waits 0 to ${POLL_MS} ms for the next poll; on PostgreSQL the commit's NOTIFY wakes the node); ` +
      `the tests' former bound was ${FORMER_TEST_BOUND_MS.toLocaleString('en-US')} ms.\n`,
  );
}

async function main(options: Options): Promise<void> {
  printReportHead(
    'Propagation benchmark',
    `Tollgate all-in-one (createApp, as \`tollgate start\`), its gateway, a second gateway node over the same database, the clients and a trivial upstream in one process; ` +
      `the changes interleaved, each state change followed by its undoing; before each change through the feed an untimed ` +
      `pause of 0–${POLL_MS} ms (seed ${options.seed}), so that changes fall anywhere in the poll cycle.`,
  );
  for (const dialect of options.backends) await runBackend(dialect, options);
}

await runBenchCli({ help: HELP, options: OPTIONS, parse: parseOptions, run: main });
