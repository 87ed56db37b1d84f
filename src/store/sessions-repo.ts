/** Portal sessions. The cookie carries the id; only its SHA-256 is stored. */
import type { Selectable, Updateable } from 'kysely';
import type { Executor } from './database.js';
import type { SessionsTable } from './schema.js';

export type SessionRow = Selectable<SessionsTable>;

export async function insertSession(ex: Executor, row: SessionRow): Promise<void> {
  await ex.insertInto('sessions').values(row).execute();
}

export async function findSession(ex: Executor, idHash: string): Promise<SessionRow | undefined> {
  return ex.selectFrom('sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
}

export async function updateSession(ex: Executor, idHash: string, changes: Updateable<SessionsTable>): Promise<void> {
  await ex.updateTable('sessions').set(changes).where('id_hash', '=', idHash).execute();
}

export async function deleteSession(ex: Executor, idHash: string): Promise<void> {
  await ex.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
}

/** Ends every session of the user, but `keepIdHash` (the one making the change) when given. */
export async function deleteUserSessions(ex: Executor, userId: string, keepIdHash?: string): Promise<void> {
  let q = ex.deleteFrom('sessions').where('user_id', '=', userId);
  if (keepIdHash !== undefined) q = q.where('id_hash', '<>', keepIdHash);
  await q.execute();
}

export async function deleteExpiredSessions(ex: Executor, now: string, idleBefore: string): Promise<void> {
  await ex
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', idleBefore)]))
    .execute();
}
