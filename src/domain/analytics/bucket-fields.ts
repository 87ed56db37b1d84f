/**
 * The fields of a traffic bucket (a row of traffic_minutes and its rollups) that two buckets of
 * the same key add up by; the minima and maxima merge by min and max instead.
 */
import { LATENCY_BUCKETS } from './latency.js';

export const SUMMED_BUCKET_FIELDS = [
  'calls_success',
  'calls_blocked',
  'calls_failed',
  'calls_other',
  'calls_total',
  'bandwidth',
  'api_time_sum',
  'service_calls',
  'service_time_sum',
  ...Array.from({ length: LATENCY_BUCKETS }, (_, i) => `latency_${i}`),
] as const;

export const MIN_BUCKET_FIELDS = ['api_time_min', 'service_time_min'] as const;
export const MAX_BUCKET_FIELDS = ['api_time_max', 'service_time_max'] as const;
