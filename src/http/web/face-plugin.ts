/**
 * The hooks every browser face runs, in its own encapsulated scope (the portal's and the admin
 * UI's are siblings; neither's hooks see the other's routes, nor the management API's):
 * - onRequest: security headers, no-store, and the session behind the face's cookie (a session
 *   that is gone is forgotten by the browser too);
 * - preHandler: a route that needs a session, without one, sends the browser to the face's
 *   sign-in page (303; a GET keeps its address as returnTo, and a dead session says so); every
 *   POST must come from our own origin and carry the form token its policy asks for;
 * - onSend: the cookies the request decided on, one Set-Cookie per name;
 * - the form body parser and the HTML error handler.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SessionService } from '../../services/sessions.js';
import { CSRF_FIELD, CsrfError, checkAnonymousToken, checkOrigin, checkSessionToken } from './csrf.js';
import { pageErrorHandler, type FailurePage } from './errors.js';
import { policyOf, type PagePolicy, type WebFace } from './face.js';
import { field, formOf, registerFormParser } from './form.js';
import { applyNoStore, applySecurityHeaders } from './headers.js';
import { seeOther } from './notices.js';
import { clearSessionCookie, hasState, initState, stateOf } from './request-state.js';
import { localReturnTo } from './return-to.js';

export interface FaceOptions {
  face: WebFace;
  sessions: SessionService;
  /** The largest form the face takes. */
  formLimit?: number;
  /** The face's error page. */
  failurePage: FailurePage;
  /** For a `fallback` route: whether the request gets the face's page (else the route leaves it alone). */
  wantsPage?: (request: FastifyRequest) => boolean;
}

/** The origin the browser itself names for this request (a form posted to the host it was served from). */
function ownOrigin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

/** Where a visitor without a session goes: the sign-in page, back to `returnTo` afterwards, with why. */
export function signInLocation(face: WebFace, returnTo: string | undefined, notice?: string): string {
  const target = returnTo !== undefined ? localReturnTo(returnTo, face.cookiePath) : undefined;
  if (target === face.home) return signInLocation(face, undefined, notice);
  const query = [...(target ? [`returnTo=${encodeURIComponent(target)}`] : []), ...(notice ? [`notice=${notice}`] : [])];
  return query.length > 0 ? `${face.signInPath}?${query.join('&')}` : face.signInPath;
}

function authOf(face: WebFace, policy: PagePolicy): 'required' | 'none' {
  return policy.auth ?? face.defaultAuth;
}

export function registerFace(app: FastifyInstance, options: FaceOptions): void {
  const { face, sessions } = options;
  registerFormParser(app, options.formLimit);
  app.setErrorHandler(pageErrorHandler(face.name, options.failurePage));

  app.addHook('onRequest', async (request, reply) => {
    const policy = policyOf(request.routeOptions.config);
    if (!policy) return;
    if (policy.fallback && !(options.wantsPage?.(request) ?? true)) return;
    const state = initState(request, face);
    applySecurityHeaders(reply, { script: face.script });
    applyNoStore(reply);
    if (policy.session === false || state.sessionId === undefined) return;
    state.session = await sessions.resolve(state.sessionId, face.scope);
    if (!state.session) clearSessionCookie(request);
  });

  app.addHook('preHandler', async (request, reply) => {
    const policy = policyOf(request.routeOptions.config);
    if (!policy || !hasState(request)) return;
    const state = stateOf(request);
    if (authOf(face, policy) === 'required' && !state.session) {
      // A cookie whose session is gone (timed out, signed out elsewhere, the account blocked) says so.
      const notice = state.sessionId !== undefined ? 'session-ended' : undefined;
      return seeOther(reply, signInLocation(face, request.method === 'GET' ? request.url : undefined, notice));
    }
    if (request.method !== 'POST') return;
    checkOrigin(request.headers, [face.publicOrigin, ownOrigin(request)]);
    const given = field(formOf(request.body), CSRF_FIELD);
    const csrf = policy.csrf ?? 'session';
    if (csrf === 'anonymous') checkAnonymousToken(state.cookies.get(face.csrfCookie), given);
    else if (state.session) checkSessionToken(state.session.csrfSecret, given);
    else if (csrf !== 'session-if-signed-in') throw new CsrfError();
    return;
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (hasState(request)) {
      for (const cookie of stateOf(request).outgoing.values()) reply.header('set-cookie', cookie);
    }
    return payload;
  });
}
