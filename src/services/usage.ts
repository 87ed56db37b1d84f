/**
 * Usage people can see: the Analytics page's charts and tables (calls over time by class, latency
 * percentiles, the busiest APIs, operations, products and users, errors by status), a user's or a
 * product's calls over time, and a developer's own subscriptions' calls per day.
 *
 * A range is one of the presets or from/to; its step is chosen so that a series has at most a few
 * hundred points (1 min for an hour, 15 min for a day, 1 h for a week, 1 day for 30 and 90 days),
 * and the range is widened to whole steps. Series are dense (a step without calls counts zeros),
 * so charts show the gaps. Latency percentiles come from the summed histograms.
 */
import { invalidField } from '../domain/errors.js';
import { LATENCY_BUCKETS, latencyQuantile } from '../domain/analytics/latency.js';
import type { ServiceDeps } from './deps.js';
import type { UsageCounts, UsageScope, UsageStepRow, UsageTopKind, UsageTopRow, UsageWindow } from '../store/usage-repo.js';

export type { UsageScope, UsageCounts } from '../store/usage-repo.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const USAGE_PRESETS = {
  '1h': { label: 'Last hour', ms: HOUR },
  '24h': { label: 'Last 24 hours', ms: DAY },
  '7d': { label: 'Last 7 days', ms: 7 * DAY },
  '30d': { label: 'Last 30 days', ms: 30 * DAY },
  '90d': { label: 'Last 90 days', ms: 90 * DAY },
} as const;
export type UsagePreset = keyof typeof USAGE_PRESETS;

export function isUsagePreset(value: string): value is UsagePreset {
  return Object.prototype.hasOwnProperty.call(USAGE_PRESETS, value);
}

/** Steps a series may use, smallest first; the smallest that gives at most MAX_POINTS is taken. */
const STEPS = [MINUTE, 5 * MINUTE, 15 * MINUTE, HOUR, DAY] as const;
const MAX_POINTS = 200;
/** The longest from/to range (a series of days stays a few hundred points). */
export const MAX_RANGE_MS = 366 * DAY;

export type UsageRangeInput = { preset: UsagePreset } | { from: Date; to: Date };

export interface UsageRange extends UsageWindow {
  stepMs: number;
  /** The preset it came from (none for from/to). */
  preset?: UsagePreset;
}

export function stepFor(durationMs: number): number {
  return STEPS.find((s) => durationMs / s <= MAX_POINTS) ?? DAY;
}

const floorTo = (t: number, step: number) => t - (((t % step) + step) % step);
const ceilTo = (t: number, step: number) => floorTo(t + step - 1, step);

/**
 * The window of a range at `now`: a preset ends with the step that holds `now` (so the current
 * minute, hour or day is in it); from/to are widened to whole steps.
 */
export function resolveRange(input: UsageRangeInput, now: number): UsageRange {
  if ('preset' in input) {
    const { ms } = USAGE_PRESETS[input.preset];
    const stepMs = stepFor(ms);
    const to = floorTo(now, stepMs) + stepMs;
    return { from: to - ms, to, stepMs, preset: input.preset };
  }
  const from = input.from.getTime();
  const to = input.to.getTime();
  if (!Number.isFinite(from)) throw invalidField('from', 'The start of the range is not a date and time.');
  if (!Number.isFinite(to)) throw invalidField('to', 'The end of the range is not a date and time.');
  if (to <= from) throw invalidField('to', 'The end of the range must be after its start.');
  if (to - from > MAX_RANGE_MS) throw invalidField('to', 'The range can be at most 366 days long.');
  const stepMs = stepFor(to - from);
  return { from: floorTo(from, stepMs), to: ceilTo(to, stepMs), stepMs };
}

export interface Latency {
  p50: number | undefined;
  p95: number | undefined;
  p99: number | undefined;
}

export interface UsagePoint extends UsageCounts {
  /** Start of the step, epoch ms. */
  at: number;
  latency: Latency;
}

export interface UsageSeries {
  range: UsageRange;
  /** One per step of the range, oldest first (zeros where nothing was called). */
  points: UsagePoint[];
  totals: UsageCounts & { latency: Latency };
}

export interface UsageTopItem extends UsageCounts {
  id: string;
  /** The entity's display name; undefined when it is gone. */
  name: string | undefined;
  /** The operation's API (operations only). */
  apiId?: string;
}

export interface UsageOverview extends UsageSeries {
  top: Record<'apis' | 'operations' | 'products' | 'users', UsageTopItem[]>;
  /**
   * Calls per status code from 400 (and 0, a client that went away), the most frequent first;
   * undefined for a scope the status counts are not kept by (only by API).
   */
  errors: { status: number; calls: number }[] | undefined;
}

