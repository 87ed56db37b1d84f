/**
 * Sending pages: the layout around the page, the headers every page carries, the page that says
 * one thing, and the error page (the web kit's error handler draws it here).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PortalContext } from './context.js';
import { sessionFormToken } from '../web/csrf.js';
import type { FailurePage } from '../web/errors.js';
import { field, formOf } from '../web/form.js';
import { applyNoStore, applySecurityHeaders } from '../web/headers.js';
import { html, type HtmlValue, type SafeHtml } from '../web/html.js';
import { stateOf } from '../web/request-state.js';
import { layout } from './layout.js';
import { card } from '../web/components.js';

export { card };

export interface Page {
  title: string;
  main: SafeHtml;
  status?: number | undefined;
  /** Loads /assets/portal.js (and allows it in the page's Content-Security-Policy). */
  script?: boolean;
  /** The script may fetch from the portal itself (CSP connect-src 'self'). */
  connect?: boolean;
}

export function sendPage(portal: PortalContext, request: FastifyRequest, reply: FastifyReply, page: Page): FastifyReply {
  const session = stateOf(request, portal.face).session;
  const document = layout({
    organizationName: portal.organizationName,
    title: page.title,
    main: page.main,
    signedIn: session ? { formToken: sessionFormToken(session.csrfSecret) } : undefined,
    script: page.script === true,
  });
  applySecurityHeaders(reply, { script: page.script === true, connect: page.connect === true });
  applyNoStore(reply);
  return reply
    .status(page.status ?? 200)
    .type('text/html; charset=utf-8')
    .send(document.toString());
}

/** A page that says one thing (a link that expired, an email on its way), with what to do next. */
export function messagePage(
  portal: PortalContext,
  request: FastifyRequest,
  reply: FastifyReply,
  page: { title: string; heading?: string; message: string; role?: 'status' | 'alert'; status?: number; next?: HtmlValue },
): FastifyReply {
  const role = page.role ?? 'status';
  const box = html`<div class="alert ${role === 'alert' ? 'error' : 'info'}" role="${role}"><p>${page.message}</p></div>`;
  return sendPage(portal, request, reply, {
    title: page.title,
    status: page.status,
    main: card(page.heading ?? page.title, box, page.next),
  });
}

/** Where "try again" leads after a refused form: the page that shows the form. */
function retryLocation(request: FastifyRequest): string {
  const path = (request.url.split('?')[0] ?? '/').toLowerCase().replace(/\/+$/, '');
  const token = field(formOf(request.body), 'token');
  const withToken = (page: string) => (token && token.length <= 200 ? `${page}?token=${encodeURIComponent(token)}` : page);
  switch (path) {
    case '/signin':
    case '/signup':
    case '/forgot-password':
      return path;
    case '/invitation':
    case '/reset-password':
    case '/confirm/signup':
    case '/confirm/email':
      return withToken(path);
    case '/profile/password':
    case '/profile/email':
    case '/profile/close':
      return '/profile';
    default:
      break;
  }
  // The catalogue's and My subscriptions' forms: back to the page that shows them.
  const subscribe = /^(\/products\/[^/]+)\/subscribe$/i.exec(request.url.split('?')[0]?.replace(/\/+$/, '') ?? '');
  if (subscribe) return subscribe[1]!;
  const tryIt = /^(\/apis\/[^/]+\/operations\/[^/]+)\/try$/i.exec(request.url.split('?')[0]?.replace(/\/+$/, '') ?? '');
  if (tryIt) return tryIt[1]!;
  if (/^\/subscriptions\/[^/]+\/(regenerate|cancel)$/.test(path)) return '/subscriptions';
  return '/';
}

/** The portal's error page: what went wrong, and the way on (try the form again, or the home page). */
export function failurePage(portal: PortalContext): FailurePage {
  return (request, reply, failure) =>
    messagePage(portal, request, reply, {
      title: failure.title,
      message: failure.message,
      role: 'alert',
      status: failure.status,
      next: failure.formExpired
        ? html`<p class="actions"><a class="button" href="${retryLocation(request)}">Try again</a></p>`
        : html`<p><a href="/">Go to the home page</a></p>`,
    });
}
