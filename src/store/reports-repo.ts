/**
 * The read side of recorded traffic for the management API's reports: one grouped aggregate over
 * traffic_minutes (or its hour or day rollup, when the range and interval fall on their
 * boundaries) per report, bounded by the time range (a range scan of the primary key, or of
 * the (id, minute) index when the filter names a subscription, user, product or API), ordered and
 * paged in SQL, with the number of groups from a window over the grouped rows (one scan, no second
 * count query). Written to mean the same on SQLite and PostgreSQL; PostgreSQL's bigint and numeric
 * results arrive as strings and are converted here.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { ReportFilter, TimeBound } from '../domain/reports/filter.js';
import type { IdField, ReportKind } from '../domain/reports/kinds.js';
import type { OrderField, OrderTerm } from '../domain/reports/orderby.js';
import { operationKey, type ReportRow, type RequestRow } from '../domain/reports/records.js';
import type { Executor } from './database.js';
import { apiNames, productNames } from './subscriptions-repo.js';
import { coarsestResolution, minuteBounds } from '../domain/analytics/resolution.js';
import { TRAFFIC_TABLES } from './traffic-repo.js';

type Bool = RawBuilder<SqlBool>;

const ID_COLUMNS: Readonly<Record<IdField, string>> = {
  apiId: 'api_id',
  operationId: 'operation_id',
  productId: 'product_id',
  subscriptionId: 'subscription_id',
  userId: 'user_id',
};

function bound(column: string, b: TimeBound): Bool {
  const c = sql.ref(column);
  switch (b.op) {
    case 'ge':
      return sql<SqlBool>`${c} >= ${b.at}`;
    case 'gt':
      return sql<SqlBool>`${c} > ${b.at}`;
    case 'le':
      return sql<SqlBool>`${c} <= ${b.at}`;
    case 'lt':
      return sql<SqlBool>`${c} < ${b.at}`;
  }
}

/** The ids a filter names, as SQL conditions; every value a parameter. */
function idConditions(filter: ReportFilter): Bool[] {
  return (Object.entries(filter.ids) as [IdField, string][]).map(([field, id]) => sql<SqlBool>`${sql.ref(ID_COLUMNS[field])} = ${id}`);
}

/** The filter as SQL over the request log (its exact `at`). */
function requestConditions(filter: ReportFilter): Bool {
  const parts: Bool[] = [bound('at', filter.from)];
  if (filter.to) parts.push(bound('at', filter.to));
  parts.push(...idConditions(filter));
  return sql<SqlBool>`${sql.join(parts, sql` AND `)}`;
}

/** The grouping key of each report (columns of traffic_minutes; byTime's bucket is computed). */
const GROUP_KEYS: Readonly<Record<Exclude<ReportKind, 'request'>, readonly string[]>> = {
  api: ['api_id'],
  operation: ['api_id', 'operation_id'],
  product: ['product_id'],
  user: ['user_id'],
  subscription: ['subscription_id'],
  time: [],
  geo: [],
};

/** A bound in the average's divisor keeps PostgreSQL from dividing numeric by numeric (and SQLite integers). */
const NUMBERS = {
  callCountSuccess: sql`sum(calls_success)`,
  callCountBlocked: sql`sum(calls_blocked)`,
  callCountFailed: sql`sum(calls_failed)`,
  callCountOther: sql`sum(calls_other)`,
  callCountTotal: sql`sum(calls_total)`,
  bandwidth: sql`sum(bandwidth)`,
  apiTimeAvg: sql`CASE WHEN sum(calls_total) > 0 THEN sum(api_time_sum) / CAST(sum(calls_total) AS double precision) ELSE 0 END`,
  apiTimeMin: sql`min(api_time_min)`,
  apiTimeMax: sql`max(api_time_max)`,
  // service_time_min holds the largest double in rows no call of which reached a backend.
  serviceTimeAvg: sql`CASE WHEN sum(service_calls) > 0 THEN sum(service_time_sum) / CAST(sum(service_calls) AS double precision) ELSE 0 END`,
  serviceTimeMin: sql`CASE WHEN sum(service_calls) > 0 THEN min(service_time_min) ELSE 0 END`,
  serviceTimeMax: sql`max(service_time_max)`,
} as const;

