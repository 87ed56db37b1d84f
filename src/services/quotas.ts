/**
 * Quota counters as the management API shows them (`/quotas/{counterKey}` and its periods): read
 * from and set through the counters the gateway counts with (in its process, in Redis, or kept in
 * the database), behind a small port so that services never reach into the gateway. A PATCH sets
 * the values outright, and the gateway counts on from them at once.
 */
import { notFound } from '../domain/errors.js';
import { NEVER_ENDS, isoSeconds, periodKeys, type QuotaCounterUpdateInput } from '../domain/quota-counter.js';
import type { Store } from '../store/index.js';
import { SYSTEM, type ActorContext } from './audit.js';
import type { ServiceDeps } from './deps.js';
import { inWrite } from './writes.js';

/** One period of one counter key (the shape of the gateway's QuotaPeriod). */
export interface QuotaPeriodValue {
  counterKey: string;
  /** Epoch ms; `end` Infinity for a quota that never renews. */
  window: { start: number; end: number };
  calls: number;
  kilobytes: number;
}

/** What the quota use cases need of the counters; the gateway's Counters satisfies it. */
export interface QuotaCounterPort {
  quotaPeriods(counterKey: string): Promise<QuotaPeriodValue[]>;
  /** All periods of the key, or the one starting at `windowStart` (epoch ms); returns those changed. */
  setQuota(counterKey: string, values: { calls?: number; kilobytes?: number }, windowStart?: number): Promise<QuotaPeriodValue[]>;
}

export interface QuotaPeriodView {
  counterKey: string;
  periodKey: string;
  periodStartTime: string;
  periodEndTime: string;
  callsCount: number;
  kbTransferred: number;
}

/** Views of `periods`, newest first, each with its period key. */
function views(periods: readonly QuotaPeriodValue[]): QuotaPeriodView[] {
  const sorted = [...periods].sort((a, b) => b.window.start - a.window.start);
  const keys = periodKeys(sorted.map((p) => p.window));
  return sorted.map((p, i) => ({
    counterKey: p.counterKey,
    periodKey: keys[i]!,
    periodStartTime: isoSeconds(p.window.start),
    periodEndTime: Number.isFinite(p.window.end) ? isoSeconds(p.window.end) : NEVER_ENDS,
    callsCount: p.calls,
    kbTransferred: p.kilobytes,
  }));
}

function valuesOf(input: QuotaCounterUpdateInput): { calls?: number; kilobytes?: number } {
  return { ...(input.callsCount !== undefined ? { calls: input.callsCount } : {}), ...(input.kbTransferred !== undefined ? { kilobytes: input.kbTransferred } : {}) };
}

/**
 * The port over the quota_counters table alone: right where the counters keep their periods in the
 * database (no Redis) and have written what they counted, as in the CLI or a management-only process.
 */
export function databaseQuotaCounters(store: Store, now: () => Date): QuotaCounterPort {
  const toValue = (row: { counterKey: string; periodStart: string; periodEnd: string | null; calls: number; kilobytes: number }): QuotaPeriodValue => ({
    counterKey: row.counterKey,
    window: { start: Date.parse(row.periodStart), end: row.periodEnd === null ? Infinity : Date.parse(row.periodEnd) },
    calls: row.calls,
    kilobytes: row.kilobytes,
  });
  return {
    async quotaPeriods(counterKey) {
      return (await store.quotaCounters.listQuotaCounters(counterKey)).map(toValue);
    },
    async setQuota(counterKey, values, windowStart) {
      const start = windowStart === undefined ? undefined : new Date(windowStart).toISOString();
      return (await store.quotaCounters.setQuotaCounters(counterKey, values, now().toISOString(), start)).map(toValue);
    },
  };
}

export function createQuotaService(deps: ServiceDeps, counters: QuotaCounterPort) {
  async function period(counterKey: string, periodKey: string): Promise<{ view: QuotaPeriodView; start: number }> {
    const periods = await counters.quotaPeriods(counterKey);
    const all = views(periods);
    const index = all.findIndex((v) => v.periodKey.toLowerCase() === periodKey.toLowerCase());
    if (index < 0) throw notFound('Quota counter period');
    const sorted = [...periods].sort((a, b) => b.window.start - a.window.start);
    return { view: all[index]!, start: sorted[index]!.window.start };
  }

  async function audited(ctx: ActorContext, counterKey: string, periodKey: string | null): Promise<void> {
    await inWrite(deps, ctx, (w) => w.record({ audit: { action: 'quota.updated', detail: { counterKey, periodKey } } }));
  }

  return {
    /** Every period held for the key, newest first (none: nothing was counted on it yet). */
    async list(counterKey: string): Promise<QuotaPeriodView[]> {
      return views(await counters.quotaPeriods(counterKey));
    },

    /** One period; 404 when the key has no period of that key. */
    async get(counterKey: string, periodKey: string): Promise<QuotaPeriodView> {
      return (await period(counterKey, periodKey)).view;
    },

    /** Sets every period of the key; 404 when it has none. */
    async update(counterKey: string, input: QuotaCounterUpdateInput, ctx: ActorContext = SYSTEM): Promise<QuotaPeriodView[]> {
      const changed = await counters.setQuota(counterKey, valuesOf(input));
      if (changed.length === 0) throw notFound('Quota counter');
      await audited(ctx, counterKey, null);
      return views(await counters.quotaPeriods(counterKey));
    },

    /** Sets one period; 404 when the key has no period of that key. */
    async updatePeriod(counterKey: string, periodKey: string, input: QuotaCounterUpdateInput, ctx: ActorContext = SYSTEM): Promise<QuotaPeriodView> {
      const { start } = await period(counterKey, periodKey);
      const changed = await counters.setQuota(counterKey, valuesOf(input), start);
      if (changed.length === 0) throw notFound('Quota counter period');
      await audited(ctx, counterKey, periodKey);
      return (await period(counterKey, periodKey)).view;
    },
  };
}

export type QuotaService = ReturnType<typeof createQuotaService>;
