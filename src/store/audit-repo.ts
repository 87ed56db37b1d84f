/** The audit log: append-only. */
import type { Selectable } from 'kysely';
import type { Executor } from './database.js';
import { pageAndCount } from './database.js';
import type { AuditLogTable } from './schema.js';

export type AuditRow = Selectable<AuditLogTable>;

/** Rows per INSERT: well under the databases' limits on bound parameters. */
const BATCH = 100;

export async function appendAudits(ex: Executor, rows: readonly AuditRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) await ex.insertInto('audit_log').values(rows.slice(i, i + BATCH)).execute();
}

export async function listAudit(ex: Executor, q: { userId?: string; action?: string; limit?: number } = {}): Promise<AuditRow[]> {
  let query = ex.selectFrom('audit_log').selectAll().orderBy('at', 'desc').orderBy('id', 'desc').limit(q.limit ?? 100);
  if (q.userId !== undefined) query = query.where('user_id', '=', q.userId);
  if (q.action !== undefined) query = query.where('action', '=', q.action);
  return query.execute();
}

export interface AuditPageQuery {
  userId?: string | undefined;
  actor?: string | undefined;
  action?: string | undefined;
  /** ISO-8601 instants: `from` inclusive, `to` exclusive. */
  from?: string | undefined;
  to?: string | undefined;
  skip: number;
  top: number;
}

/** One page of the log, newest first, filtered (every filter is an exact match), with the number of matching entries. */
export async function pageAudit(ex: Executor, q: AuditPageQuery): Promise<{ rows: AuditRow[]; count: number }> {
  let base = ex.selectFrom('audit_log');
  if (q.userId !== undefined) base = base.where('user_id', '=', q.userId);
  if (q.actor !== undefined) base = base.where('actor', '=', q.actor);
  if (q.action !== undefined) base = base.where('action', '=', q.action);
  if (q.from !== undefined) base = base.where('at', '>=', q.from);
  if (q.to !== undefined) base = base.where('at', '<', q.to);
  return pageAndCount(base, base.selectAll().orderBy('at', 'desc').orderBy('id', 'desc').limit(q.top).offset(q.skip));
}
