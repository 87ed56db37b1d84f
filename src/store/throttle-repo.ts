/**
 * Attempt counters (src/domain/attempt-limits.ts): failed sign-ins per account and per client
 * address, sign-ups per address and per email, wrong management keys per address. The table keeps
 * its first name; a row is a key, the attempts of its current window, when that window began and
 * until when the key is locked out.
 */
import { sql, type Selectable } from 'kysely';
import type { Executor } from './database.js';
import type { SignInThrottleTable } from './schema.js';

export type ThrottleRow = Selectable<SignInThrottleTable>;

export async function findThrottle(ex: Executor, key: string): Promise<ThrottleRow | undefined> {
  return ex.selectFrom('sign_in_throttle').selectAll().where('key', '=', key).executeTakeFirst();
}

/**
 * Counts one attempt of `key` at `now`, in one statement (so two attempts can never read the same
 * count): a key still locked at `now` is left as it is; a window that began before `windowStart`
 * is over and the attempt starts a new one. Returns the row as it is after the count; on
 * PostgreSQL the row stays locked until the transaction ends, so a lock the caller then sets is
 * seen by every attempt counted after this one.
 */
export async function countAttempt(ex: Executor, key: string, now: string, windowStart: string): Promise<ThrottleRow> {
  const locked = sql<boolean>`sign_in_throttle.locked_until is not null and sign_in_throttle.locked_until > ${now}`;
  const windowOver = sql<boolean>`sign_in_throttle.first_failure_at < ${windowStart}`;
  return ex
    .insertInto('sign_in_throttle')
    .values({ key, failures: 1, first_failure_at: now, locked_until: null })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        failures: sql<number>`case when ${locked} then sign_in_throttle.failures when ${windowOver} then 1 else sign_in_throttle.failures + 1 end`,
        first_failure_at: sql<string>`case when ${locked} then sign_in_throttle.first_failure_at when ${windowOver} then ${now} else sign_in_throttle.first_failure_at end`,
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Takes one attempt back off the count (an attempt that turned out to be no failure); the lock
 * `lockedBy` set, if it is still the key's, is lifted with it.
 */
export async function uncountAttempt(ex: Executor, key: string, lockedBy: string | undefined): Promise<void> {
  await ex
    .updateTable('sign_in_throttle')
    .set({
      failures: sql<number>`case when sign_in_throttle.failures > 0 then sign_in_throttle.failures - 1 else 0 end`,
      ...(lockedBy !== undefined ? { locked_until: sql<string | null>`case when sign_in_throttle.locked_until = ${lockedBy} then null else sign_in_throttle.locked_until end` } : {}),
    })
    .where('key', '=', key)
    .execute();
}

export async function setLock(ex: Executor, key: string, until: string): Promise<void> {
  await ex.updateTable('sign_in_throttle').set({ locked_until: until }).where('key', '=', key).execute();
}

export async function clearThrottle(ex: Executor, key: string): Promise<boolean> {
  const r = await ex.deleteFrom('sign_in_throttle').where('key', '=', key).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function listLocked(ex: Executor, now: string): Promise<ThrottleRow[]> {
  return ex.selectFrom('sign_in_throttle').selectAll().where('locked_until', '>', now).orderBy('key').execute();
}
