/**
 * Keeps the change feed from growing forever: every few minutes the rows older than the retention
 * go, a batch at a time (no long lock, the event loop given back between batches). A gateway that
 * was away longer than the retention finds the pruning mark past its position and loads
 * everything again (src/gateway/feed-follower.ts). Runs in the all-in-one process only.
 */
import type { ServiceDeps } from './deps.js';
import { backgroundJob, pruneInBatches, type BackgroundJob } from './background-pruning.js';

const BATCH = 10_000;
const DEFAULT_INTERVAL_MS = 5 * 60_000;

export interface FeedRetention extends BackgroundJob {
  /** Prunes now; returns how many rows went. */
  pruneNow(): Promise<number>;
}

export function createFeedRetention(
  deps: Pick<ServiceDeps, 'store' | 'clock'>,
  options: { retentionMs: number; intervalMs?: number; onError(error: unknown): void },
): FeedRetention {
  function pruneNow(): Promise<number> {
    const before = new Date(deps.clock.now().getTime() - options.retentionMs).toISOString();
    return pruneInBatches((batch) => deps.store.transaction((tx) => tx.changes.pruneChanges(before, batch)), BATCH);
  }
  return { pruneNow, ...backgroundJob(pruneNow, options.intervalMs ?? DEFAULT_INTERVAL_MS, options.onError) };
}
