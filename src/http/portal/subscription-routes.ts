/**
 * "My subscriptions": the signed-in developer's subscriptions, the keys of the active ones (hidden
 * until asked for, with a Copy button when JavaScript runs), and the forms that regenerate a key
 * or cancel a subscription. Only the owner ever sees or changes a subscription: the service looks
 * it up among the user's own, so another id is simply not found.
 *
 *   GET  /subscriptions                    the list (signed in)
 *   POST /subscriptions/{sid}/regenerate   key=primary|secondary, confirm=yes
 *   POST /subscriptions/{sid}/cancel       confirm=yes
 *   GET  /assets/portal.js                 the Copy buttons' script (CSP script-src 'self')
 *   GET  /assets/charts-<hash>.js|css      uPlot and the usage charts' script (src/http/web/usage-chart.ts)
 *
 * Each subscription shows its calls per day over the last 30 days (chart and table), the quota
 * used in the current period and its product's limits.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.js';
import type { SubscriptionState } from '../../domain/subscription.js';
import type { ActiveSession } from '../../services/sessions.js';
import { PORTAL_JS, PORTAL_JS_ETAG, SCRIPT_PATH } from './assets.js';
import { productPath } from './catalogue-routes.js';
import { developerOf, type KeyKind, type OwnSubscription, type PortalCatalogue } from './catalogue.js';
import { isCancellable } from '../../domain/subscription.js';
import { EMPTY_FORM, button, checkbox, csrfInput, errorSummary, hidden, statusMessage, type FormState } from '../web/components.js';
import type { PortalContext } from './context.js';
import { sessionFormToken } from '../web/csrf.js';
import { field, formOf } from '../web/form.js';
import { html, type SafeHtml } from '../web/html.js';
import { sendPage } from './render.js';
import { noticeText, seeOther } from '../web/notices.js';
import { sessionOf } from '../web/request-state.js';
import { PORTAL_NOTICES } from './notices.js';
import { page } from '../web/face.js';
import { callsChart, chartAssets, registerChartAssets } from '../web/usage-chart.js';

const CHARTS = chartAssets('/assets');

const STATE_LABELS: Readonly<Record<SubscriptionState, string>> = {
  submitted: 'Waiting for approval',
  active: 'Active',
  suspended: 'Suspended',
  rejected: 'Rejected',
  cancelled: 'Cancelled',
  expired: 'Expired',
};

const STATE_TAGS: Readonly<Record<SubscriptionState, string>> = {
  submitted: 'warning',
  active: 'success',
  suspended: 'warning',
  rejected: 'neutral',
  cancelled: 'neutral',
  expired: 'neutral',
};

/** A form of one subscription that failed, shown again next to it. */
interface FailedForm {
  subscriptionId: string;
  form: 'primary' | 'secondary' | 'cancel';
  state: FormState;
}

function formatDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleDateString('en-US', { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });
}

/** A moment in words, to the minute, in UTC: "March 9, 2026, 10:00 UTC". */
function formatMoment(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const day = date.toLocaleDateString('en-US', { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });
  const time = date.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });
  return `${day}, ${time} UTC`;
}

/** Calls left in each quota period: "97 of 100 calls left; the period renews on March 9, 2026, 10:00 UTC". */
function quotaLines(sub: OwnSubscription): SafeHtml | false {
  if (!Array.isArray(sub.quotas)) return html`<dt>Calls left</dt><dd class="quota">Not available right now; try again in a moment.</dd>`;
  if (sub.quotas.length === 0) return false;
  return html`<dt>Quota used</dt>${sub.quotas.map(
    (q) => html`<dd class="quota-used">${q.calls - q.callsLeft} of ${q.calls} calls this period <meter min="0" max="${q.calls}" value="${q.calls - q.callsLeft}" aria-hidden="true"></meter></dd>`,
  )}<dt>Calls left</dt>${sub.quotas.map(
    (q) => html`<dd class="quota">${q.callsLeft} of ${q.calls} calls left; ${
      q.renewsAt === undefined ? 'the quota never renews' : html`the period renews on <time datetime="${q.renewsAt}">${formatMoment(q.renewsAt)}</time>`
    }</dd>`,
  )}`;
}

function subscriptionPath(id: string): string {
  return `/subscriptions/${encodeURIComponent(id)}`;
}

