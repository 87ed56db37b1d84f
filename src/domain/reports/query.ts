/** A report request, checked and typed: what the store needs to aggregate, order and page in SQL. */
import { parseReportFilter, type ReportFilter } from './filter.js';
import { parseInterval, type ReportInterval } from './interval.js';
import type { ReportKind } from './kinds.js';
import { parseOrderBy, type OrderTerm } from './orderby.js';

export interface ReportQuery {
  kind: ReportKind;
  filter: ReportFilter;
  order: OrderTerm[];
  /** byTime only. */
  interval: ReportInterval | undefined;
  top: number;
  skip: number;
}

export interface RawReportQuery {
  filter: string | undefined;
  orderby: string | undefined;
  interval: string | undefined;
  /** Already checked and capped (the management API's pageRequest). */
  top: number;
  skip: number;
}

/** Throws a validation AppError naming the parameter at fault. */
export function parseReportQuery(kind: ReportKind, raw: RawReportQuery): ReportQuery {
  return {
    kind,
    filter: parseReportFilter(kind, raw.filter),
    order: parseOrderBy(kind, raw.orderby),
    interval: kind === 'time' ? parseInterval(raw.interval) : undefined,
    top: raw.top,
    skip: raw.skip,
  };
}
