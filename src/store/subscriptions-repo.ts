/**
 * SQL for subscriptions, and the few reads of products, APIs, groups and users that deciding a
 * subscription needs (read directly, so that this module does not depend on their repositories).
 */
import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { FilterNode } from '../domain/filter/ast.js';
import { LIVE_STATES, type SubscriptionState } from '../domain/subscription.js';
import { compileFilter } from './filter-sql.js';
import type { Executor } from './database.js';
import { canLockRows, findRowById, pageAndCount, toCount } from './database.js';
import type { ProductsTable, SubscriptionsTable } from './schema.js';

export type SubscriptionRow = Selectable<SubscriptionsTable>;
export type ProductRow = Selectable<ProductsTable>;

export async function findSubscription(ex: Executor, id: string, lock = false): Promise<SubscriptionRow | undefined> {
  return findRowById(ex, 'subscriptions', id, lock);
}

export async function insertSubscription(ex: Executor, row: Insertable<SubscriptionsTable>): Promise<void> {
  await ex.insertInto('subscriptions').values(row).execute();
}

export async function updateSubscription(ex: Executor, id: string, changes: Updateable<SubscriptionsTable>): Promise<void> {
  await ex.updateTable('subscriptions').set(changes).where('id', '=', id).execute();
}

export async function deleteSubscription(ex: Executor, id: string): Promise<void> {
  await ex.deleteFrom('subscriptions').where('id', '=', id).execute();
}

/** The id of another subscription that has `hash` as its primary or secondary lookup hash. */
export async function findKeyOwner(ex: Executor, hash: string, exceptId: string): Promise<string | undefined> {
  const row = await ex
    .selectFrom('subscriptions')
    .select('id')
    .where((eb) => eb.or([eb('primary_key_lookup', '=', hash), eb('secondary_key_lookup', '=', hash)]))
    .where('id', '<>', exceptId)
    .executeTakeFirst();
  return row?.id;
}

/** The subscription whose primary or secondary key hashes to `hash` (the gateway's lookup). */
export async function findByKeyLookup(ex: Executor, hash: string): Promise<SubscriptionRow | undefined> {
  return ex
    .selectFrom('subscriptions')
    .selectAll()
    .where((eb) => eb.or([eb('primary_key_lookup', '=', hash), eb('secondary_key_lookup', '=', hash)]))
    .executeTakeFirst();
}

/** The owner's subscriptions to `scope` that still count against a limit, other than `exceptId`. */
export async function countLiveForOwnerAndScope(ex: Executor, ownerId: string, scope: string, exceptId: string): Promise<number> {
  const row = await ex
    .selectFrom('subscriptions')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('owner_id', '=', ownerId)
    .where('scope', '=', scope)
    .where('state', 'in', LIVE_STATES)
    .where('id', '<>', exceptId)
    .executeTakeFirstOrThrow();
  return toCount(row.n as string | number);
}

export interface SubscriptionPageQuery {
  filter?: FilterNode | undefined;
  userId?: string | undefined;
  productId?: string | undefined;
  top: number;
  skip: number;
}

/**
 * The subscriptions as `$filter` sees them: a derived table `s` with the subscription's columns,
 * `owner_ref` ('/users/{id}') and `product_id` (null unless the scope is a product).
 */
function filterable(ex: Executor) {
  return ex.selectFrom((db) =>
    db
      .selectFrom('subscriptions')
      .selectAll('subscriptions')
      .select([
        sql<string | null>`'/users/' || subscriptions.owner_id`.as('owner_ref'),
        sql<string | null>`CASE WHEN subscriptions.scope LIKE '/products/%' THEN substr(subscriptions.scope, 11) ELSE NULL END`.as(
          'product_id',
        ),
      ])
      .as('s'),
  );
}

export async function listSubscriptions(ex: Executor, q: SubscriptionPageQuery): Promise<{ rows: SubscriptionRow[]; count: number }> {
  let base = filterable(ex);
  if (q.userId !== undefined) base = base.where('s.owner_id', '=', q.userId);
  if (q.productId !== undefined) base = base.where('s.scope', '=', `/products/${q.productId}`);
  if (q.filter) base = base.where(compileFilter(q.filter));
  const { rows, count } = await pageAndCount(base, base.selectAll('s').orderBy('s.id').limit(q.top).offset(q.skip));
  return { rows: rows.map(({ owner_ref: _o, product_id: _p, ...row }) => row), count };
}

/** Every subscription of one owner, oldest first. */
export async function listByOwner(ex: Executor, ownerId: string, lock = false): Promise<SubscriptionRow[]> {
  return ex
    .selectFrom('subscriptions')
    .selectAll()
    .where('owner_id', '=', ownerId)
    .orderBy('created_at')
    .orderBy('id')
    .$if(lock && canLockRows(ex), (q) => q.forUpdate())
    .execute();
}

