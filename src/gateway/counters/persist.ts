/**
 * Quotas that survive a restart without Redis: a decorator over the in-process counters that loads
 * a counter key's periods from the database the first time the key is used (that one decision
 * waits for the read; every later one stays synchronous), and writes what was counted back in
 * batches, every `flushIntervalMs` and on close. What a process counted since its last write is
 * lost if it crashes: at most one flush interval of calls, which a client then gets on top of its
 * quota.
 *
 * A read that takes longer than `loadTimeoutMs` (a slow or unreachable database) does not hold the
 * call: it is decided on what this process counted, and the database's counts are added once the
 * read arrives (the counts are sums, so the order does not matter).
 *
 * The writes are increments, so several processes over one database (gateway workers without
 * Redis, each counting on its own) add up rather than overwrite each other: the database holds
 * what they all counted, and a process that starts begins from that. The management API's reads
 * and writes (quotaPeriods, setQuota) go through to the database. Rate limits are not kept: a
 * sliding window of at most minutes starts afresh after a restart.
 */
import { systemClock, type Clock } from '../../domain/clock.js';
import type { Store } from '../../store/index.js';
import type { QuotaCounterRow } from '../../store/quota-counters-repo.js';
import type { GatewayLogger } from '../types.js';
import type { Counters, MaybePromise, QuotaDecision, QuotaPeriod, QuotaWindow } from './types.js';

export interface PersistQuotasOptions {
  /** How often what was counted is written (the most a crash can lose). */
  flushIntervalMs: number;
  logger: GatewayLogger;
  clock?: Clock;
  /** How long a key's first call waits for its read before it is decided without (default 1000 ms). */
  loadTimeoutMs?: number;
  /** Called after each write that had something to write, with the number of periods written. */
  onFlush?: (periods: number) => void;
}

export interface PersistedCounters extends Counters {
  /** Writes what was counted since the last write, now (it never rejects: a failure is logged and retried at the next). */
  flush(): Promise<void>;
}

/** Ended periods are deleted from the database this often (on a flush). */
const PRUNE_EVERY_MS = 10 * 60_000;
/** At most one warning about failed reads per this many ms (every first call of a key tries one). */
const READ_WARNING_EVERY_MS = 10_000;

interface Pending {
  window: QuotaWindow;
  calls: number;
  kilobytes: number;
}

