/**
 * Sending pages: the layout around the page, the headers every page carries, the redirects of
 * Post/Redirect/Get, and turning a service's AppError into a form's errors.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppError } from '../../domain/errors.js';
import type { PortalContext } from './context.js';
import { sessionFormToken } from './csrf.js';
import { applyNoStore, applySecurityHeaders } from './headers.js';
import { html, type HtmlValue, type SafeHtml } from './html.js';
import { layout } from './layout.js';
import { stateOf } from './request-state.js';
import type { FormState } from './components.js';

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

/** A service message about a field reads as a sentence: "is not a valid email address" → "This is not a valid email address." */
export function sentence(message: string): string {
  const text = /^[a-z]/.test(message) ? `This ${message}` : message;
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/**
 * The errors of a form from an AppError: details whose `target` is a field of the form (`targets`
 * maps a service's target to the form's field name) go next to that field; the others, and the
 * error's message when it has no details, go to the summary.
 */
export function formErrors(error: AppError, values: Record<string, string>, targets: Readonly<Record<string, string>>): FormState {
  const errors: Record<string, string> = {};
  const others: string[] = [];
  for (const detail of error.details) {
    const name = detail.target !== undefined ? targets[detail.target] : undefined;
    if (name !== undefined && errors[name] === undefined) errors[name] = sentence(detail.message);
    else others.push(sentence(detail.message));
  }
  if (error.details.length === 0) others.push(sentence(error.message));
  return { values, errors, message: others.length > 0 ? others.join(' ') : undefined };
}
