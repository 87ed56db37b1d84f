/**
 * Security headers on every portal response. The pages use no inline script, no inline style and
 * no third-party resource, so the policy can forbid everything but our stylesheet and forms posted
 * to ourselves; the one page with a script (My subscriptions: its Copy buttons) allows our own
 * /assets/portal.js and nothing else. No Referer ever leaves a page: the links in emails carry
 * their token in the URL.
 */
import type { FastifyReply } from 'fastify';

export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** The policy of a page that loads /assets/portal.js (a file of ours; still no inline script). */
export const CONTENT_SECURITY_POLICY_WITH_SCRIPT = CONTENT_SECURITY_POLICY.replace("default-src 'none'; ", "default-src 'none'; script-src 'self'; ");

/** ... and that also fetches from its own origin (the portal's "Try it" console). */
export const CONTENT_SECURITY_POLICY_WITH_SCRIPT_AND_CONNECT = CONTENT_SECURITY_POLICY_WITH_SCRIPT.replace("script-src 'self'; ", "script-src 'self'; connect-src 'self'; ");

export function applySecurityHeaders(reply: FastifyReply, options: { script?: boolean; connect?: boolean } = {}): void {
  const policy = options.script ? (options.connect ? CONTENT_SECURITY_POLICY_WITH_SCRIPT_AND_CONNECT : CONTENT_SECURITY_POLICY_WITH_SCRIPT) : CONTENT_SECURITY_POLICY;
  reply.header('content-security-policy', policy);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('x-frame-options', 'DENY');
  reply.header('cross-origin-opener-policy', 'same-origin');
}

/** Pages (and the redirects between them) are personal: never stored by a browser or a proxy. */
export function applyNoStore(reply: FastifyReply): void {
  reply.header('cache-control', 'no-store');
}