export function persistQuotas(inner: Counters, store: Pick<Store, 'quotaCounters'>, options: PersistQuotasOptions): PersistedCounters {
  const clock = options.clock ?? systemClock;
  const repo = store.quotaCounters;
  /** Keys whose periods were read from the database (true), or are being read. */
  const loaded = new Map<string, true | Promise<void>>();
  /** What was counted and not yet written: counter key → window start → increments. */
  const pending = new Map<string, Map<number, Pending>>();
  /** Database writes run one after another, so a setQuota never lands between a flush's read and write. */
  let writes: Promise<unknown> = Promise.resolve();
  const loadTimeoutMs = options.loadTimeoutMs ?? 1000;
  let lastPrune = clock.now().getTime();
  let lastReadWarning = -Infinity;
  const timer = setInterval(() => void flush(), options.flushIntervalMs);
  timer.unref();

  function serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = writes.then(fn);
    writes = run.catch(() => undefined);
    return run;
  }

  function load(key: string): Promise<void> {
    const state = loaded.get(key);
    if (state === true) return Promise.resolve();
    if (state) return state;
    const reading = repo.listQuotaCounters(key).then(
      (rows) => {
        const now = clock.now().getTime();
        for (const row of rows) {
          const window = windowOf(row);
          // Into the inner counters as they are: these counts are the database's, not to be written again.
          if (window.end > now && (row.calls !== 0 || row.kilobytes !== 0)) inner.addQuota(key, window, row.calls, row.kilobytes);
        }
        loaded.set(key, true);
      },
      (error: unknown) => {
        loaded.delete(key);
        throw error;
      },
    );
    loaded.set(key, reading);
    return reading;
  }

  function readFailed(error: unknown, counterKey: string): void {
    const now = clock.now().getTime();
    if (now - lastReadWarning < READ_WARNING_EVERY_MS) return;
    lastReadWarning = now;
    options.logger.warn({ err: error, counterKey }, 'quota counters could not be read from the database; deciding on what this process counted');
  }

  /** Resolves once the key's periods are in the inner counters, or after `loadTimeoutMs`, or at a failed read (logged). */
  function loadForDecision(key: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, loadTimeoutMs)));
    const read = load(key).catch((error: unknown) => readFailed(error, key));
    return Promise.race([read, late]).finally(() => clearTimeout(timer));
  }

  function count(key: string, window: QuotaWindow, calls: number, kilobytes: number): void {
    let periods = pending.get(key);
    if (!periods) pending.set(key, (periods = new Map()));
    const p = periods.get(window.start);
    if (p) {
      p.calls += calls;
      p.kilobytes += kilobytes;
    } else {
      periods.set(window.start, { window, calls, kilobytes });
    }
  }

  function decide(key: string, window: QuotaWindow, decision: MaybePromise<QuotaDecision>, calls: number): MaybePromise<QuotaDecision> {
    const record = (d: QuotaDecision) => {
      if (d.allowed && !d.unavailable) count(key, window, calls, 0);
      return d;
    };
    return decision instanceof Promise ? decision.then(record) : record(decision);
  }

  /** Takes the increments of the keys already loaded (the others' are written once their load added the database's). */
  function takePending(only?: string): { key: string; start: number; p: Pending }[] {
    const taken: { key: string; start: number; p: Pending }[] = [];
    for (const [key, periods] of pending) {
      if (loaded.get(key) !== true || (only !== undefined && key !== only)) continue;
      for (const [start, p] of periods) taken.push({ key, start, p });
      pending.delete(key);
    }
    return taken;
  }

  async function write(only?: string): Promise<void> {
    const taken = takePending(only);
    const nowMs = clock.now().getTime();
    const now = new Date(nowMs).toISOString();
    if (taken.length > 0) {
      try {
        await repo.addToQuotaCounters(
          taken.map(({ key, p }) => ({ counterKey: key, periodStart: iso(p.window.start), periodEnd: p.window.end === Infinity ? null : iso(p.window.end), calls: p.calls, kilobytes: p.kilobytes })),
          now,
        );
      } catch (error) {
        // Kept for the next write: nothing counted is dropped because the database was away.
        for (const { key, p } of taken) count(key, p.window, p.calls, p.kilobytes);
        throw error;
      }
      options.onFlush?.(taken.length);
    }
    if (nowMs - lastPrune >= PRUNE_EVERY_MS) {
      lastPrune = nowMs;
      await repo.deleteEndedQuotaCounters(now);
    }
  }

  function flush(): Promise<void> {
    return serialize(() => write()).catch((error: unknown) => {
      options.logger.warn({ err: error }, 'quota counters could not be written to the database; retrying at the next flush');
    });
  }

  function periodsOf(rows: QuotaCounterRow[]): QuotaPeriod[] {
    const now = clock.now().getTime();
    return rows
      .map((row) => ({ counterKey: row.counterKey, window: windowOf(row), calls: row.calls, kilobytes: row.kilobytes }))
      .filter((p) => p.window.end > now);
  }

  return {
    takeRate: (key, limit, periodSeconds, count, now) => inner.takeRate(key, limit, periodSeconds, count, now),
    peekRate: (key, limit, periodSeconds, now) => inner.peekRate(key, limit, periodSeconds, now),
    addRate: (key, periodSeconds, count, now) => inner.addRate(key, periodSeconds, count, now),

    takeQuota(key, window, limit, calls, now) {
      if (loaded.get(key) === true) return decide(key, window, inner.takeQuota(key, window, limit, calls, now), calls);
      // After a failed read, the key's next call tries again.
      return loadForDecision(key).then(() => decide(key, window, inner.takeQuota(key, window, limit, calls, now), calls));
    },

    addQuota(key, window, calls, kilobytes) {
      inner.addQuota(key, window, calls, kilobytes);
      count(key, window, calls, kilobytes);
      if (loaded.get(key) !== true) load(key).catch((error: unknown) => readFailed(error, key));
    },

    async quotaPeriods(counterKey) {
      await load(counterKey);
      return serialize(async () => {
        await write(counterKey);
        return periodsOf(await repo.listQuotaCounters(counterKey));
      });
    },

    async setQuota(counterKey, values, windowStart) {
      await load(counterKey);
      return serialize(async () => {
        await write(counterKey);
        const rows = await repo.setQuotaCounters(counterKey, values, clock.now().toISOString(), windowStart === undefined ? undefined : iso(windowStart));
        await inner.setQuota(counterKey, values, windowStart);
        // Counted after the write above but before the inner counters were set: the set values replace them.
        const periods = pending.get(counterKey);
        if (windowStart === undefined) pending.delete(counterKey);
        else periods?.delete(windowStart);
        return periodsOf(rows);
      });
    },

    flush,

    async close() {
      clearInterval(timer);
      await flush();
      await inner.close();
    },
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function windowOf(row: QuotaCounterRow): QuotaWindow {
  return { start: Date.parse(row.periodStart), end: row.periodEnd === null ? Infinity : Date.parse(row.periodEnd) };
}