/** Ids inside the page: the subscription's position, since its id may hold anything. */
function keyBlock(index: number, kind: KeyKind, value: string): SafeHtml {
  const id = `key-${index}-${kind}`;
  const label = kind === 'primary' ? 'Primary key' : 'Secondary key';
  return html`<div class="key">
      <div class="key-head">
        <p class="key-label" id="${id}-label">${label}</p>
        <button type="button" class="button secondary small" data-copy="${id}" hidden><span class="copy-label">Copy</span><span class="visually-hidden"> the ${label.toLowerCase()}</span></button>
      </div>
      <details>
        <summary>Show<span class="visually-hidden"> the ${label.toLowerCase()}</span></summary>
        <code class="key-value" id="${id}" aria-labelledby="${id}-label">${value}</code>
      </details>
    </div>`;
}

function regenerateForm(index: number, sub: OwnSubscription, kind: KeyKind, token: SafeHtml, failed: FailedForm | undefined): SafeHtml {
  const state = failed?.subscriptionId === sub.id && failed.form === kind ? failed.state : EMPTY_FORM;
  const id = `regenerate-${index}-${kind}`;
  return html`<form method="post" action="${subscriptionPath(sub.id)}/regenerate" class="inline-form">
      ${token}
      ${hidden('key', kind)}
      ${errorSummary(state, { confirm: id })}
      ${checkbox({ id, name: 'confirm', label: `The current ${kind} key stops working at once.` }, state)}
      ${button(`Regenerate ${kind} key`, 'secondary')}
    </form>`;
}

function cancelForm(index: number, sub: OwnSubscription, token: SafeHtml, failed: FailedForm | undefined): SafeHtml {
  const state = failed?.subscriptionId === sub.id && failed.form === 'cancel' ? failed.state : EMPTY_FORM;
  const id = `cancel-${index}`;
  return html`<form method="post" action="${subscriptionPath(sub.id)}/cancel" class="inline-form">
      ${token}
      ${errorSummary(state, { confirm: id })}
      ${checkbox({ id, name: 'confirm', label: 'Cancelling is final: the keys stop working for good.' }, state)}
      ${button('Cancel subscription', 'danger')}
    </form>`;
}

/** Calls per day over the last 30 days (the service read the owner's own subscriptions only). */
function usageBlock(index: number, sub: OwnSubscription): SafeHtml {
  const { totals } = sub.usage;
  return html`<div class="usage" id="usage-${index}">
    <h3>Usage</h3>
    ${
      totals.total === 0
        ? html`<p class="muted">No calls in the last 30 days.</p>`
        : html`<p class="muted">${totals.total} ${totals.total === 1 ? 'call' : 'calls'} in the last 30 days: ${totals.success} successful, ${totals.blocked} blocked, ${totals.failed} failed.</p>
    ${callsChart(sub.usage, { id: `usage-${index}-calls`, title: 'Calls per day, last 30 days', style: 'bars', caption: 'Calls per day (UTC); days without calls are left out.' })}`
    }
  </div>`;
}

function subscriptionCard(index: number, sub: OwnSubscription, token: SafeHtml, failed: FailedForm | undefined): SafeHtml {
  const headingId = `subscription-${index}`;
  const cancellable = isCancellable(sub.state);
  return html`<section class="card broad subscription" aria-labelledby="${headingId}">
  <h2 id="${headingId}">${sub.displayName || sub.scopeName}</h2>
  <dl class="details">
    <dt>Product</dt><dd>${sub.productId !== undefined ? html`<a href="${productPath(sub.productId)}">${sub.scopeName}</a>` : sub.scopeName}</dd>
    <dt>State</dt><dd><span class="tag ${STATE_TAGS[sub.state]}">${STATE_LABELS[sub.state] ?? sub.state}</span></dd>
    <dt>Created</dt><dd><time datetime="${sub.createdDate}">${formatDate(sub.createdDate)}</time></dd>
    ${quotaLines(sub)}
    ${sub.limits.length > 0 && html`<dt>Limits</dt><dd class="limits">${sub.limits.join(', ')}</dd>`}
  </dl>
  ${sub.keys && html`<div class="keys">${keyBlock(index, 'primary', sub.keys.primary)}${keyBlock(index, 'secondary', sub.keys.secondary)}</div>`}
  ${usageBlock(index, sub)}
  ${
    (sub.keys || cancellable) &&
    html`<details class="manage"${failed?.subscriptionId === sub.id ? html` open` : ''}>
    <summary>Manage this subscription</summary>
    ${sub.keys && html`${regenerateForm(index, sub, 'primary', token, failed)}${regenerateForm(index, sub, 'secondary', token, failed)}`}
    ${cancellable && cancelForm(index, sub, token, failed)}
  </details>`
  }
</section>`;
}

