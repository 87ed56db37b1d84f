/**
 * Counters in Redis, shared by every gateway node (REDIS_URL). Each decision is one atomic Lua
 * script (redis-scripts.ts) sent with EVALSHA; concurrent decisions share round trips (ioredis
 * auto-pipelining). Rate limits up to `exactUpTo` calls are an exact sliding log; above it, a
 * sliding window of `subBuckets` sub-windows bounds the memory (docs/limits.md gives the error it
 * allows). Quotas are fixed windows, one hash per window, expiring when the window ends. A refusal
 * is remembered in the process until Redis said it ends (redis-refusals.ts), so a client over its
 * limit costs no round trip and gets its answer synchronously.
 *
 * While Redis cannot be reached (redis-link.ts) a decision is the fallback at once: let through
 * (`allow`, Kong's and Envoy's default) or refused (`refuse`: the gateway answers 503); both carry
 * `unavailable: true`.
 */
import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../../domain/clock.js';
import type { GatewayLogger } from '../types.js';
import type { Counters, QuotaDecision, QuotaLimit, QuotaPeriod, QuotaWindow, RateDecision } from './types.js';
import { RedisLink } from './redis-link.js';
import { BoundedMap, Refusals } from './redis-refusals.js';

export interface RedisCountersOptions {
  /** redis:// or rediss:// (REDIS_URL). */
  url: string;
  /** What a decision is while Redis cannot be reached (REDIS_UNAVAILABLE; default allow). */
  onUnavailable?: 'allow' | 'refuse';
  logger: GatewayLogger;
  /** Put before every key this instance writes (tests; several deployments on one Redis). Default `tollgate:`. */
  keyPrefix?: string;
  /** For the warnings' pace only; decisions use the `now` they are given. */
  clock?: Clock;
  /** How long a command may go unanswered before it fails and the connection is dropped (default 200 ms). */
  commandTimeoutMs?: number;
  /** How long connecting may take (default 1000 ms). */
  connectTimeoutMs?: number;
  /** The longest pause between reconnection attempts (default 1000 ms). */
  retryDelayMaxMs?: number;
  /** At most one "unavailable" warning per this many ms (default 10000). */
  warnEveryMs?: number;
  /** Rate limits up to this many calls are counted exactly (a sliding log); above, by sub-windows (default 1000). */
  exactUpTo?: number;
  /** Sub-windows of a large rate limit's period (default 60). */
  subBuckets?: number;
  /** Remember refusals in the process (default true; false: every decision asks Redis, as the benchmark's baseline). */
  rememberRefusals?: boolean;
  /** How long another node's setQuota may take to lift a quota refusal remembered here (default 1000 ms). */
  quotaRefusalMs?: number;
  /** Bound on the refusals and rate-limit sizes kept in the process (default 100000 each). */
  maxLocalEntries?: number;
}

export interface RedisCounters extends Counters {
  /** Whether Redis answers now (decisions are the fallback while it does not). */
  available(): boolean;
  /** Resolves true once connected, false if not within `timeoutMs` (a gateway may wait for this before it listens). */
  waitUntilAvailable(timeoutMs: number): Promise<boolean>;
}

const DEFAULTS = {
  keyPrefix: 'tollgate:',
  onUnavailable: 'allow',
  commandTimeoutMs: 200,
  connectTimeoutMs: 1000,
  retryDelayMaxMs: 1000,
  warnEveryMs: 10_000,
  exactUpTo: 1000,
  subBuckets: 60,
  quotaRefusalMs: 1000,
  maxLocalEntries: 100_000,
} as const;

/**
 * How far apart the nodes' clocks (and the order calls reach Redis in) may be without a call
 * seeing its window emptied early: what stopped counting is dropped this much later.
 */
export const CLOCK_SKEW_MS = 5000;

type RateReply = [allowed: number, counted: number, until?: number];
type QuotaReply = [allowed: number, calls: number, kilobytes: string];

