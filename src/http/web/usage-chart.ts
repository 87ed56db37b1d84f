/**
 * Usage charts, the same for the admin UI and the portal: a figure with the numbers as a table
 * (the page works without JavaScript: the table is open) and, when the script runs, a uPlot chart
 * drawn from the figure's `data-chart` attribute (escaped like any attribute: no inline script, so
 * CSP `script-src 'self'` holds), after which the table folds away under "Table".
 *
 * uPlot (node_modules/uplot) is served by each face itself, never from a CDN: one script (uPlot
 * and the drawing code after it) and one stylesheet, under names holding their content's hash, so
 * they are cached for a year and a new version is a new name.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import { page } from './face.js';
import { html, type SafeHtml } from './html.js';
import type { UsageSeries } from '../../services/usage.js';

const resolve = createRequire(import.meta.url).resolve;
const UPLOT_JS = readFileSync(resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
const UPLOT_CSS = readFileSync(resolve('uplot/dist/uPlot.min.css'), 'utf8');

/**
 * Draws every `[data-chart]` of the page. Times are shown in UTC, as the tables are. The chart is
 * as wide as its box and follows it when the window is resized.
 */
const CHART_JS = `
(function () {
  'use strict';
  if (typeof uPlot !== 'function') return;
  var charts = [];
  function utc(ts) { return uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'); }
  function text(v) { return v == null ? '–' : String(v); }
  function draw(node) {
    var spec = JSON.parse(node.getAttribute('data-chart'));
    node.hidden = false;
    var bars = spec.style === 'bars' ? uPlot.paths.bars({ size: [0.7, 48] }) : null;
    var list = spec.series.map(function (s) { return { s: s, values: s.values }; });
    if (bars) {
      // Stacked: each bar is drawn as tall as its class and the ones below it, the tallest first,
      // so that every class shows as its own band; the legend still says each class's own count.
      var run = spec.x.map(function () { return 0; });
      list.forEach(function (item) {
        run = run.map(function (r, i) { return r + (item.s.values[i] || 0); });
        item.values = run.map(function (v) { return v === 0 ? null : v; });
      });
      list.reverse();
    }
    var series = [{ label: 'Time' }].concat(list.map(function (item) {
      var s = item.s;
      var one = { label: s.label, stroke: s.color, width: 2,
        value: function (u, v, si, idx) {
          var own = idx == null ? v : s.values[idx];
          return spec.unit === 'ms' ? (own == null ? '–' : own.toFixed(1) + ' ms') : text(own);
        } };
      if (bars) { one.paths = bars; one.fill = s.color; one.width = 0; one.points = { show: false }; }
      // Percentiles are missing where nothing was called: join the steps that have them, and mark each.
      else if (spec.unit === 'ms') { one.spanGaps = true; one.points = { show: true, size: 5, fill: s.color }; }
      else { one.fill = s.color + '1f'; one.points = { show: false }; }
      return one;
    }));
    // Bars are centered on their step: half a step more on each side keeps the first and last whole.
    var half = spec.x.length > 1 ? (spec.x[1] - spec.x[0]) / 2000 : 43200;
    var opts = {
      width: Math.max(280, node.clientWidth),
      height: 220,
      tzDate: utc,
      series: series,
      scales: { x: bars ? { time: true, range: function (u, min, max) { return [min - half, max + half]; } } : { time: true }, y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; } } },
      axes: [{}, { size: 72, values: function (u, ticks) { return ticks.map(function (t) { return spec.unit === 'ms' ? t + ' ms' : String(t); }); } }],
      legend: { live: true },
      cursor: { drag: { x: false, y: false } }
    };
    var data = [spec.x.map(function (t) { return t / 1000; })].concat(list.map(function (item) { return item.values; }));
    var chart = new uPlot(opts, data, node);
    charts.push({ chart: chart, node: node });
    node.setAttribute('data-drawn', 'true');
    var table = node.parentNode && node.parentNode.querySelector('details.chart-table');
    if (table) table.open = false;
  }
  var nodes = document.querySelectorAll('[data-chart]');
  for (var i = 0; i < nodes.length; i++) draw(nodes[i]);
  var pending = 0;
  window.addEventListener('resize', function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(function () {
      charts.forEach(function (c) { c.chart.setSize({ width: Math.max(280, c.node.clientWidth), height: 220 }); });
    }, 100);
  });
})();
`;

