/**
 * Audit log: newest first, searched by user (id or email), actor, action and time range (UTC).
 * The search is a GET form, so a search is a link that can be bookmarked and shared.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../../domain/errors.js';
import { AUDIT_ACTIONS, type AuditEntryView, type AuditQuery } from '../../../services/audit-log.js';
import type { Page } from '../../../services/views.js';
import { sentence } from '../../web/form-errors.js';
import { html, raw, type SafeHtml } from '../../web/html.js';
import type { AdminContext } from '../context.js';
import { page } from '../../web/face.js';
import { dataTable, dateTime, notice, pageHead, sendAdminPage, skipOf } from '../render.js';

const PAGE_SIZE = 50;
const FIELDS = ['user', 'actor', 'action', 'from', 'to'] as const;
type SearchField = (typeof FIELDS)[number];

function query(request: FastifyRequest, name: string): string {
  const value = (request.query as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.slice(0, 300) : '';
}

function listHref(values: Readonly<Record<SearchField, string>>, skip = 0): string {
  const params = new URLSearchParams();
  for (const name of FIELDS) if (values[name]) params.set(name, values[name]);
  if (skip > 0) params.set('skip', String(skip));
  const q = params.toString();
  return q ? `/admin/audit?${q}` : '/admin/audit';
}

function detailOf(detail: Record<string, unknown> | null): SafeHtml | string {
  if (!detail) return '–';
  const entries = Object.entries(detail);
  if (entries.length === 0) return '–';
  return html`<dl class="audit-detail">${entries.map(
    ([k, v]) => html`<div><dt>${k}</dt><dd>${typeof v === 'string' ? v : JSON.stringify(v)}</dd></div>`,
  )}</dl>`;
}

function entryRow(e: AuditEntryView): SafeHtml {
  return html`<tr>
  <td>${dateTime(e.at)}</td>
  <td>${e.actorUserId ? html`<a href="/admin/users/${e.actorUserId}">${e.actor}</a>` : html`<code>${e.actor}</code>`}</td>
  <td><code>${e.action}</code></td>
  <td>${e.userId ? html`<a href="/admin/users/${e.userId}">${e.userId}</a>` : '–'}</td>
  <td>${e.ip ?? '–'}</td>
  <td>${detailOf(e.detail)}</td>
</tr>`;
}

function textField(id: string, name: SearchField, label: string, value: string, error: string | undefined, hint?: string, type = 'text'): SafeHtml {
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field">
  <label for="${id}">${label}</label>
  ${hint && html`<p class="hint" id="${id}-hint">${hint}</p>`}
  <input id="${id}" name="${name}" type="${type}" value="${value}" spellcheck="false" autocapitalize="none"${
    describedBy && html` aria-describedby="${describedBy}"`
  }${error && html` aria-invalid="true"`}>
  ${error && html`<p class="field-error" id="${id}-error">${error}</p>`}
</div>`;
}

export function registerAuditPages(app: FastifyInstance, ctx: AdminContext): void {
  const { auditLog } = ctx;

  app.get('/admin/audit', page(), async (request, reply) => {
    const values = Object.fromEntries(FIELDS.map((f) => [f, query(request, f)])) as Record<SearchField, string>;
    const skip = skipOf(request);
    const search: AuditQuery = { ...values, skip, top: PAGE_SIZE };
    const errors: Partial<Record<SearchField, string>> = {};
    let page: Page<AuditEntryView> | undefined;
    try {
      page = await auditLog.query(search);
    } catch (error) {
      if (!(error instanceof AppError) || error.kind !== 'validation') throw error;
      for (const d of error.details) if (d.target && (FIELDS as readonly string[]).includes(d.target)) errors[d.target as SearchField] ??= sentence(d.message);
      if (Object.keys(errors).length === 0) throw error;
    }
    const searching = FIELDS.some((f) => values[f] !== '');
    const fieldIds: Record<SearchField, string> = { user: 'audit-user', actor: 'audit-actor', action: 'audit-action', from: 'audit-from', to: 'audit-to' };
    return sendAdminPage(ctx, request, reply, {
      title: `${page ? '' : 'Error: '}Audit log`,
      section: 'audit',
      status: page ? 200 : 400,
      main: html`${pageHead('Audit log')}
${notice(request)}
${
  !page &&
  html`<div class="alert error" role="alert"><p>The search could not be run. Please correct the following:</p><ul>${Object.entries(errors).map(
    ([name, message]) => html`<li><a href="#${fieldIds[name as SearchField]}">${message}</a></li>`,
  )}</ul></div>`
}
<form method="get" action="/admin/audit" class="toolbar audit-search" role="search" aria-label="Search the audit log">
  ${textField('audit-user', 'user', 'User', values.user, errors.user, 'Id or email address')}
  ${textField('audit-actor', 'actor', 'Actor', values.actor, errors.actor, 'user:<id>, key:<id>, system, or an email')}
  <div class="field">
    <label for="audit-action">Action</label>
    <p class="hint" id="audit-action-hint">Any, or one action</p>
    <select id="audit-action" name="action" aria-describedby="audit-action-hint${errors.action ? ' audit-action-error' : ''}"${
      errors.action ? raw(' aria-invalid="true"') : ''
    }>
      <option value="">Any action</option>
      ${AUDIT_ACTIONS.map((a) => html`<option value="${a}"${a === values.action ? raw(' selected') : ''}>${a}</option>`)}
    </select>
    ${errors.action && html`<p class="field-error" id="audit-action-error">${errors.action}</p>`}
  </div>
  ${textField('audit-from', 'from', 'From (UTC)', values.from, errors.from, 'At or after this minute', 'datetime-local')}
  ${textField('audit-to', 'to', 'To (UTC)', values.to, errors.to, 'Up to the end of this minute', 'datetime-local')}
  <div class="button-row">
    <button type="submit" class="button">Search</button>
    ${searching && html`<a class="button secondary" href="/admin/audit">Clear</a>`}
  </div>
</form>
${
  page &&
  (page.count === 0
    ? html`<p class="empty">${searching ? 'No entries match the search.' : 'The audit log is empty.'}</p>`
    : html`${dataTable({
        caption: `${searching ? 'Matching entries' : 'All entries'}, newest first`,
        captionClass: '',
        className: 'audit',
        columns: ['Time', 'Actor', 'Action', 'User', 'IP', 'Details'],
        rows: page.items.map(entryRow),
        pages: { skip, top: PAGE_SIZE, count: page.count, href: (s) => listHref(values, s) },
      })}`)
}`,
    });
  });
}
