/**
 * Quota counters as the management API shows them (apimquotas.json): one period of one counter
 * key, named by a period key, and the body of a PATCH that sets its values.
 *
 * A period key is `{index}_{renewal period}` as in Azure's examples (`0_P3Y6M4DT12H30M5S`): the
 * renewal period is the window's length as an ISO 8601 duration in days, hours, minutes and
 * seconds (`P7D`, `PT1M`, `PT0S` for a quota that never renews), and the index counts the windows
 * of that length held for the key, newest first, so `0_P7D` is always a weekly quota's current week.
 */
import { z } from 'zod';

/** What `periodEndTime` says of a quota that never renews (the field is required). */
export const NEVER_ENDS = '9999-12-31T23:59:59Z';

/** `seconds` as an ISO 8601 duration: P{d}DT{h}H{m}M{s}S, zero parts left out; PT0S for none. */
export function isoDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return 'PT0S';
  const days = Math.floor(seconds / 86400);
  let rest = seconds - days * 86400;
  const hours = Math.floor(rest / 3600);
  rest -= hours * 3600;
  const minutes = Math.floor(rest / 60);
  const secs = Math.round((rest - minutes * 60) * 1000) / 1000;
  const time = `${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${secs ? `${secs}S` : ''}`;
  return `P${days ? `${days}D` : ''}${time ? `T${time}` : ''}`;
}

/** Whole seconds of ISO time: Azure's `yyyy-MM-ddTHH:mm:ssZ`. */
export function isoSeconds(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface QuotaWindowLike {
  start: number;
  /** Infinity: never renews. */
  end: number;
}

/** The period key of each window, in the order given (see the file's comment). */
export function periodKeys(windows: readonly QuotaWindowLike[]): string[] {
  const duration = (w: QuotaWindowLike) => isoDuration(Number.isFinite(w.end) ? (w.end - w.start) / 1000 : 0);
  return windows.map((w) => {
    const d = duration(w);
    const newer = windows.filter((o) => duration(o) === d && o.start > w.start).length;
    return `${newer}_${d}`;
  });
}

const INT32_MAX = 2147483647;

/** QuotaCounterValueUpdateContract's properties: at least one of the two. */
export const quotaCounterUpdateInput = z
  .object({
    callsCount: z.number({ error: 'must be a whole number' }).int('must be a whole number').min(0, 'must be at least 0').max(INT32_MAX, `must be at most ${INT32_MAX}`).optional(),
    kbTransferred: z.number({ error: 'must be a number' }).min(0, 'must be at least 0').max(Number.MAX_SAFE_INTEGER).optional(),
  })
  .refine((v) => v.callsCount !== undefined || v.kbTransferred !== undefined, { message: 'give callsCount, kbTransferred or both' });
export type QuotaCounterUpdateInput = z.output<typeof quotaCounterUpdateInput>;
