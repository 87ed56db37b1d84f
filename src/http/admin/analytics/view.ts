/**
 * The Analytics page's pieces: the range picker (preset links and a from/to form, both plain
 * GETs), the totals, the charts with their tables, the top lists and errors by status.
 */
import type { UsageOverview, UsagePreset, UsageScope, UsageTopItem } from '../../../services/usage.js';
import { USAGE_PRESETS } from '../../../services/usage.js';
import { errorSummary, hidden, type FormState } from '../../web/components.js';
import { html, raw, type SafeHtml } from '../../web/html.js';
import { callsChart, latencyChart, stepLabel } from '../../web/usage-chart.js';
import { dataTable, seg } from '../render.js';
import { ANALYTICS_PATH, analyticsHref, localMinute } from './query.js';

export const SCOPE_LABELS: Readonly<Record<UsageScope['kind'], string>> = { api: 'API', product: 'Product', user: 'User', subscription: 'Subscription' };

const ENTITY_PATHS: Readonly<Record<UsageScope['kind'], (id: string) => string>> = {
  api: (id) => `/admin/apis/${seg(id)}`,
  product: (id) => `/admin/products/${seg(id)}`,
  user: (id) => `/admin/users/${seg(id)}`,
  subscription: (id) => `/admin/subscriptions/${seg(id)}`,
};

export function entityPath(scope: UsageScope): string {
  return ENTITY_PATHS[scope.kind](scope.id);
}

const FIELD_IDS = { from: 'analytics-from', to: 'analytics-to' } as const;

/** The presets as links (the current one marked), then from/to for any other range. */
export function rangePicker(current: UsagePreset | undefined, scope: UsageScope | undefined, form: FormState): SafeHtml {
  const field = (name: 'from' | 'to', label: string, hint: string) => {
    const id = FIELD_IDS[name];
    const error = form.errors[name];
    return html`<div class="field">
    <label for="${id}">${label}</label>
    <p class="hint" id="${id}-hint">${hint}</p>
    <input id="${id}" name="${name}" type="datetime-local" value="${form.values[name] ?? ''}" aria-describedby="${id}-hint${error ? ` ${id}-error` : ''}"${error ? raw(' aria-invalid="true"') : ''}>
    ${error && html`<p class="field-error" id="${id}-error">${error}</p>`}
  </div>`;
  };
  return html`<section class="panel range-picker" aria-labelledby="range-heading">
  <h2 id="range-heading" class="visually-hidden">Time range</h2>
  <nav aria-label="Time range"><ul class="presets">${(Object.keys(USAGE_PRESETS) as UsagePreset[]).map(
    (p) => html`<li><a class="button small ${p === current ? '' : 'secondary'}" href="${analyticsHref({ preset: p }, scope)}"${p === current ? raw(' aria-current="true"') : ''}>${USAGE_PRESETS[p].label}</a></li>`,
  )}</ul></nav>
  ${errorSummary(form, FIELD_IDS)}
  <form method="get" action="${ANALYTICS_PATH}" class="toolbar custom-range" aria-label="Custom range">
    ${scope && hidden(scope.kind, scope.id)}
    ${field('from', 'From (UTC)', 'At or after this minute')}
    ${field('to', 'To (UTC)', 'Up to the end of this minute')}
    <button type="submit" class="button secondary">Show range</button>
  </form>
</section>`;
}

/** The from/to fields' values for the range shown (so the form starts from it). */
export function rangeValues(o: { from: number; to: number }): Record<'from' | 'to', string> {
  return { from: localMinute(o.from), to: localMinute(o.to - 60_000) };
}

const ms = (v: number | undefined) => (v === undefined ? '–' : `${v.toFixed(1)} ms`);

function totals(o: UsageOverview): SafeHtml {
  const stat = (value: string | number, label: string, cls = '') => html`<div class="stat ${cls}"><span class="value">${value}</span><span class="label">${label}</span></div>`;
  return html`<div class="stats analytics-totals" role="group" aria-label="Totals">
  ${stat(o.totals.total, 'calls')}
  ${stat(o.totals.success, 'successful', 'success')}
  ${stat(o.totals.blocked, 'blocked', 'blocked')}
  ${stat(o.totals.failed, 'failed', 'failed')}
  ${stat(ms(o.totals.latency.p95), 'p95 latency')}
</div>`;
}

type TopKind = keyof UsageOverview['top'];

const TOP_TITLES: Readonly<Record<TopKind, string>> = { apis: 'Top APIs', operations: 'Top operations', products: 'Top products', users: 'Top users' };

