/**
 * The admin UI: server-rendered pages under /admin on PORT, for members of Administrators only,
 * working without JavaScript. Built on the same services as the management API (no business rule
 * is written twice) and on the portal's web plumbing (escaped HTML, forms, CSRF, security headers).
 *
 * Encapsulated like the portal: its form parser, its hooks and its error handler apply to its own
 * routes only. Every route carries an AdminRoutePolicy (context.ts):
 * - onRequest: security headers, no-store, and the admin session behind `tg_admin` (admin scope,
 *   active user, still in Administrators);
 * - preHandler: signed-in routes without a session go to /admin/signin (303); every POST must come
 *   from our own origin and carry the session's form token (or, before sign-in, the anonymous one).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CSRF_FIELD, CsrfError, checkAnonymousToken, checkOrigin, checkSessionToken } from '../web/csrf.js';
import { field, formOf, registerFormParser } from '../web/form.js';
import { applyNoStore, applySecurityHeaders } from '../web/headers.js';
import { adminErrorHandler } from './errors.js';
import { adminPolicyOf, type AdminContext, type AdminDeps } from './context.js';
import { redirectWithNotice } from './render.js';
import { registerAdminHomeRoutes } from './home-routes.js';
import { registerAdminSignInRoutes } from './signin-routes.js';
import { ADMIN_CSRF_COOKIE, adminStateOf, clearAdminSessionCookie, hasAdminState, initAdminState } from './state.js';
import { registerUserPages } from './users/routes.js';
import { registerGroupPages } from './groups/routes.js';
import { registerCatalogPages } from './catalog/routes.js';
import { registerSubscriptionPages } from './subscriptions/routes.js';
import { registerKeyPages } from './keys/routes.js';
import { registerTemplatePages } from './templates/routes.js';
import { registerOutboxPages } from './outbox/routes.js';
import { registerAuditPages } from './audit/routes.js';

export type { AdminDeps } from './context.js';

/** Email templates can be long: the admin UI takes forms up to 256 KiB. */
const ADMIN_FORM_LIMIT = 256 * 1024;

function ownOrigin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

export async function adminPlugin(app: FastifyInstance, deps: AdminDeps): Promise<void> {
  const ctx: AdminContext = {
    ...deps,
    secure: deps.publicUrl.toLowerCase().startsWith('https:'),
    publicOrigin: new URL(deps.publicUrl).origin,
  };

  registerFormParser(app, ADMIN_FORM_LIMIT);
  app.setErrorHandler(adminErrorHandler(ctx));

  app.addHook('onRequest', async (request, reply) => {
    const policy = adminPolicyOf(request.routeOptions.config);
    if (!policy) return;
    const state = initAdminState(request);
    applySecurityHeaders(reply, { script: true });
    applyNoStore(reply);
    if (policy.session === false || state.sessionId === undefined) return;
    state.session = await ctx.sessions.resolve(state.sessionId, 'admin');
    if (!state.session) clearAdminSessionCookie(request, ctx.secure);
  });

  app.addHook('preHandler', async (request, reply) => {
    const policy = adminPolicyOf(request.routeOptions.config);
    if (!policy || !hasAdminState(request)) return;
    const state = adminStateOf(request);
    if (policy.auth !== 'none' && !state.session) {
      const returnTo = request.method === 'GET' ? `&returnTo=${encodeURIComponent(request.url.slice(0, 400))}` : '';
      const why = state.sessionId !== undefined ? 'session-ended' : 'signin';
      return redirectWithNotice(reply, `/admin/signin?notice=${why}${returnTo}`);
    }
    if (request.method !== 'POST') return;
    checkOrigin(request.headers, [ctx.publicOrigin, ownOrigin(request)]);
    const given = field(formOf(request.body), CSRF_FIELD);
    if (policy.csrf === 'anonymous') checkAnonymousToken(state.cookies.get(ADMIN_CSRF_COOKIE), given);
    else if (state.session) checkSessionToken(state.session.csrfSecret, given);
    else throw new CsrfError();
    return;
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (hasAdminState(request)) {
      for (const cookie of adminStateOf(request).outgoing.values()) reply.header('set-cookie', cookie);
    }
    return payload;
  });

  registerAdminSignInRoutes(app, ctx);
  registerAdminHomeRoutes(app, ctx);
  registerUserPages(app, ctx);
  registerGroupPages(app, ctx);
  registerCatalogPages(app, ctx);
  registerSubscriptionPages(app, ctx);
  registerKeyPages(app, ctx);
  registerTemplatePages(app, ctx);
  registerOutboxPages(app, ctx);
  registerAuditPages(app, ctx);
}
