/**
 * The usage section of a user's and a product's page: their calls per day over the last 30 days
 * (chart and table), and the way to the Analytics page scoped to them.
 */
import type { UsageScope, UsageSeries } from '../../../services/usage.js';
import { html, type SafeHtml } from '../../web/html.js';
import { callsChart } from '../../web/usage-chart.js';
import type { AdminContext } from '../context.js';
import { ADMIN_CHARTS } from './charts.js';
import { analyticsHref } from './query.js';

/** The last 30 days of one entity's calls, read for its page. */
export function usageOf(ctx: AdminContext, scope: UsageScope): Promise<UsageSeries> {
  return ctx.usage.callsOverTime({ preset: '30d' }, scope);
}

export function usagePanel(scope: UsageScope, series: UsageSeries): SafeHtml {
  const id = `usage-${scope.kind}`;
  return html`<section class="panel usage-panel" aria-labelledby="${id}-heading">
  <h2 id="${id}-heading">Usage</h2>
  ${
    series.totals.total === 0
      ? html`<p class="empty">No calls in the last 30 days.</p>`
      : html`<p class="muted">${series.totals.total} ${series.totals.total === 1 ? 'call' : 'calls'} in the last 30 days: ${series.totals.success} successful, ${series.totals.blocked} blocked, ${series.totals.failed} failed.</p>
  ${callsChart(series, { id, title: 'Calls per day, last 30 days', style: 'bars', caption: 'Calls per day (UTC); days without calls are left out.' })}
  ${ADMIN_CHARTS.tags}`
  }
  <p class="actions"><a href="${analyticsHref({ preset: '30d' }, scope)}">Open in Analytics</a></p>
</section>`;
}
