/**
 * One immutable picture of everything the hot path needs: the routing table and the key index.
 * Built from the database off the hot path and swapped in whole; requests never query the database.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { buildKeyIndex, type KeyEntry, type ProductInput } from './access.js';
import { buildRoutingTable, type RoutingTable } from './routing.js';

export interface Snapshot {
  routes: RoutingTable;
  keys: ReadonlyMap<string, KeyEntry>;
}

export const EMPTY_SNAPSHOT: Snapshot = {
  routes: buildRoutingTable([], []),
  keys: new Map(),
};

/** Reads apis, operations, products, product_apis, subscriptions and their owners' states. */
export async function loadSnapshot(db: Kysely<Database>): Promise<Snapshot> {
  const [apis, operations, products, productApis, subscriptions] = await Promise.all([
    db
      .selectFrom('apis')
      .select(['id', 'path', 'service_url', 'subscription_required', 'key_header', 'key_query'])
      .execute(),
    db.selectFrom('api_operations').select(['api_id', 'id', 'method', 'url_template']).execute(),
    db.selectFrom('products').select(['id', 'state']).execute(),
    db.selectFrom('product_apis').select(['product_id', 'api_id']).execute(),
    db
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
      ])
      .execute(),
  ]);

  const routes = buildRoutingTable(
    apis.map((a) => ({
      id: a.id,
      path: a.path,
      serviceUrl: a.service_url,
      subscriptionRequired: Number(a.subscription_required) !== 0,
      keyHeader: a.key_header,
      keyQuery: a.key_query,
    })),
    operations.map((o) => ({ apiId: o.api_id, id: o.id, method: o.method, urlTemplate: o.url_template })),
  );

  const productMap = new Map<string, ProductInput & { apiIds: Set<string> }>();
  for (const p of products) productMap.set(p.id, { id: p.id, published: p.state === 'published', apiIds: new Set() });
  for (const pa of productApis) productMap.get(pa.product_id)?.apiIds.add(pa.api_id);

  const keys = buildKeyIndex(
    subscriptions.map((s) => ({
      id: s.id,
      ownerId: s.owner_id,
      ownerState: s.owner_state,
      scope: s.scope,
      state: s.state,
      expirationDate: s.expiration_date,
      primaryLookup: s.primary_key_lookup,
      secondaryLookup: s.secondary_key_lookup,
    })),
    productMap,
  );
  return { routes, keys };
}
