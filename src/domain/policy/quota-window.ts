/**
 * Which fixed quota window holds a moment: windows of `periodSeconds` counted from `start` (the
 * subscription's start for `quota`, `first-period-start` for `quota-by-key`). One rule for the
 * gateway, which counts in the window, and the portal, which says how much of it is left.
 */
export interface FixedWindow {
  /** Epoch ms. */
  start: number;
  /** Epoch ms; Infinity when the quota never renews (a period of 0). */
  end: number;
}

export function windowAt(start: number, periodSeconds: number, now: number): FixedWindow {
  if (periodSeconds <= 0) return { start, end: Infinity };
  const length = periodSeconds * 1000;
  const index = Math.max(0, Math.floor((now - start) / length));
  return { start: start + index * length, end: start + (index + 1) * length };
}
