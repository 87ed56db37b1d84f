/**
 * SQL for products, the APIs they bundle (product_apis) and the groups that see them
 * (product_groups). The apis table is read here directly.
 */
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { FilterNode } from '../domain/filter/ast.js';
import { compileFilter } from './filter-sql.js';
import type { Executor } from './database.js';
import { findRowById, pageAndCount, toCount } from './database.js';
import type { ApisTable, ProductsTable } from './schema.js';
import type { GroupRow } from './groups-repo.js';

export type ProductRow = Selectable<ProductsTable>;
export type ProductApiRow = Selectable<ApisTable>;

export interface ProductListQuery {
  filter?: FilterNode | undefined;
  top: number;
  skip: number;
}

/** `lock` holds the row until the transaction ends (PostgreSQL), for a read that decides a write. */
export async function findProduct(ex: Executor, id: string, lock = false): Promise<ProductRow | undefined> {
  return findRowById(ex, 'products', id, lock);
}

export async function insertProduct(ex: Executor, row: Insertable<ProductsTable>): Promise<void> {
  await ex.insertInto('products').values(row).execute();
}

export async function updateProduct(ex: Executor, id: string, changes: Updateable<ProductsTable>): Promise<void> {
  await ex.updateTable('products').set(changes).where('id', '=', id).execute();
}

/** Its API and group links go with the product (ON DELETE CASCADE, and explicitly, for SQLite files opened without foreign keys). */
export async function deleteProduct(ex: Executor, id: string): Promise<void> {
  await ex.deleteFrom('product_apis').where('product_id', '=', id).execute();
  await ex.deleteFrom('product_groups').where('product_id', '=', id).execute();
  await ex.deleteFrom('products').where('id', '=', id).execute();
}

export async function listProducts(ex: Executor, q: ProductListQuery): Promise<{ rows: ProductRow[]; count: number }> {
  let base = ex.selectFrom('products');
  if (q.filter) base = base.where(compileFilter(q.filter));
  return pageAndCount(base, base.selectAll('products').orderBy('products.id').limit(q.top).offset(q.skip));
}

