/**
 * Sending pages: the layout around the page, the headers every page carries, the redirects of
 * Post/Redirect/Get.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PortalContext } from './context.js';
import { sessionFormToken } from '../web/csrf.js';
import { applyNoStore, applySecurityHeaders } from '../web/headers.js';
import { html, type HtmlValue, type SafeHtml } from '../web/html.js';
import { layout } from './layout.js';
import { stateOf } from './request-state.js';

export interface Page {
  title: string;
  main: SafeHtml;
  status?: number;
  /** Loads /assets/portal.js (and allows it in the page's Content-Security-Policy). */
  script?: boolean;
}

export function sendPage(portal: PortalContext, request: FastifyRequest, reply: FastifyReply, page: Page): FastifyReply {
  const session = stateOf(request).session;
  const document = layout({
    organizationName: portal.organizationName,
    title: page.title,
    main: page.main,
    signedIn: session ? { formToken: sessionFormToken(session.csrfSecret) } : undefined,
    script: page.script === true,
  });
  applySecurityHeaders(reply, { script: page.script === true });
  applyNoStore(reply);
  return reply
    .status(page.status ?? 200)
    .type('text/html; charset=utf-8')
    .send(document.toString());
}

/** Post/Redirect/Get (and the way to /signin): 303, so the browser follows with a GET. */
export function seeOther(reply: FastifyReply, location: string): FastifyReply {
  applyNoStore(reply);
  return reply.redirect(location, 303);
}

/** A page's content: a centered card with its heading. */
export function card(heading: string, ...content: HtmlValue[]): SafeHtml {
  return html`<section class="card" aria-labelledby="page-heading">
  <h1 id="page-heading">${heading}</h1>
  ${content}
</section>`;
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
