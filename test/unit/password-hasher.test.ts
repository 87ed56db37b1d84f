import argon2 from 'argon2';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DUMMY_HASH, createArgon2Hasher } from '../../src/services/password-hasher.js';

const PHC = /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/;

describe('argon2 password hasher', () => {
  const hasher = createArgon2Hasher();

  it('hashes with argon2id and the OWASP parameters (m=19456, t=2, p=1)', async () => {
    const hash = await hasher.hash('violet tundra mosaic harbor');
    expect(hash).toMatch(PHC);
    expect(hash.startsWith('$argon2id$v=19$m=19456,t=2,p=1$')).toBe(true);
  });

  it('salts every hash', async () => {
    const [a, b] = await Promise.all([hasher.hash('same password'), hasher.hash('same password')]);
    expect(a).not.toBe(b);
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hasher.hash('violet tundra mosaic harbor');
    expect(await hasher.verify(hash, 'violet tundra mosaic harbor')).toBe(true);
    expect(await hasher.verify(hash, 'violet tundra mosaic harbour')).toBe(false);
    expect(await hasher.verify(hash, 'Violet tundra mosaic harbor')).toBe(false);
    expect(await hasher.verify(hash, '')).toBe(false);
  });

  it('returns false, never throws, for a malformed hash', async () => {
    for (const malformed of [
      '',
      'not a hash',
      '$argon2id$',
      '$argon2id$v=19$m=19456,t=2,p=1$$',
      '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$',
      '$argon2id$v=19$m=abc,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNo',
      '$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy',
      '$argon2id$v=19$m=19456,t=2,p=1$vrPOpi3od5f/0JpFIePNdA$4b2G69lRPqxUf40D1lnmrj44YDLwvOFvpRiy1PFQZY',
    ]) {
      await expect(hasher.verify(malformed, 'anything at all')).resolves.toBe(false);
    }
  });

  it('normalizes with NFKC, so equivalent strings verify', async () => {
    const composed = await hasher.hash('caf\u00e9 cr\u00e8me br\u00fbl\u00e9e');
    expect(await hasher.verify(composed, 'cafe\u0301 cre\u0300me bru\u0302le\u0301e')).toBe(true);

    const fullWidth = await hasher.hash('ｐａｓｓｐｈｒａｓｅ ４２');
    expect(await hasher.verify(fullWidth, 'passphrase 42')).toBe(true);

    const ligature = await hasher.hash('oﬃce party');
    expect(await hasher.verify(ligature, 'office party')).toBe(true);
  });

  it('writes hashes that node-argon2 itself verifies', async () => {
    const hash = await hasher.hash('interoperable secret');
    expect(await argon2.verify(hash, 'interoperable secret')).toBe(true);
  });

  it('needsRehash: false for its own parameters, true for others', async () => {
    const hash = await hasher.hash('violet tundra mosaic harbor');
    expect(hasher.needsRehash(hash)).toBe(false);

    const other = createArgon2Hasher({ memoryCost: 8192, timeCost: 1, parallelism: 1 });
    expect(other.needsRehash(hash)).toBe(true);
    const otherHash = await other.hash('violet tundra mosaic harbor');
    expect(otherHash.startsWith('$argon2id$v=19$m=8192,t=1,p=1$')).toBe(true);
    expect(other.needsRehash(otherHash)).toBe(false);
    expect(hasher.needsRehash(otherHash)).toBe(true);
    // Hashes verify whatever parameters made them.
    expect(await hasher.verify(otherHash, 'violet tundra mosaic harbor')).toBe(true);

    expect(createArgon2Hasher({ timeCost: 3 }).needsRehash(hash)).toBe(true);
    expect(createArgon2Hasher({ parallelism: 2 }).needsRehash(hash)).toBe(true);
  });

  it('needsRehash: true for another argon2 variant or an unreadable hash', async () => {
    const argon2i = await argon2.hash('violet tundra mosaic harbor', {
      type: argon2.argon2i,
      memoryCost: 19456,
      timeCost: 2,
      parallelism: 1,
    });
    expect(hasher.needsRehash(argon2i)).toBe(true);
    expect(hasher.needsRehash('')).toBe(true);
    expect(hasher.needsRehash('$argon2id$garbage')).toBe(true);
  });

  it('dummyVerify resolves, for the default and for custom parameters', async () => {
    await expect(hasher.dummyVerify('whatever the user typed')).resolves.toBeUndefined();
    await expect(hasher.dummyVerify('')).resolves.toBeUndefined();
    const other = createArgon2Hasher({ memoryCost: 8192, timeCost: 1, parallelism: 1 });
    await expect(other.dummyVerify('whatever the user typed')).resolves.toBeUndefined();
    await expect(other.dummyVerify('again')).resolves.toBeUndefined();
  });

  it('dummyVerify costs what a real verification costs: its hash is a valid argon2id hash with the same parameters', async () => {
    // A dummy hash that failed to parse would make verify return at once, and unknown accounts
    // would be refused faster than known ones. needsRehash is false only for a readable argon2id
    // hash made with this hasher's own parameters.
    expect(DEFAULT_DUMMY_HASH).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(hasher.needsRehash(DEFAULT_DUMMY_HASH)).toBe(false);
    await expect(hasher.verify(DEFAULT_DUMMY_HASH, 'anything')).resolves.toBe(false);
  });
});
