/**
 * A face of Tollgate that browsers use (the developer portal, the admin UI), as the web kit needs
 * to know it: its cookies, where they are sent, which sessions open it, where a visitor without
 * one is sent, and what its routes require unless they say otherwise. Everything else (sessions,
 * form tokens, the origin check, headers, cookies, error pages) is the same code for both faces.
 */
import type { SessionScope } from '../../store/schema.js';

export interface WebFace {
  /** For logs and the error handler's messages. */
  name: 'portal' | 'admin';
  /** The session cookie and the anonymous form token's cookie. */
  sessionCookie: string;
  csrfCookie: string;
  /** Where both cookies are sent (`/`, `/admin`). */
  cookiePath: string;
  /** SameSite of the session cookie (the form-token cookie is always Strict). */
  sameSite: 'Lax' | 'Strict';
  /** Which sessions open this face (src/services/sessions.ts). */
  scope: SessionScope;
  /** Where a route that needs a session sends a visitor without one (303, with returnTo and a notice). */
  signInPath: string;
  /** Where a sign-in leads when there is nowhere else to go back to. */
  home: string;
  /** What a route needs when its policy says nothing. */
  defaultAuth: 'required' | 'none';
  /** Whether every page may load the face's own script (CSP script-src 'self'). */
  script: boolean;
  /** Cookies carry Secure when PUBLIC_URL is https. */
  secure: boolean;
  /** PUBLIC_URL's origin (a form may also come from the request's own host). */
  publicOrigin: string;
}

/**
 * How a route is guarded, as its Fastify `config.web`:
 * - `auth`: 'required' needs a live session (else 303 to the face's sign-in page); 'none' does
 *   not; absent, the face's default.
 * - `csrf`: what a POST must carry: 'session' the session's form token (the default); 'anonymous'
 *   the double-submit token of the forms shown before sign-in; 'session-if-signed-in' the
 *   session's token when there is a session and nothing otherwise (sign-out: without a session
 *   there is nothing to forge).
 * - `session: false`: does not look the session up (stylesheets and scripts).
 * - `fallback: true`: the catch-all that answers unknown paths; the hooks act on it only when it
 *   answers with the face's HTML 404 (see `wantsPage` of the face's plugin).
 */
export interface PagePolicy {
  auth?: 'required' | 'none';
  csrf?: 'session' | 'anonymous' | 'session-if-signed-in';
  session?: false;
  fallback?: true;
}

export function policyOf(config: unknown): PagePolicy | undefined {
  if (config && typeof config === 'object' && 'web' in config) return (config as { web: PagePolicy }).web;
  return undefined;
}

/** The route options that put a route under its face's guards: `app.get(url, page({...}), handler)`. */
export function page(policy: PagePolicy = {}): { config: { web: PagePolicy } } {
  return { config: { web: policy } };
}

/** The face's settings that follow from PUBLIC_URL. */
export function publicSettings(publicUrl: string): Pick<WebFace, 'secure' | 'publicOrigin'> {
  return { secure: publicUrl.toLowerCase().startsWith('https:'), publicOrigin: new URL(publicUrl).origin };
}
