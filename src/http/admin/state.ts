/**
 * What the admin UI knows about one request: its cookies, the administrator's session behind
 * `tg_admin` (alive, of the admin scope, its user active and still in Administrators), the
 * anonymous form token, and the cookies to send back. Both admin cookies are HttpOnly,
 * SameSite=Strict and sent to /admin only: a developer-portal session never opens the admin UI.
 */
import type { FastifyRequest } from 'fastify';
import type { Client } from '../../services/accounts.js';
import type { ActiveSession } from '../../services/sessions.js';
import type { ActorContext } from '../../services/audit.js';
import { clearCookie, parseCookies, serializeCookie } from '../web/cookies.js';
import { isAnonymousToken, newAnonymousToken, sessionFormToken } from '../web/csrf.js';

export const ADMIN_SESSION_COOKIE = 'tg_admin';
export const ADMIN_CSRF_COOKIE = 'tg_admin_csrf';
export const ADMIN_PATH = '/admin';

export interface AdminRequestState {
  cookies: ReadonlyMap<string, string>;
  sessionId: string | undefined;
  session: ActiveSession | undefined;
  outgoing: Map<string, string>;
  anonymousToken?: string;
}

const states = new WeakMap<FastifyRequest, AdminRequestState>();

export function initAdminState(request: FastifyRequest): AdminRequestState {
  const cookies = parseCookies(request.headers.cookie);
  const state: AdminRequestState = { cookies, sessionId: cookies.get(ADMIN_SESSION_COOKIE), session: undefined, outgoing: new Map() };
  states.set(request, state);
  return state;
}

export function adminStateOf(request: FastifyRequest): AdminRequestState {
  return states.get(request) ?? initAdminState(request);
}

export function hasAdminState(request: FastifyRequest): boolean {
  return states.has(request);
}

/** The signed-in administrator's session; the guards make sure every authenticated route has one. */
export function adminSession(request: FastifyRequest): ActiveSession {
  const session = adminStateOf(request).session;
  if (!session) throw new Error('admin route without a session (the guard should have redirected)');
  return session;
}

/** The token every form of a signed-in page carries. */
export function adminFormToken(request: FastifyRequest): string {
  return sessionFormToken(adminSession(request).csrfSecret);
}

/** Who is acting, for the audit log: the administrator, from this address. */
export function adminActor(request: FastifyRequest): ActorContext {
  return { actor: `user:${adminSession(request).user.id}`, ip: request.ip };
}

export function clientOf(request: FastifyRequest): Client {
  const userAgent = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof userAgent === 'string' ? userAgent : undefined };
}

/** The anonymous form token of the sign-in and setup pages (double-submit cookie). */
export function adminAnonymousToken(request: FastifyRequest, secure: boolean): string {
  const state = adminStateOf(request);
  if (state.anonymousToken) return state.anonymousToken;
  const existing = state.cookies.get(ADMIN_CSRF_COOKIE);
  if (isAnonymousToken(existing)) {
    state.anonymousToken = existing;
  } else {
    state.anonymousToken = newAnonymousToken();
    state.outgoing.set(ADMIN_CSRF_COOKIE, serializeCookie(ADMIN_CSRF_COOKIE, state.anonymousToken, { secure, sameSite: 'Strict', path: ADMIN_PATH }));
  }
  return state.anonymousToken;
}

export function setAdminSessionCookie(request: FastifyRequest, sessionId: string, secure: boolean): void {
  adminStateOf(request).outgoing.set(ADMIN_SESSION_COOKIE, serializeCookie(ADMIN_SESSION_COOKIE, sessionId, { secure, sameSite: 'Strict', path: ADMIN_PATH }));
}

export function clearAdminSessionCookie(request: FastifyRequest, secure: boolean): void {
  const state = adminStateOf(request);
  state.session = undefined;
  state.outgoing.set(ADMIN_SESSION_COOKIE, clearCookie(ADMIN_SESSION_COOKIE, { secure, sameSite: 'Strict', path: ADMIN_PATH }));
}
