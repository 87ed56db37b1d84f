/**
 * The page of one user: details, actions, groups (add and remove), subscriptions and the audit
 * trail. Shared by the page's GET and by the forms on it that fail validation (shown again, 400).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GUESTS_GROUP_ID } from '../../../domain/group.js';
import { USER_ID_MAX } from '../../../domain/user.js';
import { AppError, notFound } from '../../../domain/errors.js';
import type { GroupView, UserView } from '../../../services/views.js';
import type { AdminSubscriptionView } from '../../../services/subscriptions/views.js';
import type { AuditEntryView } from '../../../services/audit-log.js';
import { SUBSCRIPTION_STATE_LABELS, USER_STATE_LABELS, displayName } from '../labels.js';
import { EMPTY_FORM, csrfInput, errorSummary, type FormState } from '../../web/components.js';
import { html, type SafeHtml } from '../../web/html.js';
import type { AdminContext } from '../context.js';
import { postForm, removeForm } from '../forms.js';
import { dataTable, dateTime, notice, pageHead, pagination, sendAdminPage, stateBadge } from '../render.js';
import { formToken } from '../../web/request-state.js';
import { usageOf, usagePanel } from '../analytics/usage-panel.js';

const GROUP_TYPE_LABELS: Readonly<Record<string, string>> = { custom: 'Custom', external: 'External', system: 'System' };

export const SUBSCRIPTIONS_PER_PAGE = 20;
export const AUDIT_ENTRIES = 50;
export const GROUP_SELECT_ID = 'add-group';

/** The user's id from the path (404 for one no user can have). */
export function userIdParam(request: FastifyRequest): string {
  const id = (request.params as Record<string, unknown> | undefined)?.id;
  if (typeof id !== 'string' || id.length === 0 || id.length > USER_ID_MAX) throw notFound('User');
  return id;
}

export function userPath(id: string, action?: string): string {
  return `/admin/users/${encodeURIComponent(id)}${action ? `/${action}` : ''}`;
}

function queryNumber(request: FastifyRequest, name: string): number {
  const value = (request.query as Record<string, unknown> | undefined)?.[name];
  const n = typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : 0;
  return Number.isSafeInteger(n) ? n : 0;
}

/** An action on the page: a small form posting to it with the user's etag (If-Match). */
function actionForm(request: FastifyRequest, user: UserView, action: string, label: string, variant: 'secondary' | 'danger', confirm?: string): SafeHtml {
  return postForm(request, {
    action: userPath(user.id, action),
    className: 'inline',
    confirm: confirm || undefined,
    etag: user.etag,
    body: html`<button type="submit" class="button ${variant}">${label}</button>`,
  });
}

function actionsPanel(request: FastifyRequest, user: UserView, invited: boolean): SafeHtml {
  const name = displayName(user);
  const live = user.state !== 'deleted';
  return html`<section class="panel user-actions" aria-labelledby="actions-heading">
  <h2 id="actions-heading">Actions</h2>
  <div class="button-row">
    ${(user.state === 'active' || user.state === 'pending') && actionForm(request, user, 'block', 'Block', 'secondary', `Block ${name}? They are signed out and their keys stop working.`)}
    ${(user.state === 'blocked' || user.state === 'pending') && actionForm(request, user, 'activate', 'Activate', 'secondary')}
    ${user.state === 'active' && html`<a class="button secondary" href="${userPath(user.id, 'reset-password')}">Reset password</a>`}
    ${live && html`<a class="button secondary" href="${userPath(user.id, 'set-password')}">Set password</a>`}
    ${invited && actionForm(request, user, 'resend-invitation', 'Resend invitation', 'secondary')}
    <a class="button danger" href="${userPath(user.id, 'delete')}">Delete</a>
  </div>
  ${user.state === 'blocked' && html`<p class="muted">A blocked user cannot sign in to the developer portal, and the gateway refuses their subscription keys.</p>`}
  ${invited && html`<p class="muted">This user was invited and has not accepted yet. A new invitation replaces the link of the previous one.</p>`}
</section>`;
}

