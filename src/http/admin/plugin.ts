/**
 * The admin UI: server-rendered pages under /admin on PORT, for members of Administrators only,
 * working without JavaScript. Built on the same services as the management API (no business rule
 * is written twice) and on the web kit the portal uses too (src/http/web: sessions, form tokens,
 * the origin check, escaped HTML, security headers, the HTML error handler).
 *
 * Encapsulated like the portal: the kit's form parser, hooks and error handler apply to its own
 * routes only, configured by `adminFace`: the session behind `tg_admin` (admin scope, active
 * user, still in Administrators), cookies sent to /admin only with SameSite=Strict, every route
 * signed in unless it says `auth: 'none'`, every POST with the session's form token (or, before
 * sign-in, the anonymous one).
 */
import type { FastifyInstance } from 'fastify';
import { publicSettings, type WebFace } from '../web/face.js';
import { registerFace } from '../web/face-plugin.js';
import type { AdminContext, AdminDeps } from './context.js';
import { failurePage } from './render.js';
import { registerAdminHomeRoutes } from './home-routes.js';
import { registerAdminSignInRoutes } from './signin-routes.js';
import { registerUserPages } from './users/routes.js';
import { registerGroupPages } from './groups/routes.js';
import { registerCatalogPages } from './catalog/routes.js';
import { registerSubscriptionPages } from './subscriptions/routes.js';
import { registerKeyPages } from './keys/routes.js';
import { registerTemplatePages } from './templates/routes.js';
import { registerOutboxPages } from './outbox/routes.js';
import { registerAuditPages } from './audit/routes.js';
import { registerPolicyPages } from './policies/routes.js';
import { registerNamedValuePages } from './named-values/routes.js';
import { registerAnalyticsPages } from './analytics/routes.js';

export type { AdminDeps } from './context.js';

/**
 * Email templates and policy documents can be long: the admin UI takes forms up to 1 MiB (a
 * policy of Azure's 256 KiB, form-encoded, can take three times its length).
 */
const ADMIN_FORM_LIMIT = 1024 * 1024;

export function adminFace(publicUrl: string): WebFace {
  return {
    name: 'admin',
    sessionCookie: 'tg_admin',
    csrfCookie: 'tg_admin_csrf',
    cookiePath: '/admin',
    sameSite: 'Strict',
    scope: 'admin',
    signInPath: '/admin/signin',
    home: '/admin',
    defaultAuth: 'required',
    script: true,
    ...publicSettings(publicUrl),
  };
}

export async function adminPlugin(app: FastifyInstance, deps: AdminDeps): Promise<void> {
  const ctx: AdminContext = { ...deps, face: adminFace(deps.publicUrl) };
  registerFace(app, { face: ctx.face, sessions: deps.sessions, formLimit: ADMIN_FORM_LIMIT, failurePage: failurePage(ctx) });

  registerAdminSignInRoutes(app, ctx);
  registerAdminHomeRoutes(app, ctx);
  registerUserPages(app, ctx);
  registerGroupPages(app, ctx);
  registerCatalogPages(app, ctx);
  registerPolicyPages(app, ctx);
  registerNamedValuePages(app, ctx);
  registerSubscriptionPages(app, ctx);
  registerKeyPages(app, ctx);
  registerTemplatePages(app, ctx);
  registerOutboxPages(app, ctx);
  registerAuditPages(app, ctx);
  registerAnalyticsPages(app, ctx);
}
