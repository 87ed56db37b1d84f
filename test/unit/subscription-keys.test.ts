import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { lookupHash, newSubscriptionKey, seal, unseal, type KeyRing } from '../../src/domain/subscription-keys.js';

const ring = (): KeyRing => ({ sealing: randomBytes(32).toString('base64'), lookup: randomBytes(32).toString('base64') });

describe('newSubscriptionKey', () => {
  it('is 256 random bits as 64 lowercase hex digits', () => {
    const keys = new Set(Array.from({ length: 200 }, () => newSubscriptionKey()));
    expect(keys.size).toBe(200);
    for (const key of keys) expect(key).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('seal and unseal', () => {
  const r = ring();

  it('round-trip any text, including the empty string and non-ASCII', () => {
    for (const plain of [newSubscriptionKey(), '', 'ünïcode 😀', 'x'.repeat(1000)]) {
      expect(unseal(r, seal(r, plain))).toBe(plain);
    }
  });

  it("write v1.<iv>.<tag>.<ciphertext>: a 96-bit IV, a 128-bit tag and the text's length in bytes", () => {
    const sealed = seal(r, 'ünïcode');
    const parts = sealed.split('.');
    expect(parts).toHaveLength(4);
    const [version, iv, tag, body] = parts as [string, string, string, string];
    expect(version).toBe('v1');
    expect(Buffer.from(iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(tag, 'base64')).toHaveLength(16);
    expect(Buffer.from(body, 'base64')).toHaveLength(Buffer.byteLength('ünïcode', 'utf8'));
    expect(sealed).not.toContain('ünïcode');
  });

  it('use a new IV each time, so the same key never seals the same way twice', () => {
    const key = newSubscriptionKey();
    const sealed = new Set(Array.from({ length: 50 }, () => seal(r, key)));
    expect(sealed.size).toBe(50);
    expect(new Set([...sealed].map((s) => s.split('.')[1])).size).toBe(50);
  });

  it('refuse another sealing key', () => {
    const sealed = seal(r, 'secret');
    expect(() => unseal(ring(), sealed)).toThrow();
  });

  it('refuse a tampered ciphertext, IV or tag', () => {
    const [version, iv, tag, body] = seal(r, 'secret-key').split('.') as [string, string, string, string];
    const flip = (b64: string): string => {
      const bytes = Buffer.from(b64, 'base64');
      bytes[0] = (bytes[0] ?? 0) ^ 1;
      return bytes.toString('base64');
    };
    expect(() => unseal(r, [version, iv, tag, flip(body)].join('.'))).toThrow();
    expect(() => unseal(r, [version, flip(iv), tag, body].join('.'))).toThrow();
    expect(() => unseal(r, [version, iv, flip(tag), body].join('.'))).toThrow();
    expect(unseal(r, [version, iv, tag, body].join('.'))).toBe('secret-key');
  });

  it('refuse what is not a v1 sealed key', () => {
    const [, iv, tag, body] = seal(r, 'k').split('.') as [string, string, string, string];
    for (const bad of [
      ['v2', iv, tag, body].join('.'),
      ['', iv, tag, body].join('.'),
      ['v1', '', tag, body].join('.'),
      ['v1', iv, '', body].join('.'),
      ['v1', iv, tag].join('.'),
      'v1',
      '',
    ]) {
      expect(() => unseal(r, bad), bad).toThrow('unreadable sealed key');
    }
  });
});

describe('lookupHash', () => {
  it('is the HMAC-SHA256 of the key under the lookup key, as base64url', () => {
    // RFC 4231, test case 2: key "Jefe", data "what do ya want for nothing?".
    const jefe = { lookup: Buffer.from('Jefe').toString('base64') };
    const expected = Buffer.from('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843', 'hex').toString('base64url');
    expect(lookupHash(jefe, 'what do ya want for nothing?')).toBe(expected);
    expect(lookupHash(jefe, 'what do ya want for nothing?')).toBe(expected);
    expect(lookupHash(jefe, 'é')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('differs by key and by lookup key, and does not depend on the sealing key', () => {
    const a = ring();
    const b = ring();
    const key = newSubscriptionKey();
    expect(lookupHash(a, key)).not.toBe(lookupHash(a, newSubscriptionKey()));
    expect(lookupHash(a, key)).not.toBe(lookupHash(b, key));
    const other: KeyRing = { ...a, sealing: b.sealing };
    expect(lookupHash({ lookup: a.lookup }, key)).toBe(lookupHash(other, key));
  });

  // Equivalent mutants, left alive: the cache of decoded HMAC keys (when it is consulted, when it is
  // emptied) only saves work, and update(text, '') falls back to UTF-8, the encoding it names.
  it('gives the same hashes while many lookup keys come and go', () => {
    // The decoded HMAC keys are cached (and the cache is emptied past 16 entries): invisible to callers.
    const rings = Array.from({ length: 40 }, ring);
    const first = rings.map((r) => lookupHash(r, 'k'));
    expect(new Set(first).size).toBe(40);
    const again = [...rings].reverse().map((r) => lookupHash(r, 'k')).reverse();
    expect(again).toEqual(first);
  });
});