export const TOP_ITEMS = 10;

function latencyOf(histogram: readonly number[], maxMs: number): Latency {
  return {
    p50: latencyQuantile(histogram, 0.5, maxMs),
    p95: latencyQuantile(histogram, 0.95, maxMs),
    p99: latencyQuantile(histogram, 0.99, maxMs),
  };
}

const ZERO: UsageCounts = { success: 0, blocked: 0, failed: 0, other: 0, total: 0 };
const CLASSES = ['success', 'blocked', 'failed', 'other', 'total'] as const;

/** The rows of the steps that had calls, as a dense series over the range, with its totals. */
export function seriesOf(range: UsageRange, rows: readonly UsageStepRow[]): UsageSeries {
  const byStep = new Map(rows.map((r) => [r.at, r]));
  const points: UsagePoint[] = [];
  const histogram = new Array<number>(LATENCY_BUCKETS).fill(0);
  const totals = { ...ZERO };
  let maxMs = 0;
  for (let at = range.from; at < range.to; at += range.stepMs) {
    const row = byStep.get(at);
    if (!row) {
      points.push({ at, ...ZERO, latency: { p50: undefined, p95: undefined, p99: undefined } });
      continue;
    }
    for (const c of CLASSES) totals[c] += row[c];
    row.latency.forEach((n, i) => (histogram[i]! += n));
    maxMs = Math.max(maxMs, row.apiTimeMax);
    points.push({ at, success: row.success, blocked: row.blocked, failed: row.failed, other: row.other, total: row.total, latency: latencyOf(row.latency, row.apiTimeMax) });
  }
  return { range, points, totals: { ...totals, latency: latencyOf(histogram, maxMs) } };
}

export function createUsageService(deps: Pick<ServiceDeps, 'store' | 'clock'>) {
  const { store, clock } = deps;
  const rangeOf = (input: UsageRangeInput) => resolveRange(input, clock.now().getTime());

  async function top(range: UsageRange, kind: Exclude<UsageTopKind, 'subscription'>, scope: UsageScope | undefined): Promise<UsageTopItem[]> {
    // The operations of one API, the users of one product...: a top list of the scope's own kind says nothing.
    if (scope?.kind === kind) return [];
    const rows: UsageTopRow[] = await store.usage.usageTop(range, kind, TOP_ITEMS, scope);
    const names =
      kind === 'operation'
        ? await store.usage.usageOperationNames(rows.map((r) => ({ apiId: r.apiId!, id: r.id })))
        : await store.usage.usageNames(kind, rows.map((r) => r.id));
    return rows.map((r) => ({ ...r, name: names.get(kind === 'operation' ? `${r.apiId}/${r.id}` : r.id) }));
  }

  async function series(range: UsageRange, scope: UsageScope | undefined): Promise<UsageSeries> {
    return seriesOf(range, await store.usage.usageByStep(range, range.stepMs, scope));
  }

  return {
    resolve: rangeOf,

    /** Everything the Analytics page shows, for all traffic or one entity's. */
    async overview(input: UsageRangeInput, scope?: UsageScope): Promise<UsageOverview> {
      const range = rangeOf(input);
      const statusesKept = scope === undefined || scope.kind === 'api';
      const [s, apis, operations, products, users, statuses] = await Promise.all([
        series(range, scope),
        top(range, 'api', scope),
        top(range, 'operation', scope),
        top(range, 'product', scope),
        top(range, 'user', scope),
        statusesKept ? store.usage.usageByStatus(range, scope?.id) : Promise.resolve(undefined),
      ]);
      return {
        ...s,
        top: { apis, operations, products, users },
        errors: statuses?.filter((r) => r.status === 0 || r.status >= 400),
      };
    },

    /** One entity's calls over a range (the user's and the product's pages). */
    callsOverTime(input: UsageRangeInput, scope: UsageScope): Promise<UsageSeries> {
      return series(rangeOf(input), scope);
    },

    /**
     * Calls per day over the last 30 days of each subscription given: the caller passes only the
     * subscriptions the person may see (the portal: the developer's own).
     */
    async subscriptionsDaily(subscriptionIds: readonly string[]): Promise<Map<string, UsageSeries>> {
      const range = rangeOf({ preset: '30d' });
      const rows = await store.usage.usageOfSubscriptions(range, range.stepMs, subscriptionIds);
      return new Map([...rows].map(([id, r]) => [id, seriesOf(range, r)]));
    },

    /** The display name of a scope's entity (the Analytics page's heading); undefined when it is gone. */
    async scopeName(scope: UsageScope): Promise<string | undefined> {
      return (await store.usage.usageNames(scope.kind, [scope.id])).get(scope.id);
    },
  };
}

export type UsageService = ReturnType<typeof createUsageService>;
