/**
 * Subscriptions: the list (server-side paged, filtered on state, product and owner) and one
 * subscription's page with the actions its state allows: approve, reject (with a reason, emailed
 * to the owner), suspend, reactivate, cancel, and regenerating either key while the subscription
 * is not over for good. The rules (which action from which state, the emails, the audit) are the
 * admin subscription service's (`act`, `regenerate`); the pages only offer what it allows. Keys are
 * never shown here, not even a regenerated one: only the developer sees them, on the portal.
 *
 *   GET  /admin/subscriptions                        ?state= &product= &owner= &skip=
 *   GET  /admin/subscriptions/{sid}                  details and actions
 *   POST /admin/subscriptions/{sid}/approve          etag
 *   POST /admin/subscriptions/{sid}/reactivate       etag
 *   GET  /admin/subscriptions/{sid}/reject|suspend|cancel   confirmation page
 *   POST /admin/subscriptions/{sid}/reject           etag, reason
 *   POST /admin/subscriptions/{sid}/suspend|cancel   etag
 *   POST /admin/subscriptions/{sid}/regenerate       etag, key=primary|secondary, confirm=yes
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SUBSCRIPTION_STATES, isFinal, type SubscriptionState } from '../../../domain/subscription.js';
import { SUBSCRIPTION_STATE_COMMENT_MAX } from '../../../domain/subscription-input.js';
import { ADMIN_SUBSCRIPTION_ACTIONS, adminActionsFrom, type AdminSubscriptionAction } from '../../../services/subscriptions/admin.js';
import type { AdminSubscriptionView, KeyKind } from '../../../services/subscriptions/views.js';
import type { AdminNotice } from '../notices.js';
import { SUBSCRIPTION_STATE_LABELS } from '../labels.js';
import { EMPTY_FORM, button, checkbox, errorSummary, hidden, type FormState } from '../../web/components.js';
import { field, formOf } from '../../web/form.js';
import { html, type SafeHtml } from '../../web/html.js';
import type { AdminContext } from '../context.js';
import { page } from '../../web/face.js';
import { adminMessage } from '../render.js';
import { attempt, confirmPage, postForm } from '../forms.js';
import { dataTable, dateTime, notice, pageHead, pagination, redirectWithNotice, sendAdminPage, stateBadge } from '../render.js';
import { actorOf } from '../../web/request-state.js';

const PAGE_SIZE = 20;
const FILTER_MAX = 256;


/** How each action reads on the page. */
const ACTIONS: Readonly<
  Record<AdminSubscriptionAction, { label: string; confirm: boolean; heading: string; explain: string; done: AdminNotice; emailed?: AdminNotice }>
> = {
  approve: {
    label: 'Approve',
    confirm: false,
    heading: 'Approve the subscription',
    explain: 'The subscription becomes active: its keys work at once.',
    done: 'subscription-approve',
    emailed: 'subscription-approve-emailed',
  },
  reject: {
    label: 'Reject',
    confirm: true,
    heading: 'Reject the subscription request',
    explain: 'Rejecting is final: the subscription cannot be approved afterwards. The owner is emailed the reason you give.',
    done: 'subscription-reject',
    emailed: 'subscription-reject-emailed',
  },
  suspend: {
    label: 'Suspend',
    confirm: true,
    heading: 'Suspend the subscription',
    explain: 'Its keys stop working at once, until you reactivate it.',
    done: 'subscription-suspend',
  },
  reactivate: {
    label: 'Reactivate',
    confirm: false,
    heading: 'Reactivate the subscription',
    explain: 'Its keys work again at once.',
    done: 'subscription-reactivate',
  },
  cancel: {
    label: 'Cancel subscription',
    confirm: true,
    heading: 'Cancel the subscription',
    explain: 'Cancelling is final: its keys stop working for good.',
    done: 'subscription-cancel',
  },
};

const REASON_ID = 'reject-reason';

const KEY_KINDS: readonly KeyKind[] = ['primary', 'secondary'];

const REGENERATED: Readonly<Record<KeyKind, AdminNotice>> = {
  primary: 'subscription-primary-regenerated',
  secondary: 'subscription-secondary-regenerated',
};

