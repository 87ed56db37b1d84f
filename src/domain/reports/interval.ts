/**
 * byTime's `interval`: an ISO 8601 duration (as .NET's XmlConvert.ToString(TimeSpan) writes it:
 * PT15M, PT1H, P1D, P1DT12H) that is a whole, non-zero multiple of 15 minutes. Years and months
 * have no fixed length and are refused. Buckets are aligned to the interval counted from the epoch
 * (1970-01-01T00:00:00Z): P1D buckets start at midnight UTC, PT1H ones on the hour.
 */
import { invalidField } from '../errors.js';

export const INTERVAL_UNIT_MS = 15 * 60_000;
/** A year of days: more than the longest retention of the aggregates needs. */
export const INTERVAL_MAX_MS = 366 * 24 * 3600_000;

export interface ReportInterval {
  ms: number;
  /** The canonical spelling records carry (PT60M is written PT1H). */
  iso: string;
}

const DURATION = /^P(?:(\d{1,6})W)?(?:(\d{1,6})D)?(?:T(?:(\d{1,6})H)?(?:(\d{1,6})M)?(?:(\d{1,8}(?:\.\d+)?)S)?)?$/i;

function fail(value: string, why: string): never {
  throw invalidField('interval', `'${value.slice(0, 40)}' ${why}`);
}

/** `ms` in ISO 8601 as XmlConvert writes a TimeSpan: days, then hours and minutes. */
export function formatInterval(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const time = `${hours ? `${hours}H` : ''}${mins ? `${mins}M` : ''}`;
  return `P${days ? `${days}D` : ''}${time ? `T${time}` : ''}`;
}

export function parseInterval(value: string | undefined): ReportInterval {
  if (value === undefined || value === '') {
    throw invalidField('interval', 'is required: an ISO 8601 duration that is a multiple of 15 minutes (PT15M, PT1H, P1D).');
  }
  const m = DURATION.exec(value);
  if (!m || value.endsWith('T') || value.toUpperCase() === 'P') {
    fail(value, 'is not an ISO 8601 duration of weeks, days, hours, minutes and seconds (PT15M, PT1H, P1D).');
  }
  const [, w = '0', d = '0', h = '0', min = '0', s = '0'] = m;
  const ms = ((((Number(w) * 7 + Number(d)) * 24 + Number(h)) * 60 + Number(min)) * 60 + Number(s)) * 1000;
  if (ms === 0) fail(value, 'is zero; the interval must be a multiple of 15 minutes.');
  if (ms % INTERVAL_UNIT_MS !== 0) fail(value, 'is not a multiple of 15 minutes (PT15M).');
  if (ms > INTERVAL_MAX_MS) fail(value, `is longer than ${formatInterval(INTERVAL_MAX_MS)}.`);
  return { ms, iso: formatInterval(ms) };
}
