/**
 * The developer portal: server-rendered pages on PORT, working without JavaScript.
 *
 * Everything here is encapsulated in the portal's scope: its form body parser (the only body it
 * takes), its hooks (security headers, the session, the guards of signed-in pages, the CSRF check
 * of every POST, the cookies it sets) and its error handler (HTML pages, never JSON).
 *
 * Routes:
 *   GET  /                                home
 *   GET  /assets/portal.css               the stylesheet
 *   GET  /signin, POST /signin            sign in (returnTo: a local path)
 *   POST /signout                         sign out
 *   GET  /signup, POST /signup            sign up; GET /signup/check-email
 *   GET  /confirm/signup?token=, POST     activate a signed-up account
 *   GET  /invitation?token=, POST         accept an invitation (choose a password; signs in)
 *   GET  /forgot-password, POST           ask for a reset link; GET /forgot-password/sent
 *   GET  /reset-password?token=, POST     choose a new password
 *   GET  /profile                         the signed-in developer's profile
 *   POST /profile/password, /profile/email, /profile/close
 *   GET  /confirm/email?token=, POST      confirm a new email address
 *   POST /resend; GET /resend/sent        a new invitation or sign-up link for an expired one
 *   GET  /products, /products/{id}        the catalogue of the products the visitor's groups see
 *   POST /products/{id}/subscribe         subscribe (signed in)
 *   GET  /subscriptions                   My subscriptions: states, keys (signed in)
 *   POST /subscriptions/{sid}/regenerate, /subscriptions/{sid}/cancel
 *   GET  /assets/portal.js                the Copy buttons' script (the portal's only script)
 *   GET  /*                               HTML 404 for browsers (not under /subscriptions)
 */
import type { ProductService } from '../../services/products.js';
import type { ApiService } from '../../services/apis.js';
import type { SubscriptionService } from '../../services/subscriptions.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccountService } from '../../services/accounts.js';
import type { SessionService } from '../../services/sessions.js';
import { CSRF_COOKIE } from '../web/cookies.js';
import { policyOf, type PortalContext } from './context.js';
import { CSRF_FIELD, CsrfError, checkAnonymousToken, checkOrigin, checkSessionToken } from '../web/csrf.js';
import { portalErrorHandler } from './errors.js';
import { field, formOf, registerFormParser } from '../web/form.js';
import { applyNoStore, applySecurityHeaders } from '../web/headers.js';
import { seeOther } from './render.js';
import { clearSessionCookie, hasState, initState, stateOf } from './request-state.js';
import { signInLocation } from './request-input.js';
import { registerLinkRoutes } from './link-routes.js';
import { registerPasswordRoutes } from './password-routes.js';
import { registerProfileRoutes } from './profile-routes.js';
import { registerSignInRoutes } from './signin-routes.js';
import { registerSignUpRoutes } from './signup-routes.js';
import { registerSiteRoutes, wantsPortalNotFound } from './site-routes.js';
import { portalCatalogue } from './catalogue.js';
import { registerCatalogueRoutes } from './catalogue-routes.js';
import { registerSubscriptionRoutes } from './subscription-routes.js';

export interface PortalDeps {
  accounts: AccountService;
  sessions: SessionService;
  products: ProductService;
  apis: ApiService;
  subscriptions: SubscriptionService;
  /** Where developers call the APIs (the gateway's base URL), shown on product pages. */
  gatewayUrl: string;
  /** PUBLIC_URL: cookies are Secure when it is https. */
  publicUrl: string;
  organizationName: string;
}

/** The origin the browser itself names for this request (a form posted to the host it was served from). */
function ownOrigin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

export async function portalPlugin(app: FastifyInstance, deps: PortalDeps): Promise<void> {
  const portal: PortalContext = {
    accounts: deps.accounts,
    sessions: deps.sessions,
    organizationName: deps.organizationName,
    secure: deps.publicUrl.toLowerCase().startsWith('https:'),
    publicOrigin: new URL(deps.publicUrl).origin,
  };

  registerFormParser(app);
  app.setErrorHandler(portalErrorHandler(portal));

  // Security headers, and the session behind the cookie. A session that is gone (expired, signed
  // out elsewhere, its user blocked) is forgotten by the browser too.
  app.addHook('onRequest', async (request, reply) => {
    const policy = policyOf(request.routeOptions.config);
    if (!policy) return;
    if (policy.fallback && !wantsPortalNotFound(request.url, request.headers.accept)) return;
    const state = initState(request);
    applySecurityHeaders(reply);
    applyNoStore(reply);
    if (policy.session === false || state.sessionId === undefined) return;
    state.session = await deps.sessions.resolve(state.sessionId);
    if (!state.session) clearSessionCookie(request, portal.secure);
  });

  // Guards: signed-in pages need a session; every POST proves it comes from one of our forms.
  app.addHook('preHandler', async (request, reply) => {
    const policy = policyOf(request.routeOptions.config);
    if (!policy || !hasState(request)) return;
    const state = stateOf(request);
    if (policy.auth === 'required' && !state.session) {
      // A cookie whose session is gone (timed out, signed out elsewhere, the account blocked) says so.
      const notice = state.sessionId !== undefined ? 'session-ended' : undefined;
      return seeOther(reply, signInLocation(request.method === 'GET' ? request.url : '/profile', notice));
    }
    if (request.method !== 'POST') return;
    checkOrigin(request.headers, [portal.publicOrigin, ownOrigin(request)]);
    const given = field(formOf(request.body), CSRF_FIELD);
    if (policy.csrf === 'anonymous') {
      checkAnonymousToken(state.cookies.get(CSRF_COOKIE), given);
    } else if (policy.csrf === 'session') {
      // Only sign-out gets here without a session: it then just makes the browser forget its cookie.
      if (state.session) checkSessionToken(state.session.csrfSecret, given);
    } else {
      throw new CsrfError();
    }
    return;
  });

  // The cookies the request decided on, one Set-Cookie per name.
  app.addHook('onSend', async (request, reply, payload) => {
    if (hasState(request)) {
      for (const cookie of stateOf(request).outgoing.values()) reply.header('set-cookie', cookie);
    }
    return payload;
  });

  registerSiteRoutes(app, portal);
  registerSignInRoutes(app, portal);
  registerSignUpRoutes(app, portal);
  registerPasswordRoutes(app, portal);
  registerLinkRoutes(app, portal);
  registerProfileRoutes(app, portal);
  const catalogue = portalCatalogue(deps);
  registerCatalogueRoutes(app, portal, { catalogue, gatewayUrl: deps.gatewayUrl.replace(/\/+$/, '') });
  registerSubscriptionRoutes(app, portal, catalogue);
}
