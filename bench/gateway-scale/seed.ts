/**
 * The benchmark's database: a SQLite file in a temporary directory or a fresh PostgreSQL schema,
 * removed by dispose(); and its contents at size, written straight into the tables (10,000 rows
 * per transaction) while no Tollgate runs: N users (bench/management/seed.ts) and
 * M active subscriptions of theirs to the benchmark's product, with real keys, sealed and hashed
 * under the instance's key ring as the subscription service does, so that every one opens the API.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { sql, type Insertable } from 'kysely';
import { dropSchema, openDatabase, type OpenDatabase, type SqlDialect } from '../../src/store/database.js';
import type { SubscriptionsTable } from '../../src/store/schema.js';
import { createStore } from '../../src/store/index.js';
import { subscriptionKeyRing } from '../../src/services/signing-keys.js';
import { newEtag } from '../../src/domain/ids.js';
import { keyMaker, type KeyColumns } from './keys.js';
import { progressBar } from '../management/progress.js';
import { activeSubscriptionRow } from '../common/subscription-row.js';
import { seedUsersShowingProgress } from '../management/seed.js';
import { databaseVersion } from '../management/instance.js';
import type { App } from '../../src/app.js';

export const PRODUCT_SCOPE = '/products/bench';

export interface BenchDatabase {
  /** DATABASE_URL for Tollgate. */
  url: string;
  /** PostgreSQL: the schema (OpenOptions.schema); SQLite: undefined. */
  schema: string | undefined;
  /** SQLite: the file. */
  path: string | undefined;
  open(): Promise<OpenDatabase>;
  dispose(): Promise<void>;
}

