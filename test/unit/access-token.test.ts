import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { formatExpiry, signUserToken, verifyUserToken } from '../../src/domain/access-token.js';

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
