/**
 * The outbox as administrators see it: every email with its delivery state, and a retry for the
 * ones that could not be sent ('dead'). What a message says is never shown: its parameters stay
 * in the database, and its links (single-use tokens) exist only when it is sent.
 */
import { conflict, invalidField, notFound } from '../domain/errors.js';
import { findTemplateName, TEMPLATES } from '../mail/templates/catalogue.js';
import type { OutboxRow } from '../store/outbox-repo.js';
import type { OutboxState } from '../store/schema.js';
import type { ActorContext } from './audit.js';
import { inWrite, type WriteDeps } from './writes.js';
import type { Page } from './views.js';

export const OUTBOX_STATES: readonly OutboxState[] = ['pending', 'sent', 'dead'];

export interface OutboxMessageView {
  id: string;
  /** The template's name, and its title when it is a known template. */
  template: string;
  templateTitle: string | undefined;
  recipient: string;
  userId: string | null;
  state: OutboxState;
  attempts: number;
  /** When a pending message is due (again); null once sent or dead. */
  nextAttemptAt: string | null;
  /** The last failure, already scrubbed of credentials and link query strings by the worker. */
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

function viewOf(row: OutboxRow): OutboxMessageView {
  const name = findTemplateName(row.template);
  return {
    id: row.id,
    template: row.template,
    templateTitle: name ? TEMPLATES[name].title : undefined,
    recipient: row.recipient,
    userId: row.user_id,
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: row.state === 'pending' ? row.next_attempt_at : null,
    lastError: row.last_error,
    createdAt: row.created_at,
    sentAt: row.sent_at,
  };
}

export function isOutboxState(value: string): value is OutboxState {
  return (OUTBOX_STATES as readonly string[]).includes(value);
}

export function createOutboxService(deps: WriteDeps) {
  const { store } = deps;
  return {
    /** How many messages are in `state`. */
    async count(state: OutboxState): Promise<number> {
      return store.outbox.countByState(state);
    },

    /** Newest first; `state` ('' for all) filters. */
    async list(q: { state?: string | undefined; skip: number; top: number }): Promise<Page<OutboxMessageView>> {
      const state = q.state === undefined || q.state === '' ? undefined : q.state;
      if (state !== undefined && !isOutboxState(state)) throw invalidField('status', `must be one of ${OUTBOX_STATES.join(', ')}`);
      const { rows, count } = await store.outbox.pageOutbox({ state, skip: q.skip, top: q.top });
      return { items: rows.map(viewOf), count };
    },

    /** Puts a dead message back in the queue (due now, attempts reset), audited as `outbox.retried`. */
    async retry(id: string, actor: ActorContext): Promise<OutboxMessageView> {
      return inWrite(deps, actor, async (w) => {
        const { tx } = w;
        const row = await tx.outbox.findMessage(id);
        if (!row) throw notFound('Email');
        if (row.state !== 'dead') throw conflict(`Only an email that could not be sent can be retried; this one is ${row.state}.`);
        if (!(await tx.outbox.retryDead(id, w.at))) throw conflict('The email is no longer dead.');
        await w.record({ audit: { action: 'outbox.retried', userId: row.user_id, detail: { messageId: row.id, template: row.template } } });
        const after = await tx.outbox.findMessage(id);
        return viewOf(after ?? row);
      });
    },
  };
}

export type OutboxService = ReturnType<typeof createOutboxService>;
