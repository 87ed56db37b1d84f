/**
 * The store as the services see it: repositories bound to the database, or to an open transaction
 * inside `transaction()`. Services receive a Store; they never build SQL.
 */
import type { Db, Executor, SqlDialect } from './database.js';
import { conflict } from '../domain/errors.js';
import * as users from './users-repo.js';
import * as groups from './groups-repo.js';
import * as outbox from './outbox-repo.js';
import * as keys from './keys-repo.js';
import * as settings from './settings-repo.js';
import * as tokens from './tokens-repo.js';
import * as sessions from './sessions-repo.js';
import * as throttle from './throttle-repo.js';
import * as audit from './audit-repo.js';
import * as templates from './templates-repo.js';
import * as changes from './changes-repo.js';
import * as apis from './apis-repo.js';
import * as apiSchemas from './api-schemas-repo.js';
import * as products from './products-repo.js';
import * as subscriptions from './subscriptions-repo.js';
import * as gateway from './gateway-repo.js';
import * as policies from './policies-repo.js';
import * as namedValues from './named-values-repo.js';
import * as quotaCounters from './quota-counters-repo.js';
import * as traffic from './traffic-repo.js';
import * as reports from './reports-repo.js';
import * as usage from './usage-repo.js';

/** A repository module with its first parameter (the executor) bound. */
type Bound<M> = {
  [K in keyof M as M[K] extends (ex: Executor, ...args: never[]) => unknown ? K : never]: M[K] extends (
    ex: Executor,
    ...args: infer A
  ) => infer R
    ? (...args: A) => R
    : never;
};

function bind<M extends object>(module: M, ex: Executor): Bound<M> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(module)) {
    if (typeof value === 'function') out[name] = (...args: unknown[]) => (value as (...a: unknown[]) => unknown)(ex, ...args);
  }
  return out as Bound<M>;
}

export interface Store {
  readonly dialect: SqlDialect;
  readonly users: Bound<typeof users>;
  readonly groups: Bound<typeof groups>;
  readonly outbox: Bound<typeof outbox>;
  readonly keys: Bound<typeof keys>;
  readonly settings: Bound<typeof settings>;
  readonly tokens: Bound<typeof tokens>;
  readonly sessions: Bound<typeof sessions>;
  readonly throttle: Bound<typeof throttle>;
  readonly audit: Bound<typeof audit>;
  readonly templates: Bound<typeof templates>;
  readonly changes: Bound<typeof changes>;
  readonly apis: Bound<typeof apis>;
  readonly apiSchemas: Bound<typeof apiSchemas>;
  readonly products: Bound<typeof products>;
  readonly subscriptions: Bound<typeof subscriptions>;
  readonly gateway: Bound<typeof gateway>;
  readonly policies: Bound<typeof policies>;
  readonly namedValues: Bound<typeof namedValues>;
  readonly quotaCounters: Bound<typeof quotaCounters>;
  readonly traffic: Bound<typeof traffic>;
  readonly reports: Bound<typeof reports>;
  readonly usage: Bound<typeof usage>;
  /** Runs `fn` in one transaction: everything it writes lands, or nothing does. Nested calls join the outer one. */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
}

function storeOn(ex: Executor, dialect: SqlDialect, inTransaction: boolean): Store {
  const store: Store = {
    dialect,
    users: bind(users, ex),
    groups: bind(groups, ex),
    outbox: bind(outbox, ex),
    keys: bind(keys, ex),
    settings: bind(settings, ex),
    tokens: bind(tokens, ex),
    sessions: bind(sessions, ex),
    throttle: bind(throttle, ex),
    audit: bind(audit, ex),
    templates: bind(templates, ex),
    changes: bind(changes, ex),
    apis: bind(apis, ex),
    apiSchemas: bind(apiSchemas, ex),
    products: bind(products, ex),
    subscriptions: bind(subscriptions, ex),
    gateway: bind(gateway, ex),
    policies: bind(policies, ex),
    namedValues: bind(namedValues, ex),
    quotaCounters: bind(quotaCounters, ex),
    traffic: bind(traffic, ex),
    reports: bind(reports, ex),
    usage: bind(usage, ex),
    transaction: (fn) =>
      inTransaction ? fn(store) : (ex as Db).transaction().execute((trx) => fn(storeOn(trx, dialect, true))),
  };
  return store;
}

export function createStore(db: Db, dialect: SqlDialect): Store {
  return storeOn(db, dialect, false);
}

/**
 * Runs a create-or-update once more when it lost a race to insert the same key: the second run
 * finds the row the winner inserted and takes the update path. A second loss is a real conflict.
 */
export async function retryOnceOnUniqueViolation<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    try {
      return await fn();
    } catch (again) {
      if (isUniqueViolation(again)) throw conflict('Another request changed the same entity at the same time; retry.');
      throw again;
    }
  }
}

/** True when a write failed on a unique index (two requests racing for the same email or id). */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown } | null;
  return e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e?.code === '23505';
}