export function createRedisCounters(options: RedisCountersOptions): RedisCounters {
  const o = { ...DEFAULTS, clock: systemClock, rememberRefusals: true, ...definedOnly(options) };
  const link = new RedisLink({ ...o, url: options.url, logger: options.logger });
  const redis = link.client;
  const refusals = new Refusals({ maxEntries: o.maxLocalEntries, quotaRefusalMs: o.quotaRefusalMs });
  /** The limit last used with each rate key here, so addRate (given none) counts the way the limit is judged. */
  const limits = new BoundedMap<string, number>(o.maxLocalEntries);
  const memberPrefix = randomBytes(6).toString('base64url');
  let sequence = 0;

  const allow = o.onUnavailable === 'allow';
  const logKey = (rateKey: string) => `${o.keyPrefix}rl:${rateKey}`;
  const bucketKey = (rateKey: string) => `${o.keyPrefix}rb:${rateKey}`;
  const periodPrefix = (counterKey: string) => `${o.keyPrefix}q:${counterKey}:`;
  const indexKey = (counterKey: string) => `${o.keyPrefix}qi:${counterKey}`;

  const rateFallback = (limit: number, count: number): RateDecision =>
    allow
      ? { allowed: true, remaining: Math.max(0, limit - count), limit, retryAfterSeconds: 0, unavailable: true }
      : { allowed: false, remaining: 0, limit, retryAfterSeconds: 1, unavailable: true };
  const quotaFallback = (limit: QuotaLimit): QuotaDecision =>
    allow
      ? { allowed: true, remainingCalls: limit.calls ?? Infinity, retryAfterMs: 0, unavailable: true }
      : { allowed: false, remainingCalls: 0, retryAfterMs: 1000, unavailable: true };
  const refusedRate = (limit: number, until: number, now: number): RateDecision => ({
    allowed: false,
    remaining: 0,
    limit,
    retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)),
  });
  const refusedQuota = (limit: QuotaLimit, window: QuotaWindow, now: number): QuotaDecision => ({
    allowed: false,
    remainingCalls: limit.calls === undefined ? Infinity : 0,
    retryAfterMs: window.end === Infinity ? Infinity : Math.max(0, window.end - now),
  });

  /** Runs a rate script: the log or the buckets, as the limit asks. */
  function rateScript(op: 'take' | 'peek' | 'add', rateKey: string, limit: number, count: number, periodMs: number, now: number): Promise<RateReply> {
    if (limit > o.exactUpTo) {
      return redis.tollgateRateBuckets(bucketKey(rateKey), op, now, periodMs, limit, count, o.subBuckets, CLOCK_SKEW_MS) as Promise<RateReply>;
    }
    // A batch of `count` at one instant blocks the window exactly as long as `limit` members would.
    const members = Math.min(count, limit);
    return redis.tollgateRateLog(logKey(rateKey), op, now, periodMs, limit, members, `${memberPrefix}${(sequence++).toString(36)}`, CLOCK_SKEW_MS) as Promise<RateReply>;
  }

  function decideRate(op: 'take' | 'peek', key: string, limit: number, periodSeconds: number, count: number, now: number): RateDecision | Promise<RateDecision> {
    const periodMs = periodSeconds * 1000;
    const rateKey = `${periodMs}:${key}`;
    limits.set(rateKey, limit);
    if (limit <= 0) return refusedRate(limit, now + periodMs, now);
    const until = o.rememberRefusals ? refusals.rate(limit, rateKey, now) : undefined;
    if (until !== undefined) return refusedRate(limit, until, now);
    if (!link.ready()) {
      link.fellBack();
      return rateFallback(limit, count);
    }
    return rateScript(op, rateKey, limit, count, periodMs, now).then(
      ([allowed, counted, refusedUntil]): RateDecision => {
        if (allowed === 1) return { allowed: true, remaining: Math.max(0, limit - counted - count), limit, retryAfterSeconds: 0 };
        if (o.rememberRefusals) refusals.refuseRate(limit, rateKey, refusedUntil!);
        return refusedRate(limit, refusedUntil!, now);
      },
      (error: Error) => {
        link.failed(error);
        return rateFallback(limit, count);
      },
    );
  }

  function send(command: Promise<unknown>): void {
    command.catch((error: Error) => link.failed(error));
  }

  function toPeriods(counterKey: string, flat: string[]): QuotaPeriod[] {
    const periods: QuotaPeriod[] = [];
    for (let i = 0; i + 3 < flat.length; i += 4) {
      periods.push({
        counterKey,
        window: { start: Number(flat[i]), end: flat[i + 1] === 'inf' ? Infinity : Number(flat[i + 1]) },
        calls: Number(flat[i + 2]),
        kilobytes: Number(flat[i + 3]),
      });
    }
    return periods.sort((a, b) => a.window.start - b.window.start);
  }

  /** The management API's reads and writes: they fail loudly rather than fall back. */
  function manage<T>(run: () => Promise<T>): Promise<T> {
    if (!link.ready()) return Promise.reject(new Error('Redis is not reachable: quota counters cannot be read or set now'));
    return run();
  }

  return {
    takeRate: (key, limit, periodSeconds, count, now) => decideRate('take', key, limit, periodSeconds, count, now),
    peekRate: (key, limit, periodSeconds, now) => decideRate('peek', key, limit, periodSeconds, 1, now),

    addRate(key, periodSeconds, count, now) {
      const periodMs = periodSeconds * 1000;
      const rateKey = `${periodMs}:${key}`;
      if (count <= 0) return;
      if (!link.ready()) return link.fellBack();
      send(rateScript('add', rateKey, limits.get(rateKey) ?? count, count, periodMs, now));
    },

    takeQuota(key, window, limit, calls, now) {
      if (o.rememberRefusals && refusals.quota(key, window.start, limit.calls, limit.kilobytes, now)) return refusedQuota(limit, window, now);
      if (!link.ready()) {
        link.fellBack();
        return quotaFallback(limit);
      }
      const end = window.end === Infinity ? 'inf' : window.end;
      const reply = redis.tollgateQuota(periodPrefix(key) + window.start, indexKey(key), 'take', window.start, end, limit.calls ?? '', limit.kilobytes ?? '', calls, 0, now) as Promise<QuotaReply>;
      return reply.then(
        ([allowed, counted]): QuotaDecision => {
          if (allowed === 1) return { allowed: true, remainingCalls: limit.calls === undefined ? Infinity : Math.max(0, limit.calls - counted), retryAfterMs: 0 };
          if (o.rememberRefusals) refusals.refuseQuota(key, window.start, limit.calls, limit.kilobytes, window.end, now);
          return refusedQuota(limit, window, now);
        },
        (error: Error) => {
          link.failed(error);
          return quotaFallback(limit);
        },
      );
    },

    addQuota(key, window, calls, kilobytes) {
      if (calls === 0 && kilobytes === 0) return;
      if (!link.ready()) return link.fellBack();
      const now = o.clock.now().getTime();
      const end = window.end === Infinity ? 'inf' : window.end;
      send(redis.tollgateQuota(periodPrefix(key) + window.start, indexKey(key), 'add', window.start, end, '', '', calls, kilobytes, now));
    },

    quotaPeriods: (counterKey) =>
      manage(async () => toPeriods(counterKey, (await redis.tollgateQuotaPeriods(indexKey(counterKey), periodPrefix(counterKey))) as string[])),

    setQuota: (counterKey, values, windowStart) =>
      manage(async () => {
        const flat = (await redis.tollgateQuotaSet(
          indexKey(counterKey),
          periodPrefix(counterKey),
          values.calls ?? '',
          values.kilobytes ?? '',
          windowStart ?? '',
        )) as string[];
        refusals.forgetQuota(counterKey);
        return toPeriods(counterKey, flat);
      }),

    close: () => link.close(),
    available: () => link.ready(),
    waitUntilAvailable: (timeoutMs) => link.waitUntilReady(timeoutMs),
  };
}

/** The options the caller set, so `undefined` never overrides a default. */
function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
