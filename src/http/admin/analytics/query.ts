/**
 * The Analytics page's address: `?range=1h|24h|7d|30d|90d`, or `?from=&to=` (UTC minutes, as a
 * datetime-local field sends them; `to` counts its whole minute), and at most one scope:
 * `api=`, `product=`, `user=` or `subscription=` (an entity id). Links keep the scope when they
 * change the range and the other way round.
 */
import type { FastifyRequest } from 'fastify';
import { invalidField } from '../../../domain/errors.js';
import { isUsagePreset, type UsagePreset, type UsageRangeInput, type UsageScope } from '../../../services/usage.js';
import { queryParam } from '../../web/query.js';

export const ANALYTICS_PATH = '/admin/analytics';
export const DEFAULT_PRESET: UsagePreset = '24h';
const SCOPE_KINDS = ['api', 'product', 'user', 'subscription'] as const;
const ID_MAX = 256;

export interface AnalyticsQuery {
  range: UsageRangeInput;
  scope: UsageScope | undefined;
  /** The from/to fields as given (shown again in the form). */
  from: string;
  to: string;
}

const MINUTE = 60_000;
const LOCAL_MINUTE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;

/** A datetime-local value (UTC) or an ISO instant, as epoch ms; NaN when it is neither. */
function instantOf(value: string): number {
  return LOCAL_MINUTE.test(value) ? Date.parse(`${value}Z`) : /^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:\d{2})$/.test(value) ? Date.parse(value) : NaN;
}

/** The first scope parameter given (an id no entity can have is ignored). */
export function scopeOf(request: FastifyRequest): UsageScope | undefined {
  const kind = SCOPE_KINDS.find((k) => queryParam(request, k) !== '');
  const id = kind ? queryParam(request, kind) : '';
  return kind && id.length <= ID_MAX ? { kind, id } : undefined;
}

/** Reads the page's query; a bad from/to is a validation error naming the field. */
export function analyticsQuery(request: FastifyRequest): AnalyticsQuery {
  const from = queryParam(request, 'from').trim();
  const to = queryParam(request, 'to').trim();
  const scope = scopeOf(request);
  if (from === '' && to === '') {
    const preset = queryParam(request, 'range');
    return { range: { preset: isUsagePreset(preset) ? preset : DEFAULT_PRESET }, scope, from, to };
  }
  const start = instantOf(from);
  const end = instantOf(to);
  if (from === '' || Number.isNaN(start)) throw invalidField('from', 'Enter the start of the range as a date and time.');
  if (to === '' || Number.isNaN(end)) throw invalidField('to', 'Enter the end of the range as a date and time.');
  return { range: { from: new Date(start), to: new Date(end + (LOCAL_MINUTE.test(to) ? MINUTE : 0)) }, scope, from, to };
}

/** The page's address for a range and a scope. */
export function analyticsHref(range: { preset: UsagePreset } | { from: string; to: string }, scope: UsageScope | undefined): string {
  const params = new URLSearchParams('preset' in range ? { range: range.preset } : { from: range.from, to: range.to });
  if (scope) params.set(scope.kind, scope.id);
  return `${ANALYTICS_PATH}?${params.toString()}`;
}

/** A moment as a datetime-local value in UTC ("2026-03-02T10:15"). */
export function localMinute(at: number): string {
  return new Date(at).toISOString().slice(0, 16);
}
