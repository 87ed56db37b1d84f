/**
 * Subscription keys for seeding, made in a worker thread: sealing and hashing two keys per
 * subscription costs about as much CPU as inserting the row (some 40 µs each on the benchmark's
 * machine), so the next batch's keys are made while the current batch is written.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { lookupHash, newSubscriptionKey, seal, type KeyRing } from '../../src/domain/subscription-keys.js';

/** The key columns of `count` subscriptions, column by column (cheap to pass between threads), and the primary keys in clear. */
export interface KeyColumns {
  primary: string[];
  primarySealed: string[];
  secondarySealed: string[];
  primaryLookup: string[];
  secondaryLookup: string[];
}

function makeKeys(ring: KeyRing, count: number): KeyColumns {
  const out: KeyColumns = { primary: [], primarySealed: [], secondarySealed: [], primaryLookup: [], secondaryLookup: [] };
  for (let i = 0; i < count; i++) {
    const primary = newSubscriptionKey();
    const secondary = newSubscriptionKey();
    out.primary.push(primary);
    out.primarySealed.push(seal(ring, primary));
    out.secondarySealed.push(seal(ring, secondary));
    out.primaryLookup.push(lookupHash(ring, primary));
    out.secondaryLookup.push(lookupHash(ring, secondary));
  }
  return out;
}

export interface KeyMaker {
  /** Keys for `count` subscriptions; calls are answered in order. */
  make(count: number): Promise<KeyColumns>;
  close(): Promise<void>;
}

export function keyMaker(ring: KeyRing): KeyMaker {
  const worker = new Worker(new URL(import.meta.url), { workerData: ring });
  const waiting: { resolve(k: KeyColumns): void; reject(e: unknown): void }[] = [];
  worker.on('message', (keys: KeyColumns) => waiting.shift()?.resolve(keys));
  worker.on('error', (error) => {
    for (const w of waiting.splice(0)) w.reject(error);
  });
  return {
    make(count) {
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        worker.postMessage(count);
      });
    },
    close: async () => {
      await worker.terminate();
    },
  };
}

if (!isMainThread) {
  const ring = workerData as KeyRing;
  parentPort!.on('message', (count: number) => parentPort!.postMessage(makeKeys(ring, count)));
}
