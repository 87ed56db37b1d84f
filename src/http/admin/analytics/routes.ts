/**
 * The Analytics page (`GET /admin/analytics`, see query.ts for its parameters): what the gateways
 * recorded over a time range, for all traffic or one API's, product's, user's or subscription's;
 * and the chart assets every usage section of the admin UI loads (uPlot and its drawing script,
 * served from here, never from a CDN).
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../../domain/errors.js';
import type { UsageOverview } from '../../../services/usage.js';
import { queryParam } from '../../web/query.js';
import { sentence } from '../../web/form-errors.js';
import { page } from '../../web/face.js';
import { html } from '../../web/html.js';
import { registerChartAssets } from '../../web/usage-chart.js';
import type { AdminContext } from '../context.js';
import { notice, pageHead, sendAdminPage } from '../render.js';
import { ADMIN_CHARTS } from './charts.js';
import { ANALYTICS_PATH, DEFAULT_PRESET, analyticsHref, analyticsQuery, scopeOf, type AnalyticsQuery } from './query.js';
import { SCOPE_LABELS, entityPath, overviewSections, rangePicker, rangeValues } from './view.js';

export function registerAnalyticsPages(app: FastifyInstance, ctx: AdminContext): void {
  registerChartAssets(app, ADMIN_CHARTS);

  app.get(ANALYTICS_PATH, page(), async (request, reply) => {
    const scope = scopeOf(request);
    let query: AnalyticsQuery | undefined;
    let overview: UsageOverview | undefined;
    const errors: Record<string, string> = {};
    try {
      query = analyticsQuery(request);
      overview = await ctx.usage.overview(query.range, scope);
    } catch (error) {
      if (!(error instanceof AppError) || error.kind !== 'validation') throw error;
      for (const d of error.details) if (d.target === 'from' || d.target === 'to') errors[d.target] ??= sentence(d.message);
      if (Object.keys(errors).length === 0) throw error;
    }
    const scopeName = scope && ((await ctx.usage.scopeName(scope)) ?? scope.id);
    const preset = query && 'preset' in query.range ? query.range.preset : undefined;
    // The form starts from the range shown; after an error, from what was typed.
    const values = overview ? rangeValues(overview.range) : { from: queryParam(request, 'from'), to: queryParam(request, 'to') };
    const heading = scope ? `Analytics: ${SCOPE_LABELS[scope.kind]} ${scopeName}` : 'Analytics';
    return sendAdminPage(ctx, request, reply, {
      title: `${overview ? '' : 'Error: '}${heading}`,
      section: 'analytics',
      status: overview ? 200 : 400,
      main: html`${pageHead(
        heading,
        scope && html`<a class="button secondary" href="${entityPath(scope)}">${SCOPE_LABELS[scope.kind]} page</a> <a class="button secondary" href="${analyticsHref({ preset: preset ?? DEFAULT_PRESET }, undefined)}">All traffic</a>`,
      )}
${notice(request)}
${rangePicker(preset, scope, { values, errors })}
${overview ? overviewSections(overview, preset) : ''}
${ADMIN_CHARTS.tags}`,
    });
  });
}
