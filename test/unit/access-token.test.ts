import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  MAX_TOKEN_LIFETIME_MS,
  formatExpiry,
  signUserToken,
  signedByOneOf,
  splitUserToken,
  verifyUserToken,
} from '../../src/domain/access-token.js';

// Mutants still alive, all equivalent:
// - the expiry pattern without its ^ or its $: an expiry is also checked to read back as the same
//   text, which a longer one never does;
// - `last > 0 ?` → true or `>= 0`: with no '&' at all, or only at the start, the second search finds
//   none or the one at 0, and either is refused as no user id.

const key = randomBytes(64).toString('base64');
const other = randomBytes(64).toString('base64');
const now = new Date('2026-03-01T10:00:00Z');
const expiry = new Date('2026-03-05T12:34:56Z');

describe('user shared-access tokens', () => {
  it('have the Azure format {userId}&{yyyyMMddHHmm}&{base64 signature}', () => {
    const token = signUserToken(key, 'user-1', expiry);
    expect(token).toMatch(/^user-1&202603051234&[A-Za-z0-9+/]+=*$/);
    expect(formatExpiry(expiry)).toBe('202603051234');
  });

  it('verify with the signing key, including user ids that contain &', () => {
    expect(verifyUserToken(signUserToken(key, 'user-1', expiry), [key], now)).toBe('user-1');
    expect(verifyUserToken(signUserToken(key, 'a&b', expiry), [other, key], now)).toBe('a&b');
  });

  it('are refused with another key, after expiry, or when any part is changed', () => {
    const token = signUserToken(key, 'user-1', expiry);
    expect(verifyUserToken(token, [other], now)).toBeUndefined();
    expect(verifyUserToken(token, [key], new Date('2026-03-05T12:34:00Z'))).toBeUndefined();
    expect(verifyUserToken(token.replace('user-1', 'user-2'), [key], now)).toBeUndefined();
    expect(verifyUserToken(token.replace('202603051234', '202703051234'), [key], now)).toBeUndefined();
    expect(verifyUserToken('garbage', [key], now)).toBeUndefined();
    expect(verifyUserToken('a&b', [key], now)).toBeUndefined();
    expect(verifyUserToken('user&209913011234&', [key], now)).toBeUndefined();
    expect(verifyUserToken('user&202613451234&abc=', [key], now)).toBeUndefined();
  });
});

/** The signature Azure API Management makes: base64 HMAC-SHA512 of `{userId}\n{expiry}` under the base64 key. */
const azureSignature = (k: string, userId: string, expiryText: string) =>
  createHmac('sha512', Buffer.from(k, 'base64')).update(`${userId}\n${expiryText}`).digest('base64');

/** A token as Azure writes it, for any expiry text. */
const azureToken = (k: string, userId: string, expiryText: string) => `${userId}&${expiryText}&${azureSignature(k, userId, expiryText)}`;

describe('formatExpiry', () => {
  it('writes yyyyMMddHHmm in UTC, every field zero-padded, seconds dropped', () => {
    expect(formatExpiry(new Date('2026-01-02T03:04:59.999Z'))).toBe('202601020304');
    expect(formatExpiry(new Date('2026-12-31T23:59:00Z'))).toBe('202612312359');
    expect(formatExpiry(new Date('2026-06-30T22:30:00-02:00'))).toBe('202607010030');
    expect(formatExpiry(new Date('0999-09-09T09:09:00Z'))).toBe('099909090909');
  });
});

describe('shared-access tokens and Azure', () => {
  it('are the tokens Azure API Management makes with the same key', () => {
    expect(signUserToken(key, 'user-1', expiry)).toBe(`user-1&202603051234&${azureSignature(key, 'user-1', '202603051234')}`);
    expect(verifyUserToken(azureToken(key, 'a&b', '202603051234'), [key], now)).toBe('a&b');
  });

  it('read the key as base64: the same key with or without its padding signs alike', () => {
    const padded = randomBytes(64).toString('base64');
    expect(padded.endsWith('==')).toBe(true);
    const unpadded = padded.replace(/=+$/, '');
    expect(verifyUserToken(signUserToken(padded, 'user-1', expiry), [unpadded], now)).toBe('user-1');
  });

  it('are the lifetime the management API allows at most: 30 days', () => {
    expect(MAX_TOKEN_LIFETIME_MS).toBe(30 * 24 * 60 * 60 * 1000);
  });
});

