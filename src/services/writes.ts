/**
 * The one way a service records a write. A write is opened inside the change's transaction with
 * the actor who asks (and the client address they ask from); every row it changes gets a new
 * entity tag from `etag()`, its time is `at` (the one clock, read once), and `record()` appends,
 * in the same transaction, the change-feed rows the gateways follow and the audit entries. So a
 * change, what the gateways learn of it, and who made it land together or not at all.
 *
 * Services never call the change feed or the audit log directly: what the gateways must reload and
 * what the log keeps is decided here, once per event.
 */
import { newEtag } from '../domain/ids.js';
import type { ChangedEntity } from '../store/changes-repo.js';
import type { AuditRow } from '../store/audit-repo.js';
import type { Store } from '../store/index.js';
import type { ActorContext, AuditAction } from './audit.js';
import type { ServiceDeps } from './deps.js';

/** Details kept with an audit entry: names and outcomes, never passwords, tokens or keys. */
export type AuditDetail = Record<string, string | number | boolean | null>;

export interface WriteEvent {
  /** The entity whose change the gateways must see; left out for what they do not hold (templates, keys, groups). */
  change?: { entity: ChangedEntity; id: string };
  /** The audit entry; left out only for bookkeeping that is nobody's action (seeding what is missing). */
  audit?: { action: AuditAction; userId?: string | null; detail?: AuditDetail };
}

export interface Write {
  /** The transaction the write runs in. */
  readonly tx: Store;
  readonly actor: ActorContext;
  /** When the write happens (ISO-8601), for every row and record it makes. */
  readonly at: string;
  /** A new entity tag for a row the write changes. */
  etag(): string;
  /** Appends the events' change-feed rows and audit entries (many at once in a few statements). */
  record(...events: WriteEvent[]): Promise<void>;
}

/** Opens a write in `tx` on behalf of `actor`. */
export function beginWrite(deps: Pick<ServiceDeps, 'clock' | 'ids'>, tx: Store, actor: ActorContext): Write {
  const at = deps.clock.now().toISOString();
  return {
    tx,
    actor,
    at,
    etag: newEtag,
    async record(...events) {
      const changes = events.flatMap((e) => (e.change ? [{ entity: e.change.entity, entity_id: e.change.id, at }] : []));
      const entries = events.flatMap((e): AuditRow[] =>
        e.audit
          ? [
              {
                id: deps.ids.next(),
                at,
                actor: actor.actor,
                action: e.audit.action,
                user_id: e.audit.userId ?? null,
                ip: actor.ip ?? null,
                detail: e.audit.detail ? JSON.stringify(e.audit.detail) : null,
              },
            ]
          : [],
      );
      if (changes.length > 0) await tx.changes.recordChanges(changes);
      if (entries.length > 0) await tx.audit.appendAudits(entries);
    },
  };
}

/** A transaction with a write in it: the shape of almost every use case that changes something. */
export function inWrite<T>(deps: Pick<ServiceDeps, 'store' | 'clock' | 'ids'>, actor: ActorContext, fn: (w: Write) => Promise<T>): Promise<T> {
  return deps.store.transaction((tx) => fn(beginWrite(deps, tx, actor)));
}
