/**
 * Ids unique within a test file, from a counter: `prefix-1`, `prefix-2`, … Without random bytes
 * they are the same on every run (the browser suites' screenshots stay the same); with them they
 * stay unique on a database that outlives one run.
 */
import { randomBytes } from 'node:crypto';

export interface UniqueIds {
  /** The next id: `prefix-<count>`, then `-<random hex>` when asked for. */
  (prefix: string): string;
  /** How many ids were made so far (the number in the last one). */
  readonly count: number;
}

export function uniqueIds(randomHexBytes = 0): UniqueIds {
  let count = 0;
  const next = (prefix: string): string => {
    count++;
    return randomHexBytes > 0 ? `${prefix}-${count}-${randomBytes(randomHexBytes).toString('hex')}` : `${prefix}-${count}`;
  };
  Object.defineProperty(next, 'count', { get: () => count });
  return next as UniqueIds;
}