export function benchDatabase(dialect: SqlDialect, pgUrl: string | undefined): BenchDatabase {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-scale-'));
    const path = join(dir, 'tollgate.db');
    const url = `sqlite:${path}`;
    return { url, schema: undefined, path, open: () => openDatabase(url), dispose: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const schema = `bench_scale_${randomBytes(6).toString('hex')}`;
  return { url: pgUrl!, schema, path: undefined, open: () => openDatabase(pgUrl!, { schema }), dispose: () => dropSchema(pgUrl!, schema) };
}

/** A seeded subscription whose key the benchmark knows, of an active owner no other sample shares. */
export interface KnownSubscription {
  id: string;
  ownerId: string;
  key: string;
}

export interface Seeded {
  /** Active seeded users with one known subscription each, in seeding order. */
  known: KnownSubscription[];
  /** Ids of the seeded subscriptions (`seed-<i>`), 0 ≤ i < count. */
  subscriptionId(i: number): string;
  usersSeconds: number;
  subscriptionsSeconds: number;
  /** `SQLite 3.x` / `PostgreSQL 15.x` */
  version: string;
}

/** Rows per multi-row INSERT: 17 columns × 1,000 = 17,000 parameters, under PostgreSQL's limit. */
const BATCH = 1000;
/** Rows per transaction. */
const STEP = 10 * BATCH;

const subscriptionId = (i: number) => `seed-${i}`;

function subscriptionRow(keys: KeyColumns, j: number, i: number, ownerId: string, at: string): Insertable<SubscriptionsTable> {
  return activeSubscriptionRow({
    id: subscriptionId(i),
    ownerId,
    scope: PRODUCT_SCOPE,
    at,
    displayName: `Seeded ${i}`,
    primarySealed: keys.primarySealed[j]!,
    secondarySealed: keys.secondarySealed[j]!,
    primaryLookup: keys.primaryLookup[j]!,
    secondaryLookup: keys.secondaryLookup[j]!,
    etag: newEtag(),
  });
}

/**
 * Writes one transaction's rows. SQLite: one prepared INSERT run per row on a connection of our
 * own (through Kysely, building and binding multi-row statements of 17,000 parameters took four
 * times as long as SQLite's work); PostgreSQL: multi-row INSERTs, where each statement is a round trip.
 */
function rowWriter(bench: BenchDatabase, database: OpenDatabase): { write(rows: Insertable<SubscriptionsTable>[]): Promise<void>; close(): void } {
  if (bench.path !== undefined) {
    const connection = new SQLite(bench.path);
    connection.pragma('busy_timeout = 5000');
    const columns = Object.keys(subscriptionRow(EMPTY_KEYS, 0, 0, '', ''));
    const insert = connection.prepare(`insert into subscriptions (${columns.join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')})`);
    const insertAll = connection.transaction((rows: Insertable<SubscriptionsTable>[]) => {
      for (const row of rows) insert.run(row);
    });
    return { write: async (rows) => void insertAll(rows), close: () => connection.close() };
  }
  return {
    write: (rows) =>
      database.db.transaction().execute(async (trx) => {
        for (let b = 0; b < rows.length; b += BATCH) await trx.insertInto('subscriptions').values(rows.slice(b, b + BATCH)).execute();
      }),
    close: () => undefined,
  };
}

const EMPTY_KEYS: KeyColumns = { primary: [''], primarySealed: [''], secondarySealed: [''], primaryLookup: [''], secondaryLookup: [''] };

/**
 * `subscriptions` subscriptions spread round-robin over the users (so the first `users` of them
 * have distinct owners); the keys of the first `knownCount` are kept, those of active owners returned.
 */
async function seedSubscriptions(bench: BenchDatabase, database: OpenDatabase, name: string, ownerIds: readonly string[], count: number, knownCount: number): Promise<KnownSubscription[]> {
  const { db } = database;
  const ring = await subscriptionKeyRing(createStore(db, database.dialect));
  const at = new Date().toISOString();
  const kept: KnownSubscription[] = [];
  const bar = progressBar(`${name}: seeding subscriptions`, count);
  const maker = keyMaker(ring);
  const writer = rowWriter(bench, database);
  try {
    let next = maker.make(Math.min(STEP, count));
    for (let from = 0; from < count; from += STEP) {
      const to = Math.min(from + STEP, count);
      const keys = await next;
      if (to < count) next = maker.make(Math.min(STEP, count - to));
      const rows: Insertable<SubscriptionsTable>[] = [];
      for (let i = from; i < to; i++) {
        const ownerId = ownerIds[i % ownerIds.length]!;
        if (i < knownCount) kept.push({ id: subscriptionId(i), ownerId, key: keys.primary[i - from]! });
        rows.push(subscriptionRow(keys, i - from, i, ownerId, at));
      }
      await writer.write(rows);
      bar.update(to);
    }
  } finally {
    writer.close();
    await maker.close();
  }
  bar.finish();
  const active = new Set<string>();
  for (let i = 0; i < kept.length; i += BATCH) {
    const ids = kept.slice(i, i + BATCH).map((k) => k.ownerId);
    for (const row of await db.selectFrom('users').select('id').where('id', 'in', ids).where('state', '=', 'active').execute()) active.add(row.id);
  }
  return kept.filter((k) => active.has(k.ownerId));
}

/**
 * Seeds users and subscriptions into a database a Tollgate has prepared (migrated, key ring made,
 * the API and product configured), then brings the planner's statistics up to date as a database
 * that has been running a while has them.
 */
export async function seedAtSize(bench: BenchDatabase, name: string, size: { users: number; subscriptions: number; known: number; seed: number }): Promise<Seeded> {
  const database = await bench.open();
  try {
    const users = await seedUsersShowingProgress(database.db, name, size.users, size.seed);
    const started = performance.now();
    const known = await seedSubscriptions(bench, database, name, users.seeded.ids, size.subscriptions, Math.min(size.known, size.users, size.subscriptions));
    const subscriptionsSeconds = (performance.now() - started) / 1000;
    console.error(`${name}: ${database.dialect === 'sqlite' ? 'ANALYZE' : 'VACUUM (ANALYZE)'}`);
    if (database.dialect === 'sqlite') await sql`ANALYZE`.execute(database.db);
    else await sql`VACUUM (ANALYZE) users, user_identities, group_members, subscriptions`.execute(database.db);
    // databaseVersion reads nothing of the app but its database.
    const version = await databaseVersion({ database } as App);
    return { known, subscriptionId, usersSeconds: users.seconds, subscriptionsSeconds, version };
  } finally {
    await database.close();
  }
}
