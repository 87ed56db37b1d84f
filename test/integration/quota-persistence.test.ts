/**
 * Quotas kept in the database when there is no Redis (persistQuotas over in-process counters), on
 * SQLite and PostgreSQL: they survive a restart, are written every flush interval and on close,
 * lose at most what was counted since the last write in a crash, add up over several processes,
 * and are read and set through the database by the management API.
 *
 * The inner counters here are the smallest quota counters that keep the contract, written in the
 * test, until the in-process counters of src/gateway/counters/local.ts can take their place.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import { dropSchema, migrateToLatest, openDatabase, sql, type OpenDatabase } from '../../src/store/database.js';
import { createStore, type Store } from '../../src/store/index.js';
import { persistQuotas, type PersistQuotasOptions, type PersistedCounters } from '../../src/gateway/counters/persist.js';
import type { Counters, QuotaDecision, QuotaPeriod, QuotaWindow } from '../../src/gateway/counters/types.js';
import { describeCountersContract } from '../helpers/counters-contract.js';
import { BACKENDS } from '../helpers/server.js';

const HOUR = 3_600_000;

/** Quota counters in a Map, as the contract has them (no rate limits: persistence does not touch them). */
function quotaOnlyCounters(): Counters {
  const periods = new Map<string, Map<number, QuotaPeriod>>();
  const period = (counterKey: string, window: QuotaWindow): QuotaPeriod => {
    let ofKey = periods.get(counterKey);
    if (!ofKey) periods.set(counterKey, (ofKey = new Map()));
    let p = ofKey.get(window.start);
    if (!p) ofKey.set(window.start, (p = { counterKey, window, calls: 0, kilobytes: 0 }));
    return p;
  };
  const list = (counterKey: string, start?: number) =>
    [...(periods.get(counterKey)?.values() ?? [])].filter((p) => start === undefined || p.window.start === start).map((p) => ({ ...p })).sort((a, b) => a.window.start - b.window.start);
  const noRates = (): never => {
    throw new Error('not used by these tests');
  };
  return {
    takeRate: noRates,
    peekRate: noRates,
    addRate: noRates,
    takeQuota(key, window, limit, calls, now): QuotaDecision {
      const p = period(key, window);
      if ((limit.calls !== undefined && p.calls >= limit.calls) || (limit.kilobytes !== undefined && p.kilobytes >= limit.kilobytes)) {
        return { allowed: false, remainingCalls: limit.calls === undefined ? Infinity : 0, retryAfterMs: window.end - now };
      }
      p.calls += calls;
      return { allowed: true, remainingCalls: limit.calls === undefined ? Infinity : Math.max(0, limit.calls - p.calls), retryAfterMs: 0 };
    },
    addQuota(key, window, calls, kilobytes) {
      const p = period(key, window);
      p.calls += calls;
      p.kilobytes += kilobytes;
    },
    quotaPeriods: async (counterKey) => list(counterKey),
    async setQuota(counterKey, values, windowStart) {
      for (const p of periods.get(counterKey)?.values() ?? []) {
        if (windowStart !== undefined && p.window.start !== windowStart) continue;
        if (values.calls !== undefined) p.calls = values.calls;
        if (values.kilobytes !== undefined) p.kilobytes = values.kilobytes;
      }
      return list(counterKey, windowStart);
    },
    close: async () => {},
  };
}

function recordingLogger() {
  const warnings: string[] = [];
  return { warnings, logger: { info: () => {}, warn: (_: object, m?: string) => void warnings.push(m ?? ''), error: (_: object, m?: string) => void warnings.push(m ?? '') } };
}

