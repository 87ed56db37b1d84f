/**
 * Reports_ListBy* of apimreports.json: `/reports/byApi`, `byUser`, `byOperation`, `byProduct`,
 * `byGeo`, `bySubscription`, `byTime` (ReportCollection: value, count, nextLink) and `byRequest`
 * (RequestReportCollection: value and count, no paging in Azure; `$top`/`$skip` still bound it).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { REPORT_KINDS, REPORT_ROUTES, type ReportKind } from '../../domain/reports/kinds.js';
import { parseReportQuery } from '../../domain/reports/query.js';
import type { ManagementDeps } from './deps.js';
import { listResponse, pageRequest, queryValue } from './request.js';

export function registerReportRoutes(app: FastifyInstance, deps: ManagementDeps): void {
  const { reports } = deps;
  const query = (kind: ReportKind, req: FastifyRequest) => {
    const page = pageRequest(req);
    const parsed = parseReportQuery(kind, {
      filter: page.filter,
      orderby: queryValue(req, '$orderby'),
      interval: queryValue(req, 'interval'),
      top: page.top,
      skip: page.skip,
    });
    return { page, parsed };
  };

  for (const kind of REPORT_KINDS) {
    app.get(`/reports/${REPORT_ROUTES[kind]}`, async (req) => {
      const { page, parsed } = query(kind, req);
      if (kind === 'request') {
        const value = await reports.requests(parsed);
        return { value, count: value.length };
      }
      return listResponse(req, deps.publicUrl, page, await reports.grouped(parsed), (r) => r);
    });
  }
}