/** The groups that see each of `productIds`, in group id order. */
export async function groupsOfProducts(ex: Executor, productIds: readonly string[]): Promise<Map<string, GroupRow[]>> {
  const out = new Map<string, GroupRow[]>();
  if (productIds.length === 0) return out;
  const rows = await ex
    .selectFrom('product_groups')
    .innerJoin('groups', 'groups.id', 'product_groups.group_id')
    .selectAll('groups')
    .select('product_groups.product_id as of_product')
    .where('product_groups.product_id', 'in', productIds)
    .orderBy('groups.id')
    .execute();
  for (const { of_product, ...group } of rows) {
    const list = out.get(of_product) ?? [];
    list.push(group);
    out.set(of_product, list);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Product ↔ API

/** An API, read from the apis table; `lock` keeps it from being deleted while it is linked. */
export async function findApi(ex: Executor, id: string, lock = false): Promise<ProductApiRow | undefined> {
  return findRowById(ex, 'apis', id, lock);
}

export async function listProductApis(
  ex: Executor,
  productId: string,
  q: ProductListQuery,
): Promise<{ rows: ProductApiRow[]; count: number }> {
  let base = ex
    .selectFrom('product_apis')
    .innerJoin('apis', 'apis.id', 'product_apis.api_id')
    .where('product_apis.product_id', '=', productId);
  if (q.filter) base = base.where(compileFilter(q.filter));
  return pageAndCount(base, base.selectAll('apis').orderBy('apis.id').limit(q.top).offset(q.skip));
}

/** Every API of the product, in id order (for the gateway and the portal). */
export async function apisOfProduct(ex: Executor, productId: string): Promise<ProductApiRow[]> {
  return ex
    .selectFrom('product_apis')
    .innerJoin('apis', 'apis.id', 'product_apis.api_id')
    .selectAll('apis')
    .where('product_apis.product_id', '=', productId)
    .orderBy('apis.id')
    .execute();
}

/** Every product that bundles the API, in id order. */
export async function productsOfApi(ex: Executor, apiId: string): Promise<ProductRow[]> {
  return ex
    .selectFrom('product_apis')
    .innerJoin('products', 'products.id', 'product_apis.product_id')
    .selectAll('products')
    .where('product_apis.api_id', '=', apiId)
    .orderBy('products.id')
    .execute();
}

export async function hasProductApi(ex: Executor, productId: string, apiId: string): Promise<boolean> {
  const row = await ex
    .selectFrom('product_apis')
    .select('api_id')
    .where('product_id', '=', productId)
    .where('api_id', '=', apiId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Returns whether the link is new (adding an existing one is not an error). */
export async function addProductApi(ex: Executor, productId: string, apiId: string): Promise<boolean> {
  const result = await ex
    .insertInto('product_apis')
    .values({ product_id: productId, api_id: apiId })
    .onConflict((oc) => oc.columns(['product_id', 'api_id']).doNothing())
    .executeTakeFirst();
  return toCount(result.numInsertedOrUpdatedRows) > 0;
}

/** Returns whether a link was removed. */
export async function removeProductApi(ex: Executor, productId: string, apiId: string): Promise<boolean> {
  const result = await ex
    .deleteFrom('product_apis')
    .where('product_id', '=', productId)
    .where('api_id', '=', apiId)
    .executeTakeFirst();
  return toCount(result.numDeletedRows) > 0;
}

/** The API links of a product (`$filter` on product_apis.api_id), in API id order. */
export async function listProductApiIds(
  ex: Executor,
  productId: string,
  q: ProductListQuery,
): Promise<{ rows: string[]; count: number }> {
  let base = ex.selectFrom('product_apis').where('product_apis.product_id', '=', productId);
  if (q.filter) base = base.where(compileFilter(q.filter));
  const { rows, count } = await pageAndCount(base, base.select('product_apis.api_id').orderBy('product_apis.api_id').limit(q.top).offset(q.skip));
  return { rows: rows.map((r) => r.api_id), count };
}

// ---------------------------------------------------------------------------------------------
// Product ↔ group

export async function listProductGroups(
  ex: Executor,
  productId: string,
  q: ProductListQuery,
): Promise<{ rows: GroupRow[]; count: number }> {
  let base = ex
    .selectFrom('product_groups')
    .innerJoin('groups', 'groups.id', 'product_groups.group_id')
    .where('product_groups.product_id', '=', productId);
  if (q.filter) base = base.where(compileFilter(q.filter));
  return pageAndCount(base, base.selectAll('groups').orderBy('groups.id').limit(q.top).offset(q.skip));
}

export async function hasProductGroup(ex: Executor, productId: string, groupId: string): Promise<boolean> {
  const row = await ex
    .selectFrom('product_groups')
    .select('group_id')
    .where('product_id', '=', productId)
    .where('group_id', '=', groupId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Returns whether the link is new. */
export async function addProductGroup(ex: Executor, productId: string, groupId: string): Promise<boolean> {
  const result = await ex
    .insertInto('product_groups')
    .values({ product_id: productId, group_id: groupId })
    .onConflict((oc) => oc.columns(['product_id', 'group_id']).doNothing())
    .executeTakeFirst();
  return toCount(result.numInsertedOrUpdatedRows) > 0;
}

/** Returns whether a link was removed. */
export async function removeProductGroup(ex: Executor, productId: string, groupId: string): Promise<boolean> {
  const result = await ex
    .deleteFrom('product_groups')
    .where('product_id', '=', productId)
    .where('group_id', '=', groupId)
    .executeTakeFirst();
  return toCount(result.numDeletedRows) > 0;
}

/** The group links of a product (`$filter` on product_groups.group_id), in group id order. */
export async function listProductGroupIds(
  ex: Executor,
  productId: string,
  q: ProductListQuery,
): Promise<{ rows: string[]; count: number }> {
  let base = ex.selectFrom('product_groups').where('product_groups.product_id', '=', productId);
  if (q.filter) base = base.where(compileFilter(q.filter));
  const { rows, count } = await pageAndCount(base, base.select('product_groups.group_id').orderBy('product_groups.group_id').limit(q.top).offset(q.skip));
  return { rows: rows.map((r) => r.group_id), count };
}

/** Published products that at least one of `groupIds` sees, in id order. */
export async function publishedProductsVisibleTo(ex: Executor, groupIds: readonly string[]): Promise<ProductRow[]> {
  if (groupIds.length === 0) return [];
  return ex
    .selectFrom('products')
    .selectAll()
    .where('state', '=', 'published')
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('product_groups')
          .select('product_groups.group_id')
          .whereRef('product_groups.product_id', '=', 'products.id')
          .where('product_groups.group_id', 'in', groupIds),
      ),
    )
    .orderBy('id')
    .execute();
}