async function subscriptionsPage(
  portal: PortalContext,
  catalogue: PortalCatalogue,
  request: FastifyRequest,
  reply: FastifyReply,
  session: ActiveSession,
  options: { notice?: string | undefined; failed?: FailedForm; status?: number } = {},
): Promise<FastifyReply> {
  const subscriptions = await catalogue.listOwn(session.user.id);
  for (const sub of subscriptions) {
    if (!Array.isArray(sub.quotas)) request.log.warn({ err: sub.quotas.failure, subscription: sub.id }, 'the quota counters could not be read for My subscriptions');
  }
  const token = csrfInput(sessionFormToken(session.csrfSecret));
  const main = html`<section class="card broad" aria-labelledby="page-heading">
  <h1 id="page-heading">My subscriptions</h1>
  ${statusMessage(options.notice)}
  ${
    subscriptions.length === 0
      ? html`<p>You have no subscriptions yet. <a href="/products">Browse the products</a> to get your first keys.</p>`
      : html`<p class="muted">Send a key in the <code>Ocp-Apim-Subscription-Key</code> header of your calls. Keep your keys secret; regenerate one if it leaks.</p>`
  }
  <p aria-live="polite" class="visually-hidden" id="copy-status"></p>
</section>
${subscriptions.map((sub, i) => subscriptionCard(i + 1, sub, token, options.failed))}
${subscriptions.some((s) => s.usage.totals.total > 0) && CHARTS.tags}`;
  return sendPage(portal, request, reply, { title: 'My subscriptions', main, status: options.status, script: true });
}

function noticeOf(request: FastifyRequest): string | undefined {
  return noticeText(request, PORTAL_NOTICES, ['subscribed', 'requested', 'cancelled', 'regenerated-primary', 'regenerated-secondary']);
}

export function registerSubscriptionRoutes(app: FastifyInstance, portal: PortalContext, catalogue: PortalCatalogue): void {
  const signedIn = { auth: 'required', csrf: 'session' } as const;

  app.get('/subscriptions', page({ auth: 'required' }), async (request, reply) =>
    subscriptionsPage(portal, catalogue, request, reply, sessionOf(request), { notice: noticeOf(request) }),
  );

  app.post('/subscriptions/:subscriptionId/regenerate', page(signedIn), async (request, reply) => {
    const session = sessionOf(request);
    const { subscriptionId } = request.params as { subscriptionId: string };
    const form = formOf(request.body);
    const kind = field(form, 'key');
    if (kind !== 'primary' && kind !== 'secondary') throw new AppError('validation', 'BadForm', 'Choose the primary or the secondary key.');
    if (field(form, 'confirm') !== 'yes') {
      const state = { values: {}, errors: { confirm: `Tick the box to confirm that the current ${kind} key may stop working.` } };
      return subscriptionsPage(portal, catalogue, request, reply, session, { failed: { subscriptionId, form: kind, state }, status: 400 });
    }
    await catalogue.regenerate(developerOf(request), subscriptionId, kind);
    return seeOther(reply, '/subscriptions', `regenerated-${kind}`);
  });

  app.post('/subscriptions/:subscriptionId/cancel', page(signedIn), async (request, reply) => {
    const session = sessionOf(request);
    const { subscriptionId } = request.params as { subscriptionId: string };
    if (field(formOf(request.body), 'confirm') !== 'yes') {
      const state = { values: {}, errors: { confirm: 'Tick the box to confirm that you want to cancel this subscription.' } };
      return subscriptionsPage(portal, catalogue, request, reply, session, { failed: { subscriptionId, form: 'cancel', state }, status: 400 });
    }
    await catalogue.cancel(developerOf(request), subscriptionId);
    return seeOther(reply, '/subscriptions', 'cancelled');
  });

  registerChartAssets(app, CHARTS);

  app.get(SCRIPT_PATH, page({ session: false }), async (request, reply) => {
    reply.header('cache-control', 'public, max-age=3600');
    reply.header('etag', PORTAL_JS_ETAG);
    if (request.headers['if-none-match'] === PORTAL_JS_ETAG) reply.status(304).send();
    else reply.type('text/javascript; charset=utf-8').send(PORTAL_JS);
    return reply;
  });
}
