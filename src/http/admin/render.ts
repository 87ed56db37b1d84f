/**
 * Sending admin pages: the shell around the page, the headers, Post/Redirect/Get with a notice by
 * its code, the page that says one thing (and the error page), and the pieces every page and list
 * shows (heading, trail, data tables, state badges, pagination, dates).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sessionFormToken } from '../web/csrf.js';
import type { FailurePage } from '../web/errors.js';
import { applyNoStore, applySecurityHeaders } from '../web/headers.js';
import { html, type HtmlValue, type SafeHtml } from '../web/html.js';
import { noticeText, seeOther } from '../web/notices.js';
import { statusMessage } from '../web/components.js';
import type { AdminContext } from './context.js';
import { adminLayout, type SectionId } from './layout.js';
import { ADMIN_NOTICES, type AdminNotice } from './notices.js';
import { stateOf } from '../web/request-state.js';

export interface AdminPage {
  title: string;
  main: SafeHtml;
  section?: SectionId;
  status?: number;
  /** A Content-Security-Policy instead of the admin UI's (a page that needs one more source). */
  policy?: string | undefined;
}

export function sendAdminPage(ctx: AdminContext, request: FastifyRequest, reply: FastifyReply, page: AdminPage): FastifyReply {
  const session = stateOf(request, ctx.face).session;
  const name = session ? `${session.user.first_name} ${session.user.last_name}`.trim() || session.user.email : '';
  const document = adminLayout({
    organizationName: ctx.organizationName,
    title: page.title,
    main: page.main,
    section: page.section,
    signedIn: session ? { name, formToken: sessionFormToken(session.csrfSecret) } : undefined,
  });
  applySecurityHeaders(reply, { script: true });
  if (page.policy !== undefined) reply.header('content-security-policy', page.policy);
  applyNoStore(reply);
  return reply
    .status(page.status ?? 200)
    .type('text/html; charset=utf-8')
    .send(document.toString());
}

/** Post/Redirect/Get: 303 to `location`, whose page then shows the notice of `code` once. */
export function redirectWithNotice(reply: FastifyReply, location: string, code?: AdminNotice): FastifyReply {
  return seeOther(reply, location, code);
}

/** The notice a redirect asked for (`?notice=`), as a status message. */
export function notice(request: FastifyRequest): SafeHtml | false {
  return statusMessage(noticeText(request, ADMIN_NOTICES));
}

/** The page the failed form was on: the path without its last action segment. */
function backTo(request: FastifyRequest): string {
  const path = (request.url.split('?')[0] ?? '/admin').replace(/\/+$/, '');
  if (request.method === 'GET') return '/admin';
  const parent = path.slice(0, path.lastIndexOf('/'));
  return parent.startsWith('/admin') ? parent : '/admin';
}

/** A page that says one thing (something not possible now, a link that does not work), with the way back. */
export function adminMessage(
  ctx: AdminContext,
  request: FastifyRequest,
  reply: FastifyReply,
  m: { title: string; message: string; status: number; back?: string },
): FastifyReply {
  return sendAdminPage(ctx, request, reply, {
    title: m.title,
    status: m.status,
    main: html`<section class="panel" aria-labelledby="page-heading">
  <h1 id="page-heading">${m.title}</h1>
  <div class="alert ${m.status >= 400 ? 'error' : 'info'}" role="${m.status >= 400 ? 'alert' : 'status'}"><p>${m.message}</p></div>
  <p><a href="${m.back ?? backTo(request)}">Go back</a></p>
</section>`,
  });
}

/** The admin UI's error page, in the admin shell. */
export function failurePage(ctx: AdminContext): FailurePage {
  return (request, reply, failure) => adminMessage(ctx, request, reply, { title: failure.title, message: failure.message, status: failure.status });
}

/** A page's heading with its main actions on the right. */
export function pageHead(heading: string, ...actions: HtmlValue[]): SafeHtml {
  return html`<div class="page-head">
  <h1 id="page-heading">${heading}</h1>
  ${actions.length > 0 && html`<div class="actions">${actions}</div>`}
</div>`;
}

/** A state as a badge (`active`, `blocked`, `published`...). */
export function stateBadge(state: string, label: string = state): SafeHtml {
  return html`<span class="state ${state}">${label}</span>`;
}