const CHART_CSS = `
/* Usage charts (src/http/web/usage-chart.ts) */
figure.usage-chart { margin: 0 0 1.5rem; min-width: 0; }
figure.usage-chart figcaption { font-weight: 600; margin: 0 0 0.5rem; }
.chart-canvas { width: 100%; min-height: 220px; }
.chart-canvas .uplot { width: 100%; font-family: inherit; }
.chart-canvas .u-legend { font-size: 0.8125rem; text-align: left; }
details.chart-table { margin-top: 0.5rem; }
details.chart-table > summary { cursor: pointer; color: #1d4ed8; font-size: 0.875rem; }
details.chart-table .table-scroll { max-height: 22rem; overflow: auto; }
table.usage { width: 100%; border-collapse: collapse; font-size: 0.875rem; background: #ffffff; }
table.usage caption { text-align: left; font-weight: 400; color: #4b5563; padding: 0.25rem 0 0.5rem; }
table.usage th, table.usage td { text-align: left; padding: 0.375rem 0.5rem; border-bottom: 1px solid #e5e7eb; }
table.usage thead th { font-weight: 600; color: #374151; border-bottom-width: 2px; white-space: nowrap; }
table.usage td.num, table.usage th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.usage tfoot th, table.usage tfoot td { font-weight: 600; border-top: 2px solid #e5e7eb; }
`;

export const CHARTS_JS = `${UPLOT_JS}\n${CHART_JS}`;
export const CHARTS_CSS = `${UPLOT_CSS}\n${CHART_CSS}`;

const hashOf = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 16);
const JS_NAME = `charts-${hashOf(CHARTS_JS)}.js`;
const CSS_NAME = `charts-${hashOf(CHARTS_CSS)}.css`;

/** A year: the names change with the content. */
const LONG_CACHE = 'public, max-age=31536000, immutable';

export interface ChartAssets {
  scriptPath: string;
  stylesheetPath: string;
  /** The stylesheet and the script, for the page (both fine in the body; the script is deferred). */
  tags: SafeHtml;
}

/** Where a face serves the chart assets (`/admin/assets`, `/assets`). */
export function chartAssets(prefix: string): ChartAssets {
  const scriptPath = `${prefix}/${JS_NAME}`;
  const stylesheetPath = `${prefix}/${CSS_NAME}`;
  return {
    scriptPath,
    stylesheetPath,
    tags: html`<link rel="stylesheet" href="${stylesheetPath}">
<script src="${scriptPath}" defer></script>`,
  };
}

/** Serves the chart assets under the face's prefix (open routes: there is nothing personal in them). */
export function registerChartAssets(app: FastifyInstance, assets: ChartAssets): void {
  app.get(assets.scriptPath, page({ auth: 'none', session: false }), async (_request, reply) =>
    reply.header('cache-control', LONG_CACHE).type('text/javascript; charset=utf-8').send(CHARTS_JS),
  );
  app.get(assets.stylesheetPath, page({ auth: 'none', session: false }), async (_request, reply) =>
    reply.header('cache-control', LONG_CACHE).type('text/css; charset=utf-8').send(CHARTS_CSS),
  );
}

/** Colors that pass WCAG AA on white (lines and bars), by what they show. */
export const CHART_COLORS = {
  success: '#15803d',
  blocked: '#b45309',
  failed: '#b42318',
  other: '#4b5563',
  p50: '#1d4ed8',
  p95: '#7c3aed',
  p99: '#be185d',
} as const;

export interface ChartSeries {
  label: string;
  color: string;
  values: readonly (number | undefined)[];
}

export interface UsageChartInput {
  /** Unique in the page (the caption's id). */
  id: string;
  title: string;
  /** Start of each step (epoch ms). */
  x: readonly number[];
  stepMs: number;
  series: readonly ChartSeries[];
  unit: 'calls' | 'ms';
  style?: 'line' | 'bars';
  /** What the table's caption says about it. */
  caption: string;
}

const DAY = 86_400_000;

