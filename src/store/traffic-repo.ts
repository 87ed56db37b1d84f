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

export type TrafficMinuteRow = TrafficMinutesTable;
export type TrafficStatusRow = TrafficStatusesTable;
export type TrafficRequestRow = Omit<TrafficRequestsTable, 'id'>;

/** Rows per statement: 33 parameters each stays below SQLite's (32,766) and PostgreSQL's (65,535) limits. */
const ROWS_PER_STATEMENT = 200;

const ADDED = [
  'calls_success',
  'calls_blocked',
  'calls_failed',
  'calls_other',
  'calls_total',
  'bandwidth',
  'api_time_sum',
  'service_calls',
  'service_time_sum',
  ...Array.from({ length: 14 }, (_, i) => `latency_${i}`),
] as const;

export async function addTrafficMinutes(ex: Executor, dialect: SqlDialect, rows: readonly TrafficMinuteRow[]): Promise<void> {
  const least = dialect === 'postgres' ? 'least' : 'min';
  const greatest = dialect === 'postgres' ? 'greatest' : 'max';
  const set: Record<string, unknown> = {};
  for (const c of ADDED) set[c] = sql`traffic_minutes.${sql.ref(c)} + excluded.${sql.ref(c)}`;
  for (const c of ['api_time_min', 'service_time_min']) set[c] = sql`${sql.raw(least)}(traffic_minutes.${sql.ref(c)}, excluded.${sql.ref(c)})`;
  for (const c of ['api_time_max', 'service_time_max']) set[c] = sql`${sql.raw(greatest)}(traffic_minutes.${sql.ref(c)}, excluded.${sql.ref(c)})`;
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    await ex
      .insertInto('traffic_minutes')
      .values(rows.slice(i, i + ROWS_PER_STATEMENT))
      .onConflict((oc) => oc.columns(['minute', 'api_id', 'operation_id', 'product_id', 'subscription_id', 'user_id']).doUpdateSet(set as never))
      .execute();
  }
}

export async function addTrafficStatuses(ex: Executor, rows: readonly TrafficStatusRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT * 4) {
    await ex
      .insertInto('traffic_statuses')
      .values(rows.slice(i, i + ROWS_PER_STATEMENT * 4))
      .onConflict((oc) => oc.columns(['minute', 'api_id', 'status']).doUpdateSet({ calls: sql<number>`traffic_statuses.calls + excluded.calls` }))
      .execute();
  }
}

export async function addTrafficRequests(ex: Executor, rows: readonly TrafficRequestRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    await ex.insertInto('traffic_requests').values(rows.slice(i, i + ROWS_PER_STATEMENT)).execute();
  }
}

/**
 * Deletes the minute and status rows before `before` (epoch ms), the oldest first, about `limit`
 * of each at a time (a whole minute goes at once); returns how many went.
 */
export async function pruneTrafficMinutes(ex: Executor, before: number, limit: number): Promise<number> {
  let removed = 0;
  for (const table of ['traffic_minutes', 'traffic_statuses'] as const) {
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
