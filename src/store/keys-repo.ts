/** Management API keys: only a SHA-256 of each key's secret is stored. */
import type { Selectable } from 'kysely';
import type { Executor } from './database.js';
import { toCount } from './database.js';
import type { ManagementKeysTable } from './schema.js';

export type ManagementKeyRow = Selectable<ManagementKeysTable>;

export async function insertKey(ex: Executor, row: ManagementKeyRow): Promise<void> {
  await ex.insertInto('management_keys').values(row).execute();
}

export async function findActiveKey(ex: Executor, id: string): Promise<ManagementKeyRow | undefined> {
  return ex.selectFrom('management_keys').selectAll().where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
}

export async function listKeys(ex: Executor): Promise<ManagementKeyRow[]> {
  return ex.selectFrom('management_keys').selectAll().orderBy('created_at').orderBy('id').execute();
}

export async function revokeKey(ex: Executor, id: string, at: string): Promise<boolean> {
  const r = await ex
    .updateTable('management_keys')
    .set({ revoked_at: at })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return toCount(r.numUpdatedRows) > 0;
}

export async function findKey(ex: Executor, id: string): Promise<ManagementKeyRow | undefined> {
  return ex.selectFrom('management_keys').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * When each key last made a change, as the audit log recorded it (actor `key:<id>`): the management
 * API audits its writes, not its reads, so this is "last used" as far as it is known.
 */
export async function lastAuditedUse(ex: Executor, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await ex
    .selectFrom('audit_log')
    .select(['actor', (eb) => eb.fn.max('at').as('last')])
    .where('actor', 'in', ids.map((id) => `key:${id}`))
    .groupBy('actor')
    .execute();
  return new Map(rows.map((r) => [r.actor.slice('key:'.length), String(r.last)]));
}
