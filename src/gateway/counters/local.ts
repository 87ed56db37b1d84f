/**
 * Counters in the gateway process (one node): every answer is immediate, so the hot path of a
 * limited call costs no promise.
 *
 * Rate limits are exact sliding windows: each key keeps a ring of the times of its most recent
 * calls, as many as the largest limit it was judged by. A call is let through when the `limit`-th
 * most recent call has left the window (fewer than `limit` calls in it); that same call's time
 * says when the next one may come. Memory is bounded by evicting keys whose newest call has left
 * their window, a few keys per call (an incremental sweep), so an idle key costs nothing for long.
 *
 * Quotas are fixed windows given by the caller, one small record per key and window; a key's
 * ended windows go when a later window of it is counted, and the sweep drops keys whose windows
 * have all ended.
 */
import type { Counters, QuotaDecision, QuotaLimit, QuotaPeriod, QuotaWindow, RateDecision } from './types.js';

interface RateLog {
  /** Call times (epoch ms), a ring: `head` is where the next goes, `size` how many it holds. */
  times: Float64Array;
  head: number;
  size: number;
  /** The longest window this key was judged by (ms): past it after the newest call, the key is idle. */
  periodMs: number;
  newest: number;
}

interface QuotaCell {
  window: QuotaWindow;
  calls: number;
  kilobytes: number;
}

/** Keys looked at by the sweep per call: enough that the sweep outpaces any rate of new keys. */
const SWEEP_STEP = 2;

/** The port with its answers as they are here: never a promise. */
export interface LocalCounters extends Counters {
  takeRate(key: string, limit: number, periodSeconds: number, count: number, now: number): RateDecision;
  peekRate(key: string, limit: number, periodSeconds: number, now: number): RateDecision;
  takeQuota(key: string, window: QuotaWindow, limit: QuotaLimit, calls: number, now: number): QuotaDecision;
  /** Rate-limit and quota keys held (tests of the eviction). */
  size(): { rate: number; quota: number };
}

/**
 * Drops the entries of `map` that `idle` says are over, SWEEP_STEP of them per call, going round
 * the map (a Map's iterator sees entries added after it was made, and survives deletions).
 */
function sweeper<V>(map: Map<string, V>, idle: (v: V, now: number) => boolean): (now: number) => void {
  let cursor: Iterator<[string, V]> | undefined;
  return (now) => {
    for (let i = 0; i < SWEEP_STEP; i++) {
      cursor ??= map.entries();
      const next = cursor.next();
      if (next.done) {
        cursor = undefined;
        return;
      }
      if (idle(next.value[1], now)) map.delete(next.value[0]);
    }
  };
}

