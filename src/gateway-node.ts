/**
 * Composition root of a gateway-only process (`tollgate gateway`): the database and the gateway's
 * listener on GATEWAY_PORT, nothing else — no management API, portal or outbox worker in the same
 * event loop, so nothing but proxying competes with the requests' latency. Several such nodes (and
 * `tollgate start`) can share one database: each follows the change feed.
 */
import type { Config } from './config.js';
import { systemClock, type Clock } from './domain/clock.js';
import { assertMigrated, openDatabase, type OpenDatabase, type OpenOptions } from './store/database.js';
import { createStore } from './store/index.js';
import { createGateway, type Gateway } from './gateway/index.js';
import { deploymentCounters } from './gateway/counters/deployment.js';
import { deploymentRecorder } from './gateway/analytics/deployment.js';
import { createLogger } from './ops/logger.js';
import { createNodeOps } from './ops/node-ops.js';
import type { Registry } from 'prom-client';

export interface GatewayNodeOptions {
  clock?: Clock;
  logStream?: NodeJS.WritableStream;
  database?: OpenOptions;
  /** Change feed poll interval (default: see GatewayOptions.pollIntervalMs). */
  pollIntervalMs?: number;
  /** Measurement hook (the benchmark): the gateway's own time per forwarded request. */
  onTiming?: (gatewayMs: number) => void;
  /** false: count metrics but leave METRICS_PORT to the cluster's primary (a worker). */
  serveMetrics?: boolean;
}

export interface GatewayNode {
  database: OpenDatabase;
  gateway: Gateway;
  /** The node's metrics (undefined without METRICS_PORT): a cluster worker's primary asks for them. */
  metrics(): Registry | undefined;
  /** metricsPort: where /metrics is served (undefined: not here). */
  listen(): Promise<{ gatewayUrl: string; gatewayPort: number; metricsPort: number | undefined }>;
  close(): Promise<void>;
}

/**
 * Opens the database (which `tollgate start` or `tollgate migrate` must have prepared: a gateway
 * node never changes the schema) and builds the gateway.
 */
export async function createGatewayNode(config: Config, options: GatewayNodeOptions = {}): Promise<GatewayNode> {
  const database = await openDatabase(config.databaseUrl, options.database);
  try {
    await assertMigrated(database.db, database.dialect);
  } catch (error) {
    await database.close();
    throw error;
  }
  const logger = createLogger({ level: config.logLevel, stream: options.logStream });
  const store = createStore(database.db, database.dialect);
  const clock = options.clock ?? systemClock;
  const ops = createNodeOps({ config, logger, serve: options.serveMetrics ?? true });
  const recorder = deploymentRecorder(config.analytics, store, logger);
  const gateway = createGateway({
    store,
    counters: deploymentCounters({ redisUrl: config.redisUrl, redisUnavailable: config.redisUnavailable, store, logger, clock }),
    notifications: database.notifications,
    clock,
    logger,
    upstreamTimeoutMs: config.gatewayTimeoutMs,
    limits: config.gatewayLimits,
    recorder,
    sinks: ops.sinks,
    ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}),
    ...(options.onTiming ? { onTiming: options.onTiming } : {}),
  });
  ops.watch({ gateway, recorder });
  return {
    database,
    gateway,
    metrics: () => ops.registry(),
    async listen() {
      const { port } = await gateway.listen(config.gatewayPort, config.host);
      const metricsPort = await ops.listen();
      const host = config.host.includes(':') ? `[${config.host}]` : config.host;
      return { gatewayUrl: `http://${host}:${port}`, gatewayPort: port, metricsPort };
    },
    async close() {
      await ops.close();
      await gateway.close();
      await database.close();
    },
  };
}
