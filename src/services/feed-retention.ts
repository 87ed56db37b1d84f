/**
 * Keeps the change feed from growing forever: every few minutes the rows older than the retention
 * go, a batch at a time (no long lock, the event loop given back between batches). A gateway that
 * was away longer than the retention finds the pruning mark past its position and loads
 * everything again (src/gateway/feed-follower.ts). Runs in the all-in-one process only.
 */
import type { ServiceDeps } from './deps.js';

const BATCH = 10_000;
const DEFAULT_INTERVAL_MS = 5 * 60_000;

export interface FeedRetention {
  /** Prunes now; returns how many rows went. */
  pruneNow(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

export function createFeedRetention(
  deps: Pick<ServiceDeps, 'store' | 'clock'>,
  options: { retentionMs: number; intervalMs?: number; onError(error: unknown): void },
): FeedRetention {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;

  async function pruneNow(): Promise<number> {
    const before = new Date(deps.clock.now().getTime() - options.retentionMs).toISOString();
    let total = 0;
    for (;;) {
      const removed = await deps.store.transaction((tx) => tx.changes.pruneChanges(before, BATCH));
      total += removed;
      if (removed < BATCH) return total;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  return {
    pruneNow,
    start() {
      if (timer) return;
      timer = setInterval(() => {
        running ??= pruneNow()
          .catch(options.onError)
          .finally(() => {
            running = undefined;
          });
      }, options.intervalMs ?? DEFAULT_INTERVAL_MS);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
