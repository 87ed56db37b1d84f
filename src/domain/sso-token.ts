/**
 * Single-sign-on tokens of the URLs the management API's generateSsoUrl hands out, in the form of
 * Azure's (`{userId}&{yyyyMMddHHmm}&{base64}`), but with a random nonce inside the last part:
 * `base64(nonce ‖ HMAC-SHA512(key, "sso\n" + userId + "\n" + expiry + "\n" + nonce))`. Every call
 * gives a new token, so each URL can be used once without spoiling the next one (the portal
 * records used tokens: src/services/tokens.ts markSsoUsed), and the signed text differs from a
 * shared-access token's (src/domain/access-token.ts), so one is never taken for the other.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { formatExpiry, signedByOneOf, splitUserToken } from './access-token.js';

const NONCE_BYTES = 16;

function signature(key: string, userId: string, expiry: string, nonce: Buffer): Buffer {
  return createHmac('sha512', Buffer.from(key, 'base64'))
    .update(`sso\n${userId}\n${expiry}\n${nonce.toString('base64')}`)
    .digest();
}

export function signSsoToken(key: string, userId: string, expiresAt: Date, nonce: Buffer = randomBytes(NONCE_BYTES)): string {
  const expiry = formatExpiry(expiresAt);
  return `${userId}&${expiry}&${Buffer.concat([nonce, signature(key, userId, expiry, nonce)]).toString('base64')}`;
}

/** The user id when the token is well-formed, signed by one of `keys` and not expired at `now`. */
export function verifySsoToken(token: string, keys: readonly string[], now: Date): string | undefined {
  const parts = splitUserToken(token);
  if (!parts || parts.expiresAt.getTime() <= now.getTime()) return undefined;
  const sealed = Buffer.from(parts.last, 'base64');
  if (sealed.length <= NONCE_BYTES) return undefined;
  const nonce = sealed.subarray(0, NONCE_BYTES);
  const given = sealed.subarray(NONCE_BYTES);
  return signedByOneOf(keys, given, (key) => signature(key, parts.userId, parts.expiry, nonce)) ? parts.userId : undefined;
}
