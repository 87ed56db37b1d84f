/**
 * Brute-force protection for sign-in.
 *
 * - Per account (keyed by the normalized email, whether or not such an account exists, so that a
 *   lock reveals nothing): failures are counted in a 15-minute window; the 5th failure locks the
 *   account for 1 minute, and each further failure doubles the lock, up to 15 minutes. A successful
 *   sign-in clears the count.
 * - Per client address: 20 failures in 15 minutes lock the address for 15 minutes.
 * - While locked, attempts are refused without looking at the password.
 * - An administrator lifts a lock with `tollgate signin unlock --email <address>` (or `--ip`).
 */
import type { Store } from '../store/index.js';
import type { ServiceDeps } from './deps.js';

export const THROTTLE_WINDOW_MS = 15 * 60 * 1000;
export const ACCOUNT_FREE_FAILURES = 4;
export const ACCOUNT_BASE_LOCK_MS = 60 * 1000;
export const ACCOUNT_MAX_LOCK_MS = 15 * 60 * 1000;
export const ADDRESS_MAX_FAILURES = 20;
export const ADDRESS_LOCK_MS = 15 * 60 * 1000;

export const accountKey = (emailLc: string) => `account:${emailLc}`;
export const addressKey = (ip: string) => `ip:${ip}`;

export function createSignInThrottle(deps: Pick<ServiceDeps, 'store' | 'clock'>) {
  const { store, clock } = deps;

  async function lockedUntil(tx: Store, key: string): Promise<string | undefined> {
    const row = await tx.throttle.findThrottle(key);
    return row?.locked_until && row.locked_until > clock.now().toISOString() ? row.locked_until : undefined;
  }

  async function fail(tx: Store, key: string, lockFor: (failures: number) => number | undefined): Promise<string | undefined> {
    const now = clock.now();
    const row = await tx.throttle.findThrottle(key);
    const fresh = !row || now.getTime() - new Date(row.first_failure_at).getTime() > THROTTLE_WINDOW_MS;
    const failures = fresh ? 1 : row.failures + 1;
    const lockMs = lockFor(failures);
    const locked_until = lockMs ? new Date(now.getTime() + lockMs).toISOString() : null;
    await tx.throttle.saveThrottle({ key, failures, first_failure_at: fresh ? now.toISOString() : row.first_failure_at, locked_until });
    return locked_until ?? undefined;
  }

  return {
    /** When sign-in is refused for this account or address, the time it opens again. */
    async lockedUntil(emailLc: string, ip: string | undefined): Promise<string | undefined> {
      const times = [await lockedUntil(store, accountKey(emailLc)), ip ? await lockedUntil(store, addressKey(ip)) : undefined];
      return times.filter((t): t is string => t !== undefined).sort().pop();
    },

    /** Counts a failure; returns the end of the lock it caused, if any. */
    async recordFailure(tx: Store, emailLc: string, ip: string | undefined): Promise<string | undefined> {
      const account = await fail(tx, accountKey(emailLc), (n) =>
        n > ACCOUNT_FREE_FAILURES ? Math.min(ACCOUNT_BASE_LOCK_MS * 2 ** (n - ACCOUNT_FREE_FAILURES - 1), ACCOUNT_MAX_LOCK_MS) : undefined,
      );
      const address = ip ? await fail(tx, addressKey(ip), (n) => (n >= ADDRESS_MAX_FAILURES ? ADDRESS_LOCK_MS : undefined)) : undefined;
      return [account, address].filter((t): t is string => t !== undefined).sort().pop();
    },

    async recordSuccess(tx: Store, emailLc: string): Promise<void> {
      await tx.throttle.clearThrottle(accountKey(emailLc));
    },

    /** Lifts the lock and forgets the failures of an account or an address. */
    async unlock(key: string): Promise<boolean> {
      return store.throttle.clearThrottle(key);
    },

    async listLocked() {
      return store.throttle.listLocked(clock.now().toISOString());
    },
  };
}

export type SignInThrottle = ReturnType<typeof createSignInThrottle>;
