/**
 * What every retention job shares: prune in batches (no long lock, the event loop given back
 * between batches) until a batch comes back short, and run that every few minutes in the
 * background, one run at a time, waited for on stop.
 */

/** Calls `prune(batch)` until it removes fewer than `batch` rows; returns how many went in all. */
export async function pruneInBatches(prune: (batch: number) => Promise<number>, batch: number): Promise<number> {
  let total = 0;
  for (;;) {
    const removed = await prune(batch);
    total += removed;
    if (removed < batch) return total;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

export interface BackgroundJob {
  start(): void;
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

/** Runs `run` every `intervalMs` (never two at once); a failure goes to `onError` and the next run tries again. */
export function backgroundJob(run: () => Promise<unknown>, intervalMs: number, onError: (error: unknown) => void): BackgroundJob {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  return {
    start() {
      if (timer) return;
      timer = setInterval(() => {
        running ??= run()
          .catch(onError)
          .finally(() => {
            running = undefined;
          });
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