/** A timestamp, readable and machine-readable. */
export function dateTime(iso: string | null | undefined): SafeHtml | string {
  if (!iso) return '–';
  const text = iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
  return html`<time datetime="${iso}">${text}</time>`;
}

/**
 * Previous/next links of a server-side paged list. `href(skip)` builds a page's address with the
 * list's current filters.
 */
export function pagination(p: { skip: number; top: number; count: number; href: (skip: number) => string }): SafeHtml {
  const from = p.count === 0 ? 0 : p.skip + 1;
  const to = Math.min(p.skip + p.top, p.count);
  return html`<nav class="pagination" aria-label="Pages">
  <p class="muted">${from}–${to} of ${p.count}</p>
  ${p.skip > 0 && html`<a class="button secondary small" href="${p.href(Math.max(0, p.skip - p.top))}" rel="prev">Previous</a>`}
  ${to < p.count && html`<a class="button secondary small" href="${p.href(p.skip + p.top)}" rel="next">Next</a>`}
</nav>`;
}

/** `?skip=` of a paged list (0 when absent or not a whole number). */
export function skipOf(request: FastifyRequest): number {
  const value = (request.query as Record<string, unknown> | undefined)?.skip;
  return typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : 0;
}

/** A path segment of an entity's page. */
export function seg(id: string): string {
  return encodeURIComponent(id);
}

/** The trail above an entity's pages: `Products › Shop`. */
export function breadcrumb(...links: readonly { href?: string; label: string }[]): SafeHtml {
  return html`<nav class="breadcrumb" aria-label="Breadcrumb"><ol>${links.map((l, i) =>
    l.href !== undefined && i < links.length - 1 ? html`<li><a href="${l.href}">${l.label}</a></li>` : html`<li aria-current="page">${l.label}</li>`,
  )}</ol></nav>`;
}

/** The trail above an entity's pages: its list, the entity when there is one, and the page (`Products › Shop › Edit`). */
export function entityTrail(list: { href: string; label: string }, entity?: { href: string; label: string }, last?: string): SafeHtml {
  return breadcrumb(list, ...(entity ? [entity] : []), ...(last ? [{ label: last }] : []));
}

/** Yes/No in a table cell. */
export function yesNo(value: boolean): string {
  return value ? 'Yes' : 'No';
}

/** A column of a data table: its label, or a header cell of its own (a sort link, a "select all" box). */
export type Column = string | { label: HtmlValue; className?: string; hidden?: boolean } | { cell: SafeHtml };

function columnHeader(c: Column): SafeHtml {
  if (typeof c === 'string') return html`<th scope="col">${c}</th>`;
  if ('cell' in c) return c.cell;
  const label = c.hidden ? html`<span class="visually-hidden">${c.label}</span>` : c.label;
  return html`<th scope="col"${c.className !== undefined && html` class="${c.className}"`}>${label}</th>`;
}

/**
 * A table of records: its caption (hidden from sight unless `captionClass` says otherwise), its
 * column headers, its rows (each a `<tr>`), and the row that says there is nothing (`empty`); in
 * a box that scrolls sideways on a narrow screen unless `scroll` is false; for a paged list,
 * followed by the links to the other pages (`pages`).
 */
export function dataTable(t: {
  caption?: HtmlValue;
  captionClass?: string;
  className?: string;
  columns: readonly Column[];
  rows: readonly HtmlValue[];
  empty?: HtmlValue;
  scroll?: boolean;
  pages?: Parameters<typeof pagination>[0];
}): SafeHtml {
  const captionClass = t.captionClass ?? 'visually-hidden';
  const table = html`<table class="data${t.className !== undefined && html` ${t.className}`}">${
    t.caption !== undefined &&
    html`
  <caption${captionClass !== '' && html` class="${captionClass}"`}>${t.caption}</caption>`
  }
  <thead><tr>${t.columns.map(columnHeader)}</tr></thead>
  <tbody>${t.rows.length > 0 || t.empty === undefined ? t.rows : html`<tr><td colspan="${t.columns.length}" class="empty">${t.empty}</td></tr>`}</tbody>
</table>`;
  const shown = t.scroll === false ? table : html`<div class="table-scroll">
${table}
</div>`;
  return t.pages ? html`${shown}
${pagination(t.pages)}` : shown;
}
