/**
 * Gateway at scale (issue 10): N users and M subscriptions seeded straight into a fresh database,
 * then Tollgate all-in-one (createApp, as `tollgate start`) and a second gateway node
 * (createGatewayNode, as `tollgate gateway`), each in its own process, on SQLite and PostgreSQL:
 * time from start to serving, memory, the key index's bytes per subscription, how fast a new key
 * and a block reach each gateway, and the gateway's latency idle and while writes are made, with
 * both processes' event-loop delays; the targets with PASS or MISS. Markdown on stdout, progress
 * on stderr; the databases are removed at the end. See docs/benchmarks.md.
 *
 *   npm run bench:gateway-scale -- --users 2000 --subscriptions 10000 --backend both
 */
import type { SqlDialect } from '../../src/store/database.js';
import { runBenchCli, wholeNumbersOf, type OptionValues } from '../common/cli.js';
import { loadAverage, printReportHead } from '../common/machine.js';
import { killAllChildren, startNodeChild } from '../gateway/child.js';
import { adminKey, configureTollgate } from '../gateway/setup.js';
import { startUpstream } from '../gateway/targets.js';
import { BACKEND_OPTIONS, chooseBackends, dialectName } from '../management/instance.js';
import { gatewayClient, managementClient, type GatewayClient } from './clients.js';
import { LOAD, measurePhases, measurePropagation, sample, type Server } from './measure.js';
import { printBackendReport, TARGETS, type ProcessFigures } from './report.js';
import { benchDatabase, seedAtSize, type BenchDatabase } from './seed.js';
import { LOOP_RESOLUTION_MS, type Ready } from './protocol.js';

const HELP = `Usage: node dist/bench/gateway-scale/run.js [options]

Seeds N users and M subscriptions (real keys) into a fresh database, then starts Tollgate
all-in-one and a second gateway node, each in its own process, and reports: time from start to
serving, RSS, the key index's bytes per subscription, how fast a new key and a block reach the
gateway of the same process and the other node, the gateway's p50/p99 at ${LOAD.rate} req/s idle
and while 10 and 100 writes/s are made, the largest event-loop delays and the errors; with
issue 10's targets (at 1,000,000 subscriptions) marked PASS or MISS. PostgreSQL runs in a
temporary schema; everything is removed at the end.

Options:
  --users N          developer accounts seeded (default 200000; 200_000 is read as well)
  --subscriptions N  active subscriptions seeded, spread over the users (default 1000000)
  --changes N        propagation samples of each kind: a new key, a block (default 100)
  --duration S       seconds of each gateway latency phase: idle, 10 and 100 writes/s (default 10)
  --seed N           PRNG seed of the users' data and of the pauses between changes (default 1)
  --backend B        sqlite | postgres | both (default both: PostgreSQL is skipped when no URL is known)
  --pg-url URL       PostgreSQL server (default: $TEST_DATABASE_URL, then $DATABASE_URL if postgres://)
  -h, --help         this text
`;

/** Writes per second of the phases after the idle one. */
const WRITE_RATES = [0, 10, TARGETS.writeRate];
/** Seeded subscriptions the write phases flip between suspended and active. */
const TOGGLED = 1000;
/** A start on a large database with a gateway that loads everything at once may take minutes. */
const READY_TIMEOUT_MS = 15 * 60_000;

interface Options {
  users: number;
  subscriptions: number;
  changes: number;
  durationS: number;
  seed: number;
  backends: SqlDialect[];
  pgUrl: string | undefined;
}

const OPTIONS = {
  users: { type: 'string', default: '200000' },
  subscriptions: { type: 'string', default: '1000000' },
  changes: { type: 'string', default: '100' },
  duration: { type: 'string', default: '10' },
  seed: { type: 'string', default: '1' },
  ...BACKEND_OPTIONS,
} as const;

function parseOptions(values: OptionValues<typeof OPTIONS>): Options {
  const count = wholeNumbersOf(values, { underscores: true });
  const { backends, pgUrl } = chooseBackends(values.backend, values['pg-url']);
  return {
    users: count('users', 2),
    subscriptions: count('subscriptions', 2),
    changes: count('changes', 1),
    durationS: count('duration', 1),
    seed: count('seed', 0),
    backends,
    pgUrl,
  };
}

async function startServer(mode: 'app' | 'gateway', bench: BenchDatabase, key: string, name: string): Promise<{ server: Server; spawnToServingMs: number }> {
  const started = performance.now();
  const server = await startNodeChild<Ready>(
    // startNodeChild runs scripts next to bench/gateway/child.js; this one lives beside this file.
    '../gateway-scale/server',
    [mode, bench.url, bench.schema ?? '-', key],
    { name, readyTimeoutMs: READY_TIMEOUT_MS },
  );
  return { server, spawnToServingMs: performance.now() - started };
}

