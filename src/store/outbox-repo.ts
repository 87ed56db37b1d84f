/** The email outbox: rows are written in the transaction of the change that causes the email. */
import type { Selectable } from 'kysely';
import type { Executor } from './database.js';
import { pageAndCount, toCount } from './database.js';
import type { OutboxTable } from './schema.js';

export type OutboxRow = Selectable<OutboxTable>;

export interface NewEmail {
  id: string;
  template: string;
  userId: string | null;
  recipient: string;
  /** Template values (strings, or lists of objects for #foreach). Never passwords nor tokens. */
  params: Record<string, unknown>;
  at: string;
}

export async function enqueueEmail(ex: Executor, email: NewEmail): Promise<void> {
  await ex
    .insertInto('outbox')
    .values({
      id: email.id,
      template: email.template,
      user_id: email.userId,
      recipient: email.recipient,
      params: JSON.stringify(email.params),
      state: 'pending',
      last_error: null,
      created_at: email.at,
      next_attempt_at: email.at,
      sent_at: null,
    })
    .execute();
}

export async function listOutbox(ex: Executor, userId?: string): Promise<OutboxRow[]> {
  let q = ex.selectFrom('outbox').selectAll().orderBy('created_at').orderBy('id');
  if (userId !== undefined) q = q.where('user_id', '=', userId);
  return q.execute();
}

export interface OutboxPageQuery {
  state?: OutboxRow['state'] | undefined;
  skip: number;
  top: number;
}

/** One page of messages, newest first, with the number of messages that match. */
export async function pageOutbox(ex: Executor, q: OutboxPageQuery): Promise<{ rows: OutboxRow[]; count: number }> {
  let base = ex.selectFrom('outbox');
  if (q.state !== undefined) base = base.where('state', '=', q.state);
  return pageAndCount(base, base.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.top).offset(q.skip));
}

/*
 * Delivery. A worker claims due messages by taking a lease (`lease_until` in the future); while the
 * lease lives no other worker takes the message. A worker that dies mid-send leaves the lease to run
 * out, and the message becomes due again. Timestamps are ISO-8601 text, so text order is time order.
 */

/**
 * Claims up to `limit` due messages (pending, `next_attempt_at <= now`, no live lease), oldest
 * first, and returns the ones this call won. Each claim is a conditional UPDATE that only succeeds
 * while the row is still pending and unleased, so two workers (two processes on one PostgreSQL
 * database) never both take a message: the loser's UPDATE matches no row.
 */
export async function claimDue(ex: Executor, now: string, leaseUntil: string, limit: number): Promise<OutboxRow[]> {
  if (limit <= 0) return [];
  const candidates = await ex
    .selectFrom('outbox')
    .select('id')
    .where('state', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .execute();
  const claimed: OutboxRow[] = [];
  for (const { id } of candidates) {
    const row = await ex
      .updateTable('outbox')
      .set({ lease_until: leaseUntil })
      .where('id', '=', id)
      .where('state', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
      .returningAll()
      .executeTakeFirst();
    if (row) claimed.push(row);
  }
  return claimed;
}

/**
 * Extends a lease this worker still holds (`lease_until` unchanged since its claim and not run out)
 * to `newUntil`, right before a send, so that a slow batch never sends a message whose lease ran
 * out and another worker may have claimed. False when the lease is gone.
 */
export async function renewLease(ex: Executor, id: string, heldUntil: string, now: string, newUntil: string): Promise<boolean> {
  const r = await ex
    .updateTable('outbox')
    .set({ lease_until: newUntil })
    .where('id', '=', id)
    .where('state', '=', 'pending')
    .where('lease_until', '=', heldUntil)
    .where('lease_until', '>', now)
    .executeTakeFirst();
  return toCount(r.numUpdatedRows) > 0;
}

/**
 * Records that the SMTP server accepted the message: state 'sent', the lease released, the
 * attempt counted. False when there is no such message.
 */
export async function markSent(ex: Executor, id: string, at: string, smtpResponse: string): Promise<boolean> {
  const r = await ex
    .updateTable('outbox')
    .set((eb) => ({
      state: 'sent',
      sent_at: at,
      smtp_response: smtpResponse,
      lease_until: null,
      attempts: eb('attempts', '+', 1),
    }))
    .where('id', '=', id)
    .executeTakeFirst();
  return toCount(r.numUpdatedRows) > 0;
}

export interface FailedAttempt {
  at: string;
  /** Already scrubbed of credentials and truncated by the caller. */
  error: string;
  /** When the message is due again (ignored when `dead`). */
  nextAttemptAt: string;
  /** No more attempts: the message becomes 'dead' until an administrator retries it. */
  dead: boolean;
}

/**
 * Records a failed attempt: attempts + 1, last_error, lease released, due again at
 * `nextAttemptAt` (or 'dead'). Only a pending message is changed, so a message another worker has
 * meanwhile sent stays sent. False when nothing was changed.
 */
export async function markFailed(ex: Executor, id: string, failure: FailedAttempt): Promise<boolean> {
  const r = await ex
    .updateTable('outbox')
    .set((eb) => ({
      state: failure.dead ? 'dead' : 'pending',
      attempts: eb('attempts', '+', 1),
      last_error: failure.error,
      next_attempt_at: failure.dead ? failure.at : failure.nextAttemptAt,
      lease_until: null,
    }))
    .where('id', '=', id)
    .where('state', '=', 'pending')
    .executeTakeFirst();
  return toCount(r.numUpdatedRows) > 0;
}

/** Puts a dead message back in the queue, due at `at`, with its attempts reset. False when it is not dead. */
export async function retryDead(ex: Executor, id: string, at: string): Promise<boolean> {
  const r = await ex
    .updateTable('outbox')
    .set({ state: 'pending', attempts: 0, next_attempt_at: at, lease_until: null })
    .where('id', '=', id)
    .where('state', '=', 'dead')
    .executeTakeFirst();
  return toCount(r.numUpdatedRows) > 0;
}

/** Messages not yet delivered (due or waiting for a retry). */
export async function countPending(ex: Executor): Promise<number> {
  return countByState(ex, 'pending');
}

export async function countByState(ex: Executor, state: OutboxRow['state']): Promise<number> {
  const r = await ex
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('state', '=', state)
    .executeTakeFirstOrThrow();
  return toCount(r.n);
}

export async function findMessage(ex: Executor, id: string): Promise<OutboxRow | undefined> {
  return ex.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
}
