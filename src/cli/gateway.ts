import cluster from 'node:cluster';
import { loadConfig, type Config } from '../config.js';
import { createGatewayNode } from '../gateway-node.js';
import { assertMigrated, openDatabase } from '../store/database.js';
import { startGatewayCluster } from './gateway-cluster.js';
import { runGatewayWorker } from './gateway-worker.js';
import { createLogger } from '../ops/logger.js';
import { startMetricsServer } from '../ops/metrics-server.js';

export interface GatewayCommandOptions {
  /** --workers; GATEWAY_WORKERS (default: one per CPU) when not given. */
  workers?: number;
}

/**
 * `tollgate gateway`: serves only the gateway, for more gateway nodes next to `tollgate start`; in
 * one process (--workers 1) or in several sharing GATEWAY_PORT. node:cluster starts each worker
 * with this same command line, so a worker arrives here too.
 */
export async function gatewayCommand(options: GatewayCommandOptions = {}): Promise<void> {
  if (cluster.isWorker) return runGatewayWorker();
  const startedAt = Date.now();
  const config = loadConfig();
  const workers = options.workers ?? config.gatewayWorkers;
  if (workers === 1) return runSingle(config, startedAt);

  // Checked once here, so that a database that is not ready fails with one message, not one per worker.
  const database = await describeMigratedDatabase(config);
  const logger = createLogger({ level: config.logLevel, name: 'gateway-primary' });
  const workersCluster = await startGatewayCluster({
    workers,
    logger,
    onGiveUp: (reason) => {
      process.stderr.write(`tollgate: ${reason}\n`);
      process.exit(1);
    },
  });
  // The workers' metrics, summed under this node's name (each worker counts its own calls).
  const metrics =
    config.metricsPort === undefined
      ? undefined
      : await startMetricsServer({
          port: config.metricsPort,
          host: config.host,
          logger,
          async render() {
            const { AggregatorRegistry } = await import('prom-client');
            const registry = AggregatorRegistry.aggregate(await workersCluster.collectMetrics());
            return { contentType: registry.contentType, body: await registry.metrics() };
          },
        });
  printRunning(workers, startedAt, workersCluster.gatewayUrl, database, config.redisUrl !== undefined, metricsUrl(config, metrics?.port));
  stopOnSignals(async () => {
    await metrics?.close();
    return (await workersCluster.stop()) ? 0 : 1;
  });
}

async function runSingle(config: Config, startedAt: number): Promise<void> {
  const node = await createGatewayNode(config);
  const { gatewayUrl, metricsPort } = await node.listen();
  printRunning(1, startedAt, gatewayUrl, node.database.description, config.redisUrl !== undefined, metricsUrl(config, metricsPort));
  stopOnSignals(async () => {
    await node.close();
    return 0;
  });
}

async function describeMigratedDatabase(config: Config): Promise<string> {
  const database = await openDatabase(config.databaseUrl);
  try {
    await assertMigrated(database.db, database.dialect);
    return database.description;
  } finally {
    await database.close();
  }
}

function metricsUrl(config: Config, port: number | undefined): string | undefined {
  if (port === undefined) return undefined;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return `http://${host}:${port}/metrics`;
}

function printRunning(workers: number, startedAt: number, gatewayUrl: string, database: string, sharedCounters: boolean, metrics: string | undefined): void {
  process.stdout.write(
    [
      '',
      `Tollgate gateway node is running with ${workers} worker${workers === 1 ? '' : 's'} (started in ${Date.now() - startedAt} ms)`,
      `  Gateway          ${gatewayUrl}/{api path}/...`,
      ...(metrics ? [`  Metrics          ${metrics}${workers === 1 ? '' : ' (the sum of every worker)'}`] : []),
      `  Database         ${database} (${workers === 1 ? 'follows' : 'each worker follows'} its change feed; manage APIs and keys through \`tollgate start\`)`,
      `  Limit counters   ${sharedCounters ? 'in Redis (REDIS_URL), shared by every node' : workers === 1 ? 'in this process' : 'in each worker: without REDIS_URL a client spread over the workers gets up to ' + workers + ' times its rate limits'}`,
      'Stop with Ctrl+C.',
      '',
    ].join('\n') + '\n',
  );
}

function stopOnSignals(stop: () => Promise<number>): void {
  const onSignal = (signal: string) => {
    process.stdout.write(`\n${signal} received: shutting down\n`);
    void stop().then((code) => process.exit(code));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}
