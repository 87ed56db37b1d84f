/**
 * Everything the hot path needs, in memory: the routing table, the key index and the policies. Loaded whole at
 * start (in batches, giving the event loop back between them) and then changed one entity at a
 * time, as the change feed names them: a change costs what it touches, not what the instance
 * holds. Requests never query the database.
 */
import type { SubscriptionState } from '../domain/subscription.js';
import type { Store } from '../store/index.js';
import type { GatewayApiRow, GatewayNamedValueRow, GatewayOperationRow, GatewaySubscriptionRow } from '../store/gateway-repo.js';
import { KeyIndex, type SubscriptionRecord } from './access.js';
import { PolicySet } from './policy/set.js';
import type { PolicyEnv } from './policy/types.js';
import { createRoutingTable, type ApiInput, type OperationInput, type RoutingTable } from './routing.js';

export interface Snapshot {
  routes: RoutingTable;
  keys: KeyIndex;
  policies: PolicySet;
}

/** What reading policies needs besides the store. */
export interface SnapshotEnv {
  policy: PolicyEnv;
  /** Opens a secret named value (sealed as subscription keys are). */
  unseal(sealed: string): string;
}

/**
 * Subscriptions per query at start. On SQLite (synchronous) one batch holds the event loop for
 * 4-17 ms at a million subscriptions (2,000 held it up to 34 ms); PostgreSQL's rows arrive and are
 * parsed a socket read at a time, so there larger batches only save round trips.
 */
export const LOAD_BATCH = { sqlite: 1_000, postgres: 10_000 } as const;
/** Subscriptions put into the index between two turns of the event loop. */
const PUT_IN_BATCH = 1_000;
/** Entities re-read per query when applying changes. */
const APPLY_BATCH = 500;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function apiInput(a: GatewayApiRow): ApiInput {
  return {
    id: a.id,
    displayName: a.display_name,
    path: a.path,
    serviceUrl: a.service_url,
    subscriptionRequired: a.subscription_required !== 0,
    keyHeader: a.key_header,
    keyQuery: a.key_query,
  };
}

const operationInput = (o: GatewayOperationRow): OperationInput => ({
  apiId: o.api_id,
  id: o.id,
  displayName: o.display_name,
  method: o.method,
  urlTemplate: o.url_template,
});

function subscriptionRecord(s: GatewaySubscriptionRow): SubscriptionRecord {
  return {
    id: s.id,
    ownerId: s.owner_id,
    ownerState: s.owner_state,
    scope: s.scope,
    state: s.state as SubscriptionState,
    expirationDate: s.expiration_date,
    primaryLookup: s.primary_key_lookup,
    secondaryLookup: s.secondary_key_lookup,
    startedAt: s.start_date ?? s.created_at,
  };
}

/** Named values by display name, secrets opened; one that cannot be opened is left out (and said). */
function namedValueMap(rows: readonly GatewayNamedValueRow[], env: SnapshotEnv): Map<string, string> {
  const out = new Map<string, string>();
  for (const row of rows) {
    if (Number(row.secret) !== 1) {
      out.set(row.display_name, row.value);
      continue;
    }
    try {
      out.set(row.display_name, env.unseal(row.value));
    } catch (error) {
      env.policy.logger.error({ err: error, namedValue: row.display_name }, 'gateway: a secret named value cannot be opened; policies using it are refused');
    }
  }
  return out;
}

const productRecord = (p: { id: string; state: string; apiIds: string[] }) => ({ id: p.id, published: p.state === 'published', apiIds: new Set(p.apiIds) });

