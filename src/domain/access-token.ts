/**
 * Shared-access tokens for users, in Azure API Management's format:
 * `{userId}&{yyyyMMddHHmm}&{base64 HMAC-SHA512(key, userId + "\n" + expiry)}`. The expiry is part of
 * the signed text, so it cannot be stretched; verification compares signatures in constant time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const MAX_TOKEN_LIFETIME_MS = 30 * 24 * 60 * 60 * 1000;

export function formatExpiry(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    String(date.getUTCFullYear()).padStart(4, '0') +
    pad(date.getUTCMonth() + 1) +
    pad(date.getUTCDate()) +
    pad(date.getUTCHours()) +
    pad(date.getUTCMinutes())
  );
}

function parseExpiry(text: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi));
  return formatExpiry(date) === text ? date : undefined;
}

function sign(key: string, userId: string, expiry: string): string {
  return createHmac('sha512', Buffer.from(key, 'base64')).update(`${userId}\n${expiry}`).digest('base64');
}

export function signUserToken(key: string, userId: string, expiry: Date): string {
  const exp = formatExpiry(expiry);
  return `${userId}&${exp}&${sign(key, userId, exp)}`;
}

/**
 * The three parts of a token of this form, `{userId}&{expiry}&{last}`; user ids may contain '&',
 * so the token is split from the right. Undefined when it has not three parts or its expiry is
 * not a real `yyyyMMddHHmm`.
 */
export function splitUserToken(token: string): { userId: string; expiry: string; expiresAt: Date; last: string } | undefined {
  const last = token.lastIndexOf('&');
  const middle = last > 0 ? token.lastIndexOf('&', last - 1) : -1;
  if (middle <= 0) return undefined;
  const expiry = token.slice(middle + 1, last);
  const expiresAt = parseExpiry(expiry);
  return expiresAt ? { userId: token.slice(0, middle), expiry, expiresAt, last: token.slice(last + 1) } : undefined;
}

/** Whether `given` equals the signature one of `keys` makes, compared in constant time. */
export function signedByOneOf(keys: readonly string[], given: Buffer, signatureWith: (key: string) => Buffer): boolean {
  let ok = false;
  for (const key of keys) {
    const expected = signatureWith(key);
    if (expected.length === given.length && timingSafeEqual(expected, given)) ok = true;
  }
  return ok;
}

/** Returns the user id when the token is well-formed, signed by one of `keys` and not expired. */
export function verifyUserToken(token: string, keys: readonly string[], now: Date): string | undefined {
  const parts = splitUserToken(token);
  if (!parts || parts.expiresAt.getTime() <= now.getTime()) return undefined;
  const given = Buffer.from(parts.last, 'base64');
  return signedByOneOf(keys, given, (key) => Buffer.from(sign(key, parts.userId, parts.expiry), 'base64')) ? parts.userId : undefined;
}
