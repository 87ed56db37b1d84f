/**
 * The counters behind rate limits and quotas. One implementation per deployment: in the gateway
 * process (one node), or in Redis (several nodes share every counter). A method answers at once
 * (a value) when it can, or with a promise when it must ask another process: the one-node hot path
 * then costs no promise.
 */

export type MaybePromise<T> = T | Promise<T>;

export interface RateDecision {
  allowed: boolean;
  /** Calls left in the window after this one (0 when refused). */
  remaining: number;
  /** The limit, for `total-calls-header-name`. */
  limit: number;
  /** When refused: whole seconds until a call would be let through again (at least 1). */
  retryAfterSeconds: number;
  /** The counters could not be reached: the decision is the configured fallback (let through, or refuse: 503). */
  unavailable?: true;
}

export interface QuotaWindow {
  /** Epoch ms the current fixed window started at. */
  start: number;
  /** Epoch ms it ends at; Infinity for a quota that never renews. */
  end: number;
}

export interface QuotaDecision {
  allowed: boolean;
  /** Calls left in the window (Infinity when only bandwidth is limited). */
  remainingCalls: number;
  /** When refused: milliseconds until the window renews (Infinity: never). */
  retryAfterMs: number;
  /** The counters could not be reached: the decision is the configured fallback (let through, or refuse: 503). */
  unavailable?: true;
}

export interface QuotaLimit {
  calls?: number;
  kilobytes?: number;
}

/** One quota counter period, as `/quotas/{counterKey}` shows it. */
export interface QuotaPeriod {
  counterKey: string;
  window: QuotaWindow;
  calls: number;
  kilobytes: number;
}

export interface Counters {
  /**
   * Sliding window of `periodSeconds`: if fewer than `limit` calls were counted on `key`, counts
   * `count` more and lets the call through; else refuses and counts nothing.
   */
  takeRate(key: string, limit: number, periodSeconds: number, count: number, now: number): MaybePromise<RateDecision>;
  /** Whether a call would be let through, counting nothing (rate limits with an increment-condition). */
  peekRate(key: string, limit: number, periodSeconds: number, now: number): MaybePromise<RateDecision>;
  /** Counts `count` calls once the condition held on the response. Never throws; failures are logged. */
  addRate(key: string, periodSeconds: number, count: number, now: number): void;

  /** Within the window: refuses once calls or kilobytes reached the limit; else counts `calls`. */
  takeQuota(key: string, window: QuotaWindow, limit: QuotaLimit, calls: number, now: number): MaybePromise<QuotaDecision>;
  /** Adds what the call transferred, once its size is known. Never throws. */
  addQuota(key: string, window: QuotaWindow, calls: number, kilobytes: number): void;

  /** The periods held for a counter key (the management API's /quotas). */
  quotaPeriods(counterKey: string): Promise<QuotaPeriod[]>;
  /** Sets a period's values (PATCH /quotas/...): all periods of the key, or the one starting at `windowStart`. */
  setQuota(counterKey: string, values: { calls?: number; kilobytes?: number }, windowStart?: number): Promise<QuotaPeriod[]>;

  /** Writes what is still buffered and lets go of connections. */
  close(): Promise<void>;
}
