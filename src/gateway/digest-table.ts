/**
 * A hash table from 128-bit digests to small integers, held in two typed arrays: open addressing
 * with linear probing and backward-shift deletion (no tombstones), 20 bytes per bucket.
 *
 * Why not a Map<string, number>: for a million subscriptions (two million keys) a Map with
 * 43-character string keys takes about 110 bytes per key and two million objects the garbage
 * collector must visit on every major collection; this table takes 40 bytes per key (at its
 * usual load) and is two objects. The digests are HMAC outputs, uniformly distributed and unknown
 * to anyone without the instance's lookup key, so the first word is a fine bucket index and
 * nobody can aim collisions at one bucket.
 */

/** Stored values are value + 1, so that a new table is all "empty" without being filled. */
const EMPTY = 0;
/** Only in a table being moved out of: a deleted entry, passed over by lookups (see grow()). */
const GONE = -1;
/** The table grows (doubles) past this load; linear probing stays short below it. */
const MAX_LOAD = 0.75;
/** Buckets moved from the old table to the new one per write while growing. */
const MOVE_STEP = 2_048;

interface Buckets {
  words: Uint32Array;
  values: Int32Array;
  mask: number;
  /** Live entries. */
  count: number;
}

function buckets(capacity: number): Buckets {
  return { words: new Uint32Array(capacity * 4), values: new Int32Array(capacity), mask: capacity - 1, count: 0 };
}

/** Where the digest d[at..at+3] is in `b`, or -1. */
function find(b: Buckets, d: Uint32Array, at: number): number {
  const { words, values, mask } = b;
  const a = d[at]!, c1 = d[at + 1]!, c2 = d[at + 2]!, c3 = d[at + 3]!;
  for (let i = a & mask; ; i = (i + 1) & mask) {
    const v = values[i]!;
    if (v === EMPTY) return -1;
    const w = i * 4;
    if (v !== GONE && words[w] === a && words[w + 1] === c1 && words[w + 2] === c2 && words[w + 3] === c3) return i;
  }
}

/** Puts the digest with `stored` (value + 1) in `b`, replacing the value of one already there. */
function put(b: Buckets, d: Uint32Array, at: number, stored: number): void {
  const { words, values, mask } = b;
  const a = d[at]!, c1 = d[at + 1]!, c2 = d[at + 2]!, c3 = d[at + 3]!;
  for (let i = a & mask; ; i = (i + 1) & mask) {
    const w = i * 4;
    const v = values[i]!;
    if (v === EMPTY) {
      words[w] = a;
      words[w + 1] = c1;
      words[w + 2] = c2;
      words[w + 3] = c3;
      values[i] = stored;
      b.count++;
      return;
    }
    if (words[w] === a && words[w + 1] === c1 && words[w + 2] === c2 && words[w + 3] === c3) {
      values[i] = stored;
      return;
    }
  }
}

/** Takes bucket i out of `b` by backward shift, so that lookups never need tombstones. */
function remove(b: Buckets, i: number): void {
  const { words, values, mask } = b;
  for (let j = (i + 1) & mask; values[j] !== EMPTY; j = (j + 1) & mask) {
    const home = words[j * 4]! & mask;
    const between = i <= j ? home > i && home <= j : home > i || home <= j;
    if (between) continue;
    words.copyWithin(i * 4, j * 4, j * 4 + 4);
    values[i] = values[j]!;
    i = j;
  }
  values[i] = EMPTY;
  b.count--;
}

class DigestShard {
  private current: Buckets;
  /** While growing: the table entries are being moved out of, a MOVE_STEP of buckets per write. */
  private old: Buckets | undefined;
  private moved = 0;
  private readonly moveStep: number;

  constructor(expected: number, shape: TableShape) {
    let capacity = shape.minCapacity ?? 64;
    while (capacity * MAX_LOAD < expected) capacity *= 2;
    this.current = buckets(capacity);
    this.moveStep = shape.moveStep ?? MOVE_STEP;
  }

  get size(): number {
    return this.current.count + (this.old?.count ?? 0);
  }

  /** Bytes of the arrays (both tables while growing). */
  get bytes(): number {
    const of = (b: Buckets | undefined) => (b ? b.words.byteLength + b.values.byteLength : 0);
    return of(this.current) + of(this.old);
  }

  /** The value stored under the digest d[at..at+3], or -1. */
  get(d: Uint32Array, at = 0): number {
    let i = find(this.current, d, at);
    if (i >= 0) return this.current.values[i]! - 1;
    if (!this.old) return -1;
    i = find(this.old, d, at);
    return i >= 0 ? this.old.values[i]! - 1 : -1;
  }

