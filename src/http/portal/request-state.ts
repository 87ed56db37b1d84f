/**
 * What the portal knows about one request: its cookies, the session behind `tg_session` (if it is
 * alive and its user active), the anonymous form token, and the cookies to send back. Kept beside
 * the request (a WeakMap) rather than as a Fastify decoration, so nothing outside the portal sees it.
 */
import type { FastifyRequest } from 'fastify';
import type { Client } from '../../services/accounts.js';
import type { ActiveSession } from '../../services/sessions.js';
import { CSRF_COOKIE, SESSION_COOKIE, clearCookie, parseCookies, serializeCookie } from '../web/cookies.js';
import { isAnonymousToken, newAnonymousToken } from '../web/csrf.js';

export interface RequestState {
  cookies: ReadonlyMap<string, string>;
  /** The raw session id from the cookie (whether or not it is still alive). */
  sessionId: string | undefined;
  session: ActiveSession | undefined;
  /** Set-Cookie values to send, one per cookie name (a later one replaces an earlier one). */
  outgoing: Map<string, string>;
  anonymousToken?: string;
}

const states = new WeakMap<FastifyRequest, RequestState>();

export function initState(request: FastifyRequest): RequestState {
  const cookies = parseCookies(request.headers.cookie);
  const state: RequestState = { cookies, sessionId: cookies.get(SESSION_COOKIE), session: undefined, outgoing: new Map() };
  states.set(request, state);
  return state;
}

/** The request's state; an empty one for a request the portal hooks did not see (an early error). */
export function stateOf(request: FastifyRequest): RequestState {
  return states.get(request) ?? initState(request);
}

export function hasState(request: FastifyRequest): boolean {
  return states.has(request);
}

/** Who is asking, for the audit log and the session row. */
export function clientOf(request: FastifyRequest): Client {
  const userAgent = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof userAgent === 'string' ? userAgent : undefined };
}

/** The value the anonymous forms of this page repeat; sets the `tg_csrf` cookie when there is none yet. */
export function anonymousToken(request: FastifyRequest, secure: boolean): string {
  const state = stateOf(request);
  if (state.anonymousToken) return state.anonymousToken;
  const existing = state.cookies.get(CSRF_COOKIE);
  if (isAnonymousToken(existing)) {
    state.anonymousToken = existing;
  } else {
    state.anonymousToken = newAnonymousToken();
    state.outgoing.set(CSRF_COOKIE, serializeCookie(CSRF_COOKIE, state.anonymousToken, { secure, sameSite: 'Strict' }));
  }
  return state.anonymousToken;
}

/** Hands the browser a new session id (sign-in, accepted invitation). */
export function setSessionCookie(request: FastifyRequest, sessionId: string, secure: boolean): void {
  stateOf(request).outgoing.set(SESSION_COOKIE, serializeCookie(SESSION_COOKIE, sessionId, { secure }));
}

/** Makes the browser forget its session id, and the rest of this request render as signed out. */
export function clearSessionCookie(request: FastifyRequest, secure: boolean): void {
  const state = stateOf(request);
  state.session = undefined;
  state.outgoing.set(SESSION_COOKIE, clearCookie(SESSION_COOKIE, { secure }));
}
