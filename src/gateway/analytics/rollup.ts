/**
 * An interval's minute rows summed into the hours and UTC days they fall in, for the rollup
 * tables the long-range reads use (src/domain/analytics/resolution.ts). Sums add, minima and
 * maxima keep theirs: the rollup of a period equals the minute rows of that period, whichever
 * flushes and nodes wrote them.
 */
import { MAX_BUCKET_FIELDS, MIN_BUCKET_FIELDS, SUMMED_BUCKET_FIELDS } from '../../domain/analytics/bucket-fields.js';
import { periodStart, type TrafficResolution } from '../../domain/analytics/resolution.js';
import type { TrafficMinuteRow, TrafficStatusRow } from '../../store/traffic-repo.js';


type Numbers = Record<string, number>;

export function rollUpMinutes(rows: readonly TrafficMinuteRow[], resolution: Exclude<TrafficResolution, 'minute'>): TrafficMinuteRow[] {
  const out = new Map<string, TrafficMinuteRow>();
  for (const row of rows) {
    const start = periodStart(row.minute, resolution);
    const key = `${start}|${row.api_id}|${row.operation_id}|${row.product_id}|${row.subscription_id}|${row.user_id}`;
    const into = out.get(key);
    if (!into) {
      out.set(key, { ...row, minute: start });
      continue;
    }
    const a = into as unknown as Numbers;
    const b = row as unknown as Numbers;
    for (const c of SUMMED_BUCKET_FIELDS) a[c]! += b[c]!;
    for (const c of MIN_BUCKET_FIELDS) a[c] = Math.min(a[c]!, b[c]!);
    for (const c of MAX_BUCKET_FIELDS) a[c] = Math.max(a[c]!, b[c]!);
  }
  return [...out.values()];
}

export function rollUpStatuses(rows: readonly TrafficStatusRow[], resolution: Exclude<TrafficResolution, 'minute'>): TrafficStatusRow[] {
  const out = new Map<string, TrafficStatusRow>();
  for (const row of rows) {
    const start = periodStart(row.minute, resolution);
    const key = `${start}|${row.api_id}|${row.status}`;
    const into = out.get(key);
    if (into) into.calls += row.calls;
    else out.set(key, { ...row, minute: start });
  }
  return [...out.values()];
}
