/**
 * Reading what a page is given in its URL: single query parameters, the local `returnTo` after
 * sign-in, the fixed status notices, and an email link's token.
 */
import type { FastifyRequest } from 'fastify';

/** A query parameter given once ('' when absent or repeated). */
export function queryParam(request: FastifyRequest, name: string): string {
  const query = request.query as Record<string, unknown> | undefined;
  const value = query && Object.prototype.hasOwnProperty.call(query, name) ? query[name] : undefined;
  return typeof value === 'string' ? value : '';
}

/**
 * A place to go back to after signing in: a path of this site only. `//host` and `/\host` are
 * other sites to a browser, and control characters or whitespace have no business in it.
 */
export function safeReturnTo(value: string): string | undefined {
  if (value.length === 0 || value.length > 2000) return undefined;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return undefined;
  if (/[\u0000-\u0020\u007f\\]/.test(value)) return undefined;
  return value;
}

/** The page that asks for a sign-in before going back to `returnTo`. */
export function signInLocation(returnTo: string | undefined, notice?: NoticeCode): string {
  const target = returnTo !== undefined ? safeReturnTo(returnTo) : undefined;
  const query = [
    ...(target && target !== '/profile' ? [`returnTo=${encodeURIComponent(target)}`] : []),
    ...(notice ? [`notice=${notice}`] : []),
  ];
  return query.length > 0 ? `/signin?${query.join('&')}` : '/signin';
}

/** Email link tokens are 43 base64url characters; anything far longer is not worth a database look-up. */
export const TOKEN_MAX_LENGTH = 200;

export function linkToken(value: string): string | undefined {
  return value !== '' && value.length <= TOKEN_MAX_LENGTH ? value : undefined;
}

/**
 * Short messages a redirect asks the next page to show (`?notice=`). Only these codes exist, so a
 * link cannot make a page say anything else.
 */
export const NOTICES = {
  'signed-out': 'You are signed out.',
  'account-closed': 'Your account is closed. We are sorry to see you go.',
  activated: 'Your account is active — sign in.',
  'password-reset': 'Your password was changed; sign in with the new one.',
  'email-changed': 'Your email address was changed.',
  'password-changed': 'Your password was changed. Your other sessions were signed out.',
  'email-sent': 'We sent a confirmation link to the new address. Your email address changes when you follow it.',
  'session-ended': 'Your session has ended. Sign in again to continue.',
} as const;

export type NoticeCode = keyof typeof NOTICES;

export function noticeOf(request: FastifyRequest, allowed: readonly NoticeCode[]): string | undefined {
  const code = queryParam(request, 'notice');
  return (allowed as readonly string[]).includes(code) ? NOTICES[code as NoticeCode] : undefined;
}
