/** SQL for named values. A secret's `value` is sealed before it gets here and unsealed after. */
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { FilterNode } from '../domain/filter/ast.js';
import { compileFilter } from './filter-sql.js';
import type { Executor } from './database.js';
import { canLockRows, findRowById, pageAndCount, toCount } from './database.js';
import type { NamedValuesTable } from './schema.js';

export type NamedValueRow = Selectable<NamedValuesTable>;

export interface NamedValueListQuery {
  filter?: FilterNode | undefined;
  top: number;
  skip: number;
}

/** `lock` holds the row until the transaction ends (PostgreSQL), for a read that decides a write. */
export async function findNamedValue(ex: Executor, id: string, lock = false): Promise<NamedValueRow | undefined> {
  return findRowById(ex, 'named_values', id, lock);
}

/** The named value whose display name is `displayName` ignoring case, other than `exceptId`. */
export async function findNamedValueByName(ex: Executor, displayName: string, exceptId?: string): Promise<NamedValueRow | undefined> {
  return ex
    .selectFrom('named_values')
    .selectAll()
    .where('display_name_lower', '=', displayName.toLowerCase())
    .$if(exceptId !== undefined, (q) => q.where('id', '<>', exceptId!))
    .executeTakeFirst();
}

export async function insertNamedValue(ex: Executor, row: Insertable<NamedValuesTable>): Promise<void> {
  await ex.insertInto('named_values').values(row).execute();
}

export async function updateNamedValue(ex: Executor, id: string, changes: Updateable<NamedValuesTable>): Promise<void> {
  await ex.updateTable('named_values').set(changes).where('id', '=', id).execute();
}

export async function deleteNamedValue(ex: Executor, id: string): Promise<boolean> {
  const result = await ex.deleteFrom('named_values').where('id', '=', id).executeTakeFirst();
  return toCount(result.numDeletedRows) > 0;
}

export async function listNamedValues(ex: Executor, q: NamedValueListQuery): Promise<{ rows: NamedValueRow[]; count: number }> {
  let base = ex.selectFrom('named_values');
  if (q.filter) base = base.where(compileFilter(q.filter));
  return pageAndCount(base, base.selectAll('named_values').orderBy('named_values.id').limit(q.top).offset(q.skip));
}

/** Every named value: what a policy's `{{name}}`s are checked and substituted against. */
export async function listAllNamedValues(ex: Executor): Promise<NamedValueRow[]> {
  return ex.selectFrom('named_values').selectAll().orderBy('id').execute();
}

/**
 * Locks the named values with these display names (lower-cased) until the transaction ends
 * (PostgreSQL): a policy written with them is then checked against the values that will stand.
 */
export async function lockNamedValuesByName(ex: Executor, displayNamesLower: readonly string[]): Promise<void> {
  if (displayNamesLower.length === 0 || !canLockRows(ex)) return;
  await ex.selectFrom('named_values').select('id').where('display_name_lower', 'in', displayNamesLower).orderBy('id').forUpdate().execute();
}