/** Reads every API, operation, product, policy and subscription; `onProgress` hears how many subscriptions are in (of about `total`). */
export async function loadSnapshot(store: Store, env: SnapshotEnv, onProgress?: (loaded: number, total: number) => void): Promise<Snapshot> {
  const total = await store.gateway.estimateSubscriptions(store.dialect);
  const keys = new KeyIndex(total);
  const routes = createRoutingTable();
  const { apis, operations } = await store.gateway.allApis();
  const byApi = new Map<string, OperationInput[]>();
  for (const o of operations) (byApi.get(o.api_id) ?? byApi.set(o.api_id, []).get(o.api_id)!).push(operationInput(o));
  for (const a of apis) routes.upsert(apiInput(a), byApi.get(a.id) ?? []);
  for (const p of await store.gateway.allProducts()) keys.setProduct(p.id, productRecord(p));
  const policies = new PolicySet(env.policy);
  policies.setNamedValues(namedValueMap(await store.gateway.allNamedValues(), env));
  for (const row of await store.gateway.allPolicies()) policies.put(row.scope_key, row.xml);

  let after: string | undefined;
  let loaded = 0;
  const batch = LOAD_BATCH[store.dialect];
  for (;;) {
    const rows = await store.gateway.subscriptionsAfter(after, batch);
    // Put in a thousand at a time: 10,000 at once held the event loop for up to 100 ms.
    for (let i = 0; i < rows.length; i += PUT_IN_BATCH) {
      if (i > 0) await yieldToEventLoop();
      for (const row of rows.slice(i, i + PUT_IN_BATCH)) keys.upsertSubscription(subscriptionRecord(row));
    }
    loaded += rows.length;
    onProgress?.(loaded, total);
    if (rows.length < batch) break;
    after = rows[rows.length - 1]!.id;
    await yieldToEventLoop();
  }
  return { routes, keys, policies };
}

export interface ChangedEntityRef {
  entity: string;
  entity_id: string;
}

/** What a batch of changes touched, for the caller (the connection pools follow the APIs). */
export interface Applied {
  apis: number;
  products: number;
  users: number;
  subscriptions: number;
  /** Policy documents and named values re-read. */
  policies: number;
}

/**
 * Re-reads each entity the changes name (once, however often it is named) and puts its current
 * state in place, or takes it out when it is gone. Re-reading instead of replaying deltas makes
 * applying a change twice, or out of order, harmless.
 */
export async function applyChanges(snapshot: Snapshot, store: Store, changes: readonly ChangedEntityRef[], env: SnapshotEnv): Promise<Applied> {
  const named = {
    api: new Set<string>(),
    product: new Set<string>(),
    user: new Set<string>(),
    subscription: new Set<string>(),
    policy: new Set<string>(),
    'named-value': new Set<string>(),
  };
  for (const c of changes) if (c.entity in named) named[c.entity as keyof typeof named].add(c.entity_id);

  // Named values first: the documents re-read below are parsed with the values as they are now.
  if (named['named-value'].size > 0) snapshot.policies.setNamedValues(namedValueMap(await store.gateway.allNamedValues(), env));
  for (const id of named.api) {
    const found = await store.gateway.apiWithOperations(id);
    if (found) snapshot.routes.upsert(apiInput(found.api), found.operations.map(operationInput));
    else snapshot.routes.remove(id);
    // Deleting an API or an operation takes its policies along (cascade) without a change of their own.
    snapshot.policies.replaceApi(id, found ? await store.gateway.apiPolicies(id) : []);
  }
  for (const id of named.product) {
    const found = await store.gateway.productWithApis(id);
    snapshot.keys.setProduct(id, found ? productRecord(found) : undefined);
    const scopeKey = `/products/${id}`;
    if (!named.policy.has(scopeKey)) snapshot.policies.put(scopeKey, (await store.gateway.policyAt(scopeKey))?.xml);
  }
  for (const scopeKey of named.policy) snapshot.policies.put(scopeKey, (await store.gateway.policyAt(scopeKey))?.xml);
  await inBatches([...named.user], async (ids) => {
    const states = new Map((await store.gateway.userStates(ids)).map((u) => [u.id, u.state]));
    for (const id of ids) snapshot.keys.setOwnerState(id, states.get(id));
  });
  await inBatches([...named.subscription], async (ids) => {
    const rows = new Map((await store.gateway.subscriptionsByIds(ids)).map((s) => [s.id, s]));
    for (const id of ids) {
      const row = rows.get(id);
      if (row) snapshot.keys.upsertSubscription(subscriptionRecord(row));
      else snapshot.keys.removeSubscription(id);
    }
  });
  return {
    apis: named.api.size,
    products: named.product.size,
    users: named.user.size,
    subscriptions: named.subscription.size,
    policies: named.policy.size + named['named-value'].size,
  };
}

async function inBatches(ids: string[], fn: (batch: string[]) => Promise<void>): Promise<void> {
  for (let i = 0; i < ids.length; i += APPLY_BATCH) {
    if (i > 0) await yieldToEventLoop();
    await fn(ids.slice(i, i + APPLY_BATCH));
  }
}
