/**
 * Rate limits and quotas: `rate-limit` and `quota` per subscription, `rate-limit-by-key` and
 * `quota-by-key` per key. Limits Azure documents (rate limit windows of at most 300 s, quota-by-key
 * periods of at least 300 s, 0 for a quota that never renews) are checked here, once.
 */
import type { ElementReader } from '../reader.js';
import type { ApiLimit, LimitHeaders, LimitTarget } from '../types.js';
import { readHeaderName } from './headers.js';
import { ALL_SCOPES, rule } from './rule.js';

export const RATE_LIMIT_MAX_PERIOD = 300;
export const QUOTA_BY_KEY_MIN_PERIOD = 300;

/** Azure's default `first-period-start`, 0001-01-01T00:00:00Z. */
export const FIRST_PERIOD_START_DEFAULT = Date.parse('0001-01-01T00:00:00Z');

const VARIABLE_ATTRIBUTES = ['retry-after-variable-name', 'remaining-calls-variable-name'];

function limitHeaders(r: ElementReader): LimitHeaders {
  return {
    retryAfterHeaderName: readHeaderName(r, 'retry-after-header-name') ?? 'Retry-After',
    remainingCallsHeaderName: readHeaderName(r, 'remaining-calls-header-name'),
    totalCallsHeaderName: readHeaderName(r, 'total-calls-header-name'),
  };
}

function ratePeriod(r: ElementReader): number {
  return r.int('renewal-period', { min: 1, max: RATE_LIMIT_MAX_PERIOD });
}

/** `calls` and/or `bandwidth` (kilobytes): a quota needs at least one. */
function volume(r: ElementReader): { calls?: number; bandwidthKb?: number } {
  const calls = r.int('calls', { min: 1, optional: true });
  const bandwidthKb = r.int('bandwidth', { min: 1, optional: true });
  if (!r.has('calls') && !r.has('bandwidth')) r.problem(`<${r.name}> needs 'calls', 'bandwidth' or both.`);
  return { calls, bandwidthKb };
}

/** `name` or `id` of the API or operation a nested limit is about. */
function targetName(r: ElementReader): { name?: string; id?: string } {
  const name = r.string('name');
  const id = r.string('id');
  if (!r.has('name') && !r.has('id')) r.problem(`<${r.name}> needs 'name' or 'id'.`);
  return { name, id };
}

/** `<api>` children with their `<operation>` children, counted apart from the element's own limit. */
function apiLimits(r: ElementReader, target: (t: ElementReader) => LimitTarget): ApiLimit[] {
  const apis: ApiLimit[] = [];
  r.children({
    api: (api) => {
      const limit = target(api);
      const operations: LimitTarget[] = [];
      api.children({ operation: (op) => operations.push(target(op)) });
      apis.push({ ...limit, operations });
    },
  });
  return apis;
}

function rateTarget(r: ElementReader): LimitTarget {
  return { ...targetName(r), calls: r.int('calls', { min: 1 }), renewalPeriodSeconds: ratePeriod(r) };
}

function quotaTarget(parentPeriod: number): (r: ElementReader) => LimitTarget {
  // Azure's statement shows nested quotas without a period of their own: they share the element's.
  return (r) => ({ ...targetName(r), ...volume(r), renewalPeriodSeconds: r.int('renewal-period', { min: 0, fallback: parentPeriod }) });
}

/** ISO 8601 date-time (`yyyy-MM-ddTHH:mm:ssZ`, fractions and offsets accepted), as epoch ms. */
function firstPeriodStart(r: ElementReader): number {
  const value = r.string('first-period-start');
  if (value === undefined) return FIRST_PERIOD_START_DEFAULT;
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?(Z|[+-]\d{2}:\d{2})$/.test(value.trim()) ? Date.parse(value.trim()) : NaN;
  if (Number.isNaN(ms)) r.problem(`The attribute 'first-period-start' must be a date and time such as 2024-01-01T00:00:00Z, not '${value}'.`);
  return Number.isNaN(ms) ? FIRST_PERIOD_START_DEFAULT : ms;
}

function counterKey(r: ElementReader) {
  const key = r.expr('counter-key', { required: true });
  if (r.has('counter-key') && key.parts.every((p) => p.kind === 'text' && p.value.trim() === '')) r.problem(`The attribute 'counter-key' must not be empty.`);
  return key;
}

export const LIMIT_RULES = [
  rule({
    name: 'rate-limit',
    sections: ['inbound'],
    scopes: ['product', 'api', 'operation'],
    azureOnly: VARIABLE_ATTRIBUTES,
    read: (r) => ({
      kind: 'rate-limit',
      at: r.at,
      calls: r.int('calls', { min: 1 }),
      renewalPeriodSeconds: ratePeriod(r),
      ...limitHeaders(r),
      apis: apiLimits(r, rateTarget),
    }),
  }),
  rule({
    name: 'rate-limit-by-key',
    sections: ['inbound'],
    scopes: ALL_SCOPES,
    azureOnly: VARIABLE_ATTRIBUTES,
    read: (r) => ({
      kind: 'rate-limit-by-key',
      at: r.at,
      calls: r.int('calls', { min: 1 }),
      renewalPeriodSeconds: ratePeriod(r),
      counterKey: counterKey(r),
      incrementCondition: r.condition('increment-condition'),
      incrementCount: r.int('increment-count', { min: 1, fallback: 1 }),
      ...limitHeaders(r),
    }),
  }),
  rule({
    name: 'quota',
    sections: ['inbound'],
    scopes: ['product'],
    read: (r) => {
      const renewalPeriodSeconds = r.int('renewal-period', { min: 0 });
      return { kind: 'quota', at: r.at, ...volume(r), renewalPeriodSeconds, apis: apiLimits(r, quotaTarget(renewalPeriodSeconds)) };
    },
  }),
  rule({
    name: 'quota-by-key',
    sections: ['inbound'],
    scopes: ALL_SCOPES,
    azureOnly: ['increment-count'],
    read: (r) => {
      const renewalPeriodSeconds = r.int('renewal-period', { min: 0 });
      if (renewalPeriodSeconds > 0 && renewalPeriodSeconds < QUOTA_BY_KEY_MIN_PERIOD)
        r.problem(`The attribute 'renewal-period' must be 0 (never renews) or at least ${QUOTA_BY_KEY_MIN_PERIOD} seconds; it is ${renewalPeriodSeconds}.`);
      return {
        kind: 'quota-by-key',
        at: r.at,
        ...volume(r),
        renewalPeriodSeconds,
        counterKey: counterKey(r),
        incrementCondition: r.condition('increment-condition'),
        firstPeriodStart: firstPeriodStart(r),
      };
    },
  }),
];
