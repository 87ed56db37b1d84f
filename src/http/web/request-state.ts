/**
 * What a face knows about one browser request: its cookies, the session behind the face's cookie
 * (alive, of the face's scope, its user still allowed in), the anonymous form token, and the
 * cookies to send back. Kept beside the request (a WeakMap) rather than as a Fastify decoration,
 * so nothing outside the face sees it; set up by the face's hooks (src/http/web/face-plugin.ts).
 */
import type { FastifyRequest } from 'fastify';
import type { Client } from '../../services/accounts.js';
import type { ActorContext } from '../../services/audit.js';
import type { ActiveSession } from '../../services/sessions.js';
import { clearCookie, parseCookies, serializeCookie } from './cookies.js';
import { isAnonymousToken, newAnonymousToken, sessionFormToken } from './csrf.js';
import type { WebFace } from './face.js';

export interface RequestState {
  face: WebFace;
  cookies: ReadonlyMap<string, string>;
  /** The raw session id from the cookie (whether or not it is still alive). */
  sessionId: string | undefined;
  session: ActiveSession | undefined;
  /** Set-Cookie values to send, one per cookie name (a later one replaces an earlier one). */
  outgoing: Map<string, string>;
  anonymousToken?: string;
}

const states = new WeakMap<FastifyRequest, RequestState>();

export function initState(request: FastifyRequest, face: WebFace): RequestState {
  const cookies = parseCookies(request.headers.cookie);
  const state: RequestState = { face, cookies, sessionId: cookies.get(face.sessionCookie), session: undefined, outgoing: new Map() };
  states.set(request, state);
  return state;
}

/** Whether the face's hooks saw the request (an error raised before them leaves it without). */
export function hasState(request: FastifyRequest): boolean {
  return states.has(request);
}

/** The request's state; for a request the hooks did not see (an early error), an empty one of `face`. */
export function stateOf(request: FastifyRequest, face?: WebFace): RequestState {
  const state = states.get(request);
  if (state) return state;
  if (!face) throw new Error('a page was rendered for a request its face did not see');
  return initState(request, face);
}

/** The live session, if any. */
export function currentSession(request: FastifyRequest): ActiveSession | undefined {
  return states.get(request)?.session;
}

/** The live session of a route that requires one (the guard redirected otherwise). */
export function sessionOf(request: FastifyRequest): ActiveSession {
  const session = currentSession(request);
  if (!session) throw new Error('a signed-in route ran without a session (the guard should have redirected)');
  return session;
}

/** The token every form of a signed-in page carries. */
export function formToken(request: FastifyRequest): string {
  return sessionFormToken(sessionOf(request).csrfSecret);
}

/** Who is asking, for the audit log and the session row. */
export function clientOf(request: FastifyRequest): Client {
  const userAgent = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof userAgent === 'string' ? userAgent : undefined };
}

/** Who is acting, for the audit log: the signed-in user (developer or administrator), from this address. */
export function actorOf(request: FastifyRequest): ActorContext {
  return { actor: `user:${sessionOf(request).user.id}`, ip: request.ip };
}

/** The value the anonymous forms of this page repeat; sets the face's form-token cookie when there is none yet. */
export function anonymousToken(request: FastifyRequest): string {
  const state = stateOf(request);
  if (state.anonymousToken) return state.anonymousToken;
  const { face } = state;
  const existing = state.cookies.get(face.csrfCookie);
  if (isAnonymousToken(existing)) {
    state.anonymousToken = existing;
  } else {
    state.anonymousToken = newAnonymousToken();
    state.outgoing.set(face.csrfCookie, serializeCookie(face.csrfCookie, state.anonymousToken, { secure: face.secure, sameSite: 'Strict', path: face.cookiePath }));
  }
  return state.anonymousToken;
}

/** Hands the browser a new session id (sign-in, accepted invitation, setup). */
export function setSessionCookie(request: FastifyRequest, sessionId: string): void {
  const { face, outgoing } = stateOf(request);
  outgoing.set(face.sessionCookie, serializeCookie(face.sessionCookie, sessionId, { secure: face.secure, sameSite: face.sameSite, path: face.cookiePath }));
}

/** Makes the browser forget its session id, and the rest of this request render as signed out. */
export function clearSessionCookie(request: FastifyRequest): void {
  const state = stateOf(request);
  const { face } = state;
  state.session = undefined;
  state.outgoing.set(face.sessionCookie, clearCookie(face.sessionCookie, { secure: face.secure, sameSite: face.sameSite, path: face.cookiePath }));
}
