/** The page of the Users list's forms (+ Add user, + Invite user): the way back to Users, the heading, and the form in a panel. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { button, errorSummary, type FormState } from '../../web/components.js';
import { html, type HtmlValue } from '../../web/html.js';
import type { AdminContext } from '../context.js';
import { postForm } from '../forms.js';
import { pageHead, sendAdminPage } from '../render.js';

export function userFormPage(
  ctx: AdminContext,
  request: FastifyRequest,
  reply: FastifyReply,
  page: {
    title: string;
    /** The panel's name for screen readers. */
    label: string;
    intro: HtmlValue;
    state: FormState;
    ids: Readonly<Record<string, string>>;
    action: string;
    fields: HtmlValue;
    submit: string;
    status?: number | undefined;
  },
): FastifyReply {
  const main = html`<p class="breadcrumb"><a href="/admin/users">Users</a></p>
${pageHead(page.title)}
<section class="panel users-form-panel" aria-label="${page.label}">
  ${page.intro}
  ${errorSummary(page.state, page.ids)}
  ${postForm(request, {
    action: page.action,
    body: html`${page.fields}
    <div class="actions">${button(page.submit)} <a href="/admin/users">Cancel</a></div>`,
  })}
</section>`;
  return sendAdminPage(ctx, request, reply, { title: page.title, section: 'users', main, status: page.status });
}
