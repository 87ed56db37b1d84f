/** The gateway's digest table against a Map, under random puts and deletes, and the base64url digest reader. */
import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DigestTable, digestWords } from '../../src/gateway/digest-table.js';

const words = (text: string) => {
  const out = new Uint32Array(4);
  expect(digestWords(text, out)).toBe(true);
  return out;
};

describe('digestWords', () => {
  it('reads the first 16 bytes of a base64url digest, big-endian per word', () => {
    for (let i = 0; i < 200; i++) {
      const digest = createHmac('sha256', 'k').update(String(i)).digest();
      const out = words(digest.toString('base64url'));
      expect([...out]).toEqual([0, 1, 2, 3].map((w) => digest.readUInt32BE(w * 4)));
    }
  });

  it('refuses what is not a digest: too short, or characters outside base64url', () => {
    const out = new Uint32Array(4);
    expect(digestWords('abc', out)).toBe(false);
    expect(digestWords('crowd-p-1', out)).toBe(false);
    expect(digestWords('a'.repeat(21) + '+', out)).toBe(false);
    expect(digestWords('é'.repeat(43), out)).toBe(false);
  });
});

describe('DigestTable', () => {
  it('behaves as a Map under any sequence of puts and deletes, also while it grows, with backward-shift deletion', () => {
    // Few distinct first words force long probe runs and wrapping, where deletion is hardest.
    const digest = fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 3 })).map(([a, b]) => Uint32Array.of(a, b, 7, 9));
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), d: digest, v: fc.nat(1000) }),
      fc.record({ kind: fc.constant('delete' as const), d: digest }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), fc.constantFrom(1024, 4), fc.integer({ min: 1, max: 3 }), (ops, minCapacity, moveStep) => {
        // A tiny table moving a bucket or three per write is caught growing at every step.
        const table = new DigestTable(0, { minCapacity, moveStep });
        const model = new Map<string, number>();
        for (const o of ops) {
          const key = [...o.d].join(',');
          if (o.kind === 'set') {
            table.set(o.d, 0, o.v);
            model.set(key, o.v);
          } else {
            expect(table.delete(o.d)).toBe(model.delete(key));
          }
          expect(table.size).toBe(model.size);
          expect(table.get(o.d)).toBe(model.get(key) ?? -1);
        }
        for (let a = 0; a <= 40; a++) {
          for (let b = 0; b <= 3; b++) expect(table.get(Uint32Array.of(a, b, 7, 9))).toBe(model.get(`${a},${b},7,9`) ?? -1);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('holds a digest once when putting it again is what makes the table grow (fast-check found this)', () => {
    const table = new DigestTable(0, { minCapacity: 4, moveStep: 1 });
    const d = (a: number) => Uint32Array.of(a, 3, 7, 9);
    table.set(d(0), 0, 0);
    table.set(d(1), 0, 0);
    table.set(d(2), 0, 0);
    table.set(d(0), 0, 5);
    expect(table.size).toBe(3);
    expect(table.get(d(0))).toBe(5);
    expect(table.delete(d(0))).toBe(true);
    expect(table.get(d(0))).toBe(-1);
    expect(table.size).toBe(2);
  });

  it('holds many random digests (it grows) and finds each, and only those', () => {
    const table = new DigestTable();
    const keys = Array.from({ length: 20_000 }, () => words(randomBytes(32).toString('base64url')));
    keys.forEach((k, i) => table.set(k, 0, i));
    expect(table.size).toBe(keys.length);
    keys.forEach((k, i) => expect(table.get(k)).toBe(i));
    expect(table.get(words(randomBytes(32).toString('base64url')))).toBe(-1);
    for (let i = 0; i < keys.length; i += 2) table.delete(keys[i]!);
    keys.forEach((k, i) => expect(table.get(k)).toBe(i % 2 === 0 ? -1 : i));
  });

  it('is sized up front for what it is told to expect: about 40 bytes per entry at its usual load', () => {
    const table = new DigestTable(2_000_000);
    expect(table.bytes / 2_000_000).toBeLessThanOrEqual(42);
  });
});
