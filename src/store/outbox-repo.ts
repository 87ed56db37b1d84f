/** The email outbox: rows are written in the transaction of the change that causes the email. */
import type { Selectable } from 'kysely';
import type { Executor } from './database.js';
import type { OutboxTable } from './schema.js';

export type OutboxRow = Selectable<OutboxTable>;

export interface NewEmail {
  id: string;
  template: string;
  userId: string | null;
  recipient: string;
  params: Record<string, string>;
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
