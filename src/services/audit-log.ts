/**
 * Reading the audit log: newest first, searched by user (id or email), actor, action and time.
 */
import { invalidField, validationError, type ErrorDetail } from '../domain/errors.js';
import { normalizeEmail } from '../domain/user.js';
import type { AuditRow } from '../store/audit-repo.js';
import { AUDIT_ACTIONS, type AuditAction } from './audit.js';
import type { ServiceDeps } from './deps.js';
import type { Page } from './views.js';

export { AUDIT_ACTIONS };

export function isAuditAction(value: string): value is AuditAction {
  return (AUDIT_ACTIONS as readonly string[]).includes(value);
}

export interface AuditEntryView {
  id: string;
  at: string;
  actor: string;
  /** The user behind a `user:<id>` actor. */
  actorUserId: string | undefined;
  action: string;
  userId: string | null;
  ip: string | null;
  detail: Record<string, unknown> | null;
}

export interface AuditQuery {
  /** A user id or an email address: entries about that user. */
  user?: string | undefined;
  /** `user:<id>`, `key:<id>`, `system`, `anonymous`..., or an email address (that user as actor). */
  actor?: string | undefined;
  action?: string | undefined;
  /** `YYYY-MM-DDTHH:MM` (UTC, as a datetime-local field sends it), a date, or an ISO-8601 instant. */
  from?: string | undefined;
  /** Inclusive: up to the end of the given minute (or day). */
  to?: string | undefined;
  skip: number;
  top: number;
}

function viewOf(row: AuditRow): AuditEntryView {
  let detail: Record<string, unknown> | null = null;
  if (row.detail) {
    try {
      const parsed: unknown = JSON.parse(row.detail);
      detail = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { value: parsed };
    } catch {
      detail = { value: row.detail };
    }
  }
  return {
    id: row.id,
    at: row.at,
    actor: row.actor,
    actorUserId: row.actor.startsWith('user:') ? row.actor.slice(5) : undefined,
    action: row.action,
    userId: row.user_id,
    ip: row.ip,
    detail,
  };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MINUTE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;
const SECOND = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

/** A time bound as an ISO instant; `end` moves an inclusive upper bound to the end of its minute or day. */
function instant(value: string, end: boolean): string | undefined {
  let text = value;
  let span = 0;
  if (DATE.test(value)) {
    text = `${value}T00:00:00Z`;
    span = 24 * 60 * 60_000;
  } else if (MINUTE.test(value)) {
    text = `${value}:00Z`;
    span = 60_000;
  } else if (SECOND.test(value)) {
    text = `${value}Z`;
    span = 1000;
  } else if (!/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    return undefined;
  }
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return undefined;
  return new Date(end ? ms + (span || 1) : ms).toISOString();
}

export function createAuditLogService(deps: Pick<ServiceDeps, 'store'>) {
  const { store } = deps;

  async function userIdOf(given: string): Promise<string | undefined> {
    if (!given.includes('@')) return given;
    return (await store.users.findLiveUserByEmail(normalizeEmail(given)))?.id;
  }

  return {
    /** Throws a validation error naming each bad field (`action`, `from`, `to`). */
    async query(q: AuditQuery): Promise<Page<AuditEntryView>> {
      const problems: ErrorDetail[] = [];
      const bad = (target: string, message: string) => problems.push({ code: 'ValidationError', target, message });
      const action = q.action?.trim() || undefined;
      if (action !== undefined && !isAuditAction(action)) bad('action', 'is not a known action');
      const fromText = q.from?.trim() || undefined;
      const toText = q.to?.trim() || undefined;
      const from = fromText !== undefined ? instant(fromText, false) : undefined;
      const to = toText !== undefined ? instant(toText, true) : undefined;
      if (fromText !== undefined && from === undefined) bad('from', 'is not a date and time (YYYY-MM-DDTHH:MM, UTC)');
      if (toText !== undefined && to === undefined) bad('to', 'is not a date and time (YYYY-MM-DDTHH:MM, UTC)');
      if (from !== undefined && to !== undefined && to <= from) bad('to', 'must be after the start of the range');
      if (problems.length === 1) throw invalidField(problems[0]!.target!, problems[0]!.message);
      if (problems.length > 1) throw validationError('One or more fields contain incorrect values.', problems);

      const userText = q.user?.trim() || undefined;
      const actorText = q.actor?.trim() || undefined;
      const userId = userText !== undefined ? await userIdOf(userText) : undefined;
      let actor = actorText;
      if (actorText !== undefined && actorText.includes('@')) {
        const id = await userIdOf(actorText);
        actor = id !== undefined ? `user:${id}` : undefined;
      }
      // An email address that names nobody matches no entry.
      if ((userText !== undefined && userId === undefined) || (actorText !== undefined && actor === undefined)) return { items: [], count: 0 };

      const { rows, count } = await store.audit.pageAudit({ userId, actor, action, from, to, skip: q.skip, top: q.top });
      return { items: rows.map(viewOf), count };
    },
  };
}

export type AuditLogService = ReturnType<typeof createAuditLogService>;