/** A regenerate form sent back with its error: which key's form, and what to say next to its box. */
interface KeyFormError {
  which: KeyKind;
  state: FormState;
}

function isAction(value: string): value is AdminSubscriptionAction {
  return Object.prototype.hasOwnProperty.call(ADMIN_SUBSCRIPTION_ACTIONS, value);
}

export function subscriptionPath(id: string): string {
  return `/admin/subscriptions/${encodeURIComponent(id)}`;
}

function query(request: FastifyRequest, name: string): string {
  const value = (request.query as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.trim().slice(0, FILTER_MAX) : '';
}

interface ListFilter {
  state: SubscriptionState | '';
  product: string;
  owner: string;
  skip: number;
}

function filterOf(request: FastifyRequest): ListFilter {
  const state = query(request, 'state');
  const skip = Number.parseInt(query(request, 'skip'), 10);
  return {
    state: (SUBSCRIPTION_STATES as readonly string[]).includes(state) ? (state as SubscriptionState) : '',
    product: query(request, 'product'),
    owner: query(request, 'owner'),
    skip: Number.isSafeInteger(skip) && skip > 0 ? skip : 0,
  };
}

function listHref(filter: ListFilter, skip: number): string {
  const params = new URLSearchParams();
  if (filter.state) params.set('state', filter.state);
  if (filter.product) params.set('product', filter.product);
  if (filter.owner) params.set('owner', filter.owner);
  if (skip > 0) params.set('skip', String(skip));
  const q = params.toString();
  return q ? `/admin/subscriptions?${q}` : '/admin/subscriptions';
}

function ownerCell(s: AdminSubscriptionView): SafeHtml | string {
  if (s.owner) {
    const name = `${s.owner.firstName} ${s.owner.lastName}`.trim() || s.owner.email;
    return html`<a href="/admin/users/${encodeURIComponent(s.owner.id)}">${name}</a><br><span class="muted">${s.owner.email}</span>`;
  }
  return s.ownerId !== null ? html`<span class="muted">${s.ownerId} (no longer exists)</span>` : html`<span class="muted">No owner</span>`;
}

function scopeText(s: AdminSubscriptionView, links: boolean): SafeHtml {
  switch (s.scopeKind) {
    case 'product': {
      const name = s.scopeName ?? s.scopeTargetId ?? '';
      const shown = links && s.scopeName !== null ? html`<a href="/admin/products/${encodeURIComponent(s.scopeTargetId ?? '')}">${name}</a>` : name;
      return html`${shown} <span class="muted">(product)</span>`;
    }
    case 'api': {
      const name = s.scopeName ?? s.scopeTargetId ?? '';
      const shown = links && s.scopeName !== null ? html`<a href="/admin/apis/${encodeURIComponent(s.scopeTargetId ?? '')}">${name}</a>` : name;
      return html`${shown} <span class="muted">(API)</span>`;
    }
    case 'all-apis':
      return html`All APIs`;
    case 'service':
      return html`All APIs <span class="muted">(whole service)</span>`;
    default:
      return html`${s.scope}`;
  }
}

function badge(state: SubscriptionState): SafeHtml {
  return stateBadge(state, SUBSCRIPTION_STATE_LABELS[state]);
}

async function listPage(ctx: AdminContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const filter = filterOf(request);
  const [page, products] = await Promise.all([
    ctx.subscriptions.list({
      state: filter.state || undefined,
      productId: filter.product || undefined,
      owner: filter.owner || undefined,
      top: PAGE_SIZE,
      skip: filter.skip,
    }),
    ctx.subscriptions.productChoices(),
  ]);
  const filtered = filter.state !== '' || filter.product !== '' || filter.owner !== '';
  const knownProduct = filter.product === '' || products.some((p) => p.id === filter.product);
  const rows = page.items.map(
    (s) => html`<tr>
      <th scope="row"><a href="${subscriptionPath(s.id)}">${s.displayName || s.id}</a>${s.displayName && html`<br><span class="muted">${s.id}</span>`}</th>
      <td>${ownerCell(s)}</td>
      <td>${scopeText(s, false)}</td>
      <td>${badge(s.state)}</td>
      <td>${dateTime(s.createdDate)}</td>
    </tr>`,
  );
  const main = html`${pageHead('Subscriptions')}
${notice(request)}
<form method="get" action="/admin/subscriptions" class="toolbar" role="search" aria-label="Filter the subscriptions">
  <div class="field">
    <label for="filter-state">State</label>
    <select id="filter-state" name="state">
      <option value=""${filter.state === '' ? html` selected` : ''}>Any state</option>
      ${SUBSCRIPTION_STATES.map((s) => html`<option value="${s}"${filter.state === s ? html` selected` : ''}>${SUBSCRIPTION_STATE_LABELS[s]}</option>`)}
    </select>
  </div>
  <div class="field">
    <label for="filter-product">Product</label>
    <select id="filter-product" name="product">
      <option value=""${filter.product === '' ? html` selected` : ''}>Any product</option>
      ${!knownProduct && html`<option value="${filter.product}" selected>${filter.product}</option>`}
      ${products.map((p) => html`<option value="${p.id}"${filter.product === p.id ? html` selected` : ''}>${p.displayName}</option>`)}
    </select>
  </div>
  <div class="field">
    <label for="filter-owner">Owner's email or id</label>
    <input id="filter-owner" name="owner" type="search" maxlength="${FILTER_MAX}" spellcheck="false" autocapitalize="none"${
      filter.owner !== '' ? html` value="${filter.owner}"` : ''
    }>
  </div>
  <div class="button-row">
    <button type="submit" class="button">Filter</button>
    ${filtered && html`<a class="button secondary" href="/admin/subscriptions">Clear filters</a>`}
  </div>
</form>
${
  page.items.length === 0
    ? html`<p class="empty">${filtered ? 'No subscription matches these filters.' : 'There are no subscriptions yet.'}</p>`
    : dataTable({
        caption: `Subscriptions${filtered ? ' matching the filters' : ''}, newest first`,
        className: 'subscriptions',
        columns: ['Name', 'Owner', 'Scope', 'State', 'Created'],
        rows,
        scroll: false,
      })
}
${pagination({ skip: filter.skip, top: PAGE_SIZE, count: page.count, href: (skip) => listHref(filter, skip) })}`;
  return sendAdminPage(ctx, request, reply, { title: 'Subscriptions', section: 'subscriptions', main });
}

function etagForm(request: FastifyRequest, s: AdminSubscriptionView, action: AdminSubscriptionAction, variant: 'primary' | 'secondary'): SafeHtml {
  return postForm(request, { action: `${subscriptionPath(s.id)}/${action}`, className: 'inline', etag: s.etag, body: button(ACTIONS[action].label, variant) });
}

function actionControls(request: FastifyRequest, s: AdminSubscriptionView): SafeHtml {
  const actions = adminActionsFrom(s.state);
  if (actions.length === 0) {
    return html`<p class="muted">No action is possible: a ${SUBSCRIPTION_STATE_LABELS[s.state].toLowerCase()} subscription is final.</p>`;
  }
  return html`<div class="button-row">
    ${actions.map((a) => {
      if (!ACTIONS[a].confirm) return etagForm(request, s, a, a === 'approve' ? 'primary' : 'secondary');
      return html`<a class="button ${a === 'reject' || a === 'cancel' ? 'danger' : 'secondary'}" href="${subscriptionPath(s.id)}/${a}">${ACTIONS[a].label}…</a>`;
    })}
  </div>`;
}

/**
 * One key's form. It asks on the page itself, as the portal's does: ticking the box is the
 * confirmation, and the server checks it, so it holds without JavaScript and without a second page.
 */
function regenerateForm(request: FastifyRequest, s: AdminSubscriptionView, which: KeyKind, failed: KeyFormError | undefined): SafeHtml {
  const id = `regenerate-${which}-confirm`;
  const state = failed?.which === which ? failed.state : EMPTY_FORM;
  return postForm(request, {
    action: `${subscriptionPath(s.id)}/regenerate`,
    etag: s.etag,
    className: 'key-regenerate',
    body: html`${hidden('key', which)}
    ${errorSummary(state, { confirm: id })}
    ${checkbox({ id, name: 'confirm', label: `The current ${which} key stops working at once.` }, state)}
    ${button(`Regenerate ${which} key`, 'secondary')}`,
  });
}

/** Regenerating is offered where the service allows it: not on a subscription that is over for good. */
function keyControls(request: FastifyRequest, s: AdminSubscriptionView, failed: KeyFormError | undefined): SafeHtml {
  return html`<h3>Keys</h3>
    ${!isFinal(s.state) && KEY_KINDS.map((which) => regenerateForm(request, s, which, failed))}
    <p class="muted">Keys are not shown in the admin UI: only the subscription's owner sees them, on the developer portal.</p>`;
}

function detailsList(s: AdminSubscriptionView): SafeHtml {
  return html`<dl class="details">
    <dt>Name</dt><dd><code>${s.id}</code></dd>
    <dt>Display name</dt><dd>${s.displayName || '–'}</dd>
    <dt>Owner</dt><dd>${ownerCell(s)}</dd>
    <dt>Scope</dt><dd>${scopeText(s, true)}</dd>
    <dt>State</dt><dd>${badge(s.state)}</dd>
    ${s.stateComment && html`<dt>${s.state === 'rejected' ? 'Reason' : 'State comment'}</dt><dd class="state-comment">${s.stateComment}</dd>`}
    <dt>Created</dt><dd>${dateTime(s.createdDate)}</dd>
    <dt>Started</dt><dd>${dateTime(s.startDate)}</dd>
    <dt>Expires</dt><dd>${dateTime(s.expirationDate)}</dd>
    <dt>Ended</dt><dd>${dateTime(s.endDate)}</dd>
    <dt>Tracing allowed</dt><dd>${s.allowTracing === null ? '–' : s.allowTracing ? 'Yes' : 'No'}</dd>
  </dl>`;
}

function title(s: AdminSubscriptionView): string {
  return s.displayName || s.id;
}

async function detailPage(
  ctx: AdminContext,
  request: FastifyRequest,
  reply: FastifyReply,
  sid: string,
  options: { failed?: KeyFormError; etag?: string } = {},
): Promise<FastifyReply> {
  const current = await ctx.subscriptions.get(sid);
  // Sent back with the tag the page was opened with, so that a change made since is still refused.
  const s = options.etag === undefined ? current : { ...current, etag: options.etag };
  const main = html`<p class="breadcrumb"><a href="/admin/subscriptions">Subscriptions</a></p>
${pageHead(title(s))}
${notice(request)}
<div class="grid-2">
  <section class="panel" aria-labelledby="details-heading">
    <h2 id="details-heading">Details</h2>
    ${detailsList(s)}
  </section>
  <section class="panel subscription-actions" aria-labelledby="actions-heading">
    <h2 id="actions-heading">Actions</h2>
    ${actionControls(request, s)}
    ${keyControls(request, s, options.failed)}
  </section>
</div>`;
  return sendAdminPage(ctx, request, reply, { title: `Subscription ${title(s)}`, section: 'subscriptions', main, status: options.failed ? 400 : 200 });
}

function reasonField(state: FormState): SafeHtml {
  const error = state.errors.reason;
  const value = state.values.reason ?? '';
  return html`<div class="field">
    <label for="${REASON_ID}">Reason</label>
    <p class="hint" id="${REASON_ID}-hint">Sent to the owner in the rejection email. At most ${SUBSCRIPTION_STATE_COMMENT_MAX} characters.</p>
    <textarea id="${REASON_ID}" name="reason" rows="4" required maxlength="${SUBSCRIPTION_STATE_COMMENT_MAX}" aria-describedby="${REASON_ID}-hint${
      error ? ` ${REASON_ID}-error` : ''
    }"${error && html` aria-invalid="true"`}>${value}</textarea>
    ${error && html`<p class="field-error" id="${REASON_ID}-error">${error}</p>`}
  </div>`;
}

async function actionConfirmPage(
  ctx: AdminContext,
  request: FastifyRequest,
  reply: FastifyReply,
  sid: string,
  action: AdminSubscriptionAction,
  options: { state?: FormState; status?: number; etag?: string } = {},
): Promise<FastifyReply> {
  const s = await ctx.subscriptions.get(sid);
  if (!adminActionsFrom(s.state).includes(action)) {
    return adminMessage(ctx, request, reply, {
      title: 'Not possible now',
      message: `A ${SUBSCRIPTION_STATE_LABELS[s.state].toLowerCase()} subscription cannot be ${action === 'cancel' ? 'cancelled' : `${action}ed`}.`,
      status: 409,
      back: subscriptionPath(s.id),
    });
  }
  const spec = ACTIONS[action];
  const state = options.state ?? EMPTY_FORM;
  return confirmPage(ctx, request, reply, {
    title: spec.heading,
    question: `${spec.heading}?`,
    section: 'subscriptions',
    status: options.status,
    trail: html`<p class="breadcrumb"><a href="/admin/subscriptions">Subscriptions</a> › <a href="${subscriptionPath(s.id)}">${title(s)}</a></p>`,
    name: title(s),
    state,
    ids: { reason: REASON_ID },
    explanation: html`${detailsList(s)}
  <p>${spec.explain}</p>`,
    action: `${subscriptionPath(s.id)}/${action}`,
    etag: options.etag ?? s.etag,
    extra: action === 'reject' && reasonField(state),
    button: spec.label,
    cancel: subscriptionPath(s.id),
    cancelLabel: 'Go back',
  });
}

export function registerSubscriptionPages(app: FastifyInstance, ctx: AdminContext): void {
  app.get('/admin/subscriptions', page(), async (request, reply) => listPage(ctx, request, reply));

  app.get('/admin/subscriptions/:sid', page(), async (request, reply) => {
    const { sid } = request.params as { sid: string };
    return detailPage(ctx, request, reply, sid);
  });

  app.get('/admin/subscriptions/:sid/:action', page(), async (request, reply) => {
    const { sid, action } = request.params as { sid: string; action: string };
    if (!isAction(action) || !ACTIONS[action].confirm) {
      return adminMessage(ctx, request, reply, { title: 'Page not found', message: 'There is no such page in the admin UI.', status: 404, back: subscriptionPath(sid) });
    }
    return actionConfirmPage(ctx, request, reply, sid, action);
  });

  app.post('/admin/subscriptions/:sid/regenerate', page(), async (request, reply) => {
    const { sid } = request.params as { sid: string };
    const form = formOf(request.body);
    const which = field(form, 'key');
    if (which !== 'primary' && which !== 'secondary') {
      return adminMessage(ctx, request, reply, { title: 'No such key', message: 'A subscription has a primary and a secondary key.', status: 400, back: subscriptionPath(sid) });
    }
    const etag = field(form, 'etag');
    if (field(form, 'confirm') !== 'yes') {
      const state = { values: {}, errors: { confirm: `Tick the box to confirm that the current ${which} key may stop working.` } };
      return detailPage(ctx, request, reply, sid, { failed: { which, state }, etag });
    }
    await ctx.subscriptions.regenerate(sid, which, { ifMatch: etag === '' ? undefined : etag, ctx: actorOf(request) });
    return redirectWithNotice(reply, subscriptionPath(sid), REGENERATED[which]);
  });

  app.post('/admin/subscriptions/:sid/:action', page(), async (request, reply) => {
    const { sid, action } = request.params as { sid: string; action: string };
    if (!isAction(action)) {
      return adminMessage(ctx, request, reply, { title: 'Page not found', message: 'There is no such action.', status: 404, back: subscriptionPath(sid) });
    }
    const form = formOf(request.body);
    const etag = field(form, 'etag');
    const reason = field(form, 'reason');
    // A reason the service refuses is shown next to the field, with the tag the page was opened with.
    const result = await attempt(
      () =>
        ctx.subscriptions.act(sid, action, {
          ifMatch: etag === '' ? undefined : etag,
          reason: action === 'reject' ? reason : undefined,
          ctx: actorOf(request),
        }),
      { reason },
      { reason: 'reason' },
      (error) => action === 'reject' && error.kind === 'validation' && error.details.some((d) => d.target === 'reason'),
    );
    if (!result.ok) return actionConfirmPage(ctx, request, reply, sid, action, { state: result.state, status: 400, etag });
    const spec = ACTIONS[action];
    // The owner was emailed when the action emails and the subscription has an owner.
    return redirectWithNotice(reply, subscriptionPath(sid), spec.emailed && result.value.ownerId !== null ? spec.emailed : spec.done);
  });
}
