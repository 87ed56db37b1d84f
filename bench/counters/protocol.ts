/**
 * What the counters benchmark (run.ts) and its node processes (node.ts) tell each other over IPC.
 */

/**
 * `script`: one Lua script per decision, nothing remembered (the baseline); `tollgate`: the same
 * with refusals remembered in the process (what createRedisCounters does by default);
 * `sub-windows`: Tollgate's counting of limits above `exactUpTo`, here for every limit, for its
 * error; `sync-rate`: local counting synchronised with Redis every --sync-ms (Kong's sync_rate),
 * for its error.
 */
export const ALGORITHMS = ['script', 'tollgate', 'sub-windows', 'sync-rate'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

export interface Setup {
  algorithm: Algorithm;
  redisUrl: string;
  keyPrefix: string;
  syncMs: number;
}

/** One policy as the test has it: rate-limit-by-key, then a quota, on one counter key. */
export interface Policy {
  key: string;
  rateCalls: number;
  periodSeconds: number;
  quotaCalls: number;
  quotaWindow: { start: number; end: number };
}

/** A call: its place in the round-robin sequence and its time (undefined: the node's clock when it is decided). */
export interface Call {
  i: number;
  now?: number;
}

export type Throughput = 'admitted' | 'refused';

export type ToNode =
  | { type: 'setup'; setup: Setup }
  | { type: 'calls'; id: number; policy: Policy; calls: Call[]; concurrency: number }
  | { type: 'throughput'; id: number; mode: Throughput; decisions: number; concurrency: number; node: number }
  | { type: 'stop' };

export type FromNode =
  | { type: 'ready' }
  | { type: 'error'; error: string }
  /** The calls the rate limit let through, and those the quota let through of them. */
  | { type: 'calls'; id: number; rateThrough: number[]; letThrough: number[] }
  | { type: 'throughput'; id: number; cpuUs: number; wallMs: number; decisions: number; unavailable: number };