async function runBackend(dialect: SqlDialect, options: Options): Promise<void> {
  const name = dialectName(dialect);
  const bench = benchDatabase(dialect, options.pgUrl);
  const key = adminKey();
  const running: { stop(): Promise<void> }[] = [];
  const clients: { close(): void }[] = [];
  const stopAll = async () => {
    for (const c of clients.splice(0)) c.close();
    for (const s of running.splice(0).reverse()) await s.stop();
  };
  const interrupted = () => {
    console.error(`\n${name}: interrupted, removing the benchmark database`);
    void stopAll()
      .then(() => bench.dispose())
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  try {
    const upstream = await startUpstream(undefined);
    running.push(upstream);
    // A first start migrates the database and makes its key ring; the API and product are then
    // configured as an administrator would, and the process stopped: seeding needs no server.
    console.error(`\n${name}: preparing the database (a first start, the API and the product)`);
    const first = await startServer('app', bench, key, `${name} Tollgate (first start)`);
    running.push(first.server);
    await configureTollgate(first.server.info.url!, key, upstream.origin);
    await first.server.stop();
    const seeded = await seedAtSize(bench, name, { users: options.users, subscriptions: options.subscriptions, known: options.changes + 100, seed: options.seed });
    if (seeded.known.length < 2) throw new Error(`${name}: fewer than 2 active seeded users; seed more users`);

    console.error(`${name}: starting Tollgate all-in-one on the seeded database`);
    const app = await startServer('app', bench, key, `${name} Tollgate (all-in-one)`);
    running.push(app.server);
    console.error(`${name}: serving after ${(app.spawnToServingMs / 1000).toFixed(2)} s; starting the second gateway node`);
    const node = await startServer('gateway', bench, key, `${name} Tollgate (gateway node)`);
    running.push(node.server);
    console.error(`${name}: the second node serves after ${(node.spawnToServingMs / 1000).toFixed(2)} s`);

    const management = managementClient(app.server.info.url!, key, LOAD.writesInFlight);
    const here = gatewayClient(`http://127.0.0.1:${app.server.info.gatewayPort}`);
    const there = gatewayClient(`http://127.0.0.1:${node.server.info.gatewayPort}`);
    clients.push(management, here, there);
    const loadKey = seeded.known.at(-1)!;
    const owners = seeded.known.slice(0, -1);
    const otherErrors: string[] = [];
    for (const [label, client] of [['the all-in-one gateway', here], ['the second node', there]] as [string, GatewayClient][]) {
      const status = await client.status(loadKey.key);
      if (status !== 200) otherErrors.push(`${label} answered ${status} to a seeded key once serving`);
    }
    const [appAfterStart, nodeAfterStart] = await Promise.all([sample(app.server), sample(node.server)]);

    const loadBefore = loadAverage();
    await Promise.all([sample(app.server, true), sample(node.server, true)]);
    const propagation = await measurePropagation(name, management, { here, there }, { changes: options.changes, seed: options.seed, owners });
    const [appLoop, nodeLoop] = await Promise.all([sample(app.server, true), sample(node.server, true)]);
    const toggled = Array.from({ length: Math.max(0, Math.min(TOGGLED, options.subscriptions - seeded.known.length - 100)) }, (_, j) =>
      seeded.subscriptionId(options.subscriptions - 1 - j),
    );
    const phases = await measurePhases(name, { app: app.server, node: node.server }, `http://127.0.0.1:${app.server.info.gatewayPort}`, management, WRITE_RATES, {
      durationS: options.durationS,
      loadKey: loadKey.key,
      owner: loadKey.ownerId,
      toggled,
    });
    const [appAtEnd, nodeAtEnd] = await Promise.all([sample(app.server), sample(node.server)]);
    const loadAfter = loadAverage();

    const figures = (s: typeof app, afterStart: typeof appAtEnd, atEnd: typeof appAtEnd): ProcessFigures => ({
      spawnToServingMs: s.spawnToServingMs,
      ready: s.server.info,
      afterStart,
      atEnd,
    });
    printBackendReport(
      {
        name,
        dialect,
        version: seeded.version,
        users: options.users,
        subscriptions: options.subscriptions,
        seeding: seeded,
        app: figures(app, appAfterStart, appAtEnd),
        node: figures(node, nodeAfterStart, nodeAtEnd),
        propagation,
        propagationLoop: { app: appLoop.loop, node: nodeLoop.loop },
        phases,
        otherErrors,
        loadAverage: { before: loadBefore, after: loadAfter },
      },
      { changes: options.changes, durationS: options.durationS, loadRate: LOAD.rate, loadConnections: LOAD.connections, writesInFlight: LOAD.writesInFlight, pauseMs: LOAD.pauseMs },
    );
  } finally {
    process.off('SIGINT', interrupted);
    await stopAll();
    await bench.dispose();
  }
}

async function main(options: Options): Promise<void> {
  process.once('exit', killAllChildren);
  printReportHead(
    'Gateway at scale',
    `Tollgate all-in-one (createApp, as \`tollgate start\`) and a second gateway node (createGatewayNode, as \`tollgate gateway\`), ` +
      `each in its own process, over one database; a trivial upstream in a third; the clients and the load in this one. ` +
      `Event-loop delays by \`monitorEventLoopDelay\` (resolution ${LOOP_RESOLUTION_MS} ms) in each server process. ` +
      `The targets are issue 10's, stated for 1,000,000 subscriptions.`,
  );
  for (const dialect of options.backends) await runBackend(dialect, options);
}

await runBenchCli({ help: HELP, options: OPTIONS, parse: parseOptions, run: main });
