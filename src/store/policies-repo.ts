/**
 * SQL for policy documents: one row per scope, keyed by the scope key ('/', '/products/{id}',
 * '/apis/{id}', '/apis/{id}/operations/{op}'). A product's, API's or operation's row goes with it
 * (ON DELETE CASCADE); nothing else removes them.
 */
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from './database.js';
import { canLockRows, toCount } from './database.js';
import type { PoliciesTable } from './schema.js';

export type PolicyRow = Selectable<PoliciesTable>;

/** `lock` holds the row until the transaction ends (PostgreSQL), for a read that decides a write. */
export async function findPolicy(ex: Executor, scopeKey: string, lock = false): Promise<PolicyRow | undefined> {
  return ex
    .selectFrom('policies')
    .selectAll()
    .where('scope_key', '=', scopeKey)
    .$if(lock && canLockRows(ex), (q) => q.forUpdate())
    .executeTakeFirst();
}

export async function insertPolicy(ex: Executor, row: Insertable<PoliciesTable>): Promise<void> {
  await ex.insertInto('policies').values(row).execute();
}

export async function updatePolicy(ex: Executor, scopeKey: string, changes: Pick<Updateable<PoliciesTable>, 'xml' | 'etag' | 'updated_at'>): Promise<void> {
  await ex.updateTable('policies').set(changes).where('scope_key', '=', scopeKey).execute();
}

export async function deletePolicy(ex: Executor, scopeKey: string): Promise<boolean> {
  const result = await ex.deleteFrom('policies').where('scope_key', '=', scopeKey).executeTakeFirst();
  return toCount(result.numDeletedRows) > 0;
}

/** Every stored document, in scope-key order. */
export async function listAllPolicies(ex: Executor): Promise<PolicyRow[]> {
  return ex.selectFrom('policies').selectAll().orderBy('scope_key').execute();
}

/** The documents of an API and of its operations. */
export async function policiesOfApi(ex: Executor, apiId: string): Promise<PolicyRow[]> {
  return ex.selectFrom('policies').selectAll().where('api_id', '=', apiId).orderBy('scope_key').execute();
}

/** The documents with one of these scope keys (those that exist). */
export async function policiesByKeys(ex: Executor, scopeKeys: readonly string[]): Promise<PolicyRow[]> {
  if (scopeKeys.length === 0) return [];
  return ex.selectFrom('policies').selectAll().where('scope_key', 'in', scopeKeys).orderBy('scope_key').execute();
}
