/**
 * The developer portal: server-rendered pages on PORT, working without JavaScript.
 *
 * Everything here is encapsulated in the portal's scope: the web kit's form parser, hooks and HTML
 * error handler (src/http/web/face-plugin.ts) run for its routes only, configured by `portalFace`.
 *
 * Routes:
 *   GET  /                                home
 *   GET  /assets/portal.css               the stylesheet
 *   GET  /signin, POST /signin            sign in (returnTo: a local path)
 *   POST /signout                         sign out
 *   GET  /signup, POST /signup            sign up; GET /signup/check-email
 *   GET  /confirm/signup?token=, POST     choose a password: activates a signed-up account and signs in
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
 *   GET  /apis/{id}, /apis/{id}/operations/{opId}   the API reference (visible as its products are)
 *   GET  /apis/{id}/openapi.json|.yaml    its OpenAPI document, the gateway as server
 *   POST /apis/{id}/operations/{opId}/try Try it (signed in): a call through the gateway
 *   GET  /assets/portal.js                the Copy buttons' and Try it's script
 *   GET  /assets/charts-<hash>.js|css     uPlot and the usage charts of My subscriptions
 *   GET  /*                               HTML 404 for browsers (not under /subscriptions)
 */
import type { ProductService } from '../../services/products.js';
import type { ApiService } from '../../services/apis.js';
import type { PortalSubscriptionService } from '../../services/subscriptions/portal.js';
import type { ProductLimits } from '../../services/product-limits.js';
import type { UsageService } from '../../services/usage.js';
import type { ApiExportService } from '../../services/api-export.js';
import type { TryItService } from '../../services/try-it.js';
import type { FastifyInstance } from 'fastify';
import type { AccountService } from '../../services/accounts.js';
import type { SessionService } from '../../services/sessions.js';
import type { PortalContext } from './context.js';
import { publicSettings, type WebFace } from '../web/face.js';
import { registerFace } from '../web/face-plugin.js';
import { failurePage } from './render.js';
import { registerLinkRoutes } from './link-routes.js';
import { registerPasswordRoutes } from './password-routes.js';
import { registerProfileRoutes } from './profile-routes.js';
import { registerSignInRoutes } from './signin-routes.js';
import { registerSignUpRoutes } from './signup-routes.js';
import { registerSiteRoutes, wantsPortalNotFound } from './site-routes.js';
import { portalCatalogue } from './catalogue.js';
import { registerCatalogueRoutes } from './catalogue-routes.js';
import { registerSubscriptionRoutes } from './subscription-routes.js';
import { portalReference } from './reference.js';
import { registerReferenceRoutes } from './reference-routes.js';

export interface PortalDeps {
  accounts: AccountService;
  sessions: SessionService;
  products: ProductService;
  apis: ApiService;
  subscriptions: PortalSubscriptionService;
  /** What the product pages and My subscriptions say about rate limits and quotas. */
  productLimits: ProductLimits;
  /** My subscriptions' calls per day. */
  usage: UsageService;
  /** The API reference's OpenAPI download. */
  apiExport: ApiExportService;
  /** Try it: calls through the gateway with the developer's own subscription. */
  tryIt: TryItService;
  /** Where developers call the APIs (the gateway's base URL), shown on product pages. */
  gatewayUrl: string;
  /** PUBLIC_URL: cookies are Secure when it is https. */
  publicUrl: string;
  organizationName: string;
}

/** The portal as the web kit sees it: `tg_session` and `tg_csrf` on `/`, open pages unless a route says otherwise. */
export function portalFace(publicUrl: string): WebFace {
  return {
    name: 'portal',
    sessionCookie: 'tg_session',
    csrfCookie: 'tg_csrf',
    cookiePath: '/',
    sameSite: 'Lax',
    scope: 'portal',
    signInPath: '/signin',
    home: '/profile',
    defaultAuth: 'none',
    script: false,
    ...publicSettings(publicUrl),
  };
}

export async function portalPlugin(app: FastifyInstance, deps: PortalDeps): Promise<void> {
  const portal: PortalContext = {
    accounts: deps.accounts,
    sessions: deps.sessions,
    organizationName: deps.organizationName,
    face: portalFace(deps.publicUrl),
  };

  registerFace(app, {
    face: portal.face,
    sessions: deps.sessions,
    failurePage: failurePage(portal),
    wantsPage: (request) => wantsPortalNotFound(request.url, request.headers.accept),
  });

  registerSiteRoutes(app, portal);
  registerSignInRoutes(app, portal);
  registerSignUpRoutes(app, portal);
  registerPasswordRoutes(app, portal);
  registerLinkRoutes(app, portal);
  registerProfileRoutes(app, portal);
  const catalogue = portalCatalogue(deps);
  const gatewayUrl = deps.gatewayUrl.replace(/\/+$/, '');
  registerCatalogueRoutes(app, portal, { catalogue, gatewayUrl });
  registerReferenceRoutes(app, portal, { reference: portalReference(deps), tryIt: deps.tryIt, gatewayUrl });
  registerSubscriptionRoutes(app, portal, catalogue);
}
