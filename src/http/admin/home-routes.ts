/** The overview: counts that lead to the lists behind them, and the stylesheet and script. */
import type { FastifyInstance } from 'fastify';
import { html } from '../web/html.js';
import { ADMIN_CSS, ADMIN_CSS_ETAG, ADMIN_JS, ADMIN_JS_ETAG, ADMIN_SCRIPT_PATH, ADMIN_STYLESHEET_PATH } from './assets.js';
import type { AdminContext } from './context.js';
import { page } from '../web/face.js';
import { adminMessage } from './render.js';
import { notice, pageHead, sendAdminPage } from './render.js';

export function registerAdminHomeRoutes(app: FastifyInstance, ctx: AdminContext): void {
  app.get(ADMIN_STYLESHEET_PATH, page({ auth: 'none', session: false }), async (request, reply) => {
    reply.header('cache-control', 'no-cache').header('etag', ADMIN_CSS_ETAG);
    if (request.headers['if-none-match'] === ADMIN_CSS_ETAG) return reply.status(304).send();
    return reply.type('text/css; charset=utf-8').send(ADMIN_CSS);
  });
  app.get(ADMIN_SCRIPT_PATH, page({ auth: 'none', session: false }), async (request, reply) => {
    reply.header('cache-control', 'no-cache').header('etag', ADMIN_JS_ETAG);
    if (request.headers['if-none-match'] === ADMIN_JS_ETAG) return reply.status(304).send();
    return reply.type('text/javascript; charset=utf-8').send(ADMIN_JS);
  });

  app.get('/admin', page(), async (request, reply) => {
    const [users, pending, blocked, submitted, dead] = await Promise.all([
      ctx.users.list({ top: 1, skip: 0 }).then((p) => p.count),
      ctx.users.list({ top: 1, skip: 0, filter: "state eq 'pending'" }).then((p) => p.count),
      ctx.users.list({ top: 1, skip: 0, filter: "state eq 'blocked'" }).then((p) => p.count),
      ctx.subscriptions.list({ state: 'submitted', top: 1, skip: 0 }).then((p) => p.count),
      ctx.outbox.count('dead'),
    ]);
    const stat = (value: number, one: string, many: string, href: string) =>
      html`<div class="stat"><a href="${href}"><span class="value">${value}</span><span class="label">${value === 1 ? one : many}</span></a></div>`;
    return sendAdminPage(ctx, request, reply, {
      title: 'Overview',
      section: 'home',
      main: html`${pageHead('Overview')}
${notice(request)}
<div class="stats">
  ${stat(users, 'user', 'users', '/admin/users')}
  ${stat(pending, 'user waiting to confirm', 'users waiting to confirm', '/admin/users?state=pending')}
  ${stat(blocked, 'blocked user', 'blocked users', '/admin/users?state=blocked')}
  ${stat(submitted, 'subscription awaiting approval', 'subscriptions awaiting approval', '/admin/subscriptions?state=submitted')}
  ${stat(dead, 'email that could not be sent', 'emails that could not be sent', '/admin/outbox?status=dead')}
</div>
<section class="panel" aria-labelledby="quick-heading">
  <h2 id="quick-heading">Common tasks</h2>
  <p class="quick-actions">
    <a class="button" href="/admin/users/new">Add a user</a>
    <a class="button secondary" href="/admin/users/invite">Invite a user</a>
    <a class="button secondary" href="/admin/products">Publish a product</a>
    <a class="button secondary" href="/admin/keys">Create a management key</a>
  </p>
</section>`,
    });
  });

  // Unknown admin pages: a 404 in the admin shell (signed in) rather than the portal's.
  app.get('/admin/*', page(), async (request, reply) =>
    adminMessage(ctx, request, reply, { title: 'Page not found', message: 'There is no such page in the admin UI.', status: 404, back: '/admin' }),
  );
}
