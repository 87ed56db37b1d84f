import { describe, expect, it } from 'vitest';
import {
  ACCOUNT_BASE_LOCK_MS,
  ACCOUNT_FREE_FAILURES,
  ACCOUNT_MAX_LOCK_MS,
  ACCOUNT_SIGN_IN,
  ADDRESS_LOCK_MS,
  ADDRESS_MANAGEMENT_KEY,
  ADDRESS_MAX_FAILURES,
  ADDRESS_SIGN_IN,
  ADDRESS_SIGN_UP,
  EMAIL_SIGN_UP,
  MANAGEMENT_KEY_FAILURES,
  MANAGEMENT_KEY_LOCK_MS,
  SIGN_IN_WINDOW_MS,
  SIGN_UPS_PER_ADDRESS,
  SIGN_UPS_PER_EMAIL,
  lockEnd,
  windowStart,
  type AttemptPolicy,
} from '../../src/domain/attempt-limits.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** The locks of attempts 1..count of a window. */
const locks = (policy: AttemptPolicy, count: number) => Array.from({ length: count }, (_, i) => policy.lockMs(i + 1));

describe('the limits', () => {
  it('are the documented numbers', () => {
    expect(SIGN_IN_WINDOW_MS).toBe(15 * MINUTE);
    expect(ACCOUNT_FREE_FAILURES).toBe(4);
    expect(ACCOUNT_BASE_LOCK_MS).toBe(MINUTE);
    expect(ACCOUNT_MAX_LOCK_MS).toBe(15 * MINUTE);
    expect(ADDRESS_MAX_FAILURES).toBe(20);
    expect(ADDRESS_LOCK_MS).toBe(15 * MINUTE);
    expect(SIGN_UPS_PER_ADDRESS).toBe(10);
    expect(SIGN_UPS_PER_EMAIL).toBe(3);
    expect(MANAGEMENT_KEY_FAILURES).toBe(30);
    expect(MANAGEMENT_KEY_LOCK_MS).toBe(5 * MINUTE);
  });
});

describe('ACCOUNT_SIGN_IN', () => {
  it('counts in a window of 15 minutes', () => {
    expect(ACCOUNT_SIGN_IN.windowMs).toBe(15 * MINUTE);
  });

  it('lets four failures pass; the 5th locks for 1 minute, then 2, 4, 8 minutes, then the 15-minute cap', () => {
    expect(locks(ACCOUNT_SIGN_IN, 12)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      1 * MINUTE,
      2 * MINUTE,
      4 * MINUTE,
      8 * MINUTE,
      15 * MINUTE,
      15 * MINUTE,
      15 * MINUTE,
      15 * MINUTE,
    ]);
  });

  it('stays at the cap for any number of failures, however large', () => {
    for (const n of [13, 20, 35, 36, 37, 100, 1_000, 1e6, 2 ** 31, Number.MAX_SAFE_INTEGER]) {
      expect(ACCOUNT_SIGN_IN.lockMs(n), String(n)).toBe(15 * MINUTE);
    }
  });
});

describe('ADDRESS_SIGN_IN', () => {
  it('locks an address for 15 minutes at its 20th failure in 15 minutes, and at every one after', () => {
    expect(ADDRESS_SIGN_IN.windowMs).toBe(15 * MINUTE);
    const l = locks(ADDRESS_SIGN_IN, 25);
    expect(l.slice(0, 19).every((ms) => ms === undefined)).toBe(true);
    expect(l.slice(19)).toEqual(Array(6).fill(15 * MINUTE));
    expect(ADDRESS_SIGN_IN.lockMs(1_000_000)).toBe(15 * MINUTE);
  });
});