  /** Stores `value` (>= 0) under the digest; replaces the value of one already there. */
  set(d: Uint32Array, at: number, value: number): void {
    this.moveSome();
    if (!this.old && this.current.count + 1 > (this.current.mask + 1) * MAX_LOAD) this.grow();
    // The digest may be in the table being moved out of (it just became that): it moves now.
    if (this.old) this.forgetOld(d, at);
    put(this.current, d, at, value + 1);
  }

  /** Removes the digest; false when it was not there. */
  delete(d: Uint32Array, at = 0): boolean {
    this.moveSome();
    const i = find(this.current, d, at);
    if (i >= 0) {
      remove(this.current, i);
      return true;
    }
    return this.old ? this.forgetOld(d, at) : false;
  }

  /**
   * Doubles the table without stopping: the entries move to the new one a MOVE_STEP of buckets
   * per write (a full rehash of two million keys held the event loop for ~270 ms). Meanwhile
   * lookups try both; the old table is only ever marked (GONE), never shifted, so the sweep
   * through it misses nothing.
   */
  private grow(): void {
    this.old = this.current;
    this.moved = 0;
    this.current = buckets((this.old.mask + 1) * 2);
  }

  private moveSome(): void {
    const old = this.old;
    if (!old) return;
    const end = Math.min(old.values.length, this.moved + this.moveStep);
    for (let i = this.moved; i < end; i++) {
      const v = old.values[i]!;
      if (v > 0) {
        put(this.current, old.words, i * 4, v);
        old.values[i] = GONE;
        old.count--;
      }
    }
    this.moved = end;
    if (end === old.values.length) this.old = undefined;
  }

  /** Marks the digest gone from the old table; true when it was there. */
  private forgetOld(d: Uint32Array, at: number): boolean {
    const old = this.old!;
    const i = find(old, d, at);
    if (i < 0) return false;
    old.values[i] = GONE;
    old.count--;
    return true;
  }
}

/** Independent tables, chosen by a digest's second word: each grows on its own, a 64th of the whole. */
const SHARDS = 64;

export interface TableShape {
  /** The smallest size of a shard (tests: a tiny one is seen growing). */
  minCapacity?: number;
  /** Buckets moved per write while a shard grows (tests). */
  moveStep?: number;
}

export class DigestTable {
  private readonly shards: DigestShard[];

  /**
   * `expected`: how many entries it will hold soon, so that loading them never regrows it.
   * Growing costs a 64th of the table, spread over writes: allocating one table of 2^23 buckets
   * at once took ~70 ms.
   */
  constructor(expected = 0, shape: TableShape = {}) {
    this.shards = Array.from({ length: SHARDS }, () => new DigestShard(Math.ceil(expected / SHARDS), shape));
  }

  get size(): number {
    let n = 0;
    for (const shard of this.shards) n += shard.size;
    return n;
  }

  get bytes(): number {
    let n = 0;
    for (const shard of this.shards) n += shard.bytes;
    return n;
  }

  /** The value stored under the digest d[at..at+3], or -1. */
  get(d: Uint32Array, at = 0): number {
    return this.shards[d[at + 1]! & (SHARDS - 1)]!.get(d, at);
  }

  /** Stores `value` (>= 0) under the digest; replaces the value of one already there. */
  set(d: Uint32Array, at: number, value: number): void {
    this.shards[d[at + 1]! & (SHARDS - 1)]!.set(d, at, value);
  }

  /** Removes the digest; false when it was not there. */
  delete(d: Uint32Array, at = 0): boolean {
    return this.shards[d[at + 1]! & (SHARDS - 1)]!.delete(d, at);
  }
}

const BASE64URL = new Int8Array(128).fill(-1);
for (const [i, ch] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'].entries()) BASE64URL[ch.charCodeAt(0)] = i;

/**
 * Writes the first 128 bits of a base64url digest (the stored lookup hashes' form; at least 22
 * characters) into out[at..at+3]. False when the text is not such a digest.
 */
export function digestWords(text: string, out: Uint32Array, at = 0): boolean {
  if (text.length < 22) return false;
  let acc = 0;
  let bits = 0;
  let word = 0;
  let bytes = 0;
  let index = at;
  for (let i = 0; i < 22; i++) {
    const code = text.charCodeAt(i);
    const v = code < 128 ? BASE64URL[code]! : -1;
    if (v < 0) return false;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits < 8) continue;
    bits -= 8;
    word = ((word << 8) | ((acc >>> bits) & 0xff)) >>> 0;
    acc &= (1 << bits) - 1;
    if (++bytes % 4 === 0) {
      out[index++] = word;
      word = 0;
    }
  }
  return true;
}
