/**
 * Kysely's SQLite dialect with write transactions that take the write lock when they begin
 * (`BEGIN IMMEDIATE`). Several processes share one SQLite file (gateway nodes record traffic,
 * the management API writes entities). A deferred `BEGIN` starts as a reader; when it then
 * writes after another process committed, SQLite answers SQLITE_BUSY at once (its snapshot is
 * stale, and waiting cannot help, so busy_timeout does not apply): the write failed as a 500 under
 * load. An immediate transaction waits for the lock (busy_timeout) and then sees the latest data.
 * Within one process nothing changes: better-sqlite3 has one connection and Kysely runs one
 * transaction at a time on it.
 */
import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDialectConfig } from 'kysely';

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}
