/** SQL for APIs, their operations, and the products that include them. */
import type { ProductRow } from './products-repo.js';
import { sql, type Insertable, type Selectable, type SqlBool, type Updateable } from 'kysely';
import type { FilterNode } from '../domain/filter/ast.js';
import { asciiLower, compileFilter } from './filter-sql.js';
import type { Executor } from './database.js';
import { canLockRows, findRowById, pageAndCount, toCount } from './database.js';
import type { ApiOperationsTable, ApisTable } from './schema.js';

export type ApiRow = Selectable<ApisTable>;
export type ApiOperationRow = Selectable<ApiOperationsTable>;

export interface PageQuery {
  filter?: FilterNode | undefined;
  top: number;
  skip: number;
}

/** `lock` holds the row until the transaction ends (PostgreSQL), for a read that decides a write. */
export async function findApi(ex: Executor, id: string, lock = false): Promise<ApiRow | undefined> {
  return findRowById(ex, 'apis', id, lock);
}

/**
 * The API other than `exceptId` whose path equals `path` ignoring (ASCII) case: paths are unique
 * that way, since the gateway matches them case-insensitively.
 */
export async function findApiByPath(ex: Executor, path: string, exceptId?: string): Promise<ApiRow | undefined> {
  return ex
    .selectFrom('apis')
    .selectAll()
    .where(sql<SqlBool>`lower(${sql.ref('apis.path')}) = ${asciiLower(path)}`)
    .$if(exceptId !== undefined, (q) => q.where('id', '<>', exceptId!))
    .executeTakeFirst();
}

export async function insertApi(ex: Executor, row: Insertable<ApisTable>): Promise<void> {
  await ex.insertInto('apis').values(row).execute();
}

export async function updateApi(ex: Executor, id: string, changes: Updateable<ApisTable>): Promise<void> {
  await ex.updateTable('apis').set(changes).where('id', '=', id).execute();
}

/** Operations, schemas and product links go with the API (ON DELETE CASCADE, and explicitly, for SQLite files opened without foreign keys). */
export async function deleteApi(ex: Executor, id: string): Promise<boolean> {
  await ex.deleteFrom('api_schemas').where('api_id', '=', id).execute();
  await ex.deleteFrom('api_operations').where('api_id', '=', id).execute();
  await ex.deleteFrom('product_apis').where('api_id', '=', id).execute();
  const result = await ex.deleteFrom('apis').where('id', '=', id).executeTakeFirst();
  return toCount(result.numDeletedRows) > 0;
}

export async function listApis(ex: Executor, q: PageQuery): Promise<{ rows: ApiRow[]; count: number }> {
  let base = ex.selectFrom('apis');
  if (q.filter) base = base.where(compileFilter(q.filter));
  return pageAndCount(base, base.selectAll('apis').orderBy('apis.id').limit(q.top).offset(q.skip));
}

/** Every API, in id order (the gateway's routing table). */
export async function listAllApis(ex: Executor): Promise<ApiRow[]> {
  return ex.selectFrom('apis').selectAll().orderBy('id').execute();
}

// ---------------------------------------------------------------------------------------------
// Operations

export async function findOperation(
  ex: Executor,
  apiId: string,
  id: string,
  lock = false,
): Promise<ApiOperationRow | undefined> {
  return ex
    .selectFrom('api_operations')
    .selectAll()
    .where('api_id', '=', apiId)
    .where('id', '=', id)
    .$if(lock && canLockRows(ex), (q) => q.forUpdate())
    .executeTakeFirst();
}

export async function insertOperation(ex: Executor, row: Insertable<ApiOperationsTable>): Promise<void> {
  await ex.insertInto('api_operations').values(row).execute();
}

export async function updateOperation(
  ex: Executor,
  apiId: string,
  id: string,
  changes: Updateable<ApiOperationsTable>,
): Promise<void> {
  await ex.updateTable('api_operations').set(changes).where('api_id', '=', apiId).where('id', '=', id).execute();
}

export async function deleteOperation(ex: Executor, apiId: string, id: string): Promise<boolean> {
  const result = await ex.deleteFrom('api_operations').where('api_id', '=', apiId).where('id', '=', id).executeTakeFirst();
  return toCount(result.numDeletedRows) > 0;
}

export async function listOperations(
  ex: Executor,
  apiId: string,
  q: PageQuery,
): Promise<{ rows: ApiOperationRow[]; count: number }> {
  let base = ex.selectFrom('api_operations').where('api_operations.api_id', '=', apiId);
  if (q.filter) base = base.where(compileFilter(q.filter));
  return pageAndCount(base, base.selectAll('api_operations').orderBy('api_operations.id').limit(q.top).offset(q.skip));
}

/** The operations of each of `apiIds` (all APIs when omitted), in operation id order. */
export async function operationsOfApis(ex: Executor, apiIds?: readonly string[]): Promise<Map<string, ApiOperationRow[]>> {
  const out = new Map<string, ApiOperationRow[]>();
  if (apiIds !== undefined && apiIds.length === 0) return out;
  const rows = await ex
    .selectFrom('api_operations')
    .selectAll()
    .$if(apiIds !== undefined, (q) => q.where('api_id', 'in', apiIds!))
    .orderBy('api_id')
    .orderBy('id')
    .execute();
  for (const row of rows) {
    const list = out.get(row.api_id) ?? [];
    list.push(row);
    out.set(row.api_id, list);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Products and subscriptions that refer to an API

/** The products that include the API (ApiProduct_ListByApis). */
export async function listProductsOfApi(
  ex: Executor,
  apiId: string,
  q: PageQuery,
): Promise<{ rows: ProductRow[]; count: number }> {
  let base = ex
    .selectFrom('product_apis')
    .innerJoin('products', 'products.id', 'product_apis.product_id')
    .where('product_apis.api_id', '=', apiId);
  if (q.filter) base = base.where(compileFilter(q.filter));
  return pageAndCount(base, base.selectAll('products').orderBy('products.id').limit(q.top).offset(q.skip));
}