describe.each(BACKENDS)('quota counters kept in the database (%s)', (backend) => {
  let database: OpenDatabase;
  let store: Store;
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-quotas-'));
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const open: PersistedCounters[] = [];
  const node = (options: Partial<PersistQuotasOptions> = {}): PersistedCounters => {
    const counters = persistQuotas(quotaOnlyCounters(), store, { flushIntervalMs: HOUR, logger: recordingLogger().logger, ...options });
    open.push(counters);
    return counters;
  };
  const key = (label: string) => `${label}-${randomBytes(5).toString('hex')}`;
  let t0: number;
  let w: QuotaWindow;

  beforeAll(async () => {
    database = await openDatabase(backend === 'sqlite' ? `sqlite:${join(dir, 'quotas.db')}` : process.env.TEST_DATABASE_URL!, { schema });
    await migrateToLatest(database.db, database.dialect);
    store = createStore(database.db, database.dialect);
    t0 = Math.floor(Date.now() / 1000) * 1000;
    w = { start: t0, end: t0 + HOUR };
  });

  afterAll(async () => {
    await Promise.all(open.map((c) => c.close()));
    await database.close();
    rmSync(dir, { recursive: true, force: true });
    if (backend === 'postgres') await dropSchema(process.env.TEST_DATABASE_URL!, schema);
  });

  describeCountersContract(`persisted quotas on ${backend}`, () => node(), { parts: ['quota'] });

  it('keeps a quota across a restart: the first call of a key reads the database, the ones after it answer at once', async () => {
    const k = key('restart');
    const before = node();
    const first = before.takeQuota(k, w, { calls: 5 }, 1, t0);
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toMatchObject({ allowed: true, remainingCalls: 4 });
    expect(before.takeQuota(k, w, { calls: 5 }, 1, t0 + 1)).toEqual({ allowed: true, remainingCalls: 3, retryAfterMs: 0 });
    before.addQuota(k, w, 0, 2.5);
    await before.close();
    expect(await store.quotaCounters.listQuotaCounters(k)).toEqual([
      { counterKey: k, periodStart: new Date(t0).toISOString(), periodEnd: new Date(t0 + HOUR).toISOString(), calls: 2, kilobytes: 2.5 },
    ]);

    const after = node();
    expect(await after.takeQuota(k, w, { calls: 5 }, 1, t0 + 2)).toMatchObject({ allowed: true, remainingCalls: 2 });
    expect(after.takeQuota(k, w, { calls: 5, kilobytes: 3 }, 1, t0 + 3)).toMatchObject({ allowed: true, remainingCalls: 1 });
    after.addQuota(k, w, 0, 0.5);
    expect(after.takeQuota(k, w, { calls: 5, kilobytes: 3 }, 1, t0 + 4)).toMatchObject({ allowed: false });
  });

  it('writes what was counted every flush interval', async () => {
    const k = key('interval');
    let written!: () => void;
    const flushed = new Promise<void>((resolve) => (written = resolve));
    const counters = node({ flushIntervalMs: 50, onFlush: () => written() });
    await counters.takeQuota(k, w, { calls: 5 }, 1, t0);
    counters.addQuota(k, w, 0, 1);
    await flushed;
    expect(await store.quotaCounters.listQuotaCounters(k)).toMatchObject([{ calls: 1, kilobytes: 1 }]);
  });

  it('loses at most what was counted since the last write when the process dies', async () => {
    const k = key('crash');
    const crashing = node();
    await crashing.takeQuota(k, w, { calls: 10 }, 1, t0);
    crashing.takeQuota(k, w, { calls: 10 }, 1, t0 + 1);
    await crashing.flush();
    crashing.takeQuota(k, w, { calls: 10 }, 1, t0 + 2);
    // The process dies here: no close, no further write.
    expect(await node().takeQuota(k, w, { calls: 10 }, 1, t0 + 3)).toMatchObject({ allowed: true, remainingCalls: 7 });
  });

  it('adds up what several processes counted on one key', async () => {
    const k = key('workers');
    const [a, b] = [node(), node()];
    await a.takeQuota(k, w, { calls: 10 }, 1, t0);
    await b.takeQuota(k, w, { calls: 10 }, 1, t0);
    b.takeQuota(k, w, { calls: 10 }, 1, t0 + 1);
    await Promise.all([a.flush(), b.flush()]);
    a.takeQuota(k, w, { calls: 10 }, 1, t0 + 2);
    await Promise.all([a.flush(), b.flush()]);
    expect(await store.quotaCounters.listQuotaCounters(k)).toMatchObject([{ calls: 4 }]);
    expect(await node().takeQuota(k, w, { calls: 10 }, 1, t0 + 3)).toMatchObject({ allowed: true, remainingCalls: 5 });
  });

  it('reads the database once per key however many first calls arrive together', async () => {
    const k = key('together');
    await store.quotaCounters.addToQuotaCounters([{ counterKey: k, periodStart: new Date(w.start).toISOString(), periodEnd: new Date(w.end).toISOString(), calls: 3, kilobytes: 0 }], new Date().toISOString());
    const counters = node();
    const decisions = await Promise.all(Array.from({ length: 10 }, (_, i) => counters.takeQuota(k, w, { calls: 5 }, 1, t0 + i)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(2);
    await counters.flush();
    expect(await store.quotaCounters.listQuotaCounters(k)).toMatchObject([{ calls: 5 }]);
  });

  it('lists and sets periods through the database, whichever process counted them', async () => {
    const k = key('manage');
    const [counting, managing] = [node(), node()];
    await counting.takeQuota(k, w, { calls: 3 }, 1, t0);
    counting.takeQuota(k, w, { calls: 3 }, 1, t0 + 1);
    // quotaPeriods writes what its own process counted before it reads.
    expect(await counting.quotaPeriods(k)).toEqual([{ counterKey: k, window: w, calls: 2, kilobytes: 0 }]);
    counting.takeQuota(k, w, { calls: 3 }, 1, t0 + 2);
    await counting.flush();
    expect(await managing.quotaPeriods(k)).toEqual([{ counterKey: k, window: w, calls: 3, kilobytes: 0 }]);
    expect(await managing.setQuota(k, { calls: 1, kilobytes: 4 })).toEqual([{ counterKey: k, window: w, calls: 1, kilobytes: 4 }]);
    expect(await store.quotaCounters.listQuotaCounters(k)).toMatchObject([{ calls: 1, kilobytes: 4 }]);
    expect(await node().takeQuota(k, w, { calls: 3 }, 1, t0 + 3)).toMatchObject({ allowed: true, remainingCalls: 1 });
    // A process that holds the key sets its own counters too.
    expect((counting.takeQuota(k, w, { calls: 3 }, 1, t0 + 4) as QuotaDecision).allowed).toBe(false);
    await counting.setQuota(k, { calls: 0 }, w.start);
    expect(counting.takeQuota(k, w, { calls: 3 }, 1, t0 + 5)).toMatchObject({ allowed: true, remainingCalls: 2 });
  });

  it('decides on what it counted while the database cannot be read, and reads again at the next call', async () => {
    const k = key('unreadable');
    await store.quotaCounters.addToQuotaCounters([{ counterKey: k, periodStart: new Date(w.start).toISOString(), periodEnd: new Date(w.end).toISOString(), calls: 3, kilobytes: 0 }], new Date().toISOString());
    const log = recordingLogger();
    const counters = node({ logger: log.logger });
    await sql`alter table quota_counters rename to quota_counters_away`.execute(database.db);
    try {
      expect(await counters.takeQuota(k, w, { calls: 5 }, 1, t0)).toMatchObject({ allowed: true, remainingCalls: 4 });
      expect(await counters.takeQuota(k, w, { calls: 5 }, 1, t0 + 1)).toMatchObject({ allowed: true, remainingCalls: 3 });
    } finally {
      await sql`alter table quota_counters_away rename to quota_counters`.execute(database.db);
    }
    expect(log.warnings).toEqual(['quota counters could not be read from the database; deciding on what this process counted']);
    // Read now: the database's three and the two counted meanwhile reach the limit.
    expect(await counters.takeQuota(k, w, { calls: 5 }, 1, t0 + 2)).toMatchObject({ allowed: false });
    await counters.flush();
    expect(await store.quotaCounters.listQuotaCounters(k)).toMatchObject([{ calls: 5 }]);
  });

  it.runIf(backend === 'postgres')('does not hold a first call for a late read, and adds what the read brings when it comes', async () => {
    const k = key('late');
    await store.quotaCounters.addToQuotaCounters([{ counterKey: k, periodStart: new Date(w.start).toISOString(), periodEnd: new Date(w.end).toISOString(), calls: 3, kilobytes: 0 }], new Date().toISOString());
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = database.db.transaction().execute(async (trx) => {
      await sql`lock table quota_counters in access exclusive mode`.execute(trx);
      locked();
      await released;
    });
    await isLocked;
    const counters = node({ loadTimeoutMs: 100 });
    try {
      expect(await counters.takeQuota(k, w, { calls: 5 }, 1, t0)).toMatchObject({ allowed: true, remainingCalls: 4 });
    } finally {
      release();
      await holder;
    }
    // The next call waits for the read still under way, which adds the database's three.
    expect(await counters.takeQuota(k, w, { calls: 5 }, 1, t0 + 1)).toMatchObject({ allowed: true, remainingCalls: 0 });
    expect(counters.takeQuota(k, w, { calls: 5 }, 1, t0 + 2)).toMatchObject({ allowed: false });
  });

  it('keeps what it could not write for the next write, and says so', async () => {
    const k = key('away');
    const log = recordingLogger();
    const counters = node({ logger: log.logger });
    await counters.takeQuota(k, w, { calls: 10 }, 1, t0);
    await sql`alter table quota_counters rename to quota_counters_away`.execute(database.db);
    try {
      counters.takeQuota(k, w, { calls: 10 }, 1, t0 + 1);
      await counters.flush();
    } finally {
      await sql`alter table quota_counters_away rename to quota_counters`.execute(database.db);
    }
    expect(log.warnings).toEqual(['quota counters could not be written to the database; retrying at the next flush']);
    counters.takeQuota(k, w, { calls: 10 }, 1, t0 + 2);
    await counters.flush();
    expect(await store.quotaCounters.listQuotaCounters(k)).toMatchObject([{ calls: 3 }]);
  });

  it('forgets periods once they ended, and never those that do not renew', async () => {
    const clock = new ManualClock(new Date(t0));
    const [ended, forever] = [key('ended'), key('forever')];
    const counters = node({ clock });
    const short: QuotaWindow = { start: t0, end: t0 + 60_000 };
    const always: QuotaWindow = { start: 0, end: Infinity };
    await counters.takeQuota(ended, short, { calls: 5 }, 1, t0);
    await counters.takeQuota(forever, always, { calls: 5 }, 1, t0);
    await counters.flush();
    clock.advance(11 * 60_000);
    expect(await counters.quotaPeriods(ended)).toEqual([]);
    await counters.flush();
    expect(await store.quotaCounters.listQuotaCounters(ended)).toEqual([]);
    expect(await store.quotaCounters.listQuotaCounters(forever)).toEqual([{ counterKey: forever, periodStart: '1970-01-01T00:00:00.000Z', periodEnd: null, calls: 1, kilobytes: 0 }]);
    expect(await counters.quotaPeriods(forever)).toEqual([{ counterKey: forever, window: always, calls: 1, kilobytes: 0 }]);
  });
});