export function createLocalCounters(): LocalCounters {
  const rates = new Map<string, RateLog>();
  const quotas = new Map<string, QuotaCell[]>();
  const sweepRates = sweeper(rates, (log, now) => log.newest + log.periodMs <= now);
  const sweepQuotas = sweeper(quotas, (cells, now) => cells.every((c) => c.window.end <= now));

  /** The log of `key`, able to hold at least `limit` times. */
  function logOf(key: string, limit: number, periodMs: number, now: number): RateLog {
    let log = rates.get(key);
    if (!log) {
      // Made at `now` (by a peek, perhaps): kept a window long for the addRate that may follow.
      log = { times: new Float64Array(Math.max(1, limit)), head: 0, size: 0, periodMs, newest: now };
      rates.set(key, log);
      return log;
    }
    if (periodMs > log.periodMs) log.periodMs = periodMs;
    if (log.times.length < limit) {
      // Unroll the ring oldest first into a larger one.
      const grown = new Float64Array(limit);
      const { times, head, size } = log;
      for (let i = 0; i < size; i++) grown[i] = times[(head - size + i + times.length) % times.length]!;
      log.times = grown;
      log.head = size % limit;
    }
    return log;
  }

  /** The n-th most recent call time (1 = newest), or -Infinity when the log holds fewer. */
  function recent(log: RateLog, n: number): number {
    if (n > log.size) return -Infinity;
    const cap = log.times.length;
    return log.times[(log.head - n + cap * 2) % cap]!;
  }

  /** Calls within the window ending at `now`, counting no further than `upTo`. */
  function inWindow(log: RateLog, since: number, upTo: number): number {
    let n = 0;
    while (n < upTo && n < log.size && recent(log, n + 1) > since) n++;
    return n;
  }

  function push(log: RateLog, count: number, now: number): void {
    const cap = log.times.length;
    for (let i = 0; i < count; i++) {
      log.times[log.head] = now;
      log.head = (log.head + 1) % cap;
      if (log.size < cap) log.size++;
    }
    if (now > log.newest) log.newest = now;
  }

  function judge(log: RateLog, limit: number, periodMs: number, count: number, now: number, take: boolean): RateDecision {
    if (limit <= 0) return { allowed: false, remaining: 0, limit, retryAfterSeconds: Math.max(1, Math.ceil(periodMs / 1000)) };
    const since = now - periodMs;
    const limitth = recent(log, limit);
    if (limitth > since) {
      return { allowed: false, remaining: 0, limit, retryAfterSeconds: Math.max(1, Math.ceil((limitth + periodMs - now) / 1000)) };
    }
    const counted = inWindow(log, since, limit);
    if (take) push(log, count, now);
    // A peek answers for the call about to be made, as if it counted one.
    return { allowed: true, remaining: Math.max(0, limit - counted - (take ? count : 1)), limit, retryAfterSeconds: 0 };
  }

  function cellsOf(key: string): QuotaCell[] {
    let cells = quotas.get(key);
    if (!cells) quotas.set(key, (cells = []));
    return cells;
  }

  /** The cell of `window`, made (and the key's ended windows dropped) when it is new. */
  function cellOf(key: string, window: QuotaWindow, now: number): QuotaCell {
    const cells = cellsOf(key);
    for (const c of cells) if (c.window.start === window.start && c.window.end === window.end) return c;
    for (let i = cells.length - 1; i >= 0; i--) if (cells[i]!.window.end <= now) cells.splice(i, 1);
    const cell = { window: { start: window.start, end: window.end }, calls: 0, kilobytes: 0 };
    cells.push(cell);
    cells.sort((a, b) => a.window.start - b.window.start || a.window.end - b.window.end);
    return cell;
  }

  function quotaDecision(cell: QuotaCell, limit: QuotaLimit, calls: number, now: number): QuotaDecision {
    const overCalls = limit.calls !== undefined && cell.calls >= limit.calls;
    const overKb = limit.kilobytes !== undefined && cell.kilobytes >= limit.kilobytes;
    if (overCalls || overKb) {
      return {
        allowed: false,
        remainingCalls: limit.calls === undefined ? Infinity : 0,
        retryAfterMs: cell.window.end === Infinity ? Infinity : Math.max(0, cell.window.end - now),
      };
    }
    cell.calls += calls;
    return { allowed: true, remainingCalls: limit.calls === undefined ? Infinity : Math.max(0, limit.calls - cell.calls), retryAfterMs: 0 };
  }

  const period = (p: QuotaCell): QuotaPeriod => ({ counterKey: '', window: { ...p.window }, calls: p.calls, kilobytes: p.kilobytes });

  return {
    takeRate(key, limit, periodSeconds, count, now) {
      sweepRates(now);
      const periodMs = periodSeconds * 1000;
      return judge(logOf(key, limit, periodMs, now), limit, periodMs, count, now, true);
    },
    peekRate(key, limit, periodSeconds, now) {
      sweepRates(now);
      const periodMs = periodSeconds * 1000;
      // The log is made here, sized by the limit, so that the addRate calls after it keep enough times.
      return judge(logOf(key, limit, periodMs, now), limit, periodMs, 0, now, false);
    },
    addRate(key, periodSeconds, count, now) {
      sweepRates(now);
      push(logOf(key, rates.get(key)?.times.length ?? count, periodSeconds * 1000, now), count, now);
    },

    takeQuota(key, window, limit, calls, now) {
      sweepQuotas(now);
      return quotaDecision(cellOf(key, window, now), limit, calls, now);
    },
    addQuota(key, window, calls, kilobytes) {
      // No `now` here: a window is new only when its key had none like it, so nothing ended is dropped.
      const cell = cellOf(key, window, -Infinity);
      cell.calls += calls;
      cell.kilobytes += kilobytes;
    },

    quotaPeriods(counterKey) {
      return Promise.resolve((quotas.get(counterKey) ?? []).map((c) => ({ ...period(c), counterKey })));
    },
    setQuota(counterKey, values, windowStart) {
      const cells = (quotas.get(counterKey) ?? []).filter((c) => windowStart === undefined || c.window.start === windowStart);
      for (const c of cells) {
        if (values.calls !== undefined) c.calls = values.calls;
        if (values.kilobytes !== undefined) c.kilobytes = values.kilobytes;
      }
      return Promise.resolve(cells.map((c) => ({ ...period(c), counterKey })));
    },

    size: () => ({ rate: rates.size, quota: quotas.size }),
    close: () => Promise.resolve(),
  };
}
