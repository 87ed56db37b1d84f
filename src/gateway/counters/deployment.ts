/**
 * The counters a deployment uses, from its configuration: Redis when REDIS_URL is set (every node
 * shares each counter), else the gateway process's own with quotas kept in the database (so they
 * survive a restart; rate-limit windows of at most minutes start afresh). For createGateway's
 * `counters` option; the gateway closes them.
 */
import type { Clock } from '../../domain/clock.js';
import type { Store } from '../../store/index.js';
import type { GatewayLogger } from '../types.js';
import { createLocalCounters } from './local.js';
import { persistQuotas } from './persist.js';
import { createRedisCounters } from './redis.js';
import type { Counters } from './types.js';

export interface DeploymentCountersOptions {
  /** REDIS_URL. */
  redisUrl: string | undefined;
  /** REDIS_UNAVAILABLE. */
  redisUnavailable: 'allow' | 'refuse';
  store: Pick<Store, 'quotaCounters'>;
  logger: GatewayLogger;
  clock: Clock;
  /** How often quotas counted in process are written to the database (default 1 s: what a crash may lose). */
  flushIntervalMs?: number;
}

export function deploymentCounters(o: DeploymentCountersOptions): Counters {
  if (o.redisUrl) return createRedisCounters({ url: o.redisUrl, onUnavailable: o.redisUnavailable, logger: o.logger, clock: o.clock });
  return persistQuotas(createLocalCounters(), o.store, { flushIntervalMs: o.flushIntervalMs ?? 1_000, logger: o.logger, clock: o.clock });
}
