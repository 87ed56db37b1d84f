/**
 * Counting attempts against their limits (src/domain/attempt-limits.ts): sign-ins per account and
 * per address, sign-ups per address and per email, wrong management keys per address. An attempt
 * is counted before it is looked at, for all its keys in one transaction: refused by one key, it
 * is counted against none.
 */
import { lockEnd, windowStart, type AttemptPolicy } from '../domain/attempt-limits.js';
import type { Store } from '../store/index.js';
import type { ServiceDeps } from './deps.js';

/** A counted attempt: allowed (with the end of the lock it set, if any, per key), or refused. */
export type Admission =
  | { allowed: true; lockedUntil?: string; locks: ReadonlyMap<string, string> }
  | { allowed: false; until: string };

/** A refusal inside the counting transaction, so that it rolls back what it counted. */
class Refused extends Error {
  constructor(readonly until: string) {
    super('locked');
  }
}

export const accountKey = (emailLc: string) => `account:${emailLc}`;
export const addressKey = (ip: string) => `ip:${ip}`;
export const signUpAddressKey = (ip: string) => `signup-ip:${ip}`;
export const signUpEmailKey = (emailLc: string) => `signup-email:${emailLc}`;
export const managementKeyAddressKey = (ip: string) => `management-key-ip:${ip}`;

export function createAttemptLimiter(deps: Pick<ServiceDeps, 'store' | 'clock'>) {
  const { store, clock } = deps;

  return {
    /**
     * Counts an attempt against each of its keys. Refused when one of them is locked; otherwise
     * allowed, with the end of the lock this very attempt set (it reached a limit), if any.
     */
    async count(keys: readonly { key: string; policy: AttemptPolicy }[]): Promise<Admission> {
      const now = clock.now();
      try {
        return await store.transaction(async (tx): Promise<Admission> => {
          let lockedUntil: string | undefined;
          const locks = new Map<string, string>();
          for (const { key, policy } of keys) {
            const row = await tx.throttle.countAttempt(key, now.toISOString(), windowStart(policy, now).toISOString());
            if (row.locked_until !== null && row.locked_until > now.toISOString()) throw new Refused(row.locked_until);
            const end = lockEnd(policy, row.failures, now)?.toISOString();
            if (end !== undefined) {
              await tx.throttle.setLock(key, end);
              locks.set(key, end);
              if (lockedUntil === undefined || end > lockedUntil) lockedUntil = end;
            }
          }
          return lockedUntil === undefined ? { allowed: true, locks } : { allowed: true, lockedUntil, locks };
        });
      } catch (error) {
        if (error instanceof Refused) return { allowed: false, until: error.until };
        throw error;
      }
    },

    /**
     * Takes an allowed attempt back off a key's count: it was no failure after all (a right
     * password). A lock this very attempt set is lifted; one set by others stays.
     */
    async uncount(key: string, admission: Admission, tx: Store = store): Promise<void> {
      if (!admission.allowed) return;
      await tx.throttle.uncountAttempt(key, admission.locks.get(key));
    },

    /** Forgets the attempts of a key and lifts its lock (a successful sign-in, an administrator's unlock); in `tx` when given. */
    async forget(key: string, tx: Store = store): Promise<boolean> {
      return tx.throttle.clearThrottle(key);
    },

    async listLocked() {
      return store.throttle.listLocked(clock.now().toISOString());
    },
  };
}

export type AttemptLimiter = ReturnType<typeof createAttemptLimiter>;
