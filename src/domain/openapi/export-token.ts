/**
 * The token of an export's download link (`/export/apis/{token}`): which API, in which format,
 * until when, signed so that only this instance can make one:
 * `base64url(JSON {a, f, e}) . base64url(HMAC-SHA256(key, "api-export\n" + payload))`. The
 * signed text starts with its purpose, so no other token of the instance's keys is taken for it.
 */
import { createHmac } from 'node:crypto';
import { signedByOneOf } from '../access-token.js';

export interface ExportGrant {
  apiId: string;
  format: string;
  expiresAt: Date;
}

function signature(key: string, payload: string): Buffer {
  return createHmac('sha256', Buffer.from(key, 'base64')).update(`api-export\n${payload}`).digest();
}

export function signExportToken(key: string, grant: ExportGrant): string {
  const payload = Buffer.from(JSON.stringify({ a: grant.apiId, f: grant.format, e: grant.expiresAt.getTime() })).toString('base64url');
  return `${payload}.${signature(key, payload).toString('base64url')}`;
}

/** The grant when the token is well-formed, signed by one of `keys` and not expired at `now`. */
export function verifyExportToken(token: string, keys: readonly string[], now: Date): ExportGrant | undefined {
  const [payload, sig, extra] = token.split('.');
  if (!payload || !sig || extra !== undefined) return undefined;
  if (!signedByOneOf(keys, Buffer.from(sig, 'base64url'), (key) => signature(key, payload))) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const { a, f, e } = (body ?? {}) as { a?: unknown; f?: unknown; e?: unknown };
  if (typeof a !== 'string' || typeof f !== 'string' || typeof e !== 'number' || e <= now.getTime()) return undefined;
  return { apiId: a, format: f, expiresAt: new Date(e) };
}
