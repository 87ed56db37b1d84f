/**
 * What the gateways read: everything once at start, in keyset-ordered batches (a million
 * subscriptions never arrive as one result), and then one entity at a time as the change feed
 * names them.
 */
import { sql } from 'kysely';
import type { Executor, SqlDialect } from './database.js';

export interface GatewayApiRow {
  id: string;
  display_name: string;
  path: string;
  service_url: string | null;
  subscription_required: number;
  key_header: string;
  key_query: string;
}

export interface GatewayOperationRow {
  api_id: string;
  id: string;
  display_name: string;
  method: string;
  url_template: string;
}

export interface GatewaySubscriptionRow {
  id: string;
  owner_id: string | null;
  scope: string;
  state: string;
  expiration_date: string | null;
  primary_key_lookup: string;
  secondary_key_lookup: string;
  owner_state: string | null;
  created_at: string;
  start_date: string | null;
}

/** One stored policy document, as written. */
export interface GatewayPolicyRow {
  scope_key: string;
  scope: string;
  xml: string;
}

/** A named value; `value` is sealed when `secret` is 1. */
export interface GatewayNamedValueRow {
  display_name: string;
  value: string;
  secret: number;
}

function apisQuery(ex: Executor) {
  return ex.selectFrom('apis').select(['id', 'display_name', 'path', 'service_url', 'subscription_required', 'key_header', 'key_query']);
}

function operationsQuery(ex: Executor) {
  return ex.selectFrom('api_operations').select(['api_id', 'id', 'display_name', 'method', 'url_template']);
}

function subscriptionsQuery(ex: Executor) {
  return ex
    .selectFrom('subscriptions')
    .leftJoin('users', 'users.id', 'subscriptions.owner_id')
    .select([
      'subscriptions.id',
      'subscriptions.owner_id',
      'subscriptions.scope',
      'subscriptions.state',
      'subscriptions.expiration_date',
      'subscriptions.primary_key_lookup',
      'subscriptions.secondary_key_lookup',
      'users.state as owner_state',
      'subscriptions.created_at',
      'subscriptions.start_date',
    ]);
}

export async function allApis(ex: Executor): Promise<{ apis: GatewayApiRow[]; operations: GatewayOperationRow[] }> {
  const [apis, operations] = await Promise.all([apisQuery(ex).execute(), operationsQuery(ex).execute()]);
  return { apis: apis.map((a) => ({ ...a, subscription_required: Number(a.subscription_required) })), operations };
}

/** One API and its operations; undefined when it is gone. */
export async function apiWithOperations(ex: Executor, id: string): Promise<{ api: GatewayApiRow; operations: GatewayOperationRow[] } | undefined> {
  const api = await apisQuery(ex).where('id', '=', id).executeTakeFirst();
  if (!api) return undefined;
  const operations = await operationsQuery(ex).where('api_id', '=', id).execute();
  return { api: { ...api, subscription_required: Number(api.subscription_required) }, operations };
}

export async function allProducts(ex: Executor): Promise<{ id: string; state: string; apiIds: string[] }[]> {
  const [products, links] = await Promise.all([
    ex.selectFrom('products').select(['id', 'state']).execute(),
    ex.selectFrom('product_apis').select(['product_id', 'api_id']).execute(),
  ]);
  const apis = new Map<string, string[]>();
  for (const l of links) (apis.get(l.product_id) ?? apis.set(l.product_id, []).get(l.product_id)!).push(l.api_id);
  return products.map((p) => ({ id: p.id, state: p.state, apiIds: apis.get(p.id) ?? [] }));
}

/** One product's state and APIs; undefined when it is gone. */
export async function productWithApis(ex: Executor, id: string): Promise<{ id: string; state: string; apiIds: string[] } | undefined> {
  const product = await ex.selectFrom('products').select(['id', 'state']).where('id', '=', id).executeTakeFirst();
  if (!product) return undefined;
  const links = await ex.selectFrom('product_apis').select('api_id').where('product_id', '=', id).execute();
  return { id: product.id, state: product.state, apiIds: links.map((l) => l.api_id) };
}

/**
 * About how many subscriptions there are, to size the key index before loading. On SQLite the
 * largest rowid (an index seek): a count(*) reads the whole table while the event loop waits
 * (150 ms at a million). PostgreSQL counts on its own time.
 */
export async function estimateSubscriptions(ex: Executor, dialect: SqlDialect): Promise<number> {
  if (dialect === 'sqlite') {
    const row = await sql<{ n: number | null }>`select max(rowid) as n from subscriptions`.execute(ex);
    return Number(row.rows[0]?.n ?? 0);
  }
  const row = await ex.selectFrom('subscriptions').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The next `limit` subscriptions after `afterId` in id order (the primary key: each batch is an index range). */
export function subscriptionsAfter(ex: Executor, afterId: string | undefined, limit: number): Promise<GatewaySubscriptionRow[]> {
  let q = subscriptionsQuery(ex).orderBy('subscriptions.id').limit(limit);
  if (afterId !== undefined) q = q.where('subscriptions.id', '>', afterId);
  return q.execute();
}

export function subscriptionsByIds(ex: Executor, ids: readonly string[]): Promise<GatewaySubscriptionRow[]> {
  return ids.length === 0 ? Promise.resolve([]) : subscriptionsQuery(ex).where('subscriptions.id', 'in', ids).execute();
}

export function userStates(ex: Executor, ids: readonly string[]): Promise<{ id: string; state: string }[]> {
  return ids.length === 0 ? Promise.resolve([]) : ex.selectFrom('users').select(['id', 'state']).where('id', 'in', ids).execute();
}

function policiesQuery(ex: Executor) {
  return ex.selectFrom('policies').select(['scope_key', 'scope', 'xml']);
}

export function allPolicies(ex: Executor): Promise<GatewayPolicyRow[]> {
  return policiesQuery(ex).execute();
}

/** The policies of an API and of its operations (what an API's change may have taken with it). */
export function apiPolicies(ex: Executor, apiId: string): Promise<GatewayPolicyRow[]> {
  return policiesQuery(ex).where('api_id', '=', apiId).execute();
}

/** One scope's policy ('/', '/products/p', '/apis/a', '/apis/a/operations/o'); undefined: none stored. */
export function policyAt(ex: Executor, scopeKey: string): Promise<GatewayPolicyRow | undefined> {
  return policiesQuery(ex).where('scope_key', '=', scopeKey).executeTakeFirst();
}

/** Every named value (a small table: read whole whenever one changes). */
export function allNamedValues(ex: Executor): Promise<GatewayNamedValueRow[]> {
  return ex.selectFrom('named_values').select(['display_name', 'value', 'secret']).execute();
}
