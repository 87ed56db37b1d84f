/**
 * Cross-site request forgery protection for every portal POST.
 *
 * - A signed-in form carries `_csrf` = HMAC-SHA256(session's csrfSecret, FORM_PURPOSE): only a page
 *   rendered for that session knows it, and it dies with the session.
 * - An anonymous form (sign-in, sign-up, links...) uses a double-submit cookie: `tg_csrf` holds a
 *   random value (HttpOnly, SameSite=Strict) that the form repeats in `_csrf`. Another site can
 *   neither read the cookie nor set it.
 * - An `Origin` header, when the browser sends a real one, must be the portal's own origin;
 *   `Sec-Fetch-Site: cross-site` is refused too.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { AppError } from '../../domain/errors.js';

export const CSRF_FIELD = '_csrf';
const FORM_PURPOSE = 'tollgate-portal-form-v1';
const ANONYMOUS_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The refusal of a POST that does not prove it comes from one of our pages. */
export class CsrfError extends AppError {
  constructor() {
    super('forbidden', 'FormExpired', 'The form expired, please try again.');
  }
}

export function sessionFormToken(csrfSecret: string): string {
  return createHmac('sha256', csrfSecret).update(FORM_PURPOSE).digest('base64url');
}

export function newAnonymousToken(): string {
  return randomBytes(32).toString('base64url');
}

export function isAnonymousToken(value: string | undefined): value is string {
  return value !== undefined && ANONYMOUS_TOKEN.test(value);
}

/** Constant-time equality; strings of different lengths are simply unequal. */
export function tokensEqual(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  if (a.length !== b.length || a.length === 0) return false;
  return timingSafeEqual(a, b);
}

export function checkSessionToken(csrfSecret: string, given: string): void {
  if (!tokensEqual(sessionFormToken(csrfSecret), given)) throw new CsrfError();
}

export function checkAnonymousToken(cookie: string | undefined, given: string): void {
  if (!isAnonymousToken(cookie) || !tokensEqual(cookie, given)) throw new CsrfError();
}

/**
 * The request comes from a page of ours, as far as the browser says. `Origin: null` is what a
 * browser sends for a form posted from a page with `Referrer-Policy: no-referrer` (ours), so it
 * counts as "not told"; the form token decides.
 */
export function checkOrigin(headers: IncomingHttpHeaders, allowed: readonly string[]): void {
  const site = headers['sec-fetch-site'];
  if (typeof site === 'string' && site.toLowerCase() === 'cross-site') throw new CsrfError();
  const origin = headers.origin;
  if (origin === undefined || origin === 'null') return;
  let normalized: string;
  try {
    normalized = new URL(origin).origin;
  } catch {
    throw new CsrfError();
  }
  if (!allowed.includes(normalized)) throw new CsrfError();
}