export interface TrafficGroupQuery {
  kind: Exclude<ReportKind, 'request'>;
  filter: ReportFilter;
  order: readonly OrderTerm[];
  /** byTime: bucket length (ms, validated: a multiple of 15 minutes). */
  intervalMs?: number | undefined;
  top: number;
  skip: number;
}

function orderColumn(field: OrderField): string {
  return field === 'timestamp' ? 'bucket' : field in ID_COLUMNS ? ID_COLUMNS[field as IdField] : field;
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * The bucket table that answers the query exactly and its where clause: the timestamp bounds as
 * a range of bucket starts [from, to) (what they select of minute rows), read from the hour or
 * day rollup when they and byTime's interval fall on its boundaries.
 */
function source(q: TrafficGroupQuery, nonEmpty: readonly string[]) {
  const range = minuteBounds(q.filter.from as { op: 'ge' | 'gt'; at: number }, q.filter.to as { op: 'le' | 'lt'; at: number } | undefined);
  const resolution = coarsestResolution(range.from, range.to, q.kind === 'time' ? (q.intervalMs ?? 900_000) : undefined);
  const parts: Bool[] = [sql<SqlBool>`minute >= ${range.from}`];
  if (range.to !== undefined) parts.push(sql<SqlBool>`minute < ${range.to}`);
  parts.push(...idConditions(q.filter));
  for (const column of nonEmpty) parts.push(sql<SqlBool>`${sql.ref(column)} <> ''`);
  return { table: TRAFFIC_TABLES[resolution].calls, where: sql<SqlBool>`${sql.join(parts, sql` AND `)}` };
}

function groupedQuery(ex: Executor, q: TrafficGroupQuery, top: number, skip: number) {
  const keys = GROUP_KEYS[q.kind];
  // Inlined, not a parameter: PostgreSQL matches the GROUP BY expression to the selected one by its text.
  const bucket = q.kind === 'time' ? sql`minute - (minute % ${sql.lit(q.intervalMs ?? 900_000)})` : undefined;
  const from = source(q, q.kind === 'operation' ? ['operation_id'] : keys);
  let query = ex
    .selectFrom(from.table as 'traffic_minutes')
    .where(from.where)
    .select(Object.entries(NUMBERS).map(([alias, expression]) => expression.as(alias)))
    .select(sql<number>`count(*) over ()`.as('groupCount'));
  for (const key of keys) query = query.select(sql.ref(key).as(key));
  if (q.kind === 'subscription') {
    // A subscription has one owner and one product; max() names them without grouping by them.
    query = query.select([sql`max(user_id)`.as('user_id'), sql`max(product_id)`.as('product_id')]);
  }
  if (bucket) query = query.select(bucket.as('bucket')).groupBy(bucket);
  if (keys.length) query = query.groupBy(keys.map((k) => sql.ref(k)));
  for (const term of q.order) query = query.orderBy(sql.ref(orderColumn(term.field)), term.desc ? 'desc' : 'asc');
  for (const key of bucket ? ['bucket'] : keys) query = query.orderBy(sql.ref(key), 'asc');
  return query.limit(top).offset(skip);
}

function reportRow(r: Record<string, unknown>): ReportRow {
  return {
    apiId: str(r.api_id),
    operationId: str(r.operation_id),
    productId: str(r.product_id),
    subscriptionId: str(r.subscription_id),
    userId: str(r.user_id),
    bucket: num(r.bucket),
    callCountSuccess: num(r.callCountSuccess),
    callCountBlocked: num(r.callCountBlocked),
    callCountFailed: num(r.callCountFailed),
    callCountOther: num(r.callCountOther),
    callCountTotal: num(r.callCountTotal),
    bandwidth: num(r.bandwidth),
    apiTimeAvg: num(r.apiTimeAvg),
    apiTimeMin: num(r.apiTimeMin),
    apiTimeMax: num(r.apiTimeMax),
    serviceTimeAvg: num(r.serviceTimeAvg),
    serviceTimeMin: num(r.serviceTimeMin),
    serviceTimeMax: num(r.serviceTimeMax),
  };
}

/** One page of groups and how many groups there are in all. */
export async function groupTraffic(ex: Executor, q: TrafficGroupQuery): Promise<{ rows: ReportRow[]; count: number }> {
  if (q.filter.otherRegion) return { rows: [], count: 0 };
  let raw = (await groupedQuery(ex, q, q.top, q.skip).execute()) as Record<string, unknown>[];
  // byGeo is one aggregate over everything: without rows it is a row of nulls, which is no group.
  if (q.kind === 'geo') raw = raw.filter((r) => num(r.callCountTotal) > 0);
  let count = raw.length > 0 ? num(raw[0]!.groupCount) : 0;
  if (raw.length === 0 && q.skip > 0 && q.kind !== 'geo') {
    // Past the last page: the window had no row to ride on.
    const first = (await groupedQuery(ex, q, 1, 0).execute()) as Record<string, unknown>[];
    count = first.length > 0 ? num(first[0]!.groupCount) : 0;
  }
  return { rows: raw.map(reportRow), count };
}

export interface TrafficRequestQuery {
  filter: ReportFilter;
  newestFirst: boolean;
  top: number;
  skip: number;
}

/** Logged requests in the range, by time (the `at` index), at most `top`. */
export async function listTrafficRequests(ex: Executor, q: TrafficRequestQuery): Promise<RequestRow[]> {
  if (q.filter.otherRegion) return [];
  const direction = q.newestFirst ? 'desc' : 'asc';
  const rows = await ex
    .selectFrom('traffic_requests')
    .selectAll()
    .where(requestConditions(q.filter))
    .orderBy('at', direction)
    .orderBy('id', direction)
    .limit(q.top)
    .offset(q.skip)
    .execute();
  return rows.map((r) => ({
    at: num(r.at),
    requestId: r.request_id,
    method: r.method,
    url: r.url,
    ip: r.ip,
    apiId: r.api_id,
    operationId: r.operation_id,
    productId: r.product_id,
    subscriptionId: r.subscription_id,
    userId: r.user_id,
    responseCode: num(r.response_code),
    backendResponseCode: num(r.backend_response_code),
    requestSize: num(r.request_size),
    responseSize: num(r.response_size),
    apiTime: num(r.api_time),
    serviceTime: num(r.service_time),
  }));
}

/**
 * Display names of the entities of one page of a report, by id (operations by operationKey): a
 * lookup by primary key of at most a page of ids. Ids of deleted entities are absent.
 */
export async function reportNames(ex: Executor, kind: ReportKind, rows: readonly ReportRow[]): Promise<Map<string, string>> {
  const distinct = (pick: (r: ReportRow) => string) => [...new Set(rows.map(pick))];
  switch (kind) {
    case 'api':
      return apiNames(ex, distinct((r) => r.apiId));
    case 'product':
      return productNames(ex, distinct((r) => r.productId));
    case 'user': {
      const ids = distinct((r) => r.userId);
      if (ids.length === 0) return new Map();
      const users = await ex.selectFrom('users').select(['id', 'first_name', 'last_name']).where('id', 'in', ids).execute();
      return new Map(users.map((u) => [u.id, `${u.first_name} ${u.last_name}`.trim()]));
    }
    case 'subscription': {
      const ids = distinct((r) => r.subscriptionId);
      if (ids.length === 0) return new Map();
      const subs = await ex.selectFrom('subscriptions').select(['id', 'display_name']).where('id', 'in', ids).execute();
      return new Map(subs.flatMap((s) => (s.display_name ? [[s.id, s.display_name] as const] : [])));
    }
    case 'operation': {
      const apis = distinct((r) => r.apiId);
      const ops = distinct((r) => r.operationId);
      if (ops.length === 0) return new Map();
      const found = await ex
        .selectFrom('api_operations')
        .select(['api_id', 'id', 'display_name'])
        .where('api_id', 'in', apis)
        .where('id', 'in', ops)
        .execute();
      return new Map(found.map((o) => [operationKey(o.api_id, o.id), o.display_name]));
    }
    default:
      return new Map();
  }
}
