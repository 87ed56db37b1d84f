/**
 * Chart-shaped reads of recorded traffic (traffic_minutes, traffic_statuses) for the admin UI's
 * Analytics page and the usage sections of the user, product and portal subscription pages: calls
 * per time step, the busiest entities, calls by status. (The Azure reports API reads the same
 * tables in its own shapes: reports-repo.ts.)
 *
 * Every read is over a time range [from, to) in epoch ms and, when scoped, over one entity's
 * column, from the minute rows or, when the range and step fall on hours or UTC days, from their
 * rollups: the (column, minute) indexes of migration 0009 serve the scoped ones, the primary key's
 * leading `minute` the rest. Results are bounded: a series has one row per step (the caller picks
 * a step that keeps them few), a top list `limit` rows, statuses one row per status code.
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import { LATENCY_BUCKETS } from '../domain/analytics/latency.js';
import type { Executor } from './database.js';
import { coarsestResolution } from '../domain/analytics/resolution.js';
import { TRAFFIC_TABLES } from './traffic-repo.js';

/** The coarsest bucket table whose boundaries the window (and step) fall on: a month of days reads 30 rows per entity, not 43,200. */
function tables(w: UsageWindow, stepMs?: number) {
  return TRAFFIC_TABLES[coarsestResolution(w.from, w.to, stepMs)];
}

/** Which entity's traffic: the column of traffic_minutes that names it. */
export type UsageScopeKind = 'api' | 'product' | 'subscription' | 'user';
export interface UsageScope {
  kind: UsageScopeKind;
  id: string;
}

const SCOPE_COLUMN = {
  api: 'api_id',
  product: 'product_id',
  subscription: 'subscription_id',
  user: 'user_id',
} as const satisfies Record<UsageScopeKind, string>;

export interface UsageWindow {
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
}

export interface UsageCounts {
  success: number;
  blocked: number;
  failed: number;
  other: number;
  total: number;
}

export interface UsageStepRow extends UsageCounts {
  /** Start of the step (epoch ms). */
  at: number;
  /** Largest total time of a call in the step (ms): bounds the histogram's last bucket. */
  apiTimeMax: number;
  /** Summed latency histogram (src/domain/analytics/latency.ts). */
  latency: number[];
}

const LATENCY_COLUMNS = Array.from({ length: LATENCY_BUCKETS }, (_, i) => `latency_${i}` as const);

const num = (v: unknown): number => Number(v ?? 0);

function counts(row: Record<string, unknown>): UsageCounts {
  return { success: num(row.success), blocked: num(row.blocked), failed: num(row.failed), other: num(row.other), total: num(row.total) };
}

/** The rows of the window (and of the scope's entity), as a where clause. */
function inWindow(w: UsageWindow, scope: UsageScope | undefined): Expression<SqlBool> {
  const range = sql<SqlBool>`minute >= ${w.from} and minute < ${w.to}`;
  return scope ? sql<SqlBool>`${sql.ref(SCOPE_COLUMN[scope.kind])} = ${scope.id} and ${range}` : range;
}

const CLASS_SUMS = sql`sum(calls_success) as success, sum(calls_blocked) as blocked, sum(calls_failed) as failed, sum(calls_other) as other, sum(calls_total) as total`;

/**
 * Calls per step of `stepMs` (a whole number of minutes; steps of days start at UTC midnight),
 * oldest first; steps without calls have no row.
 */
export async function usageByStep(ex: Executor, w: UsageWindow, stepMs: number, scope?: UsageScope): Promise<UsageStepRow[]> {
  if (!Number.isSafeInteger(stepMs) || stepMs <= 0) throw new Error(`invalid step ${stepMs}`);
  const step = sql`minute - minute % ${sql.lit(stepMs)}`;
  const latency = sql.join(LATENCY_COLUMNS.map((c) => sql`sum(${sql.ref(c)}) as ${sql.ref(c)}`));
  const { rows } = await sql<Record<string, unknown>>`select ${step} as at, ${CLASS_SUMS}, max(api_time_max) as api_time_max, ${latency}
    from ${sql.table(tables(w, stepMs).calls)} where ${inWindow(w, scope)} group by ${step} order by at`.execute(ex);
  return rows.map((r) => ({
    at: num(r.at),
    ...counts(r),
    apiTimeMax: num(r.api_time_max),
    latency: LATENCY_COLUMNS.map((c) => num(r[c])),
  }));
}

