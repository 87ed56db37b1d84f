/**
 * What the portal's route modules share: the dependencies, whether cookies are Secure, and the
 * origins a form may be posted from.
 */
import type { AccountService } from '../../services/accounts.js';
import type { SessionService } from '../../services/sessions.js';

export interface PortalContext {
  accounts: AccountService;
  sessions: SessionService;
  organizationName: string;
  /** Cookies carry Secure when PUBLIC_URL is https. */
  secure: boolean;
  /** PUBLIC_URL's origin (a form may also come from the request's own host). */
  publicOrigin: string;
}

/**
 * How a route is guarded, as its Fastify `config.portal`:
 * - `auth: 'required'`: without a live session, redirect (303) to /signin.
 * - `csrf`: which form token its POST must carry ('session' or 'anonymous'). A POST route without one is refused.
 * - `session: false`: does not look the session up (the stylesheet).
 * - `fallback: true`: the catch-all that answers unknown paths; the portal hooks only act on it
 *   when it answers with the HTML 404 page (see plugin.ts).
 */
export interface RoutePolicy {
  auth?: 'required';
  csrf?: 'session' | 'anonymous';
  session?: false;
  fallback?: true;
}

export function policyOf(config: unknown): RoutePolicy | undefined {
  if (config && typeof config === 'object' && 'portal' in config) return (config as { portal: RoutePolicy }).portal;
  return undefined;
}