describe('sign-up limits', () => {
  it('allow 10 sign-ups an hour from one address: the 10th locks it for an hour', () => {
    expect(ADDRESS_SIGN_UP.windowMs).toBe(HOUR);
    const l = locks(ADDRESS_SIGN_UP, 12);
    expect(l.slice(0, 9).every((ms) => ms === undefined)).toBe(true);
    expect(l.slice(9)).toEqual([HOUR, HOUR, HOUR]);
  });

  it('allow 3 sign-ups an hour for one email address: the 3rd locks it for an hour', () => {
    expect(EMAIL_SIGN_UP.windowMs).toBe(HOUR);
    expect(locks(EMAIL_SIGN_UP, 5)).toEqual([undefined, undefined, HOUR, HOUR, HOUR]);
  });
});

describe('ADDRESS_MANAGEMENT_KEY', () => {
  it('locks an address for 5 minutes at its 30th wrong key in 5 minutes', () => {
    expect(ADDRESS_MANAGEMENT_KEY.windowMs).toBe(5 * MINUTE);
    const l = locks(ADDRESS_MANAGEMENT_KEY, 32);
    expect(l.slice(0, 29).every((ms) => ms === undefined)).toBe(true);
    expect(l.slice(29)).toEqual([5 * MINUTE, 5 * MINUTE, 5 * MINUTE]);
  });
});

describe('windowStart', () => {
  // The store's rule (src/store/throttle-repo.ts): a window that began before windowStart is over.
  const startsNewWindow = (policy: AttemptPolicy, first: Date, now: Date) => first < windowStart(policy, now);
  const first = new Date('2026-03-01T10:00:00.000Z');
  const at = (ms: number) => new Date(first.getTime() + ms);

  it("is false up to and exactly at the window's length, true one millisecond after", () => {
    for (const policy of [ACCOUNT_SIGN_IN, ADDRESS_SIGN_UP, ADDRESS_MANAGEMENT_KEY]) {
      expect(startsNewWindow(policy, first, first)).toBe(false);
      expect(startsNewWindow(policy, first, at(1))).toBe(false);
      expect(startsNewWindow(policy, first, at(policy.windowMs - 1))).toBe(false);
      expect(startsNewWindow(policy, first, at(policy.windowMs))).toBe(false);
      expect(startsNewWindow(policy, first, at(policy.windowMs + 1))).toBe(true);
      expect(startsNewWindow(policy, first, at(10 * policy.windowMs))).toBe(true);
    }
  });

  it('measures from the first attempt, in the given policy', () => {
    expect(startsNewWindow(ADDRESS_MANAGEMENT_KEY, first, at(6 * MINUTE))).toBe(true);
    expect(startsNewWindow(ACCOUNT_SIGN_IN, first, at(6 * MINUTE))).toBe(false);
    // A clock that went back does not start a new window.
    expect(startsNewWindow(ACCOUNT_SIGN_IN, first, at(-HOUR))).toBe(false);
  });
});

describe('lockEnd', () => {
  const now = new Date('2026-03-01T10:00:00.000Z');

  it("is now plus the attempt's lock", () => {
    expect(lockEnd(ACCOUNT_SIGN_IN, 5, now)).toEqual(new Date('2026-03-01T10:01:00.000Z'));
    expect(lockEnd(ACCOUNT_SIGN_IN, 7, now)).toEqual(new Date('2026-03-01T10:04:00.000Z'));
    expect(lockEnd(ACCOUNT_SIGN_IN, 99, now)).toEqual(new Date('2026-03-01T10:15:00.000Z'));
    expect(lockEnd(EMAIL_SIGN_UP, 3, now)).toEqual(new Date('2026-03-01T11:00:00.000Z'));
  });

  it('is undefined for an attempt that sets no lock', () => {
    expect(lockEnd(ACCOUNT_SIGN_IN, 4, now)).toBeUndefined();
    expect(lockEnd(ADDRESS_SIGN_IN, 19, now)).toBeUndefined();
  });

  it('does not change the date it is given', () => {
    lockEnd(ACCOUNT_SIGN_IN, 5, now);
    expect(now.toISOString()).toBe('2026-03-01T10:00:00.000Z');
  });
});