function detailsPanel(user: UserView): SafeHtml {
  return html`<section class="panel" aria-labelledby="details-heading">
  <h2 id="details-heading">Details</h2>
  <dl class="details">
    <dt>Name</dt><dd>${`${user.firstName} ${user.lastName}`.trim() || '–'}</dd>
    <dt>Email address</dt><dd>${user.email}</dd>
    <dt>State</dt><dd>${stateBadge(user.state, USER_STATE_LABELS[user.state] ?? user.state)}</dd>
    <dt>Registered</dt><dd>${dateTime(user.registrationDate)}</dd>
    <dt>User id</dt><dd><code>${user.id}</code></dd>
    <dt>Note</dt><dd>${user.note ? user.note : html`<span class="empty">No note</span>`}</dd>
    <dt>Identities</dt><dd>${
      user.identities.length === 0
        ? html`<span class="empty">None</span>`
        : html`<ul class="identities">${user.identities.map((i) => html`<li>${i.provider}: ${i.id}</li>`)}</ul>`
    }</dd>
  </dl>
</section>`;
}

function groupsPanel(request: FastifyRequest, user: UserView, allGroups: GroupView[], form: FormState): SafeHtml {
  const member = user.groups ?? [];
  const memberIds = new Set(member.map((g) => g.id));
  const candidates = allGroups.filter((g) => !memberIds.has(g.id) && g.id !== GUESTS_GROUP_ID);
  const error = form.errors.groupId;
  const name = displayName(user);
  return html`<section class="panel" aria-labelledby="groups-heading">
  <h2 id="groups-heading">Groups</h2>
  ${errorSummary(form, { groupId: GROUP_SELECT_ID })}
  ${
    member.length === 0
      ? html`<p class="empty">Not a member of any group.</p>`
      : dataTable({
          columns: ['Group', 'Type', { label: 'Actions', hidden: true }],
          rows: member.map(
            (g) => html`<tr>
        <th scope="row"><a href="/admin/groups/${encodeURIComponent(g.id)}">${g.displayName}</a></th>
        <td>${g.builtIn ? 'Built-in' : GROUP_TYPE_LABELS[g.type] ?? g.type}</td>
        <td>${removeForm(request, userPath(user.id, `groups/${encodeURIComponent(g.id)}/remove`), `Remove ${name} from ${g.displayName}?`, `from ${g.displayName}`)}</td>
      </tr>`,
            ),
          scroll: false,
        })
  }
  ${
    user.state !== 'deleted' &&
    (candidates.length === 0
      ? html`<p class="muted">This user is in every group that can have members.</p>`
      : html`<form method="post" action="${userPath(user.id, 'groups/add')}" class="toolbar add-group">
    ${csrfInput(formToken(request))}
    <div class="field">
      <label for="${GROUP_SELECT_ID}">Add to group</label>
      <select id="${GROUP_SELECT_ID}" name="groupId"${error ? html` aria-invalid="true" aria-describedby="${GROUP_SELECT_ID}-error"` : ''}>
        <option value="">Choose a group…</option>
        ${candidates.map((g) => html`<option value="${g.id}"${form.values.groupId === g.id ? html` selected` : ''}>${g.displayName}</option>`)}
      </select>
      ${error && html`<p class="field-error" id="${GROUP_SELECT_ID}-error">${error}</p>`}
    </div>
    <button type="submit" class="button">Add</button>
  </form>`)
  }
</section>`;
}

function scopeText(s: AdminSubscriptionView): SafeHtml | string {
  switch (s.scopeKind) {
    case 'product':
      return html`Product: ${s.scopeName ?? s.scopeTargetId ?? ''}`;
    case 'api':
      return html`API: ${s.scopeName ?? s.scopeTargetId ?? ''}`;
    case 'all-apis':
    case 'service':
      return 'All APIs';
    default:
      return s.scope;
  }
}

function subscriptionsPanel(user: UserView, subs: { items: AdminSubscriptionView[]; count: number; skip: number }): SafeHtml {
  return html`<section class="panel" aria-labelledby="subscriptions-heading">
  <h2 id="subscriptions-heading">Subscriptions</h2>
  ${
    subs.count === 0
      ? html`<p class="empty">No subscriptions.</p>`
      : html`${dataTable({
          columns: ['Name', 'Scope', 'State', 'Created'],
          rows: subs.items.map(
            (s) => html`<tr>
        <th scope="row"><a href="/admin/subscriptions/${encodeURIComponent(s.id)}">${s.displayName ?? s.id}</a></th>
        <td>${scopeText(s)}</td>
        <td>${stateBadge(s.state, SUBSCRIPTION_STATE_LABELS[s.state])}</td>
        <td>${dateTime(s.createdDate)}</td>
      </tr>`,
            ),
          scroll: false,
        })}
  ${
    subs.count > SUBSCRIPTIONS_PER_PAGE &&
    pagination({ skip: subs.skip, top: SUBSCRIPTIONS_PER_PAGE, count: subs.count, href: (skip) => `${userPath(user.id)}?subs=${skip}#subscriptions-heading` })
  }`
  }
</section>`;
}

