/**
 * Recorded traffic is kept at three resolutions: per minute, and rolled up per hour and per UTC
 * day (written by the same flush). A read over a long range is served by the coarsest resolution
 * that answers it exactly: its bounds and its step must fall on that resolution's boundaries.
 * A month of a busy subscription is 43,200 minute rows but 30 day rows.
 */
export type TrafficResolution = 'minute' | 'hour' | 'day';

export const RESOLUTION_MS: Readonly<Record<TrafficResolution, number>> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** Coarsest first. */
const COARSEST_FIRST: readonly TrafficResolution[] = ['day', 'hour', 'minute'];

/** The start of the period of `resolution` that holds `at` (epoch ms; days start at UTC midnight). */
export function periodStart(at: number, resolution: TrafficResolution): number {
  const ms = RESOLUTION_MS[resolution];
  return at - (((at % ms) + ms) % ms);
}

/**
 * A range of bucket starts [from, to) (epoch ms, whole minutes; `to` undefined: open) and a step
 * (ms, undefined: none) are answered exactly by the coarsest resolution all of them are multiples of.
 */
export function coarsestResolution(from: number, to: number | undefined, stepMs: number | undefined): TrafficResolution {
  for (const r of COARSEST_FIRST) {
    const ms = RESOLUTION_MS[r];
    const fits = (v: number | undefined) => v === undefined || v % ms === 0;
    if (fits(from) && fits(to) && fits(stepMs)) return r;
  }
  return 'minute';
}

/** Bounds on a minute's start, as [from, to) over whole minutes: what `minute >= / > / <= / <` at `at` select. */
export function minuteBounds(
  from: { op: 'ge' | 'gt'; at: number },
  to: { op: 'le' | 'lt'; at: number } | undefined,
): { from: number; to: number | undefined } {
  const m = RESOLUTION_MS.minute;
  const floor = (v: number) => periodStart(v, 'minute');
  const ceil = (v: number) => (v % m === 0 ? v : floor(v) + m);
  return {
    // minute >= at ⇔ minute >= ceil(at); minute > at ⇔ minute >= floor(at) + 1 min
    from: from.op === 'ge' ? ceil(from.at) : floor(from.at) + m,
    // minute <= at ⇔ minute < floor(at) + 1 min; minute < at ⇔ minute < ceil(at)
    to: to === undefined ? undefined : to.op === 'le' ? floor(to.at) + m : ceil(to.at),
  };
}
