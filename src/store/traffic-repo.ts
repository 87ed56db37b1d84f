/**
 * The write side of recorded traffic (src/gateway/analytics): gateways add what they counted since
 * their last flush to each minute's row, so several nodes (and several flushes of one minute) add
 * up instead of overwriting each other; the sampled request log is appended to. Pruned past its
 * retention a batch at a time. The reports and usage pages read these tables (reports-repo.ts,
 * usage-repo.ts).
 */
import { sql } from 'kysely';
import type { Executor, SqlDialect } from './database.js';
import type { TrafficMinutesTable, TrafficRequestsTable, TrafficStatusesTable } from './schema.js';
import type { TrafficResolution } from '../domain/analytics/resolution.js';
import { MAX_BUCKET_FIELDS, MIN_BUCKET_FIELDS, SUMMED_BUCKET_FIELDS } from '../domain/analytics/bucket-fields.js';

/** The aggregate and status tables of each resolution (migration 0009). */
export const TRAFFIC_TABLES = {
  minute: { calls: 'traffic_minutes', statuses: 'traffic_statuses' },
  hour: { calls: 'traffic_hours', statuses: 'traffic_statuses_hours' },
  day: { calls: 'traffic_days', statuses: 'traffic_statuses_days' },
} as const satisfies Record<TrafficResolution, { calls: string; statuses: string }>;
export type TrafficCallsTable = (typeof TRAFFIC_TABLES)[TrafficResolution]['calls'];
export type TrafficStatusesTableName = (typeof TRAFFIC_TABLES)[TrafficResolution]['statuses'];

export type TrafficMinuteRow = TrafficMinutesTable;
export type TrafficStatusRow = TrafficStatusesTable;
export type TrafficRequestRow = Omit<TrafficRequestsTable, 'id'>;

/** Rows per statement: 33 parameters each stays below SQLite's (32,766) and PostgreSQL's (65,535) limits. */
const ROWS_PER_STATEMENT = 200;


/** Adds `rows` (buckets of `resolution`: `minute` is their start) to what is recorded. */
export async function addTrafficMinutes(
  ex: Executor,
  dialect: SqlDialect,
  rows: readonly TrafficMinuteRow[],
  resolution: TrafficResolution = 'minute',
): Promise<void> {
  const table = TRAFFIC_TABLES[resolution].calls;
  const least = dialect === 'postgres' ? 'least' : 'min';
  const greatest = dialect === 'postgres' ? 'greatest' : 'max';
  const set: Record<string, unknown> = {};
  const own = (c: string) => sql.ref(`${table}.${c}`);
  for (const c of SUMMED_BUCKET_FIELDS) set[c] = sql`${own(c)} + excluded.${sql.ref(c)}`;
  for (const c of MIN_BUCKET_FIELDS) set[c] = sql`${sql.raw(least)}(${own(c)}, excluded.${sql.ref(c)})`;
  for (const c of MAX_BUCKET_FIELDS) set[c] = sql`${sql.raw(greatest)}(${own(c)}, excluded.${sql.ref(c)})`;
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    await ex
      .insertInto(table)
      .values(rows.slice(i, i + ROWS_PER_STATEMENT))
      .onConflict((oc) => oc.columns(['minute', 'api_id', 'operation_id', 'product_id', 'subscription_id', 'user_id']).doUpdateSet(set as never))
      .execute();
  }
}

export async function addTrafficStatuses(ex: Executor, rows: readonly TrafficStatusRow[], resolution: TrafficResolution = 'minute'): Promise<void> {
  const table = TRAFFIC_TABLES[resolution].statuses;
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT * 4) {
    await ex
      .insertInto(table)
      .values(rows.slice(i, i + ROWS_PER_STATEMENT * 4))
      .onConflict((oc) => oc.columns(['minute', 'api_id', 'status']).doUpdateSet({ calls: sql<number>`${sql.ref(`${table}.calls`)} + excluded.calls` }))
      .execute();
  }
}

export async function addTrafficRequests(ex: Executor, rows: readonly TrafficRequestRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    await ex.insertInto('traffic_requests').values(rows.slice(i, i + ROWS_PER_STATEMENT)).execute();
  }
}

/**
 * Deletes the aggregate and status rows of every resolution whose period starts before `before`
 * (epoch ms), the oldest first, about `limit` of each table at a time (a whole period goes at
 * once); returns how many went.
 */
export async function pruneTrafficMinutes(ex: Executor, before: number, limit: number): Promise<number> {
  let removed = 0;
  for (const table of Object.values(TRAFFIC_TABLES).flatMap((t) => [t.calls, t.statuses])) {
    // One batch by the primary key's leading column: the oldest minutes first.
    const oldest = await ex.selectFrom(table).select('minute').where('minute', '<', before).orderBy('minute').limit(1).offset(limit - 1).executeTakeFirst();
    const bound = oldest ? Math.min(Number(oldest.minute) + 1, before) : before;
    const r = await ex.deleteFrom(table).where('minute', '<', bound).executeTakeFirst();
    removed += Number(r.numDeletedRows);
  }
  return removed;
}

/** Deletes up to `limit` logged requests older than `before` (epoch ms); returns how many went. */
export async function pruneTrafficRequests(ex: Executor, before: number, limit: number): Promise<number> {
  const ids = ex.selectFrom('traffic_requests').select('id').where('at', '<', before).orderBy('id').limit(limit);
  const r = await ex.deleteFrom('traffic_requests').where('id', 'in', ids).executeTakeFirst();
  return Number(r.numDeletedRows);
}