function detailText(detail: Record<string, unknown> | null): string {
  if (!detail) return '';
  return Object.entries(detail)
    .map(([k, v]) => `${k}: ${v === null ? '–' : String(v)}`)
    .join(', ');
}

function auditPanel(entries: AuditEntryView[], actors: ReadonlyMap<string, string>): SafeHtml {
  const actor = (a: string) => {
    const id = /^user:(.+)$/.exec(a)?.[1];
    if (id === undefined) return a;
    const name = actors.get(id);
    return html`<a href="${userPath(id)}">${name ?? a}</a>`;
  };
  return html`<section class="panel" aria-labelledby="audit-heading">
  <h2 id="audit-heading">Audit trail</h2>
  ${
    entries.length === 0
      ? html`<p class="empty">Nothing recorded yet.</p>`
      : dataTable({
          caption: html`The latest ${AUDIT_ENTRIES} entries about this user, newest first.`,
          captionClass: 'muted',
          className: 'audit-trail',
          columns: ['Time', 'Actor', 'Action', 'Details'],
          rows: entries.map(
            (e) => html`<tr>
        <td>${dateTime(e.at)}</td>
        <td>${actor(e.actor)}${e.ip ? html`<br><span class="muted">${e.ip}</span>` : ''}</td>
        <td><code>${e.action}</code></td>
        <td>${detailText(e.detail)}</td>
      </tr>`,
            ),
          scroll: false,
        })
  }
</section>`;
}

export interface DetailForms {
  group?: FormState;
}

/** Loads everything the page shows and sends it. */
export async function sendUserPage(
  ctx: AdminContext,
  request: FastifyRequest,
  reply: FastifyReply,
  id: string,
  forms: DetailForms = {},
  status?: number,
): Promise<FastifyReply> {
  const user = await ctx.users.get(id);
  const skip = queryNumber(request, 'subs');
  const [invited, groups, subs, audit, usage] = await Promise.all([
    ctx.users.isPendingInvitation(id),
    ctx.groups.list({ top: 500, skip: 0 }),
    ctx.subscriptions.ofUser(id, { top: SUBSCRIPTIONS_PER_PAGE, skip }),
    ctx.auditLog.query({ user: id, top: AUDIT_ENTRIES, skip: 0 }),
    usageOf(ctx, { kind: 'user', id }),
  ]);
  const entries = audit.items;
  const actorIds = [...new Set(entries.flatMap((e) => (e.actorUserId !== undefined ? [e.actorUserId] : [])))];
  const actors = new Map<string, string>();
  await Promise.all(
    actorIds.map(async (a) => {
      if (a === id) return actors.set(a, displayName(user));
      try {
        actors.set(a, displayName(await ctx.users.get(a)));
      } catch (error) {
        // An actor who is gone keeps their id.
        if (!(error instanceof AppError) || error.kind !== 'not-found') throw error;
      }
      return undefined;
    }),
  );
  const name = displayName(user);
  return sendAdminPage(ctx, request, reply, {
    title: name,
    section: 'users',
    status,
    main: html`<nav aria-label="Breadcrumb" class="breadcrumb"><a href="/admin/users">Users</a> › <span aria-current="page">${name}</span></nav>
${pageHead(name, stateBadge(user.state, USER_STATE_LABELS[user.state] ?? user.state))}
${notice(request)}
<div class="grid-2">
  ${detailsPanel(user)}
  ${actionsPanel(request, user, invited)}
</div>
${groupsPanel(request, user, groups.items, forms.group ?? EMPTY_FORM)}
${subscriptionsPanel(user, { ...subs, skip })}
${usagePanel({ kind: 'user', id }, usage)}
${auditPanel(entries, actors)}`,
  });
}
