/**
 * Outbox: every email, newest first, with its delivery state, attempts, next attempt and last
 * error (scrubbed of credentials and link query strings by the worker), filtered by state
 * (`?status=dead`: the overview links there); a dead email can be retried. What an email says is
 * never shown: its parameters stay in the database and its links exist only when it is sent.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isOutboxState, OUTBOX_STATES, type OutboxMessageView } from '../../../services/outbox.js';
import { hidden } from '../../web/components.js';
import { field, formOf } from '../../web/form.js';
import { html, raw } from '../../web/html.js';
import type { AdminContext } from '../context.js';
import { page } from '../../web/face.js';
import { postForm } from '../forms.js';
import { dataTable, dateTime, notice, pageHead, redirectWithNotice, sendAdminPage, skipOf, stateBadge } from '../render.js';
import { actorOf } from '../../web/request-state.js';

const PAGE_SIZE = 50;

const STATE_LABELS: Readonly<Record<string, string>> = { pending: 'Pending', sent: 'Sent', dead: 'Dead' };

function query(request: FastifyRequest, name: string): string {
  const value = (request.query as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}

function listHref(status: string, skip = 0): string {
  const params = new URLSearchParams();
  if (status) params.set('status', status);
  if (skip > 0) params.set('skip', String(skip));
  const q = params.toString();
  return q ? `/admin/outbox?${q}` : '/admin/outbox';
}

export function registerOutboxPages(app: FastifyInstance, ctx: AdminContext): void {
  const { outbox } = ctx;

  function row(request: FastifyRequest, m: OutboxMessageView, status: string) {
    return html`<tr>
  <td>${dateTime(m.createdAt)}</td>
  <td>${m.userId ? html`<a href="/admin/users/${m.userId}">${m.recipient}</a>` : m.recipient}</td>
  <td>${m.templateTitle ? html`<a href="/admin/templates/${m.template}">${m.templateTitle}</a>` : html`<code>${m.template}</code>`}</td>
  <td>${stateBadge(m.state, STATE_LABELS[m.state] ?? m.state)}</td>
  <td class="num">${m.attempts}</td>
  <td>${dateTime(m.nextAttemptAt)}</td>
  <td class="outbox-error">${m.lastError ?? '–'}</td>
  <td>${dateTime(m.sentAt)}</td>
  <td>${
    m.state === 'dead'
      ? postForm(request, {
          action: `/admin/outbox/${m.id}/retry`,
          className: 'inline',
          body: html`${status && hidden('status', status)}
    <button type="submit" class="button small" aria-label="Retry the email to ${m.recipient} (${m.templateTitle ?? m.template})">Retry</button>`,
        })
      : ''
  }</td>
</tr>`;
  }

  app.get('/admin/outbox', page(), async (request, reply) => {
    const requested = query(request, 'status');
    const status = isOutboxState(requested) ? requested : '';
    const skip = skipOf(request);
    const page = await outbox.list({ state: status, skip, top: PAGE_SIZE });
    const caption = status ? `${STATE_LABELS[status]} emails` : 'All emails';
    return sendAdminPage(ctx, request, reply, {
      title: status ? `Outbox: ${STATE_LABELS[status]?.toLowerCase()}` : 'Outbox',
      section: 'outbox',
      main: html`${pageHead('Outbox')}
${notice(request)}
<p>Every email Tollgate sends goes through the outbox: it is written with the change that causes it and delivered by the outbox worker, retried while the SMTP server refuses it. An email still refused after its last attempt is <em>dead</em> until you retry it.</p>
<form method="get" action="/admin/outbox" class="toolbar" role="search" aria-label="Filter the outbox">
  <div class="field">
    <label for="outbox-status">State</label>
    <select id="outbox-status" name="status">
      <option value=""${status === '' ? raw(' selected') : ''}>All states</option>
      ${OUTBOX_STATES.map((s) => html`<option value="${s}"${s === status ? raw(' selected') : ''}>${STATE_LABELS[s] ?? s}</option>`)}
    </select>
  </div>
  <button type="submit" class="button secondary">Filter</button>
  ${requested !== '' && !status && html`<p class="field-error">Unknown state “${requested}”: showing all emails.</p>`}
</form>
${
  page.count === 0
    ? html`<p class="empty">No emails${status ? html` in state ${STATE_LABELS[status]?.toLowerCase()}` : ''}.</p>`
    : html`${dataTable({
        caption: `${caption}, newest first`,
        captionClass: '',
        className: 'outbox',
        columns: ['Created', 'Recipient', 'Template', 'State', { label: 'Attempts', className: 'num' }, 'Next attempt', 'Last error', 'Sent', { label: 'Actions', hidden: true }],
        rows: page.items.map((m) => row(request, m, status)),
        pages: { skip, top: PAGE_SIZE, count: page.count, href: (s) => listHref(status, s) },
      })}`
}`,
    });
  });

  app.post('/admin/outbox/:id/retry', page(), async (request, reply) => {
    const { id } = request.params as { id: string };
    const form = formOf(request.body);
    const status = field(form, 'status');
    await outbox.retry(id, actorOf(request));
    return redirectWithNotice(reply, listHref(isOutboxState(status) ? status : ''), 'email-requeued');
  });
}
