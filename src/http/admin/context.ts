/**
 * What the admin UI's route modules share: the services (the same ones the management API uses:
 * no business rule is written twice), the site's settings, and how a route is guarded.
 */
import type { AccountService } from '../../services/accounts.js';
import type { AdminSetupService } from '../../services/admin-setup.js';
import type { ApiService } from '../../services/apis.js';
import type { EmailTemplateService } from '../../services/email-templates.js';
import type { GroupService } from '../../services/groups.js';
import type { ManagementKeyService } from '../../services/management-keys.js';
import type { ProductService } from '../../services/products.js';
import type { SessionService } from '../../services/sessions.js';
import type { SignInThrottle } from '../../services/sign-in-throttle.js';
import type { SubscriptionService } from '../../services/subscriptions.js';
import type { UserService } from '../../services/users.js';
import type { Store } from '../../store/index.js';
import type { Clock } from '../../domain/clock.js';
import type { IdGenerator } from '../../domain/ids.js';

export interface AdminServices {
  accounts: AccountService;
  sessions: SessionService;
  adminSetup: AdminSetupService;
  users: UserService;
  groups: GroupService;
  keys: ManagementKeyService;
  templates: EmailTemplateService;
  apis: ApiService;
  products: ProductService;
  subscriptions: SubscriptionService;
  throttle: SignInThrottle;
}

export interface AdminDeps extends AdminServices {
  /**
   * The store, for the admin pages' read-only views that no service offers yet (outbox, audit log).
   * Writes go through services.
   */
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  /** PUBLIC_URL: cookies are Secure when it is https; the portal's links. */
  publicUrl: string;
  /** The gateway's public base URL. */
  gatewayUrl: string;
  organizationName: string;
}

export interface AdminContext extends AdminDeps {
  /** Cookies carry Secure when PUBLIC_URL is https. */
  secure: boolean;
  /** PUBLIC_URL's origin (a form may also come from the request's own host). */
  publicOrigin: string;
}

/**
 * How a route is guarded, as its Fastify `config.admin`:
 * - every route under /admin has one; without `auth: 'none'` it needs an administrator's session
 *   (else 303 to /admin/signin);
 * - `csrf: 'anonymous'` for the forms shown before sign-in (sign-in, setup); every other POST
 *   needs the session's form token.
 * - `session: false`: does not look the session up (the stylesheet and script).
 */
export interface AdminRoutePolicy {
  auth?: 'none';
  csrf?: 'anonymous';
  session?: false;
}

export function adminPolicyOf(config: unknown): AdminRoutePolicy | undefined {
  if (config && typeof config === 'object' && 'admin' in config) return (config as { admin: AdminRoutePolicy }).admin;
  return undefined;
}

/** The route option that puts a route under the admin UI's guards. */
export function adminRoute(policy: AdminRoutePolicy = {}): { config: { admin: AdminRoutePolicy } } {
  return { config: { admin: policy } };
}
