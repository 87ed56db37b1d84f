/**
 * Keeps recorded traffic within its retention (ANALYTICS_RETENTION_DAYS for the aggregates of
 * every resolution, ANALYTICS_REQUEST_LOG_RETENTION_DAYS for the sampled requests): every few
 * minutes the older rows go, a batch at a time. Runs in the all-in-one process only (gateway
 * nodes only add).
 */
import type { ServiceDeps } from './deps.js';
import { backgroundJob, pruneInBatches, type BackgroundJob } from './background-pruning.js';

const BATCH = 10_000;
const DEFAULT_INTERVAL_MS = 10 * 60_000;

export interface TrafficRetention extends BackgroundJob {
  /** Prunes now; returns how many rows went. */
  pruneNow(): Promise<number>;
}

export function createTrafficRetention(
  deps: Pick<ServiceDeps, 'store' | 'clock'>,
  options: { retentionMs: number; requestLogRetentionMs: number; intervalMs?: number; onError(error: unknown): void },
): TrafficRetention {
  async function pruneNow(): Promise<number> {
    const now = deps.clock.now().getTime();
    const traffic = deps.store.traffic;
    return (
      (await pruneInBatches((batch) => traffic.pruneTrafficMinutes(now - options.retentionMs, batch), BATCH)) +
      (await pruneInBatches((batch) => traffic.pruneTrafficRequests(now - options.requestLogRetentionMs, batch), BATCH))
    );
  }
  return { pruneNow, ...backgroundJob(pruneNow, options.intervalMs ?? DEFAULT_INTERVAL_MS, options.onError) };
}