/** A step's start in words, in UTC: "2026-03-02" for days, "2026-03-02 10:15" otherwise. */
export function stepLabel(at: number, stepMs: number): string {
  const iso = new Date(at).toISOString();
  return stepMs >= DAY && stepMs % DAY === 0 ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

const cell = (v: number | undefined, unit: 'calls' | 'ms') => (v === undefined ? '–' : unit === 'ms' ? v.toFixed(1) : String(v));

/**
 * The chart's numbers as a table: one row per step that has a value in any series (a range of
 * zeros would bury the few that count), with the steps' totals for calls.
 */
function chartTable(c: UsageChartInput): SafeHtml {
  const rows = c.x.flatMap((at, i) => {
    const values = c.series.map((s) => s.values[i]);
    if (values.every((v) => v === undefined || (c.unit === 'calls' && v === 0))) return [];
    return [html`<tr><th scope="row"><time datetime="${new Date(at).toISOString()}">${stepLabel(at, c.stepMs)}</time></th>${values.map((v) => html`<td class="num">${cell(v, c.unit)}</td>`)}</tr>`];
  });
  const foot =
    c.unit === 'calls' &&
    html`<tfoot><tr><th scope="row">Total</th>${c.series.map((s) => html`<td class="num">${s.values.reduce<number>((a, v) => a + (v ?? 0), 0)}</td>`)}</tr></tfoot>`;
  return html`<div class="table-scroll"><table class="data usage">
  <caption>${c.caption}</caption>
  <thead><tr><th scope="col">${c.stepMs >= DAY ? 'Day (UTC)' : 'Time (UTC)'}</th>${c.series.map((s) => html`<th scope="col" class="num">${s.label}${c.unit === 'ms' ? ' (ms)' : ''}</th>`)}</tr></thead>
  <tbody>${rows.length > 0 ? rows : html`<tr><td colspan="${c.series.length + 1}" class="empty">No calls in this range.</td></tr>`}</tbody>
  ${foot}
</table></div>`;
}

/** A chart (drawn by the script) over its table (the numbers, always there). */
export function usageChart(c: UsageChartInput): SafeHtml {
  const spec = {
    x: c.x,
    unit: c.unit,
    style: c.style ?? 'line',
    series: c.series.map((s) => ({ label: s.label, color: s.color, values: s.values.map((v) => (v === undefined ? null : Math.round(v * 10) / 10)) })),
  };
  return html`<figure class="usage-chart" aria-labelledby="${c.id}-title">
  <figcaption id="${c.id}-title">${c.title}</figcaption>
  <div class="chart-canvas" id="${c.id}-chart" data-chart="${JSON.stringify(spec)}" role="img" aria-label="${c.title} (chart; the numbers are in the table)" hidden></div>
  <details class="chart-table" open>
    <summary>Table</summary>
    ${chartTable(c)}
  </details>
</figure>`;
}

/** Calls over time split by Azure's classes (success, blocked, failed, and other when there were any). */
export function callsChart(s: UsageSeries, o: { id: string; title: string; style?: 'line' | 'bars'; caption?: string }): SafeHtml {
  const classes = (['success', 'blocked', 'failed', 'other'] as const).filter((k) => k !== 'other' || s.totals.other > 0);
  const labels = { success: 'Successful', blocked: 'Blocked', failed: 'Failed', other: 'Other' } as const;
  return usageChart({
    id: o.id,
    title: o.title,
    x: s.points.map((p) => p.at),
    stepMs: s.range.stepMs,
    series: classes.map((k) => ({ label: labels[k], color: CHART_COLORS[k], values: s.points.map((p) => p[k]) })),
    unit: 'calls',
    ...(o.style ? { style: o.style } : {}),
    caption: o.caption ?? 'Calls per step; steps without calls are left out.',
  });
}

/** Latency percentiles (total time of a call) over time. */
export function latencyChart(s: UsageSeries, o: { id: string; title: string }): SafeHtml {
  return usageChart({
    id: o.id,
    title: o.title,
    x: s.points.map((p) => p.at),
    stepMs: s.range.stepMs,
    series: (['p50', 'p95', 'p99'] as const).map((q) => ({ label: q, color: CHART_COLORS[q], values: s.points.map((p) => p.latency[q]) })),
    unit: 'ms',
    caption: 'Total time of a call (ms), estimated from the latency histogram; steps without calls are left out.',
  });
}
