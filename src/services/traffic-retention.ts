/**
 * Keeps recorded traffic within its retention (ANALYTICS_RETENTION_DAYS for the per-minute
 * aggregates, ANALYTICS_REQUEST_LOG_RETENTION_DAYS for the sampled requests): every few minutes
 * the older rows go, a batch at a time, the event loop given back between batches. Runs in the
 * all-in-one process only (gateway nodes only add).
 */
import type { ServiceDeps } from './deps.js';

const BATCH = 10_000;
const DEFAULT_INTERVAL_MS = 10 * 60_000;

export interface TrafficRetention {
  /** Prunes now; returns how many rows went. */
  pruneNow(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

export function createTrafficRetention(
  deps: Pick<ServiceDeps, 'store' | 'clock'>,
  options: { retentionMs: number; requestLogRetentionMs: number; intervalMs?: number; onError(error: unknown): void },
): TrafficRetention {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;

  async function pruneAll(prune: (before: number, limit: number) => Promise<number>, before: number): Promise<number> {
    let total = 0;
    for (;;) {
      const removed = await prune(before, BATCH);
      total += removed;
      if (removed < BATCH) return total;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  async function pruneNow(): Promise<number> {
    const now = deps.clock.now().getTime();
    const traffic = deps.store.traffic;
    return (
      (await pruneAll((b, l) => traffic.pruneTrafficMinutes(b, l), now - options.retentionMs)) +
      (await pruneAll((b, l) => traffic.pruneTrafficRequests(b, l), now - options.requestLogRetentionMs))
    );
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
