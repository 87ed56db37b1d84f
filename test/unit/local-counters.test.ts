/**
 * The in-process counters (one gateway node): exact sliding windows for rate limits, fixed windows
 * for quotas, every answer synchronous, and memory given back once keys fall idle; and the
 * contract every Counters implementation meets. Times are passed in: nothing here waits.
 */
import { describe, expect, it } from 'vitest';
import { createLocalCounters, EXACT_UP_TO } from '../../src/gateway/counters/local.js';
import type { QuotaWindow } from '../../src/gateway/counters/types.js';
import { describeCountersContract } from '../helpers/counters-contract.js';

const T0 = Date.parse('2026-03-01T12:00:00Z');

// What every Counters implementation does (the Redis ones run the same suite).
describeCountersContract('in process', () => createLocalCounters());
const HOUR = 3_600_000;

describe('local counters: rate limits', () => {
  it('answers synchronously (no promise) for every method on the hot path', () => {
    const c = createLocalCounters();
    expect(c.takeRate('k', 1, 60, 1, T0)).not.toBeInstanceOf(Promise);
    expect(c.peekRate('k', 1, 60, T0)).not.toBeInstanceOf(Promise);
    expect(c.takeQuota('q', { start: T0, end: T0 + HOUR }, { calls: 1 }, 1, T0)).not.toBeInstanceOf(Promise);
  });

  it('lets `limit` calls through in any window of `period`, and no more: the window slides, it is not fixed', () => {
    const c = createLocalCounters();
    // 5 per minute, calls 10 s apart: the 6th (at 50 s) is refused, and at 60 s the first has left.
    const at = (s: number) => c.takeRate('slide', 5, 60, 1, T0 + s * 1000);
    for (const [i, s] of [0, 10, 20, 30, 40].entries()) expect(at(s)).toMatchObject({ allowed: true, remaining: 4 - i, limit: 5 });
    expect(at(50)).toEqual({ allowed: false, remaining: 0, limit: 5, retryAfterSeconds: 10 });
    expect(at(59.999)).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    expect(at(60)).toMatchObject({ allowed: true, remaining: 0 });
    expect(at(65)).toMatchObject({ allowed: false, retryAfterSeconds: 5 });
    expect(at(70)).toMatchObject({ allowed: true });
  });

  it('counts no refused call, and counts `count` at once (the call that crosses the limit passes whole)', () => {
    const c = createLocalCounters();
    for (let i = 0; i < 10; i++) c.takeRate('r', 2, 60, 1, T0 + i);
    expect(c.takeRate('r', 2, 60, 1, T0 + 59_999)).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    // Only the first two counted: the first leaves at exactly +60 s, the second 1 ms later.
    expect(c.takeRate('r', 2, 60, 1, T0 + 60_000)).toMatchObject({ allowed: true, remaining: 0 });
    expect(c.takeRate('r', 2, 60, 1, T0 + 60_000)).toMatchObject({ allowed: false, retryAfterSeconds: 1 });

    expect(c.takeRate('n', 5, 60, 4, T0)).toMatchObject({ allowed: true, remaining: 1 });
    expect(c.takeRate('n', 5, 60, 4, T0 + 1)).toMatchObject({ allowed: true, remaining: 0 });
    expect(c.takeRate('n', 5, 60, 1, T0 + 2).allowed).toBe(false);
    // The four at T0 leave together; four remain, one more fits.
    expect(c.takeRate('n', 5, 60, 1, T0 + 60_000)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('peeks without counting, and counts what addRate adds after the response', () => {
    const c = createLocalCounters();
    for (let i = 0; i < 3; i++) expect(c.peekRate('p', 2, 10, T0 + i)).toMatchObject({ allowed: true, remaining: 1 });
    // Three calls passed the peek before any response came back: all three are counted.
    for (let i = 0; i < 3; i++) c.addRate('p', 10, 1, T0 + 100 + i);
    expect(c.peekRate('p', 2, 10, T0 + 200)).toMatchObject({ allowed: false, retryAfterSeconds: 10 });
    // The second most recent (at +101) leaves at +10101.
    expect(c.peekRate('p', 2, 10, T0 + 10_100).allowed).toBe(false);
    expect(c.peekRate('p', 2, 10, T0 + 10_101).allowed).toBe(true);
  });

  it('judges one key by the limit each call brings (a counter shared by several policies)', () => {
    const c = createLocalCounters();
    c.takeRate('s', 1, 60, 1, T0);
    expect(c.takeRate('s', 1, 60, 1, T0 + 1).allowed).toBe(false);
    expect(c.takeRate('s', 3, 60, 1, T0 + 2)).toMatchObject({ allowed: true, remaining: 1 });
    expect(c.takeRate('s', 3, 60, 1, T0 + 3)).toMatchObject({ allowed: true, remaining: 0 });
    expect(c.takeRate('s', 3, 60, 1, T0 + 4)).toMatchObject({ allowed: false, retryAfterSeconds: 60 });
  });

  it('refuses everything under a limit of zero', () => {
    const c = createLocalCounters();
    expect(c.takeRate('z', 0, 30, 1, T0)).toEqual({ allowed: false, remaining: 0, limit: 0, retryAfterSeconds: 30 });
  });

  it('counts a limit above EXACT_UP_TO in sub-windows: never more than the limit, refusing at most one sub-window early', () => {
    const c = createLocalCounters();
    expect(EXACT_UP_TO).toBe(1000);
    // 1,200 per minute: sub-windows of one second.
    const at = (s: number, count = 1) => c.takeRate('big', 1200, 60, count, T0 + s * 1000);
    expect(at(0.5, 600)).toMatchObject({ allowed: true, remaining: 600 });
    expect(at(30, 600)).toMatchObject({ allowed: true, remaining: 0 });
    expect(at(31)).toEqual({ allowed: false, remaining: 0, limit: 1200, retryAfterSeconds: 30 });
    // The calls at 0.5 s are still in the window at 60.4 s; at 60.6 s they have left, but their
    // sub-window (0-1 s) still counts whole: refused early, until 61 s.
    expect(at(60.4).allowed).toBe(false);
    expect(at(60.6)).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    expect(at(61)).toMatchObject({ allowed: true, remaining: 599 });
    // Peek and add after the response go to the same sub-windows.
    expect(c.peekRate('big', 1200, 60, T0 + 61_500)).toMatchObject({ allowed: true, remaining: 598 });
    c.addRate('big', 60, 599, T0 + 61_500);
    expect(c.peekRate('big', 1200, 60, T0 + 62_000).allowed).toBe(false);
  });

  it('forgets keys whose last call left their window, a few per call, so idle keys take no memory', () => {
    const c = createLocalCounters();
    for (let i = 0; i < 1000; i++) c.takeRate(`idle-${i}`, 10, 1, 1, T0);
    expect(c.size().rate).toBe(1000);
    // Calls on one busy key after the idle keys' windows ended sweep them away.
    for (let i = 0; i < 600; i++) c.takeRate('busy', 1_000_000, 1, 1, T0 + 2000 + i);
    expect(c.size().rate).toBe(1);
    // A key still inside its window is kept.
    c.takeRate('live', 10, 3600, 1, T0 + 3000);
    for (let i = 0; i < 10; i++) c.takeRate('busy', 1_000_000, 1, 1, T0 + 4000 + i);
    expect(c.size().rate).toBe(2);
    expect(c.takeRate('live', 1, 3600, 1, T0 + 5000).allowed).toBe(false);
  });
});

describe('local counters: quotas', () => {
  const week = (start: number): QuotaWindow => ({ start, end: start + 7 * 24 * HOUR });

  it('counts calls per fixed window, refuses at the limit with the time left, and starts the next window from zero', () => {
    const c = createLocalCounters();
    const w = week(T0);
    expect(c.takeQuota('sub-1', w, { calls: 2 }, 1, T0)).toEqual({ allowed: true, remainingCalls: 1, retryAfterMs: 0 });
    expect(c.takeQuota('sub-1', w, { calls: 2 }, 1, T0 + 1)).toEqual({ allowed: true, remainingCalls: 0, retryAfterMs: 0 });
    expect(c.takeQuota('sub-1', w, { calls: 2 }, 1, T0 + HOUR)).toEqual({ allowed: false, remainingCalls: 0, retryAfterMs: w.end - T0 - HOUR });
    const next = week(w.end);
    expect(c.takeQuota('sub-1', next, { calls: 2 }, 1, w.end)).toMatchObject({ allowed: true, remainingCalls: 1 });
    // The ended week is gone; the new one is what the key holds.
    return expect(c.quotaPeriods('sub-1')).resolves.toEqual([{ counterKey: 'sub-1', window: next, calls: 1, kilobytes: 0 }]);
  });

  it('limits kilobytes added after each response, and a quota that never renews stays refused', async () => {
    const c = createLocalCounters();
    const w = week(T0);
    expect(c.takeQuota('kb', w, { kilobytes: 1 }, 1, T0)).toMatchObject({ allowed: true, remainingCalls: Infinity });
    c.addQuota('kb', w, 0, 0.75);
    expect(c.takeQuota('kb', w, { kilobytes: 1 }, 1, T0 + 1).allowed).toBe(true);
    c.addQuota('kb', w, 0, 0.25);
    expect(c.takeQuota('kb', w, { kilobytes: 1 }, 1, T0 + 2)).toMatchObject({ allowed: false, remainingCalls: Infinity });
    expect(await c.quotaPeriods('kb')).toEqual([{ counterKey: 'kb', window: w, calls: 2, kilobytes: 1 }]);

    const forever: QuotaWindow = { start: T0, end: Infinity };
    c.takeQuota('once', forever, { calls: 1 }, 1, T0);
    expect(c.takeQuota('once', forever, { calls: 1 }, 1, T0 + 1000 * HOUR)).toEqual({ allowed: false, remainingCalls: 0, retryAfterMs: Infinity });
  });

  it('checks without counting (calls 0) and counts later with addQuota: a quota with an increment-condition', () => {
    const c = createLocalCounters();
    const w = week(T0);
    expect(c.takeQuota('cond', w, { calls: 1 }, 0, T0)).toMatchObject({ allowed: true, remainingCalls: 1 });
    expect(c.takeQuota('cond', w, { calls: 1 }, 0, T0)).toMatchObject({ allowed: true });
    c.addQuota('cond', w, 1, 0);
    expect(c.takeQuota('cond', w, { calls: 1 }, 0, T0).allowed).toBe(false);
  });

  it('shows and sets the periods of a key (the management API), all or the one starting at a time', async () => {
    const c = createLocalCounters();
    const day: QuotaWindow = { start: T0 - 1000, end: T0 - 1000 + 24 * HOUR };
    const hour: QuotaWindow = { start: T0, end: T0 + HOUR };
    c.takeQuota('both', hour, { calls: 1 }, 1, T0);
    c.takeQuota('both', day, { calls: 10 }, 1, T0);
    expect(c.takeQuota('both', hour, { calls: 1 }, 1, T0).allowed).toBe(false);
    expect(await c.quotaPeriods('both')).toEqual([
      { counterKey: 'both', window: day, calls: 1, kilobytes: 0 },
      { counterKey: 'both', window: hour, calls: 1, kilobytes: 0 },
    ]);
    expect(await c.setQuota('both', { calls: 0 }, hour.start)).toEqual([{ counterKey: 'both', window: hour, calls: 0, kilobytes: 0 }]);
    expect(c.takeQuota('both', hour, { calls: 1 }, 1, T0).allowed).toBe(true);
    expect(await c.setQuota('both', { kilobytes: 2 })).toHaveLength(2);
    expect(await c.quotaPeriods('never')).toEqual([]);
    expect(await c.setQuota('never', { calls: 1 })).toEqual([]);
  });

  it('forgets keys whose windows all ended', () => {
    const c = createLocalCounters();
    for (let i = 0; i < 100; i++) c.takeQuota(`old-${i}`, { start: T0, end: T0 + 1000 }, { calls: 5 }, 1, T0);
    for (let i = 0; i < 60; i++) c.takeQuota('now', { start: T0 + 1000, end: T0 + HOUR }, { calls: 1000 }, 1, T0 + 2000);
    expect(c.size().quota).toBe(1);
  });
});
