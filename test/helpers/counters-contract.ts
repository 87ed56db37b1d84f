/**
 * What every Counters implementation (src/gateway/counters/types.ts) must do, as one suite each
 * implementation runs: `describeCountersContract('redis', () => createRedisCounters(...))`.
 *
 * Rate limits are sliding windows, exact for the small limits used here: a call counted at `t`
 * counts while `now < t + period`, so it is let through again at exactly `t + period`; a refused
 * call counts nothing; `count` more calls are counted when fewer than `limit` were (the call that
 * crosses the limit is let through whole). Quotas are fixed windows given by the caller: refused
 * once the calls or kilobytes reached the limit, else `calls` more are counted. Writes that return
 * nothing (addRate, addQuota) are seen by every later call of the same instance.
 *
 * Each test makes its own instance and its own keys, and passes times near the real clock (an
 * implementation may let its keys expire in real time).
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Counters, QuotaWindow } from '../../src/gateway/counters/types.js';

export type ContractPart = 'rate' | 'quota';

export interface ContractOptions {
  /** The parts to run (default both). */
  parts?: readonly ContractPart[];
}

const HOUR = 3_600_000;

export function describeCountersContract(name: string, makeCounters: () => Counters | Promise<Counters>, options: ContractOptions = {}): void {
  const parts = options.parts ?? ['rate', 'quota'];

  describe(`the Counters contract: ${name}`, () => {
    let counters: Counters;
    /** Whole seconds, so the figures below read as the windows they test. */
    let t0: number;
    const key = (label: string) => `${label}-${randomBytes(5).toString('hex')}`;

    beforeEach(async () => {
      counters = await makeCounters();
      t0 = Math.floor(Date.now() / 1000) * 1000;
    });
    afterEach(async () => {
      await counters.close();
    });

    describe.runIf(parts.includes('rate'))('rate limits (sliding windows)', () => {
      it('lets `limit` calls through, then refuses, counting no refusal', async () => {
        const k = key('rate');
        for (const [i, remaining] of [2, 1, 0].entries()) {
          expect(await counters.takeRate(k, 3, 60, 1, t0 + i * 1000)).toMatchObject({ allowed: true, remaining, limit: 3 });
        }
        expect(await counters.takeRate(k, 3, 60, 1, t0 + 3000)).toMatchObject({ allowed: false, remaining: 0, limit: 3, retryAfterSeconds: 57 });
        expect(await counters.takeRate(k, 3, 60, 1, t0 + 4000)).toMatchObject({ allowed: false, retryAfterSeconds: 56 });
        // Had the refusals counted, the window would still be full.
        expect(await counters.takeRate(k, 3, 60, 1, t0 + 60_000)).toMatchObject({ allowed: true, remaining: 0 });
        expect(await counters.takeRate(k, 3, 60, 1, t0 + 60_001)).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
      });

      it('counts a call until exactly `period` after it', async () => {
        const k = key('slide');
        expect((await counters.takeRate(k, 1, 10, 1, t0)).allowed).toBe(true);
        expect(await counters.takeRate(k, 1, 10, 1, t0 + 9_999)).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
        expect((await counters.takeRate(k, 1, 10, 1, t0 + 10_000)).allowed).toBe(true);
      });

      it('says when the oldest call that matters leaves the window, in whole seconds rounded up', async () => {
        const k = key('retry');
        await counters.takeRate(k, 2, 60, 1, t0);
        await counters.takeRate(k, 2, 60, 1, t0 + 20_500);
        expect(await counters.takeRate(k, 2, 60, 1, t0 + 30_000)).toMatchObject({ allowed: false, retryAfterSeconds: 30 });
        expect((await counters.takeRate(k, 2, 60, 1, t0 + 60_000)).allowed).toBe(true);
        expect(await counters.takeRate(k, 2, 60, 1, t0 + 60_000)).toMatchObject({ allowed: false, retryAfterSeconds: 21 });
      });

      it('counts `count` calls at once, letting through the call that crosses the limit', async () => {
        const k = key('count');
        expect(await counters.takeRate(k, 5, 60, 3, t0)).toMatchObject({ allowed: true, remaining: 2 });
        expect(await counters.takeRate(k, 5, 60, 3, t0 + 1)).toMatchObject({ allowed: true, remaining: 0 });
        expect((await counters.takeRate(k, 5, 60, 1, t0 + 2)).allowed).toBe(false);
        // The first three leave together; the second three still count (3 < 5).
        expect(await counters.takeRate(k, 5, 60, 1, t0 + 60_000)).toMatchObject({ allowed: true, remaining: 1 });
        expect((await counters.takeRate(k, 5, 60, 2, t0 + 60_000)).allowed).toBe(true);
        expect(await counters.takeRate(k, 5, 60, 1, t0 + 60_000)).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
      });

      it('peeks without counting, and counts what addRate adds', async () => {
        const k = key('peek');
        for (let i = 0; i < 4; i++) expect(await counters.peekRate(k, 2, 60, t0 + i)).toMatchObject({ allowed: true, remaining: 1, limit: 2 });
        counters.addRate(k, 60, 1, t0 + 10);
        expect(await counters.peekRate(k, 2, 60, t0 + 20)).toMatchObject({ allowed: true, remaining: 0 });
        counters.addRate(k, 60, 2, t0 + 30);
        expect(await counters.peekRate(k, 2, 60, t0 + 40)).toMatchObject({ allowed: false, remaining: 0, retryAfterSeconds: 60 });
        expect((await counters.takeRate(k, 2, 60, 1, t0 + 50)).allowed).toBe(false);
        // The call at +10 leaves at +60010; the two at +30 keep the window full until +60030.
        expect((await counters.peekRate(k, 2, 60, t0 + 60_010)).allowed).toBe(false);
        expect((await counters.peekRate(k, 2, 60, t0 + 60_030)).allowed).toBe(true);
      });

      it('keeps one counter per key, judged by the limit each call brings', async () => {
        const k = key('shared');
        await counters.takeRate(k, 2, 60, 1, t0);
        await counters.takeRate(k, 2, 60, 1, t0 + 1);
        expect((await counters.takeRate(k, 2, 60, 1, t0 + 2)).allowed).toBe(false);
        expect(await counters.takeRate(k, 5, 60, 1, t0 + 3)).toMatchObject({ allowed: true, remaining: 2, limit: 5 });
        expect((await counters.takeRate(k, 2, 60, 1, t0 + 4)).allowed).toBe(false);
        const other = key('other');
        expect(await counters.takeRate(other, 2, 60, 1, t0 + 5)).toMatchObject({ allowed: true, remaining: 1 });
      });
    });

    describe.runIf(parts.includes('quota'))('quotas (fixed windows)', () => {
      const hourFrom = (start: number): QuotaWindow => ({ start, end: start + HOUR });

      it('counts calls in the window and refuses once the limit is reached, counting no refusal', async () => {
        const k = key('quota');
        const w = hourFrom(t0);
        for (const remainingCalls of [2, 1, 0]) {
          expect(await counters.takeQuota(k, w, { calls: 3 }, 1, t0 + 1000)).toMatchObject({ allowed: true, remainingCalls });
        }
        expect(await counters.takeQuota(k, w, { calls: 3 }, 1, t0 + 2000)).toMatchObject({ allowed: false, remainingCalls: 0, retryAfterMs: HOUR - 2000 });
        expect((await counters.takeQuota(k, w, { calls: 3 }, 1, t0 + 3000)).allowed).toBe(false);
        expect(await counters.quotaPeriods(k)).toEqual([{ counterKey: k, window: w, calls: 3, kilobytes: 0 }]);
      });

      it('starts each window from zero, and a quota that never renews stays refused', async () => {
        const k = key('windows');
        const first = hourFrom(t0);
        await counters.takeQuota(k, first, { calls: 1 }, 1, t0);
        expect((await counters.takeQuota(k, first, { calls: 1 }, 1, t0 + 1)).allowed).toBe(false);
        expect(await counters.takeQuota(k, hourFrom(first.end), { calls: 1 }, 1, first.end)).toMatchObject({ allowed: true, remainingCalls: 0 });

        const forever = key('forever');
        const always: QuotaWindow = { start: t0 - HOUR, end: Infinity };
        await counters.takeQuota(forever, always, { calls: 1 }, 1, t0);
        expect(await counters.takeQuota(forever, always, { calls: 1 }, 1, t0 + HOUR)).toMatchObject({ allowed: false, retryAfterMs: Infinity });
        expect(await counters.quotaPeriods(forever)).toEqual([{ counterKey: forever, window: always, calls: 1, kilobytes: 0 }]);
      });

      it('counts `calls` at once, letting through the call that crosses the limit', async () => {
        const k = key('calls');
        const w = hourFrom(t0);
        expect(await counters.takeQuota(k, w, { calls: 5 }, 3, t0)).toMatchObject({ allowed: true, remainingCalls: 2 });
        expect(await counters.takeQuota(k, w, { calls: 5 }, 3, t0 + 1)).toMatchObject({ allowed: true, remainingCalls: 0 });
        expect((await counters.takeQuota(k, w, { calls: 5 }, 1, t0 + 2)).allowed).toBe(false);
        counters.addQuota(k, w, 2, 0);
        expect((await counters.quotaPeriods(k))[0]).toMatchObject({ calls: 8 });
      });

      it('limits kilobytes as they are added, alone or with calls', async () => {
        const k = key('kb');
        const w = hourFrom(t0);
        expect(await counters.takeQuota(k, w, { kilobytes: 10 }, 1, t0)).toMatchObject({ allowed: true, remainingCalls: Infinity });
        counters.addQuota(k, w, 0, 6.5);
        expect((await counters.takeQuota(k, w, { kilobytes: 10 }, 1, t0 + 1)).allowed).toBe(true);
        counters.addQuota(k, w, 0, 3.5);
        expect(await counters.takeQuota(k, w, { kilobytes: 10 }, 1, t0 + 2)).toMatchObject({ allowed: false, remainingCalls: Infinity, retryAfterMs: HOUR - 2 });
        expect(await counters.quotaPeriods(k)).toEqual([{ counterKey: k, window: w, calls: 2, kilobytes: 10 }]);

        const both = key('both');
        expect(await counters.takeQuota(both, w, { calls: 5, kilobytes: 1 }, 1, t0)).toMatchObject({ allowed: true, remainingCalls: 4 });
        counters.addQuota(both, w, 0, 1);
        expect(await counters.takeQuota(both, w, { calls: 5, kilobytes: 1 }, 1, t0 + 1)).toMatchObject({ allowed: false, remainingCalls: 0 });
      });

      it('lists a key\'s periods and sets them, all or one, lifting a refusal at once', async () => {
        // Two quotas on one counter key, renewing hourly and daily.
        const k = key('periods');
        const day: QuotaWindow = { start: t0 - 1000, end: t0 - 1000 + 24 * HOUR };
        const hour = hourFrom(t0);
        await counters.takeQuota(k, day, { calls: 10 }, 1, t0);
        await counters.takeQuota(k, hour, { calls: 2 }, 1, t0);
        await counters.takeQuota(k, hour, { calls: 2 }, 1, t0 + 1);
        counters.addQuota(k, hour, 0, 4);
        expect((await counters.takeQuota(k, hour, { calls: 2 }, 1, t0 + 2)).allowed).toBe(false);
        expect(await counters.quotaPeriods(k)).toEqual([
          { counterKey: k, window: day, calls: 1, kilobytes: 0 },
          { counterKey: k, window: hour, calls: 2, kilobytes: 4 },
        ]);

        expect(await counters.setQuota(k, { calls: 0 }, hour.start)).toEqual([{ counterKey: k, window: hour, calls: 0, kilobytes: 4 }]);
        expect(await counters.takeQuota(k, hour, { calls: 2 }, 1, t0 + 3)).toMatchObject({ allowed: true, remainingCalls: 1 });
        expect(await counters.setQuota(k, { kilobytes: 1.5 })).toEqual([
          { counterKey: k, window: day, calls: 1, kilobytes: 1.5 },
          { counterKey: k, window: hour, calls: 1, kilobytes: 1.5 },
        ]);
        expect(await counters.quotaPeriods(k)).toEqual([
          { counterKey: k, window: day, calls: 1, kilobytes: 1.5 },
          { counterKey: k, window: hour, calls: 1, kilobytes: 1.5 },
        ]);
      });

      it('knows no periods of a key never counted, and sets none', async () => {
        const k = key('unknown');
        expect(await counters.quotaPeriods(k)).toEqual([]);
        expect(await counters.setQuota(k, { calls: 5 })).toEqual([]);
        expect(await counters.setQuota(k, { calls: 5 }, t0)).toEqual([]);
        expect(await counters.quotaPeriods(k)).toEqual([]);
      });
    });
  });
}
