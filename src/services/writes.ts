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
import { checkIfMatch, requireIfMatch } from '../domain/etag.js';
import { newEtag } from '../domain/ids.js';
import type { ChangedEntity } from '../store/changes-repo.js';
import type { AuditRow } from '../store/audit-repo.js';
import { retryOnceOnUniqueViolation, type Store } from '../store/index.js';
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
  /** The same write (transaction, time) recorded on behalf of someone else: a user who acts through a link. */
  as(actor: ActorContext): Write;
}

/** What a use case needs to write: the store, the clock, the ids, and the gateway to tell. */
export type WriteDeps = Pick<ServiceDeps, 'store' | 'clock' | 'ids' | 'afterChanges'>;

/** Whether a write recorded anything the gateways must see, shared by the write and its `as()`s. */
interface WriteState {
  changed: boolean;
}

function openWrite(deps: Pick<ServiceDeps, 'ids'>, tx: Store, actor: ActorContext, at: string, state: WriteState): Write {
  return {
    tx,
    actor,
    at,
    etag: newEtag,
    as: (other) => openWrite(deps, tx, other, at, state),
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
      if (changes.length > 0) {
        await tx.changes.recordChanges(changes, tx.dialect);
        state.changed = true;
      }
      if (entries.length > 0) await tx.audit.appendAudits(entries);
    },
  };
}

/**
 * Opens a write in `tx` on behalf of `actor`, for a transaction the caller runs itself (seeding at
 * start, before anything serves). Use cases use `inWrite`, which also tells the gateway.
 */
export function beginWrite(deps: Pick<ServiceDeps, 'clock' | 'ids'>, tx: Store, actor: ActorContext): Write {
  return openWrite(deps, tx, actor, deps.clock.now().toISOString(), { changed: false });
}

/**
 * A transaction with a write in it: the shape of almost every use case that changes something.
 * When the write recorded changes for the gateways, the gateway in this process has applied them
 * by the time this returns, so the answer to the write is already enforced (read your writes).
 */
export async function inWrite<T>(deps: WriteDeps, actor: ActorContext, fn: (w: Write) => Promise<T>): Promise<T> {
  const state: WriteState = { changed: false };
  const value = await deps.store.transaction((tx) => fn(openWrite(deps, tx, actor, deps.clock.now().toISOString(), state)));
  if (state.changed) await deps.afterChanges();
  return value;
}


/**
 * A PUT: the entity `find` returns (and locks) is changed by `update`, or created by `insert` when
 * there is none; an If-Match, when given, must match it. A create that loses a race to insert the
 * same key is run once more (it then finds the winner's row and updates it).
 */
export function putInWrite<R extends { etag: string }, V>(
  deps: WriteDeps,
  actor: ActorContext,
  ifMatch: string | undefined,
  steps: { find(tx: Store): Promise<R | undefined>; update(w: Write, existing: R): Promise<V>; insert(w: Write): Promise<V> },
): Promise<{ value: V; created: boolean }> {
  return retryOnceOnUniqueViolation(() =>
    inWrite(deps, actor, async (w) => {
      const existing = await steps.find(w.tx);
      checkIfMatch(ifMatch, existing?.etag);
      return existing ? { value: await steps.update(w, existing), created: false } : { value: await steps.insert(w), created: true };
    }),
  );
}

/** A PATCH: If-Match is required, and must match the entity `load` returns (and locks; 404 when there is none). */
export async function patchInWrite<R extends { etag: string }, V>(
  deps: WriteDeps,
  actor: ActorContext,
  ifMatchHeader: string | undefined,
  steps: { load(tx: Store): Promise<R>; update(w: Write, existing: R): Promise<V> },
): Promise<V> {
  const ifMatch = requireIfMatch(ifMatchHeader);
  return retryOnceOnUniqueViolation(() =>
    inWrite(deps, actor, async (w) => {
      const existing = await steps.load(w.tx);
      checkIfMatch(ifMatch, existing.etag);
      return steps.update(w, existing);
    }),
  );
}

/**
 * A DELETE: If-Match is required; false when there is nothing to delete. `guard` refuses an entity
 * that may not be deleted at all (a system group) before its tag is even looked at.
 */
export async function deleteInWrite<R extends { etag: string }>(
  deps: WriteDeps,
  actor: ActorContext,
  ifMatchHeader: string | undefined,
  steps: { find(tx: Store): Promise<R | undefined>; guard?(existing: R): void; remove(w: Write, existing: R): Promise<void> },
): Promise<boolean> {
  const ifMatch = requireIfMatch(ifMatchHeader);
  return inWrite(deps, actor, async (w) => {
    const existing = await steps.find(w.tx);
    if (!existing) return false;
    steps.guard?.(existing);
    checkIfMatch(ifMatch, existing.etag);
    await steps.remove(w, existing);
    return true;
  });
}
