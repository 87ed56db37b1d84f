/**
 * Composition root of a gateway-only process (`tollgate gateway`): the database and the gateway's
 * listener on GATEWAY_PORT, nothing else — no management API, portal or outbox worker in the same
 * event loop, so nothing but proxying competes with the requests' latency. Several such nodes (and
 * `tollgate start`) can share one database: each follows the change feed.
 */
import pino from 'pino';
import type { Config } from './config.js';
import { systemClock, type Clock } from './domain/clock.js';
import { assertMigrated, openDatabase, type OpenDatabase, type OpenOptions } from './store/database.js';
import { createStore } from './store/index.js';
import { createGateway, type Gateway } from './gateway/index.js';
import { deploymentCounters } from './gateway/counters/deployment.js';
import { deploymentRecorder } from './gateway/analytics/deployment.js';

export interface GatewayNodeOptions {
  clock?: Clock;
  logStream?: NodeJS.WritableStream;
  database?: OpenOptions;
  /** Change feed poll interval (default: see GatewayOptions.pollIntervalMs). */
  pollIntervalMs?: number;
  /** Measurement hook (the benchmark): the gateway's own time per forwarded request. */
  onTiming?: (gatewayMs: number) => void;
}

export interface GatewayNode {
  database: OpenDatabase;
  gateway: Gateway;
  listen(): Promise<{ gatewayUrl: string; gatewayPort: number }>;
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
  const logger = pino({ level: config.logLevel }, options.logStream ?? process.stdout);
  const store = createStore(database.db, database.dialect);
  const clock = options.clock ?? systemClock;
  const gateway = createGateway({
    store,
    counters: deploymentCounters({ redisUrl: config.redisUrl, redisUnavailable: config.redisUnavailable, store, logger, clock }),
    notifications: database.notifications,
    clock,
    logger,
    upstreamTimeoutMs: config.gatewayTimeoutMs,
    limits: config.gatewayLimits,
    recorder: deploymentRecorder(config.analytics, store, logger),
    ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}),
    ...(options.onTiming ? { onTiming: options.onTiming } : {}),
  });
  return {
    database,
    gateway,
    async listen() {
      const { port } = await gateway.listen(config.gatewayPort, config.host);
      const host = config.host.includes(':') ? `[${config.host}]` : config.host;
      return { gatewayUrl: `http://${host}:${port}`, gatewayPort: port };
    },
    async close() {
      await gateway.close();
      await database.close();
    },
  };
}