/** Every subscription whose scope is `scope`, in id order; `lock` holds them for a write that decides on them. */
export async function listInScope(ex: Executor, scope: string, lock = false): Promise<SubscriptionRow[]> {
  return ex
    .selectFrom('subscriptions')
    .selectAll()
    .where('scope', '=', scope)
    .orderBy('id')
    .$if(lock && canLockRows(ex), (q) => q.forUpdate())
    .execute();
}

/** How many subscriptions of the scope are in one of `states`. */
export async function countInScope(ex: Executor, scope: string, states: readonly SubscriptionState[]): Promise<number> {
  if (states.length === 0) return 0;
  const row = await ex
    .selectFrom('subscriptions')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('scope', '=', scope)
    .where('state', 'in', states)
    .executeTakeFirstOrThrow();
  return toCount(row.n as string | number);
}

/** Ids per statement: well under SQLite's and PostgreSQL's limits on bound parameters. */
const BATCH = 500;

/** The same change to many subscriptions (a bulk state change), in batches of ids. */
export async function updateSubscriptions(ex: Executor, ids: readonly string[], changes: Updateable<SubscriptionsTable>): Promise<void> {
  for (let i = 0; i < ids.length; i += BATCH) {
    await ex.updateTable('subscriptions').set(changes).where('id', 'in', ids.slice(i, i + BATCH)).execute();
  }
}

export async function deleteSubscriptions(ex: Executor, ids: readonly string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += BATCH) {
    await ex.deleteFrom('subscriptions').where('id', 'in', ids.slice(i, i + BATCH)).execute();
  }
}

/* Reads of other entities. */

export async function findProduct(ex: Executor, id: string, lock = false): Promise<ProductRow | undefined> {
  return findRowById(ex, 'products', id, lock);
}

export async function productNames(ex: Executor, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await ex.selectFrom('products').select(['id', 'display_name']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.display_name]));
}

export async function findApi(ex: Executor, id: string): Promise<{ id: string; display_name: string } | undefined> {
  return ex.selectFrom('apis').select(['id', 'display_name']).where('id', '=', id).executeTakeFirst();
}

/** True when the product is assigned to a group the user belongs to. */
export async function productVisibleTo(ex: Executor, productId: string, userId: string): Promise<boolean> {
  const row = await ex
    .selectFrom('product_groups')
    .innerJoin('group_members', 'group_members.group_id', 'product_groups.group_id')
    .select('product_groups.group_id')
    .where('product_groups.product_id', '=', productId)
    .where('group_members.user_id', '=', userId)
    .executeTakeFirst();
  return row !== undefined;
}

/* The admin UI's list and detail: subscriptions with their owner and what their scope names. */

export interface AdminSubscriptionQuery {
  state?: SubscriptionState | undefined;
  productId?: string | undefined;
  /** A user id, or an email address (compared normalized, against `email_lc`). */
  owner?: { id: string; emailLc: string } | undefined;
  /** Exactly this owner. */
  ownerId?: string | undefined;
  top: number;
  skip: number;
}

export interface SubscriptionOwner {
  id: string;
  email: string;
  first_name: string;
  last_name: string;
  state: string;
}

/** Newest first, filtered on state, product and owner (by id or email). */
export async function listForAdmin(ex: Executor, q: AdminSubscriptionQuery): Promise<{ rows: SubscriptionRow[]; count: number }> {
  let base = ex.selectFrom('subscriptions');
  if (q.state !== undefined) base = base.where('state', '=', q.state);
  if (q.productId !== undefined) base = base.where('scope', '=', `/products/${q.productId}`);
  if (q.ownerId !== undefined) base = base.where('owner_id', '=', q.ownerId);
  if (q.owner !== undefined) {
    const owner = q.owner;
    base = base.where((eb) =>
      eb.or([
        eb('owner_id', '=', owner.id),
        eb('owner_id', 'in', eb.selectFrom('users').select('users.id').where('users.email_lc', '=', owner.emailLc)),
      ]),
    );
  }
  return pageAndCount(base, base.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.top).offset(q.skip));
}

/** The owners of some subscriptions, by id. */
export async function ownersByIds(ex: Executor, ids: readonly string[]): Promise<Map<string, SubscriptionOwner>> {
  if (ids.length === 0) return new Map();
  const rows = await ex.selectFrom('users').select(['id', 'email', 'first_name', 'last_name', 'state']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r]));
}

export async function apiNames(ex: Executor, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await ex.selectFrom('apis').select(['id', 'display_name']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.display_name]));
}

/** The products, by name (at most `limit`), for the admin list's product filter. */
export async function productChoices(ex: Executor, limit: number): Promise<{ id: string; display_name: string }[]> {
  return ex.selectFrom('products').select(['id', 'display_name']).orderBy('display_name').orderBy('id').limit(limit).execute();
}
