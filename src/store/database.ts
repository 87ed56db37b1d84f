/**
 * Opening the database named by DATABASE_URL (`sqlite:<path>` or `postgres://...`) and running the
 * migrations. Everything above this file sees only `Kysely<Database>`.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, Migrator, PostgresAdapter, PostgresDialect, sql, type SelectQueryBuilder, type Selectable, type Transaction } from 'kysely';
import type { Database } from './schema.js';
import { migrationProvider } from './migrations/index.js';
import { postgresNotifications, type ChangeNotifications } from './change-notifications.js';
import { startCheckpointer } from './sqlite-checkpointer.js';
import { ImmediateSqliteDialect } from './sqlite-dialect.js';

export type SqlDialect = 'sqlite' | 'postgres';
export type Db = Kysely<Database>;
/** Either the database or an open transaction: repositories accept both. */
export type Executor = Kysely<Database> | Transaction<Database>;

export interface OpenDatabase {
  db: Db;
  dialect: SqlDialect;
  /** Where the data lives, without credentials (for startup output). */
  description: string;
  /** PostgreSQL: wakes gateways at each committed change (SQLite has none: gateways poll). */
  notifications?: ChangeNotifications;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** PostgreSQL only: use (and create) this schema, so test runs do not see each other. */
  schema?: string;
  /** PostgreSQL pool size. */
  poolSize?: number;
}

export function parseDatabaseUrl(url: string): { dialect: SqlDialect; target: string } {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path) throw new Error('DATABASE_URL sqlite: needs a file path, e.g. sqlite:./data/tollgate.db');
    return { dialect: 'sqlite', target: path };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    return { dialect: 'postgres', target: url };
  }
  throw new Error('DATABASE_URL must start with sqlite: or postgres://');
}

export async function openDatabase(url: string, options: OpenOptions = {}): Promise<OpenDatabase> {
  const { dialect, target } = parseDatabaseUrl(url);
  return dialect === 'sqlite' ? openSqlite(target) : openPostgres(target, options);
}

function openSqlite(path: string): OpenDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const connection = new SQLite(path);
  connection.pragma('journal_mode = WAL');
  connection.pragma('synchronous = NORMAL');
  connection.pragma('foreign_keys = ON');
  connection.pragma('busy_timeout = 5000');
  const checkpointer = path === ':memory:' ? undefined : startCheckpointer(connection, path);
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: connection }) });
  return {
    db,
    dialect: 'sqlite',
    description: `SQLite ${path}`,
    async close() {
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}

async function openPostgres(url: string, options: OpenOptions): Promise<OpenDatabase> {
  const schema = options.schema;
  if (schema !== undefined) checkSchemaName(schema);
  if (schema) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`create schema if not exists ${schema}`);
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const parsed = new URL(url);
  return {
    db,
    dialect: 'postgres',
    description: `PostgreSQL ${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}${schema ? ` (schema ${schema})` : ''}`,
    notifications: postgresNotifications(url, schema),
    close: () => db.destroy(),
  };
}

async function createMigrator(db: Db, dialect: SqlDialect): Promise<Migrator> {
  // Kysely looks for its bookkeeping tables in every schema it can see; name ours, or another
  // schema's tables in the same database would be taken for them.
  const migrationTableSchema =
    dialect === 'postgres' ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema : undefined;
  return new Migrator({ db, provider: migrationProvider(dialect), ...(migrationTableSchema ? { migrationTableSchema } : {}) });
}

export async function migrateToLatest(db: Db, dialect: SqlDialect): Promise<void> {
  const migrator = await createMigrator(db, dialect);
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`database migration failed${failed ? ` at ${failed.migrationName}` : ''}: ${String(error)}`);
  }
}

/**
 * For processes that must not change the schema (gateway nodes): fails, saying what to run, unless
 * every migration this build knows has been applied.
 */
export async function assertMigrated(db: Db, dialect: SqlDialect): Promise<void> {
  const migrations = await (await createMigrator(db, dialect)).getMigrations();
  const pending = migrations.filter((m) => m.executedAt === undefined).map((m) => m.name);
  if (pending.length > 0) {
    throw new Error(
      `the database is not ready (${pending.length} migration${pending.length === 1 ? '' : 's'} not applied: ${pending.join(', ')}); ` +
        'run `tollgate migrate` (or `tollgate start`) against it first',
    );
  }
}

/** The tables whose rows are found by a text `id`. */
type TableWithId = { [T in keyof Database]: Database[T] extends { id: string } ? T : never }[keyof Database];

/**
 * One row by id; `lock` holds it until the transaction ends (PostgreSQL), for a read that decides a
 * write. Every repository's `findX(ex, id, lock)` is this query.
 */
export function findRowById<T extends TableWithId>(ex: Executor, table: T, id: string, lock = false): Promise<Selectable<Database[T]> | undefined> {
  // Kysely cannot resolve `where('id', ...)` over a union of table names; the constraint above
  // guarantees every table in it has the column, so the query is built untyped and typed at the end.
  const q = (ex as unknown as Kysely<Record<string, { id: string }>>).selectFrom(table as string).selectAll().where('id', '=', id);
  return (lock && canLockRows(ex) ? q.forUpdate() : q).executeTakeFirst() as Promise<Selectable<Database[T]> | undefined>;
}

/**
 * Whether `SELECT ... FOR UPDATE` is available. SQLite has no row locks and needs none: our SQLite
 * connection runs one transaction at a time. PostgreSQL runs them concurrently, so a write that
 * checks an ETag must lock the row it read, or two writers with the same ETag would both succeed.
 */
export function canLockRows(ex: Executor): boolean {
  return ex.getExecutor().adapter instanceof PostgresAdapter;
}

/** Counts come back as strings from PostgreSQL (bigint) and numbers from SQLite. */
export function toCount(value: string | number | bigint | null | undefined): number {
  return Number(value ?? 0);
}

/**
 * One page of a list and the number of rows the whole list holds, queried together: `base` is the
 * list's query (tables and filters, no selection yet), `page` the page's query built on it.
 */
export async function pageAndCount<DB, TB extends keyof DB, O, R>(
  base: SelectQueryBuilder<DB, TB, O>,
  page: { execute(): Promise<R[]> },
): Promise<{ rows: R[]; count: number }> {
  const [rows, total] = await Promise.all([page.execute(), base.select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow()]);
  return { rows, count: toCount((total as { n: string | number }).n) };
}

/**
 * A PostgreSQL schema name goes into SQL as an identifier (it cannot be a bound parameter), so
 * only plain lower-case names are accepted: letters, digits and underscores, not starting with a
 * digit, at most 63 characters.
 */
export function checkSchemaName(schema: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid schema name ${JSON.stringify(schema.slice(0, 80))}`);
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  checkSchemaName(schema);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await client.end();
  }
}

export { sql };