export type UsageTopKind = 'api' | 'operation' | 'product' | 'user' | 'subscription';

export interface UsageTopRow extends UsageCounts {
  id: string;
  /** The operation's API (kind 'operation' only). */
  apiId?: string;
}

/**
 * The `limit` entities of a kind with the most calls in the window, the busiest first (ties by
 * id); calls that named none of that kind ('' ids) are left out.
 */
export async function usageTop(ex: Executor, w: UsageWindow, kind: UsageTopKind, limit: number, scope?: UsageScope): Promise<UsageTopRow[]> {
  const keys = kind === 'operation' ? ['api_id', 'operation_id'] : [`${kind}_id`];
  const cols = sql.join(keys.map((k) => sql.ref(k)));
  const named = sql.join(keys.map((k) => sql`${sql.ref(k)} <> ''`), sql` and `);
  const { rows } = await sql<Record<string, unknown>>`select ${cols}, ${CLASS_SUMS}
    from ${sql.table(tables(w).calls)} where ${inWindow(w, scope)} and ${named}
    group by ${cols} order by total desc, ${cols} limit ${sql.lit(Math.max(1, Math.trunc(limit)))}`.execute(ex);
  return rows.map((r) => ({
    ...counts(r),
    ...(kind === 'operation' ? { id: String(r.operation_id), apiId: String(r.api_id) } : { id: String(r[`${kind}_id`]) }),
  }));
}

export interface UsageStatusRow {
  status: number;
  calls: number;
}

/** Calls per status code in the window (of one API when given), the most frequent first. */
export async function usageByStatus(ex: Executor, w: UsageWindow, apiId?: string): Promise<UsageStatusRow[]> {
  let q = ex
    .selectFrom(tables(w).statuses as 'traffic_statuses')
    .select(['status', sql<number>`sum(calls)`.as('calls')])
    .where('minute', '>=', w.from)
    .where('minute', '<', w.to);
  if (apiId !== undefined) q = q.where('api_id', '=', apiId);
  const rows = await q.groupBy('status').orderBy('calls', 'desc').orderBy('status').execute();
  return rows.map((r) => ({ status: num(r.status), calls: num(r.calls) }));
}

/** Calls per step of each of `subscriptionIds` (a developer's own), by the (subscription_id, minute) index. */
export async function usageOfSubscriptions(
  ex: Executor,
  w: UsageWindow,
  stepMs: number,
  subscriptionIds: readonly string[],
): Promise<Map<string, UsageStepRow[]>> {
  const entries = await Promise.all(subscriptionIds.map(async (id) => [id, await usageByStep(ex, w, stepMs, { kind: 'subscription', id })] as const));
  return new Map(entries);
}

/** Display names of a few entities (the ones a top list shows), by id; ids not found are absent. */
export async function usageNames(ex: Executor, kind: Exclude<UsageTopKind, 'operation'>, ids: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (ids.length === 0) return out;
  if (kind === 'user') {
    const rows = await ex.selectFrom('users').select(['id', 'first_name', 'last_name', 'email']).where('id', 'in', ids).execute();
    for (const r of rows) out.set(r.id, `${r.first_name} ${r.last_name}`.trim() || r.email);
    return out;
  }
  const table = kind === 'api' ? 'apis' : kind === 'product' ? 'products' : 'subscriptions';
  const rows = await ex.selectFrom(table).select(['id', 'display_name']).where('id', 'in', ids).execute();
  for (const r of rows) if (r.display_name) out.set(r.id, r.display_name);
  return out;
}

/** Display names of operations, by `${apiId}/${operationId}`. */
export async function usageOperationNames(ex: Executor, ops: readonly { apiId: string; id: string }[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (ops.length === 0) return out;
  const rows = await ex
    .selectFrom('api_operations')
    .select(['api_id', 'id', 'display_name'])
    .where('api_id', 'in', [...new Set(ops.map((o) => o.apiId))])
    .where('id', 'in', [...new Set(ops.map((o) => o.id))])
    .execute();
  for (const r of rows) out.set(`${r.api_id}/${r.id}`, r.display_name);
  return out;
}
