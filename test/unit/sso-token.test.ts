import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signUserToken, verifyUserToken } from '../../src/domain/access-token.js';
import { signSsoToken, verifySsoToken } from '../../src/domain/sso-token.js';

// Mutants still alive: the guard on a last part of at most 16 bytes (the nonce alone) → false or `<`.
// Equivalent: such a part leaves an empty signature, which no key makes.

const key = randomBytes(64).toString('base64');
const other = randomBytes(64).toString('base64');
const now = new Date('2026-03-01T10:00:00Z');
const expiry = new Date('2026-03-01T10:10:30Z');

/** The token's three parts, the last one as bytes. */
function parts(token: string): { userId: string; expiry: string; sealed: Buffer } {
  const last = token.lastIndexOf('&');
  const middle = token.lastIndexOf('&', last - 1);
  return { userId: token.slice(0, middle), expiry: token.slice(middle + 1, last), sealed: Buffer.from(token.slice(last + 1), 'base64') };
}

const join = (userId: string, exp: string, sealed: Buffer) => `${userId}&${exp}&${sealed.toString('base64')}`;

function flip(bytes: Buffer, at: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] = (copy[at] ?? 0) ^ 0x01;
  return copy;
}

describe('SSO tokens', () => {
  it('have the form {userId}&{yyyyMMddHHmm}&{base64 of a 16-byte nonce and a 64-byte signature}', () => {
    const nonce = Buffer.alloc(16, 7);
    const token = signSsoToken(key, 'user-1', expiry, nonce);
    expect(token).toMatch(/^user-1&202603011010&[A-Za-z0-9+/]+=*$/);
    const { sealed } = parts(token);
    expect(sealed).toHaveLength(80);
    expect(sealed.subarray(0, 16).equals(nonce)).toBe(true);
    // The same nonce gives the same token.
    expect(signSsoToken(key, 'user-1', expiry, nonce)).toBe(token);
  });

  it('differ every time: each has a new random nonce', () => {
    const tokens = Array.from({ length: 50 }, () => signSsoToken(key, 'user-1', expiry));
    expect(new Set(tokens).size).toBe(50);
    const nonces = tokens.map((t) => parts(t).sealed.subarray(0, 16).toString('hex'));
    expect(new Set(nonces).size).toBe(50);
    for (const t of tokens) {
      expect(parts(t).sealed).toHaveLength(80);
      expect(verifySsoToken(t, [key], now)).toBe('user-1');
    }
  });

  it('verify with the signing key among others, including user ids that contain &', () => {
    expect(verifySsoToken(signSsoToken(key, 'user-1', expiry), [key], now)).toBe('user-1');
    expect(verifySsoToken(signSsoToken(key, 'user-1', expiry), [other, key], now)).toBe('user-1');
    expect(verifySsoToken(signSsoToken(key, 'user-1', expiry), [key, other], now)).toBe('user-1');
    for (const userId of ['a&b', 'a&&b', '&a', 'a&202603011010']) {
      expect(verifySsoToken(signSsoToken(key, userId, expiry), [key], now), userId).toBe(userId);
    }
  });

  it('read the key as base64: the same key with or without its padding signs alike', () => {
    const padded = randomBytes(64).toString('base64');
    expect(verifySsoToken(signSsoToken(padded, 'user-1', expiry), [padded.replace(/=+$/, '')], now)).toBe('user-1');
  });

  it('are refused with other keys or none', () => {
    const token = signSsoToken(key, 'user-1', expiry);
    expect(verifySsoToken(token, [other], now)).toBeUndefined();
    expect(verifySsoToken(token, [], now)).toBeUndefined();
  });

  it('are refused from the minute of their expiry on', () => {
    const token = signSsoToken(key, 'user-1', expiry);
    expect(verifySsoToken(token, [key], new Date('2026-03-01T10:09:59.999Z'))).toBe('user-1');
    expect(verifySsoToken(token, [key], new Date('2026-03-01T10:10:00.000Z'))).toBeUndefined();
    expect(verifySsoToken(token, [key], new Date('2026-03-01T10:10:00.001Z'))).toBeUndefined();
    expect(verifySsoToken(token, [key], new Date('2026-04-01T00:00:00Z'))).toBeUndefined();
  });

  it('are refused when the user id, the expiry, the nonce or the signature was changed', () => {
    const token = signSsoToken(key, 'user-1', expiry);
    const { userId, expiry: exp, sealed } = parts(token);
    expect(verifySsoToken(join('user-2', exp, sealed), [key], now)).toBeUndefined();
    expect(verifySsoToken(join(userId, '202603011011', sealed), [key], now)).toBeUndefined();
    expect(verifySsoToken(join(userId, exp, flip(sealed, 0)), [key], now)).toBeUndefined();
    expect(verifySsoToken(join(userId, exp, flip(sealed, 15)), [key], now)).toBeUndefined();
    expect(verifySsoToken(join(userId, exp, flip(sealed, 16)), [key], now)).toBeUndefined();
    expect(verifySsoToken(join(userId, exp, flip(sealed, 79)), [key], now)).toBeUndefined();
    // Another token's nonce with this one's signature.
    const second = parts(signSsoToken(key, 'user-1', expiry)).sealed;
    expect(verifySsoToken(join(userId, exp, Buffer.concat([second.subarray(0, 16), sealed.subarray(16)])), [key], now)).toBeUndefined();
    expect(verifySsoToken(join(userId, exp, sealed), [key], now)).toBe('user-1');
  });

  it('are not shared-access tokens, and shared-access tokens are not SSO tokens', () => {
    expect(verifyUserToken(signSsoToken(key, 'user-1', expiry), [key], now)).toBeUndefined();
    expect(verifySsoToken(signUserToken(key, 'user-1', expiry), [key], now)).toBeUndefined();
  });

  it('are refused when malformed: missing parts, an expiry that is no real date, a short last part', () => {
    const { sealed } = parts(signSsoToken(key, 'user-1', expiry));
    for (const token of [
      '',
      'garbage',
      'user-1&202603011010',
      `&202603011010&${sealed.toString('base64')}`,
      `user-1&&${sealed.toString('base64')}`,
      `user-1&20260230101&${sealed.toString('base64')}`,
      `user-1&202602301010&${sealed.toString('base64')}`,
      `user-1&2026-03-01&${sealed.toString('base64')}`,
      'user-1&202603011010&',
      `user-1&202603011010&${sealed.subarray(0, 16).toString('base64')}`,
      `user-1&202603011010&${sealed.subarray(0, 17).toString('base64')}`,
      `user-1&202603011010&${sealed.subarray(0, 79).toString('base64')}`,
      `user-1&202603011010&${Buffer.concat([sealed, Buffer.from([1])]).toString('base64')}`,
    ]) {
      expect(verifySsoToken(token, [key], now), token).toBeUndefined();
    }
  });
});
