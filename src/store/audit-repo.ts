/** The audit log: append-only. */
import type { Selectable } from 'kysely';
import type { Executor } from './database.js';
import type { AuditLogTable } from './schema.js';

export type AuditRow = Selectable<AuditLogTable>;

export async function appendAudit(ex: Executor, row: AuditRow): Promise<void> {
  await ex.insertInto('audit_log').values(row).execute();
}

export async function listAudit(ex: Executor, q: { userId?: string; action?: string; limit?: number } = {}): Promise<AuditRow[]> {
  let query = ex.selectFrom('audit_log').selectAll().orderBy('at', 'desc').orderBy('id', 'desc').limit(q.limit ?? 100);
  if (q.userId !== undefined) query = query.where('user_id', '=', q.userId);
  if (q.action !== undefined) query = query.where('action', '=', q.action);
  return query.execute();
}
