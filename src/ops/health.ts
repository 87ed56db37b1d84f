/**
 * Health endpoints on PORT, for load balancers and orchestrators; outside the management API's
 * authentication, and they say nothing but which check failed (no error text: it could name a
 * database host or a user).
 *
 * - GET /healthz: the process is up and its event loop answers (200 {"status":"ok"}).
 * - GET /readyz: the process can serve: the database answers, its schema is migrated, and the
 *   gateway has loaded its snapshot. 200 when all pass, else 503; both list every check.
 */
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { assertMigrated, type OpenDatabase } from '../store/database.js';
import type { Gateway } from '../gateway/index.js';

export type CheckResult = 'ok' | 'failed' | 'timeout';
/** A check resolves when it passes and rejects when it fails. */
export type ReadinessChecks = Record<string, () => Promise<void>>;

/** A check slower than this counts as failed: a probe must not hang with a database that does. */
export const CHECK_TIMEOUT_MS = 2_000;

export function readinessChecks(parts: { database: Pick<OpenDatabase, 'db' | 'dialect'>; gateway: Pick<Gateway, 'stats'> }): ReadinessChecks {
  // Migrations are never undone under a running process: once seen applied, not asked again.
  let migrated = false;
  return {
    async database() {
      await sql`select 1`.execute(parts.database.db);
    },
    async migrations() {
      if (migrated) return;
      await assertMigrated(parts.database.db, parts.database.dialect);
      migrated = true;
    },
    async gateway() {
      if (!parts.gateway.stats().loaded) throw new Error('the gateway has not loaded its configuration yet');
    },
  };
}

async function run(check: () => Promise<void>): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([check().then((): CheckResult => 'ok', (): CheckResult => 'failed'), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function healthRoutes(app: FastifyInstance, checks: ReadinessChecks): Promise<void> {
  app.get('/healthz', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return { status: 'ok' };
  });
  app.get('/readyz', async (_request, reply) => {
    const names = Object.keys(checks);
    const results = await Promise.all(names.map((name) => run(checks[name]!)));
    const report = Object.fromEntries(names.map((name, i) => [name, results[i]!]));
    const ready = results.every((r) => r === 'ok');
    reply.header('cache-control', 'no-store').code(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'unavailable', checks: report };
  });
}
