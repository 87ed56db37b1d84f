/**
 * How many attempts of a kind a key (an account, a client address, an email address) may make in
 * a window of time, and how long it is locked out when it makes more. One rule for the sign-in
 * lock, the sign-up limit and the management API's wrong keys; counted atomically in the store
 * (src/store/throttle-repo.ts), before the attempt is looked at, so a burst cannot slip past it.
 *
 * An attempt's ordinal `n` is its place among the counted attempts of the current window (1 for
 * the first). The attempt that reaches the limit is still made, and sets the lock as it is
 * counted: attempts that arrive while it is being checked are refused, not counted. The window
 * starts with its first attempt; one that starts after the window has passed starts a new one.
 */

export interface AttemptPolicy {
  /** The counting window, from its first attempt. */
  windowMs: number;
  /** The lock the n-th attempt of a window sets, in milliseconds; undefined for none. */
  lockMs(n: number): number | undefined;
}

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;

/** Failed sign-ins an account may have in a window before the next one locks it. */
export const ACCOUNT_FREE_FAILURES = 4;
export const ACCOUNT_BASE_LOCK_MS = MINUTE;
export const ACCOUNT_MAX_LOCK_MS = 15 * MINUTE;
/** The attempt of a window (from one address) that locks the address. */
export const ADDRESS_MAX_FAILURES = 20;
export const ADDRESS_LOCK_MS = 15 * MINUTE;
export const SIGN_IN_WINDOW_MS = 15 * MINUTE;

/**
 * An account: the 5th failure within 15 minutes locks it for 1 minute; each further one doubles
 * the lock, up to 15 minutes. A successful sign-in forgets the count.
 */
export const ACCOUNT_SIGN_IN: AttemptPolicy = {
  windowMs: SIGN_IN_WINDOW_MS,
  lockMs: (n) =>
    n > ACCOUNT_FREE_FAILURES ? Math.min(ACCOUNT_BASE_LOCK_MS * 2 ** Math.min(n - ACCOUNT_FREE_FAILURES - 1, 30), ACCOUNT_MAX_LOCK_MS) : undefined,
};

/** A client address: the 20th failed sign-in within 15 minutes locks it for 15 minutes. */
export const ADDRESS_SIGN_IN: AttemptPolicy = {
  windowMs: SIGN_IN_WINDOW_MS,
  lockMs: (n) => (n >= ADDRESS_MAX_FAILURES ? ADDRESS_LOCK_MS : undefined),
};

/** Sign-ups from one client address: 10 an hour. */
export const SIGN_UPS_PER_ADDRESS = 10;
/** Sign-ups for one email address (each one sends it an email): 3 an hour. */
export const SIGN_UPS_PER_EMAIL = 3;

/** At most `limit` attempts an hour: the limit-th locks the key out for the next hour. */
function perHour(limit: number): AttemptPolicy {
  return { windowMs: HOUR, lockMs: (n) => (n >= limit ? HOUR : undefined) };
}

export const ADDRESS_SIGN_UP = perHour(SIGN_UPS_PER_ADDRESS);
export const EMAIL_SIGN_UP = perHour(SIGN_UPS_PER_EMAIL);

/** Wrong management keys from one client address: the 30th within 5 minutes locks the address out for 5 minutes. */
export const MANAGEMENT_KEY_FAILURES = 30;
export const MANAGEMENT_KEY_LOCK_MS = 5 * MINUTE;
export const ADDRESS_MANAGEMENT_KEY: AttemptPolicy = {
  windowMs: 5 * MINUTE,
  lockMs: (n) => (n >= MANAGEMENT_KEY_FAILURES ? MANAGEMENT_KEY_LOCK_MS : undefined),
};

/**
 * The earliest start a window may have and still be current at `now`: an attempt at `now` starts a
 * new window when the current one began before this (the store counts by it).
 */
export function windowStart(policy: AttemptPolicy, now: Date): Date {
  return new Date(now.getTime() - policy.windowMs);
}

/** The end of the lock the n-th attempt of a window, counted at `now`, sets; undefined for none. */
export function lockEnd(policy: AttemptPolicy, n: number, now: Date): Date | undefined {
  const ms = policy.lockMs(n);
  return ms === undefined ? undefined : new Date(now.getTime() + ms);
}
