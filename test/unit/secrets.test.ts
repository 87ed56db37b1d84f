import { describe, expect, it } from 'vitest';
import { hashSecret, newSecret, secretsEqual } from '../../src/domain/secrets.js';

describe('newSecret', () => {
  it('is 256 random bits as base64url (43 characters, no padding)', () => {
    const secrets = new Set(Array.from({ length: 200 }, () => newSecret()));
    expect(secrets.size).toBe(200);
    for (const secret of secrets) {
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    }
  });
});

// An equivalent mutant, left alive: hash.update(text, '') falls back to UTF-8, the encoding it names.
describe('hashSecret', () => {
  it('is the SHA-256 of the UTF-8 text, in lowercase hex', () => {
    expect(hashSecret('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashSecret('é')).toBe('4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c');
    expect(hashSecret('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});

describe('secretsEqual', () => {
  it('is true for equal strings only', () => {
    const secret = newSecret();
    expect(secretsEqual(secret, `${secret}`)).toBe(true);
    expect(secretsEqual('', '')).toBe(true);
    expect(secretsEqual('abc', 'abd')).toBe(false);
    expect(secretsEqual('abc', 'ABC')).toBe(false);
  });

  it('compares strings of different lengths without throwing', () => {
    expect(secretsEqual('short', 'a much longer string')).toBe(false);
    expect(secretsEqual('', 'x')).toBe(false);
    expect(secretsEqual('abc', 'abc ')).toBe(false);
  });
});
