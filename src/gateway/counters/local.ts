/**
 * Counters in the gateway process (one node): every answer is immediate, so the hot path of a
 * limited call costs no promise.
 *
 * Rate limits up to EXACT_UP_TO calls are exact sliding windows: each key keeps a ring of the
 * times of its most recent calls, at most as many as the largest limit it was judged by (grown as
 * calls come, so a key costs what it holds). A call is let through when the `limit`-th most recent
 * call has left the window (fewer than `limit` calls in it); that same call's time says when the
 * next one may come. Larger limits count in BUCKETS sub-windows of the period: the sub-window the
 * window's start falls in counts whole, so such a limit may refuse up to one sub-window's calls
 * early, never let through more than the limit, and a key costs a fixed few hundred bytes.
 *
 * Memory is bounded by evicting keys whose newest call has left their window, a few keys per call
 * (an incremental sweep), so an idle key costs nothing for long.
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
  /** How many times it keeps at most: the largest limit it was judged by. */
  capacity: number;
  /** The longest window this key was judged by (ms): past it after the newest call, the key is idle. */
  periodMs: number;
  newest: number;
}

/** A large limit's counter: calls per sub-window, a ring of BUCKETS + 1 slots (the window spans that many at most). */
interface RateBuckets {
  counts: Float64Array;
  /** The sub-window number each slot holds now (NaN: none). */
  marks: Float64Array;
  bucketMs: number;
  periodMs: number;
  newest: number;
}

/** Limits up to this are counted exactly (as in Redis, see redis.ts' exactUpTo default). */
export const EXACT_UP_TO = 1000;
const BUCKETS = 60;
const FIRST_RING = 8;

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
  const buckets = new Map<string, RateBuckets>();
  const quotas = new Map<string, QuotaCell[]>();
  const sweepLogs = sweeper(rates, (log, now) => log.newest + log.periodMs <= now);
  const sweepBuckets = sweeper(buckets, (b, now) => b.newest + b.periodMs <= now);
  const sweepRates = (now: number) => {
    sweepLogs(now);
    sweepBuckets(now);
  };
  const sweepQuotas = sweeper(quotas, (cells, now) => cells.every((c) => c.window.end <= now));

  /** The log of `key`, able to keep at least `limit` times. */
  function logOf(key: string, limit: number, periodMs: number, now: number): RateLog {
    let log = rates.get(key);
    if (!log) {
      // Made at `now` (by a peek, perhaps): kept a window long for the addRate that may follow.
      log = { times: new Float64Array(Math.min(FIRST_RING, Math.max(1, limit))), head: 0, size: 0, capacity: Math.max(1, limit), periodMs, newest: now };
      rates.set(key, log);
      return log;
    }
    if (periodMs > log.periodMs) log.periodMs = periodMs;
    if (limit > log.capacity) log.capacity = limit;
    return log;
  }

  /** Makes room for one more time when the ring is full but may hold more. */
  function grow(log: RateLog): void {
    const { times, head, size } = log;
    if (size < times.length || times.length >= log.capacity) return;
    const grown = new Float64Array(Math.min(log.capacity, times.length * 2));
    // Unrolled oldest first.
    for (let i = 0; i < size; i++) grown[i] = times[(head - size + i + times.length * 2) % times.length]!;
    log.times = grown;
    log.head = size;
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
    for (let i = 0; i < count; i++) {
      grow(log);
      log.times[log.head] = now;
      log.head = (log.head + 1) % log.times.length;
      if (log.size < log.times.length) log.size++;
    }
    if (now > log.newest) log.newest = now;
  }

  const refusedFor = (limit: number, ms: number): RateDecision => ({ allowed: false, remaining: 0, limit, retryAfterSeconds: Math.max(1, Math.ceil(ms / 1000)) });
  // A peek answers for the call about to be made, as if it counted one.
  const allowedWith = (limit: number, counted: number, added: number): RateDecision => ({ allowed: true, remaining: Math.max(0, limit - counted - added), limit, retryAfterSeconds: 0 });

  function judge(log: RateLog, limit: number, periodMs: number, count: number, now: number, take: boolean): RateDecision {
    const since = now - periodMs;
    const limitth = recent(log, limit);
    if (limitth > since) return refusedFor(limit, limitth + periodMs - now);
    const counted = inWindow(log, since, limit);
    if (take) push(log, count, now);
    return allowedWith(limit, counted, take ? count : 1);
  }

  function bucketsOf(key: string, periodMs: number, now: number): RateBuckets {
    let b = buckets.get(key);
    if (!b) {
      b = { counts: new Float64Array(BUCKETS + 1), marks: new Float64Array(BUCKETS + 1).fill(NaN), bucketMs: periodMs / BUCKETS, periodMs, newest: now };
      buckets.set(key, b);
    }
    return b;
  }

  function addToBucket(b: RateBuckets, count: number, now: number): void {
    const mark = Math.floor(now / b.bucketMs);
    const slot = mark % b.counts.length;
    if (b.marks[slot] !== mark) {
      b.marks[slot] = mark;
      b.counts[slot] = 0;
    }
    b.counts[slot]! += count;
    if (now > b.newest) b.newest = now;
  }

  function judgeBuckets(b: RateBuckets, limit: number, periodMs: number, count: number, now: number, take: boolean): RateDecision {
    const first = Math.floor((now - periodMs) / b.bucketMs);
    const last = Math.floor(now / b.bucketMs);
    const held = (mark: number) => (b.marks[mark % b.counts.length] === mark ? b.counts[mark % b.counts.length]! : 0);
    let sum = 0;
    for (let m = first; m <= last; m++) sum += held(m);
    if (sum >= limit) {
      // The sub-window whose leaving brings the count under the limit says when.
      let left = sum;
      for (let m = first; m <= last; m++) {
        left -= held(m);
        if (left < limit) return refusedFor(limit, (m + 1) * b.bucketMs + periodMs - now);
      }
    }
    if (take) addToBucket(b, count, now);
    return allowedWith(limit, sum, take ? count : 1);
  }

  /** The counter of `key` for `limit`: an exact log, or sub-windows for a large limit. */
  function rate(key: string, limit: number, periodSeconds: number, count: number, now: number, take: boolean): RateDecision {
    sweepRates(now);
    const periodMs = periodSeconds * 1000;
    if (limit <= 0) return refusedFor(limit, periodMs);
    if (limit > EXACT_UP_TO) return judgeBuckets(bucketsOf(key, periodMs, now), limit, periodMs, count, now, take);
    return judge(logOf(key, limit, periodMs, now), limit, periodMs, count, now, take);
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
    takeRate: (key, limit, periodSeconds, count, now) => rate(key, limit, periodSeconds, count, now, true),
    // The counter is made here, sized by the limit, so that the addRate calls after it keep enough times.
    peekRate: (key, limit, periodSeconds, now) => rate(key, limit, periodSeconds, 0, now, false),
    addRate(key, periodSeconds, count, now) {
      sweepRates(now);
      // Where a peek made it: a large limit's sub-windows, or the log (made now for a count alone).
      const b = buckets.get(key);
      if (b) addToBucket(b, count, now);
      else push(logOf(key, count, periodSeconds * 1000, now), count, now);
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

    size: () => ({ rate: rates.size + buckets.size, quota: quotas.size }),
    close: () => Promise.resolve(),
  };
}
