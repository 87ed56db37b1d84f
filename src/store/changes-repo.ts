/**
 * The change feed: every write the gateways must see appends a row naming the entity, in the
 * write's transaction; gateways read past the last sequence number they applied, re-read the
 * named entities and change only those. On PostgreSQL the transaction also notifies the
 * gateways (NOTIFY is delivered at commit), so they need not wait for their next poll.
 *
 * Rows older than the retention are pruned; `prunedThrough` tells a gateway that was away longer
 * that it missed changes and must load everything again.
 */
import { sql } from 'kysely';
import type { Executor, SqlDialect } from './database.js';

/** 'policy' names a scope key ('/', '/products/p', '/apis/a', '/apis/a/operations/o'); 'named-value' an id. */
export type ChangedEntity = 'api' | 'product' | 'subscription' | 'user' | 'group' | 'policy' | 'named-value';

export interface ChangeRow {
  seq: number;
  /** When the change was written (ISO-8601): how far behind a gateway is (its metrics). */
  at: string;
  entity: string;
  entity_id: string;
}

/** Rows per INSERT: well under the databases' limits on bound parameters. */
const BATCH = 300;
/**
 * The NOTIFY channel, as SQL: one per schema, so instances sharing a PostgreSQL database in other
 * schemas are not woken; hashed, because channel names are limited to 63 bytes.
 */
export const CHANNEL_SQL = `'tollgate_' || md5(current_schema())`;
const PRUNED_THROUGH = 'change_feed.pruned_through';

export async function recordChanges(
  ex: Executor,
  rows: readonly { entity: ChangedEntity; entity_id: string; at: string }[],
  dialect: SqlDialect,
): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) await ex.insertInto('change_feed').values(rows.slice(i, i + BATCH)).execute();
  // PostgreSQL folds identical notifications of one transaction into one.
  if (dialect === 'postgres' && rows.length > 0) await sql`select pg_notify(${sql.raw(CHANNEL_SQL)}, '')`.execute(ex);
}

/**
 * The highest sequence number and which numbers of the `window` below it exist (the rest may still
 * commit). A feed pruned empty still has a head: the pruning mark, so that a gateway loaded now is
 * not taken for one that fell behind it.
 */
export async function feedHead(ex: Executor, window: number): Promise<{ max: number; present: number[] }> {
  const row = await ex.selectFrom('change_feed').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
  const max = Math.max(Number(row?.seq ?? 0), await prunedThrough(ex));
  const rows = await ex.selectFrom('change_feed').select('seq').where('seq', '>', max - window).execute();
  return { max, present: rows.map((r) => Number(r.seq)) };
}

/** Rows past `after`, and the rows numbered `gaps` (below it, committed late), in order. */
export async function changesAfter(ex: Executor, after: number, gaps: readonly number[], limit: number): Promise<ChangeRow[]> {
  const rows = await ex
    .selectFrom('change_feed')
    .select(['seq', 'at', 'entity', 'entity_id'])
    .where((eb) => (gaps.length > 0 ? eb.or([eb('seq', '>', after), eb('seq', 'in', gaps)]) : eb('seq', '>', after)))
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}

/** Everything up to this sequence number may have been pruned (0: nothing was). */
export async function prunedThrough(ex: Executor): Promise<number> {
  const row = await ex.selectFrom('service_settings').select('value').where('name', '=', PRUNED_THROUGH).executeTakeFirst();
  return row ? Number(row.value) : 0;
}

/**
 * Deletes the rows written before `before` (ISO-8601), at most `limit` of them, and records how
 * far the feed is pruned. Returns how many rows went.
 */
export async function pruneChanges(ex: Executor, before: string, limit: number): Promise<number> {
  const oldest = ex.selectFrom('change_feed').select('seq').where('at', '<', before).orderBy('seq').limit(limit);
  const row = await ex.selectFrom(oldest.as('old')).select((eb) => eb.fn.max('old.seq').as('seq')).executeTakeFirst();
  const through = Number(row?.seq ?? 0);
  if (through === 0) return 0;
  // The mark first: a gateway that reads it before the rows are gone reloads once too often, never once too few.
  await ex
    .insertInto('service_settings')
    .values({ name: PRUNED_THROUGH, value: String(through) })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value: String(through) }))
    .execute();
  const result = await ex.deleteFrom('change_feed').where('seq', '<=', through).executeTakeFirst();
  return Number(result.numDeletedRows);
}