describe('verifyUserToken', () => {
  const token = signUserToken(key, 'user-1', expiry);

  it('accepts a token until the minute of its expiry, and refuses it from then on', () => {
    expect(verifyUserToken(token, [key], new Date('2026-03-05T12:33:59.999Z'))).toBe('user-1');
    expect(verifyUserToken(token, [key], new Date('2026-03-05T12:34:00.000Z'))).toBeUndefined();
    expect(verifyUserToken(token, [key], new Date('2026-03-05T12:34:00.001Z'))).toBeUndefined();
    expect(verifyUserToken(token, [key], new Date('2027-01-01T00:00:00Z'))).toBeUndefined();
  });

  it('accepts any of the keys, in any order, and refuses without one', () => {
    expect(verifyUserToken(token, [key, other], now)).toBe('user-1');
    expect(verifyUserToken(token, [other, key], now)).toBe('user-1');
    expect(verifyUserToken(token, [], now)).toBeUndefined();
    expect(verifyUserToken(token, [other, randomBytes(64).toString('base64')], now)).toBeUndefined();
  });

  it('refuses a token whose user id, expiry or signature was changed', () => {
    const [user, exp, sig] = token.split('&') as [string, string, string];
    const bytes = Buffer.from(sig, 'base64');
    bytes[10] = (bytes[10] ?? 0) ^ 1;
    expect(verifyUserToken(`${user}&${exp}&${bytes.toString('base64')}`, [key], now)).toBeUndefined();
    expect(verifyUserToken(`user-2&${exp}&${sig}`, [key], now)).toBeUndefined();
    expect(verifyUserToken(`${user}&202603051235&${sig}`, [key], now)).toBeUndefined();
    // Another user's signature for the same expiry does not carry over.
    const another = signUserToken(key, 'user-2', expiry).split('&')[2];
    expect(verifyUserToken(`${user}&${exp}&${another}`, [key], now)).toBeUndefined();
  });

  it('refuses a short or long signature without throwing', () => {
    const sig = token.split('&')[2]!;
    const bytes = Buffer.from(sig, 'base64');
    expect(verifyUserToken(`user-1&202603051234&${bytes.subarray(0, 63).toString('base64')}`, [key], now)).toBeUndefined();
    expect(verifyUserToken(`user-1&202603051234&${Buffer.concat([bytes, Buffer.from([0])]).toString('base64')}`, [key], now)).toBeUndefined();
    expect(verifyUserToken('user-1&202603051234&', [key], now)).toBeUndefined();
    expect(verifyUserToken('user-1&202603051234&!!!', [key], now)).toBeUndefined();
  });

  it('splits user ids containing & from the right', () => {
    for (const userId of ['a&b', 'a&&b', '&a', 'a&', 'a&b&202603051234']) {
      expect(verifyUserToken(signUserToken(key, userId, expiry), [key], now), userId).toBe(userId);
    }
  });

  it('refuses an empty user id', () => {
    expect(verifyUserToken(signUserToken(key, '', expiry), [key], now)).toBeUndefined();
    expect(verifyUserToken(azureToken(key, '', '202603051234'), [key], now)).toBeUndefined();
  });

  it('refuses an expiry that is not a real yyyyMMddHHmm, even when signed', () => {
    for (const text of [
      '202602301200', // 30 February
      '202502291200', // 29 February of a common year
      '202613011200', // month 13
      '202600011200', // month 0
      '202603002359', // day 0
      '202603052400', // hour 24
      '202603051260', // minute 60
      '20260305123', // too short
      '2026030512345', // too long
      'x202603051234',
      '202603051234x',
      '2026-03-0512',
      '+20260305123',
      '',
    ]) {
      expect(verifyUserToken(azureToken(key, 'user-1', text), [key], now), text).toBeUndefined();
    }
    // A leap day is a real date.
    expect(verifyUserToken(azureToken(key, 'user-1', '202802291200'), [key], new Date('2028-02-01T00:00:00Z'))).toBe('user-1');
  });

  it('refuses tokens without three parts', () => {
    for (const t of ['garbage', '', '&', '&&', 'a&b', 'user-1&202603051234', '&202603051234&abc=', 'user-1&&abc=']) {
      expect(verifyUserToken(t, [key], now), t).toBeUndefined();
    }
  });
});

describe('splitUserToken', () => {
  it('gives the user id, the expiry (text and instant) and the last part', () => {
    expect(splitUserToken('a&b&202603051234&c2ln')).toEqual({
      userId: 'a&b',
      expiry: '202603051234',
      expiresAt: new Date('2026-03-05T12:34:00Z'),
      last: 'c2ln',
    });
    expect(splitUserToken('u&202603051234&')).toEqual({ userId: 'u', expiry: '202603051234', expiresAt: new Date('2026-03-05T12:34:00Z'), last: '' });
  });

  it('is undefined without three parts, an empty user id or a real expiry', () => {
    for (const t of ['u', 'ab202603051234c', 'u&202603051234', '&202603051234&x', '&u&x', 'u&202602301200&x', 'u&now&x']) {
      expect(splitUserToken(t), t).toBeUndefined();
    }
  });
});

describe('signedByOneOf', () => {
  const sig = (k: string) => Buffer.from(k);

  it('is whether any key makes the given signature', () => {
    expect(signedByOneOf(['a', 'b'], Buffer.from('b'), sig)).toBe(true);
    expect(signedByOneOf(['b', 'a'], Buffer.from('b'), sig)).toBe(true);
    expect(signedByOneOf(['a', 'c'], Buffer.from('b'), sig)).toBe(false);
    expect(signedByOneOf([], Buffer.from('b'), sig)).toBe(false);
  });

  it('is false for a signature of another length, without throwing', () => {
    expect(signedByOneOf(['ab'], Buffer.from('a'), sig)).toBe(false);
    expect(signedByOneOf(['a'], Buffer.from('ab'), sig)).toBe(false);
    expect(signedByOneOf(['a'], Buffer.alloc(0), sig)).toBe(false);
  });

  it('computes every key’s signature, whichever matches (no early return to time)', () => {
    const asked: string[] = [];
    signedByOneOf(['a', 'b', 'c'], Buffer.from('a'), (k) => {
      asked.push(k);
      return sig(k);
    });
    expect(asked).toEqual(['a', 'b', 'c']);
  });
});
