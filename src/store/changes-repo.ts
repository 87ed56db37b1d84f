/** The change feed: every write the gateways must see appends a row; gateways read past their last sequence number. */
import type { Executor } from './database.js';

export type ChangedEntity = 'api' | 'product' | 'subscription' | 'user' | 'group';

/** Rows per INSERT: well under the databases' limits on bound parameters. */
const BATCH = 300;

export async function recordChanges(ex: Executor, rows: readonly { entity: ChangedEntity; entity_id: string; at: string }[]): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) await ex.insertInto('change_feed').values(rows.slice(i, i + BATCH)).execute();
}

export async function changesSince(ex: Executor, seq: number, limit = 1000): Promise<{ seq: number; entity: string; entity_id: string }[]> {
  const rows = await ex
    .selectFrom('change_feed')
    .select(['seq', 'entity', 'entity_id'])
    .where('seq', '>', seq)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}

export async function latestChange(ex: Executor): Promise<number> {
  const row = await ex.selectFrom('change_feed').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
  return Number(row?.seq ?? 0);
}
