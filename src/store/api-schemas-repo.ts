/** SQL for the schemas of an API (migration 0011). A schema goes with its API (see apis-repo deleteApi). */
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { FilterNode } from '../domain/filter/ast.js';
import { compileFilter } from './filter-sql.js';
import type { Executor } from './database.js';
import { canLockRows, pageAndCount, toCount } from './database.js';
import type { ApiSchemasTable } from './schema.js';

export type ApiSchemaRow = Selectable<ApiSchemasTable>;

/** `lock` holds the row until the transaction ends (PostgreSQL), for a read that decides a write. */
export async function findSchema(ex: Executor, apiId: string, id: string, lock = false): Promise<ApiSchemaRow | undefined> {
  return ex
    .selectFrom('api_schemas')
    .selectAll()
    .where('api_id', '=', apiId)
    .where('id', '=', id)
    .$if(lock && canLockRows(ex), (q) => q.forUpdate())
    .executeTakeFirst();
}

/** The schema the last OpenAPI import of the API kept, if any. */
export async function findImportedSchema(ex: Executor, apiId: string, lock = false): Promise<ApiSchemaRow | undefined> {
  return ex
    .selectFrom('api_schemas')
    .selectAll()
    .where('api_id', '=', apiId)
    .where('imported', '=', 1)
    .orderBy('id')
    .$if(lock && canLockRows(ex), (q) => q.forUpdate())
    .executeTakeFirst();
}

export async function listSchemas(
  ex: Executor,
  apiId: string,
  q: { filter?: FilterNode | undefined; top: number; skip: number },
): Promise<{ rows: ApiSchemaRow[]; count: number }> {
  let base = ex.selectFrom('api_schemas').where('api_schemas.api_id', '=', apiId);
  if (q.filter) base = base.where(compileFilter(q.filter));
  return pageAndCount(base, base.selectAll('api_schemas').orderBy('api_schemas.id').limit(q.top).offset(q.skip));
}

/** Every schema of the API, in id order. */
export async function schemasOfApi(ex: Executor, apiId: string): Promise<ApiSchemaRow[]> {
  return ex.selectFrom('api_schemas').selectAll().where('api_id', '=', apiId).orderBy('id').execute();
}

export async function insertSchema(ex: Executor, row: Insertable<ApiSchemasTable>): Promise<void> {
  await ex.insertInto('api_schemas').values(row).execute();
}

export async function updateSchema(
  ex: Executor,
  apiId: string,
  id: string,
  changes: Pick<Updateable<ApiSchemasTable>, 'content_type' | 'document' | 'etag'>,
): Promise<void> {
  await ex.updateTable('api_schemas').set(changes).where('api_id', '=', apiId).where('id', '=', id).execute();
}

export async function deleteSchema(ex: Executor, apiId: string, id: string): Promise<boolean> {
  const result = await ex.deleteFrom('api_schemas').where('api_id', '=', apiId).where('id', '=', id).executeTakeFirst();
  return toCount(result.numDeletedRows) > 0;
}
