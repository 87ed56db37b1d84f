/**
 * The latency histogram every traffic bucket keeps (total time of a call, milliseconds): fixed
 * upper bounds, so buckets of any node and any minute add up, and percentiles can be estimated
 * from the sums. Resolution: a percentile is exact to within its bucket (interpolated linearly
 * inside it); past the last bound it is reported as that bucket's largest value seen.
 */

/** Upper bounds (ms, inclusive) of the buckets; one more bucket holds everything above the last. */
export const LATENCY_BOUNDS_MS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000] as const;
/** Buckets a histogram holds: one per bound and one above them. */
export const LATENCY_BUCKETS = LATENCY_BOUNDS_MS.length + 1;

export function latencyBucket(ms: number): number {
  for (let i = 0; i < LATENCY_BOUNDS_MS.length; i++) if (ms <= LATENCY_BOUNDS_MS[i]!) return i;
  return LATENCY_BOUNDS_MS.length;
}

/**
 * The q-quantile (0 < q <= 1) of a histogram, in ms; undefined for an empty one. `maxMs` is the
 * largest value seen (it bounds the last bucket and the estimate).
 */
export function latencyQuantile(counts: ArrayLike<number>, q: number, maxMs: number): number | undefined {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  if (total === 0) return undefined;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (c === 0) continue;
    if (seen + c >= rank) {
      const lower = i === 0 ? 0 : LATENCY_BOUNDS_MS[i - 1]!;
      const upper = i < LATENCY_BOUNDS_MS.length ? Math.min(LATENCY_BOUNDS_MS[i]!, maxMs) : maxMs;
      const within = (rank - seen) / c;
      return Math.max(lower, Math.min(upper, lower + (upper - lower) * within));
    }
    seen += c;
  }
  return maxMs;
}
