/** The home page, the stylesheet, and the HTML 404 page. */
import type { FastifyInstance } from 'fastify';
import { PORTAL_CSS, PORTAL_CSS_ETAG, STYLESHEET_PATH } from './assets.js';
import type { PortalContext } from './context.js';
import { statusMessage } from '../web/components.js';
import { html } from '../web/html.js';
import { card, messagePage, sendPage } from './render.js';
import { currentSession, hasState } from '../web/request-state.js';
import { noticeText } from '../web/notices.js';
import { PORTAL_NOTICES } from './notices.js';
import { page } from '../web/face.js';

export function registerSiteRoutes(app: FastifyInstance, portal: PortalContext): void {
  app.get('/', page({}), async (request, reply) => {
    const session = currentSession(request);
    const notice = statusMessage(noticeText(request, PORTAL_NOTICES, ['signed-out', 'account-closed']));
    const main = session
      ? card(
          `Welcome, ${session.user.first_name}`,
          notice,
          html`<p>You are signed in to the ${portal.organizationName} developer portal as <strong>${session.user.email}</strong>.</p>
  <p class="actions"><a class="button" href="/profile">Go to my profile</a></p>`,
        )
      : card(
          `Welcome to the ${portal.organizationName} developer portal`,
          notice,
          html`<p>Sign in to manage your account, or sign up to get one.</p>
  <p class="actions"><a class="button" href="/signin">Sign in</a><a class="button secondary" href="/signup">Sign up</a></p>`,
        );
    return sendPage(portal, request, reply, { title: 'Home', main });
  });

  app.get(STYLESHEET_PATH, page({ session: false }), async (request, reply) => {
    reply.header('cache-control', 'public, max-age=3600');
    reply.header('etag', PORTAL_CSS_ETAG);
    if (request.headers['if-none-match'] === PORTAL_CSS_ETAG) reply.status(304).send();
    else reply.type('text/css; charset=utf-8').send(PORTAL_CSS);
    return reply;
  });

  // Unknown paths: an HTML page for a browser; the management API's paths, and clients that do not
  // ask for HTML, get the server's JSON 404 (the portal hooks left such a request alone).
  app.get('/*', page({ fallback: true }), async (request, reply) => {
    if (!hasState(request)) {
      reply.callNotFound();
      return reply;
    }
    return messagePage(portal, request, reply, {
      title: 'Page not found',
      message: 'There is no page at this address. Check the link, or start again from the home page.',
      role: 'alert',
      status: 404,
      next: html`<p><a href="/">Go to the home page</a></p>`,
    });
  });
}

/** Whether the catch-all answers with the portal's HTML 404 (a browser asking for a page outside the management API). */
export function wantsPortalNotFound(url: string, accept: string | undefined): boolean {
  const path = url.split('?')[0] ?? '';
  if (/^\/subscriptions(\/|$)/i.test(path)) return false;
  return accept !== undefined && /\b(text\/html|application\/xhtml\+xml)\b/i.test(accept);
}
