/**
 * A Tollgate for a benchmark: createApp exactly as `tollgate start` does, on a free port on
 * 127.0.0.1, over a SQLite file in a temporary directory or a fresh PostgreSQL schema, both removed
 * by dispose(). Shared by bench/management, bench/admin and bench/propagation (bench/startup uses
 * chooseBackends).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { dropSchema, type SqlDialect } from '../../src/store/database.js';
import { freePort } from '../common/net.js';
import type { SeededUsers } from './seed.js';

export const SUBSCRIPTION = '00000000-0000-0000-0000-000000000000';
export const RESOURCE_GROUP = 'bench';
export const SERVICE = 'tollgate-bench';

/** The options `--backend` and `--pg-url`, as parseArgs takes them; chooseBackends reads their values. */
export const BACKEND_OPTIONS = {
  backend: { type: 'string', default: 'both' },
  'pg-url': { type: 'string' },
} as const;

/**
 * `--backend sqlite | postgres | both` and `--pg-url` (default: $TEST_DATABASE_URL, then a
 * postgres:// $DATABASE_URL). `both` without a PostgreSQL URL is SQLite only, said on stderr.
 */
export function chooseBackends(backend: string, pgUrlOption: string | undefined): { backends: SqlDialect[]; pgUrl: string | undefined } {
  const envUrl = [process.env.TEST_DATABASE_URL, process.env.DATABASE_URL].find((u) => u && /^postgres(ql)?:\/\//.test(u));
  const pgUrl = pgUrlOption ?? envUrl;
  let backends: SqlDialect[];
  if (backend === 'sqlite') backends = ['sqlite'];
  else if (backend === 'postgres') backends = ['postgres'];
  else if (backend === 'both') backends = pgUrl ? ['sqlite', 'postgres'] : ['sqlite'];
  else throw new Error(`--backend must be sqlite, postgres or both, not ${backend}`);
  if (backends.includes('postgres') && !pgUrl) throw new Error('--backend postgres needs --pg-url or TEST_DATABASE_URL');
  if (backend === 'both' && !pgUrl) console.error('No PostgreSQL URL (--pg-url, TEST_DATABASE_URL or DATABASE_URL): SQLite only.');
  return { backends, pgUrl };
}

export interface Instance {
  app: App;
  /** http://127.0.0.1:<port> */
  url: string;
  /** The gateway's http://127.0.0.1:<port> (a free port). */
  gatewayUrl: string;
  /** The management API's service URL. */
  base: string;
  /** The bootstrap management key. */
  key: string;
  dispose(): Promise<void>;
}

/** `env` adds to (or overrides) the configuration, e.g. TOLLGATE_ADMIN_EMAIL and _PASSWORD. */
export async function startTollgate(dialect: SqlDialect, pgUrl: string | undefined, env: Record<string, string> = {}): Promise<Instance> {
  const key = randomBytes(32).toString('base64url');
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-'));
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    PORT: String(port),
    // The gateway on any free port, so that it never collides with another Tollgate's.
    GATEWAY_PORT: '0',
    HOST: '127.0.0.1',
    PUBLIC_URL: url,
    DATABASE_URL: dialect === 'sqlite' ? `sqlite:${join(dir, 'tollgate.db')}` : pgUrl!,
    TOLLGATE_SERVICE_NAME: SERVICE,
    TOLLGATE_ADMIN_KEY: key,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const cleanup = async () => {
    rmSync(dir, { recursive: true, force: true });
    if (dialect === 'postgres') await dropSchema(pgUrl!, schema);
  };
  let app: App;
  let gatewayUrl: string;
  try {
    app = await createApp(config, dialect === 'postgres' ? { database: { schema } } : {});
    ({ gatewayUrl } = await app.listen());
  } catch (error) {
    await cleanup();
    throw error;
  }
  let disposed: Promise<void> | undefined;
  return {
    app,
    url,
    gatewayUrl,
    base: `${url}/subscriptions/${SUBSCRIPTION}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.ApiManagement/service/${SERVICE}`,
    key,
    dispose() {
      disposed ??= app.close().finally(cleanup);
      return disposed;
    },
  };
}

export function dialectName(dialect: SqlDialect): string {
  return dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL';
}

/**
 * Starts a Tollgate (startTollgate; `<name>: starting Tollgate` on stderr), gives it to `use` with
 * the backend's name, and disposes of it afterwards. Ctrl-C still removes the temporary database
 * (a 100,000-user schema is worth cleaning up), then exits with 130.
 */
export async function withTollgate(
  dialect: SqlDialect,
  pgUrl: string | undefined,
  env: Record<string, string>,
  use: (instance: Instance, name: string) => Promise<void>,
): Promise<void> {
  const name = dialectName(dialect);
  console.error(`\n${name}: starting Tollgate`);
  const instance = await startTollgate(dialect, pgUrl, env);
  const interrupted = () => {
    console.error(`\n${name}: interrupted, removing the benchmark database`);
    void instance.dispose().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  try {
    await use(instance, name);
  } finally {
    process.off('SIGINT', interrupted);
    await instance.dispose();
  }
}

/** Brings the planner statistics up to date, as a database that has been running a while has them. */
export async function analyze(app: App): Promise<void> {
  const db = app.database.db;
  if (app.database.dialect === 'sqlite') {
    await sql`ANALYZE`.execute(db);
  } else {
    // VACUUM as well: autovacuum would do it soon after a bulk load anyway (and might do it in
    // the middle of a measurement); it also sets the visibility map that index-only scans use.
    await sql`VACUUM (ANALYZE) users, user_identities, group_members, groups`.execute(db);
  }
}

export function analyzeName(dialect: SqlDialect): string {
  return dialect === 'sqlite' ? 'ANALYZE' : 'VACUUM (ANALYZE)';
}

export async function databaseVersion(app: App): Promise<string> {
  if (app.database.dialect === 'sqlite') {
    const { rows } = await sql<{ v: string }>`select sqlite_version() as v`.execute(app.database.db);
    return `SQLite ${rows[0]?.v}`;
  }
  const { rows } = await sql<{ server_version: string }>`show server_version`.execute(app.database.db);
  return `PostgreSQL ${rows[0]?.server_version}`;
}

/**
 * The head of a backend's section of bench:management and bench:admin: `### <name>, N users`, then
 * the database's version, how the users were seeded and the load average around the measurements.
 */
export async function printSeededHead(
  app: App,
  section: { name: string; users: number; seeded: SeededUsers; seedSeconds: number; loadBefore: string; loadAfter: string },
): Promise<void> {
  const { name, users, seedSeconds, loadBefore, loadAfter } = section;
  const { byState } = section.seeded;
  console.log(`### ${name}, ${users.toLocaleString('en-US')} users\n`);
  console.log(
    `${await databaseVersion(app)}; seeded in ${seedSeconds.toFixed(1)} s ` +
      `(${byState.active.toLocaleString('en-US')} active, ${byState.blocked.toLocaleString('en-US')} blocked, ` +
      `${byState.pending.toLocaleString('en-US')} pending), then ${analyzeName(app.database.dialect)}. ` +
      `Load average (1/5/15 min) ${loadBefore} before the measurements, ${loadAfter} after.\n`,
  );
}
