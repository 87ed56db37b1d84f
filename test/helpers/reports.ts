/**
 * For the reports tests: real gateway calls whose attribution the test states (API, operation,
 * product, subscription, user, 15-minute bucket), logged with what the client saw (status, bytes
 * sent and received, x-request-id), and the report numbers those calls must add up to.
 */
import type { ReportNumbers } from '../../src/domain/reports/records.js';
import { expect } from 'vitest';

export interface Call {
  api: string;
  operation: string;
  product: string;
  subscription: string;
  user: string;
  /** Bucket start (epoch ms) of the call's 15-minute interval. */
  bucket: number;
  status: number;
  /** Request body bytes plus response body bytes. */
  bytes: number;
  requestId: string;
  method: string;
}

/** Azure's classes (src/domain/analytics/call-class.ts restated: the test's own oracle). */
function classOf(status: number): 'success' | 'blocked' | 'failed' | 'other' {
  if (status === 401 || status === 403 || status === 429) return 'blocked';
  if (status === 400 || (status >= 500 && status < 600)) return 'failed';
  if ((status > 0 && status <= 301) || status === 304 || status === 307) return 'success';
  return 'other';
}

/** The counts a report's numbers must equal (the store's ReportNumbers, counted here from the calls instead). */
export type Expected = Pick<ReportNumbers, 'callCountSuccess' | 'callCountBlocked' | 'callCountFailed' | 'callCountOther' | 'callCountTotal' | 'bandwidth'>;

/** The counts of `calls`, grouped by `key` (calls whose key is '' are left out). */
export function expectedBy(calls: readonly Call[], key: (c: Call) => string): Map<string, Expected> {
  const out = new Map<string, Expected>();
  for (const c of calls) {
    const k = key(c);
    if (k === '') continue;
    const e = out.get(k) ?? { callCountSuccess: 0, callCountBlocked: 0, callCountFailed: 0, callCountOther: 0, callCountTotal: 0, bandwidth: 0 };
    const cls = classOf(c.status);
    if (cls === 'success') e.callCountSuccess++;
    else if (cls === 'blocked') e.callCountBlocked++;
    else if (cls === 'failed') e.callCountFailed++;
    else e.callCountOther++;
    e.callCountTotal++;
    e.bandwidth += c.bytes;
    out.set(k, e);
  }
  return out;
}

interface RecordNumbers {
  callCountSuccess?: number;
  callCountBlocked?: number;
  callCountFailed?: number;
  callCountOther?: number;
  callCountTotal?: number;
  bandwidth?: number;
  apiTimeAvg?: number;
  apiTimeMin?: number;
  apiTimeMax?: number;
  serviceTimeAvg?: number;
  serviceTimeMin?: number;
  serviceTimeMax?: number;
}

/** The record's counts equal `expected`, and its times are ordered (min ≤ avg ≤ max, all > 0 for the API time). */
export function expectRecord(record: RecordNumbers, expected: Expected | undefined, what: string): void {
  expect(expected, `${what}: a record the calls do not explain`).toBeDefined();
  const { callCountSuccess, callCountBlocked, callCountFailed, callCountOther, callCountTotal, bandwidth } = record;
  expect({ callCountSuccess, callCountBlocked, callCountFailed, callCountOther, callCountTotal, bandwidth }, what).toEqual(expected);
  expect(record.apiTimeMin!, what).toBeGreaterThan(0);
  expect(record.apiTimeMin!, what).toBeLessThanOrEqual(record.apiTimeAvg! + 1e-9);
  expect(record.apiTimeAvg!, what).toBeLessThanOrEqual(record.apiTimeMax! + 1e-9);
  expect(record.serviceTimeMin!, what).toBeLessThanOrEqual(record.serviceTimeAvg! + 1e-9);
  expect(record.serviceTimeAvg!, what).toBeLessThanOrEqual(record.serviceTimeMax! + 1e-9);
  expect(record.serviceTimeMax!, what).toBeLessThanOrEqual(record.apiTimeMax! + 1e-9);
}

/** `timestamp ge datetime'<from>' and timestamp le datetime'<to>'`, as Azure's examples write it. */
export function timeFilter(from: number, to: number, extra = ''): string {
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '');
  return `timestamp ge datetime'${iso(from)}' and timestamp le datetime'${iso(to)}'${extra ? ` and ${extra}` : ''}`;
}
