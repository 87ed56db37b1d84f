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

const EMPTY = -1;
/** The table grows (doubles) past this load; linear probing stays short below it. */
const MAX_LOAD = 0.75;

export class DigestTable {
  private words: Uint32Array;
  private values: Int32Array;
  private mask: number;
  private count = 0;

  /** `expected`: how many entries it will hold soon, so that loading them never regrows it. */
  constructor(expected = 0) {
    let capacity = 1024;
    while (capacity * MAX_LOAD < expected) capacity *= 2;
    this.words = new Uint32Array(capacity * 4);
    this.values = new Int32Array(capacity).fill(EMPTY);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Bytes of the two arrays. */
  get bytes(): number {
    return this.words.byteLength + this.values.byteLength;
  }

  /** The value stored under the digest `d` (four words), or -1. */
  get(d: Uint32Array, at = 0): number {
    const { words, values, mask } = this;
    const a = d[at]!, b = d[at + 1]!, c = d[at + 2]!, e = d[at + 3]!;
    for (let i = a & mask; ; i = (i + 1) & mask) {
      const v = values[i]!;
      if (v === EMPTY) return EMPTY;
      const w = i * 4;
      if (words[w] === a && words[w + 1] === b && words[w + 2] === c && words[w + 3] === e) return v;
    }
  }

  /** Stores `value` (>= 0) under the digest; replaces the value of one already there. */
  set(d: Uint32Array, at: number, value: number): void {
    if ((this.count + 1) > (this.mask + 1) * MAX_LOAD) this.grow();
    const { words, values, mask } = this;
    const a = d[at]!, b = d[at + 1]!, c = d[at + 2]!, e = d[at + 3]!;
    for (let i = a & mask; ; i = (i + 1) & mask) {
      const w = i * 4;
      if (values[i] === EMPTY) {
        words[w] = a;
        words[w + 1] = b;
        words[w + 2] = c;
        words[w + 3] = e;
        values[i] = value;
        this.count++;
        return;
      }
      if (words[w] === a && words[w + 1] === b && words[w + 2] === c && words[w + 3] === e) {
        values[i] = value;
        return;
      }
    }
  }

  /** Removes the digest; false when it was not there. */
  delete(d: Uint32Array, at = 0): boolean {
    const { words, values, mask } = this;
    const a = d[at]!, b = d[at + 1]!, c = d[at + 2]!, e = d[at + 3]!;
    let i = a & mask;
    for (; ; i = (i + 1) & mask) {
      if (values[i] === EMPTY) return false;
      const w = i * 4;
      if (words[w] === a && words[w + 1] === b && words[w + 2] === c && words[w + 3] === e) break;
    }
    // Backward shift: move later members of the probe run into the hole, so lookups never need tombstones.
    for (let j = (i + 1) & mask; values[j] !== EMPTY; j = (j + 1) & mask) {
      const home = words[j * 4]! & mask;
      const between = i <= j ? home > i && home <= j : home > i || home <= j;
      if (between) continue;
      words.copyWithin(i * 4, j * 4, j * 4 + 4);
      values[i] = values[j]!;
      i = j;
    }
    values[i] = EMPTY;
    this.count--;
    return true;
  }

  private grow(): void {
    const oldWords = this.words;
    const oldValues = this.values;
    const capacity = (this.mask + 1) * 2;
    this.words = new Uint32Array(capacity * 4);
    this.values = new Int32Array(capacity).fill(EMPTY);
    this.mask = capacity - 1;
    this.count = 0;
    for (let i = 0; i < oldValues.length; i++) if (oldValues[i] !== EMPTY) this.set(oldWords, i * 4, oldValues[i]!);
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
