/**
 * Quota counters kept in the database when there is no Redis (src/gateway/counters/persist.ts), so a
 * quota survives a gateway restart. A row is one fixed window of one counter key. Gateways write
 * what they counted since their last write as increments, so several processes over one database
 * add up instead of overwriting each other; an administrator's PATCH sets the values outright.
 */
import { sql } from 'kysely';
import type { Executor } from './database.js';

export interface QuotaCounterRow {
  counterKey: string;
  /** ISO 8601. */
  periodStart: string;
  /** ISO 8601; null: the quota never renews. */
  periodEnd: string | null;
  calls: number;
  kilobytes: number;
}

/** What one gateway counted in one window since it last wrote. */
export type QuotaCounterIncrement = QuotaCounterRow;

/** Rows per statement: 6 parameters each stays far below SQLite's and PostgreSQL's limits. */
const ROWS_PER_STATEMENT = 500;

function toRow(r: { counter_key: string; period_start: string; period_end: string | null; calls: number | string; kilobytes: number | string }): QuotaCounterRow {
  // PostgreSQL hands bigint back as a string.
  return { counterKey: r.counter_key, periodStart: r.period_start, periodEnd: r.period_end, calls: Number(r.calls), kilobytes: Number(r.kilobytes) };
}

/** The periods of a counter key, oldest first. */
export async function listQuotaCounters(ex: Executor, counterKey: string): Promise<QuotaCounterRow[]> {
  const rows = await ex.selectFrom('quota_counters').selectAll().where('counter_key', '=', counterKey).orderBy('period_start').execute();
  return rows.map(toRow);
}

export async function findQuotaCounter(ex: Executor, counterKey: string, periodStart: string): Promise<QuotaCounterRow | undefined> {
  const row = await ex.selectFrom('quota_counters').selectAll().where('counter_key', '=', counterKey).where('period_start', '=', periodStart).executeTakeFirst();
  return row && toRow(row);
}

/** Adds each increment to its period's row, creating the row at those values if there is none yet. */
export async function addToQuotaCounters(ex: Executor, increments: readonly QuotaCounterIncrement[], now: string): Promise<void> {
  for (let i = 0; i < increments.length; i += ROWS_PER_STATEMENT) {
    const chunk = increments.slice(i, i + ROWS_PER_STATEMENT);
    await ex
      .insertInto('quota_counters')
      .values(
        chunk.map((c) => ({
          counter_key: c.counterKey,
          period_start: c.periodStart,
          period_end: c.periodEnd,
          calls: c.calls,
          kilobytes: c.kilobytes,
          updated_at: now,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['counter_key', 'period_start']).doUpdateSet({
          calls: sql<number>`quota_counters.calls + excluded.calls`,
          kilobytes: sql<number>`quota_counters.kilobytes + excluded.kilobytes`,
          updated_at: now,
        }),
      )
      .execute();
  }
}

/**
 * Sets the calls and/or kilobytes of every period of a counter key, or of the one starting at
 * `periodStart`; returns the periods changed (none: no such period).
 */
export async function setQuotaCounters(
  ex: Executor,
  counterKey: string,
  values: { calls?: number; kilobytes?: number },
  now: string,
  periodStart?: string,
): Promise<QuotaCounterRow[]> {
  let query = ex
    .updateTable('quota_counters')
    .set({
      ...(values.calls !== undefined ? { calls: values.calls } : {}),
      ...(values.kilobytes !== undefined ? { kilobytes: values.kilobytes } : {}),
      updated_at: now,
    })
    .where('counter_key', '=', counterKey);
  if (periodStart !== undefined) query = query.where('period_start', '=', periodStart);
  const rows = await query.returningAll().execute();
  return rows.map(toRow).sort((a, b) => (a.periodStart < b.periodStart ? -1 : a.periodStart > b.periodStart ? 1 : 0));
}

/** Deletes the periods that ended before `before` (never those that never renew); returns how many. */
export async function deleteEndedQuotaCounters(ex: Executor, before: string): Promise<number> {
  const r = await ex.deleteFrom('quota_counters').where('period_end', 'is not', null).where('period_end', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}