function topName(kind: TopKind, item: UsageTopItem, preset: UsagePreset | undefined, range: { from: string; to: string }): SafeHtml {
  const label = item.name ?? item.id;
  const r = preset ? { preset } : range;
  switch (kind) {
    case 'apis':
      return html`<a href="${analyticsHref(r, { kind: 'api', id: item.id })}">${label}</a>`;
    case 'products':
      return html`<a href="${analyticsHref(r, { kind: 'product', id: item.id })}">${label}</a>`;
    case 'users':
      return html`<a href="${analyticsHref(r, { kind: 'user', id: item.id })}">${label}</a>`;
    case 'operations':
      return html`${label} <span class="muted">(${item.apiId ?? ''})</span>`;
  }
}

function topTable(kind: TopKind, items: UsageTopItem[], preset: UsagePreset | undefined, range: { from: string; to: string }): SafeHtml {
  const most = items[0]?.total ?? 0;
  return html`<section class="panel top-list" aria-labelledby="top-${kind}-heading">
  <h2 id="top-${kind}-heading">${TOP_TITLES[kind]}</h2>
  ${dataTable({
    caption: `${TOP_TITLES[kind]} by calls in the range`,
    className: 'usage',
    columns: ['Name', { label: 'Calls', className: 'num' }, { label: 'Failed', className: 'num' }, { label: 'Share', hidden: true }],
    rows: items.map(
      (item) => html`<tr>
    <th scope="row">${topName(kind, item, preset, range)}</th>
    <td class="num">${item.total}</td>
    <td class="num">${item.failed}</td>
    <td class="share"><meter min="0" max="${most}" value="${item.total}" aria-label="${item.total} of ${most} calls"></meter></td>
  </tr>`,
    ),
    empty: 'None in this range.',
    scroll: false,
  })}
</section>`;
}

function errorsTable(errors: UsageOverview['errors']): SafeHtml {
  return html`<section class="panel" aria-labelledby="errors-heading">
  <h2 id="errors-heading">Errors by status</h2>
  ${
    errors === undefined
      ? html`<p class="muted">Calls by status code are kept per API: open the whole traffic or one API to see them.</p>`
      : dataTable({
          caption: 'Calls answered with a status of 400 or more (0: the client went away), the most frequent first',
          className: 'usage',
          columns: ['Status', { label: 'Calls', className: 'num' }],
          rows: errors.map((e) => html`<tr><th scope="row"><code>${e.status}</code></th><td class="num">${e.calls}</td></tr>`),
          empty: 'No errors in this range.',
          scroll: false,
        })
  }
</section>`;
}

/** Everything below the range picker: the empty state, or the totals, charts and tables. */
export function overviewSections(o: UsageOverview, preset: UsagePreset | undefined): SafeHtml {
  const range = { from: localMinute(o.range.from), to: localMinute(o.range.to - 60_000) };
  const span = html`<p class="muted range-shown">From <time datetime="${new Date(o.range.from).toISOString()}">${stepLabel(o.range.from, 60_000)}</time> to <time datetime="${new Date(o.range.to).toISOString()}">${stepLabel(o.range.to, 60_000)}</time> UTC, in steps of ${stepText(o.range.stepMs)}.</p>`;
  if (o.totals.total === 0) {
    return html`${span}
<section class="panel empty-state" aria-labelledby="empty-heading">
  <h2 id="empty-heading">No traffic in this range</h2>
  <p>No call reached the gateway in this range${o.range.preset ? '' : ' (or the gateway has not written it yet: it does every few seconds)'}. Try a longer range, or call an API through the gateway.</p>
</section>`;
  }
  return html`${span}
${totals(o)}
<section class="panel" aria-labelledby="calls-heading">
  <h2 id="calls-heading">Requests over time</h2>
  ${callsChart(o, { id: 'calls', title: 'Calls by result' })}
</section>
<section class="panel" aria-labelledby="latency-heading">
  <h2 id="latency-heading">Latency</h2>
  ${latencyChart(o, { id: 'latency', title: 'Latency percentiles' })}
</section>
<div class="grid-2 top-lists">
  ${(Object.keys(TOP_TITLES) as TopKind[]).filter((k) => o.top[k].length > 0).map((k) => topTable(k, o.top[k], preset, range))}
</div>
${errorsTable(o.errors)}`;
}

function stepText(stepMs: number): string {
  if (stepMs % 86_400_000 === 0) return stepMs === 86_400_000 ? 'a day' : `${stepMs / 86_400_000} days`;
  if (stepMs % 3_600_000 === 0) return stepMs === 3_600_000 ? 'an hour' : `${stepMs / 3_600_000} hours`;
  const minutes = stepMs / 60_000;
  return minutes === 1 ? 'a minute' : `${minutes} minutes`;
}
