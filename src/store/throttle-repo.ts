/** Counters of failed sign-ins, per account and per client address. */
import type { Selectable } from 'kysely';
import type { Executor } from './database.js';
import type { SignInThrottleTable } from './schema.js';

export type ThrottleRow = Selectable<SignInThrottleTable>;

export async function findThrottle(ex: Executor, key: string): Promise<ThrottleRow | undefined> {
  return ex.selectFrom('sign_in_throttle').selectAll().where('key', '=', key).executeTakeFirst();
}

export async function saveThrottle(ex: Executor, row: ThrottleRow): Promise<void> {
  await ex
    .insertInto('sign_in_throttle')
    .values(row)
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({ failures: row.failures, first_failure_at: row.first_failure_at, locked_until: row.locked_until }),
    )
    .execute();
}

export async function clearThrottle(ex: Executor, key: string): Promise<boolean> {
  const r = await ex.deleteFrom('sign_in_throttle').where('key', '=', key).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function listLocked(ex: Executor, now: string): Promise<ThrottleRow[]> {
  return ex.selectFrom('sign_in_throttle').selectAll().where('locked_until', '>', now).orderBy('key').execute();
}
