/**
 * Azure's user shared-access token (`POST /users/{id}/token`), computed from its definition with
 * node:crypto alone — not with src/domain/access-token.ts — so that the tests check Tollgate's
 * tokens against something other than Tollgate's own signing code:
 *
 *   {userId}&{expiry as yyyyMMddHHmm, UTC}&{base64(HMAC-SHA512(key, userId + "\n" + expiry))}
 *
 * The key is the instance's signing key of the requested keyType: 64 random bytes, stored as
 * base64 in service_settings (`signing.primary`, `signing.secondary`); the HMAC is keyed with the
 * bytes, the signed text is UTF-8.
 */
import { createHmac } from 'node:crypto';
import { expect } from 'vitest';
import type { TestServer } from './server.js';

/** The signing key of `keyType` as the database holds it, decoded (and checked to be 64 bytes of base64). */
export async function storedSigningKey(server: TestServer, keyType: 'primary' | 'secondary'): Promise<Buffer> {
  const stored = await server.app.store.settings.getSetting(`signing.${keyType}`);
  expect(stored, `signing.${keyType} in service_settings`).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
  const key = Buffer.from(stored!, 'base64');
  expect(key.toString('base64'), 'the stored key is canonical base64').toBe(stored);
  expect(key).toHaveLength(64);
  return key;
}

/** `expiry` as yyyyMMddHHmm in UTC: the minute it falls in (seconds are dropped, not rounded). */
export function tokenExpiry(expiry: Date): string {
  const iso = expiry.toISOString(); // yyyy-MM-ddTHH:mm:ss.sssZ
  return iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16);
}

/** The token Azure's definition gives for `userId`, `expiry` and `key`. */
export function expectedUserToken(key: Buffer, userId: string, expiry: Date): string {
  const exp = tokenExpiry(expiry);
  const signature = createHmac('sha512', key).update(`${userId}\n${exp}`, 'utf8').digest('base64');
  return `${userId}&${exp}&${signature}`;
}
