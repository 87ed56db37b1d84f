/**
 * The reports use cases (Azure's Reports_ListBy*): aggregates of the traffic the gateways
 * recorded, one page at a time, with the display names of that page's entities only.
 */
import type { ReportQuery } from '../domain/reports/query.js';
import { entityOf, reportRecord, requestRecord } from '../domain/reports/records.js';
import type { ServiceDeps } from './deps.js';
import type { Page } from './views.js';

export type ReportRecord = Record<string, unknown>;

export interface ReportService {
  /** byApi, byUser, byOperation, byProduct, byGeo, bySubscription, byTime: one page and the number of groups. */
  grouped(query: ReportQuery): Promise<Page<ReportRecord>>;
  /** byRequest: at most `top` logged requests, oldest first unless ordered `timestamp desc`. */
  requests(query: ReportQuery): Promise<ReportRecord[]>;
}

export function createReportService(deps: Pick<ServiceDeps, 'store'>, options: { gatewayUrl: string }): ReportService {
  const { store } = deps;
  return {
    async grouped(q) {
      if (q.kind === 'request') throw new Error('byRequest is not a grouped report');
      const { rows, count } = await store.reports.groupTraffic({
        kind: q.kind,
        filter: q.filter,
        order: q.order,
        intervalMs: q.interval?.ms,
        top: q.top,
        skip: q.skip,
      });
      const names = await store.reports.reportNames(q.kind, rows);
      const items = rows.map((r) => {
        const entity = entityOf(q.kind, r);
        return reportRecord(q.kind, r, entity && (names.get(entity.key) ?? entity.id), q.interval);
      });
      return { items, count };
    },

    async requests(q) {
      const newestFirst = q.order[0]?.desc ?? false;
      const rows = await store.reports.listTrafficRequests({ filter: q.filter, newestFirst, top: q.top, skip: q.skip });
      return rows.map((r) => requestRecord(r, options.gatewayUrl));
    },
  };
}
