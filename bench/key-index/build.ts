/**
 * One representation of the key index built in this process (run with --expose-gc): what it adds
 * to the heap and array buffers per subscription, and how long a full garbage collection takes
 * with it alive. Started by run.ts, one child per representation, so neither sees the other's heap.
 *
 *   node --expose-gc dist/bench/key-index/build.js map|index N
 */
import { randomBytes } from 'node:crypto';
import { KeyIndex } from '../../src/gateway/access.js';

const kind = process.argv[2];
const n = Number(process.argv[3]);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc || (kind !== 'map' && kind !== 'index') || !Number.isInteger(n)) throw new Error('usage: node --expose-gc build.js map|index N');

// Lookups as the store holds them (43-character base64url HMACs), made per row and dropped after,
// as rows read from the database are: only what the representation keeps is counted.
const pool = randomBytes(1 << 16);
const lookup = (i: number) => {
  const at = (i * 37) % (pool.length - 32);
  const bytes = Buffer.from(pool.subarray(at, at + 32));
  bytes.writeUInt32BE(i >>> 0, 0);
  return bytes.toString('base64url');
};
const owners = Math.max(1, Math.floor(n / 5));
const measure = () => {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

const before = measure();
let kept: unknown;
if (kind === 'map') {
  // What the gateway held before issue 10: one object per subscription, under both key strings.
  const apiIds = new Set(['echo']);
  const map = new Map<string, object>();
  for (let i = 0; i < n; i++) {
    const entry = { subscriptionId: `subscription-${i}`, state: 'active', ownerId: `user-${i % owners}`, ownerState: 'active', apiIds, productUnpublished: false, expiresAt: undefined };
    map.set(lookup(2 * i), entry);
    map.set(lookup(2 * i + 1), entry);
  }
  kept = map;
} else {
  const index = new KeyIndex(n);
  index.setProduct('p', { id: 'p', published: true, apiIds: new Set(['echo']) });
  for (let i = 0; i < n; i++) {
    index.upsertSubscription({
      id: `subscription-${i}`,
      ownerId: `user-${i % owners}`,
      ownerState: 'active',
      scope: '/products/p',
      state: 'active',
      expirationDate: null,
      primaryLookup: lookup(2 * i),
      secondaryLookup: lookup(2 * i + 1),
    });
  }
  kept = index;
}
const after = measure();
const started = performance.now();
gc();
const gcMs = performance.now() - started;
const estimate = kept instanceof KeyIndex ? kept.bytes / n : undefined;
process.stdout.write(JSON.stringify({ kind, n, bytesPerSubscription: (after - before) / n, fullGcMs: gcMs, estimate }) + '\n');
