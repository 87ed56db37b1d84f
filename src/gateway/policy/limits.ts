/**
 * rate-limit, rate-limit-by-key, quota and quota-by-key, as Azure documents them, on the Counters
 * port (in process, or Redis). Counter keys:
 * - rate-limit: `sub:{subscription}:{origin}` for the element's own limit, plus `:api:{api}` and
 *   `:api:{api}:op:{operation}` for its `<api>`/`<operation>` children, counted separately; the
 *   origin (`product:starter`, `api:echo`, ...) keeps the limits of different scopes apart.
 * - rate-limit-by-key: `key:{counter-key value}`, one counter per value whatever the scope.
 * - quota: the subscription id (what the management API's /quotas and the portal read) for a
 *   product's quota, `{subscription}:api:{api}` and `{subscription}:api:{api}:op:{operation}` for
 *   its children (`{subscription}@{origin}` if a quota is placed elsewhere than a product).
 * - quota-by-key: the counter-key value itself, as Azure's /quotas/{quotaCounterKey} names it.
 * Calls without a subscription count for neither rate-limit nor quota (Azure counts only calls
 * made with a key).
 *
 * When the counters are asked: takeRate before the call for rate-limit and rate-limit-by-key;
 * with an increment-condition peekRate before and addRate after the answer (if its status meets
 * the condition); takeQuota before the call (with 0 calls when an increment-condition decides
 * later, or for a quota-by-key key already counted in this call); addQuota after the answer with
 * its kilobytes (only where a bandwidth is limited) and, with an increment-condition, the call.
 */
import { windowAt } from '../../domain/policy/quota-window.js';
import type {
  LimitHeaders,
  LimitTarget,
  PlacedElement,
  PolicyOrigin,
  QuotaByKeyElement,
  QuotaElement,
  RateLimitByKeyElement,
  RateLimitElement,
} from '../../domain/policy/types.js';
import type { QuotaDecision, QuotaLimit, QuotaWindow, RateDecision } from '../counters/types.js';
import { MESSAGES } from '../responses.js';
import { compileCondition, compileExpr } from './expressions.js';
import { addAnswerHeader, afterResponse, isPromise, jsonAnswer, type Answer, type Exchange, type Step, type StepResult } from './exchange.js';
import type { CompileTarget, PolicyEnv } from './types.js';

type Placed<K extends PlacedElement['kind']> = Extract<PlacedElement, { kind: K }>;

interface RateTarget {
  suffix: string;
  calls: number;
  periodSeconds: number;
}

interface QuotaTarget {
  suffix: string;
  limit: QuotaLimit;
  periodSeconds: number;
}

const originKey = (o: PolicyOrigin) => `${o.scope}:${o.id}`;

/**
 * The limits a call to this API and operation meets: its `<operation>` child's, its `<api>` child's,
 * then the element's own, most specific first, so that a call the narrower limit refuses is counted
 * by none of the wider ones (one the wider limit refuses has been counted by the narrower ones).
 */
function targetsOf<T>(
  e: { apis: RateLimitElement['apis'] },
  target: CompileTarget,
  own: T | undefined,
  make: (t: LimitTarget, suffix: string) => T | undefined,
): T[] {
  const out: T[] = own === undefined ? [] : [own];
  const named = (t: LimitTarget, id: string, displayName: string) => (t.id !== undefined ? t.id === id : t.name === displayName);
  for (const a of e.apis) {
    if (!named(a, target.api.id, target.api.displayName)) continue;
    const apiSuffix = `:api:${target.api.id}`;
    const made = make(a, apiSuffix);
    if (made !== undefined) out.push(made);
    for (const o of a.operations) {
      if (!named(o, target.operation.id, target.operation.displayName)) continue;
      const opMade = make(o, `${apiSuffix}:op:${target.operation.id}`);
      if (opMade !== undefined) out.push(opMade);
    }
  }
  return out.reverse();
}

function limitHeaders(x: Exchange, h: LimitHeaders, d: RateDecision): void {
  if (h.remainingCallsHeaderName) addAnswerHeader(x, h.remainingCallsHeaderName, String(d.remaining));
  if (h.totalCallsHeaderName) addAnswerHeader(x, h.totalCallsHeaderName, String(d.limit));
}

const unavailable = () => jsonAnswer(503, MESSAGES.countersUnavailable, 'CountersUnavailable');

/** What a rate decision means for the call: go on (headers noted) or the 429. */
function rateOutcome(x: Exchange, h: LimitHeaders, d: RateDecision): StepResult {
  if (!d.allowed && d.unavailable) return unavailable();
  limitHeaders(x, h, d);
  if (d.allowed) return undefined;
  const seconds = d.retryAfterSeconds;
  return jsonAnswer(429, `Rate limit is exceeded. Try again in ${seconds} seconds.`, 'RateLimitExceeded', { [h.retryAfterHeaderName]: String(seconds) });
}

/** Steps run one after another, stopping at the first answer; synchronous while they are. */
function inTurn(steps: readonly Step[]): Step {
  if (steps.length === 1) return steps[0]!;
  const from = (x: Exchange, i: number): StepResult | Promise<StepResult> => {
    for (; i < steps.length; i++) {
      const r = steps[i]!(x);
      if (r === undefined) continue;
      const next = i + 1;
      return isPromise(r) ? r.then((v) => v ?? from(x, next)) : r;
    }
    return undefined;
  };
  return (x) => from(x, 0);
}

export function compileRateLimit(e: Placed<'rate-limit'>, target: CompileTarget, env: PolicyEnv): Step {
  const prefix = `:${originKey(e.origin)}`;
  const targets = targetsOf<RateTarget>(e, target, { suffix: prefix, calls: e.calls, periodSeconds: e.renewalPeriodSeconds }, (t, suffix) =>
    t.calls === undefined ? undefined : { suffix: prefix + suffix, calls: t.calls, periodSeconds: t.renewalPeriodSeconds },
  );
  const { counters } = env;
  return inTurn(
    targets.map(({ suffix, calls, periodSeconds }): Step => (x) => {
      const sub = x.subscription;
      if (!sub) return undefined;
      const d = counters.takeRate(`sub:${sub.subscriptionId}${suffix}`, calls, periodSeconds, 1, x.now);
      return isPromise(d) ? d.then((v) => rateOutcome(x, e, v)) : rateOutcome(x, e, d);
    }),
  );
}

export function compileRateLimitByKey(e: Placed<'rate-limit-by-key'> | RateLimitByKeyElement, env: PolicyEnv): Step {
  const counterKey = compileExpr(e.counterKey);
  const { counters } = env;
  const { calls, renewalPeriodSeconds: period, incrementCount } = e;
  if (!e.incrementCondition) {
    return (x) => {
      const d = counters.takeRate(`key:${counterKey(x)}`, calls, period, incrementCount, x.now);
      return isPromise(d) ? d.then((v) => rateOutcome(x, e, v)) : rateOutcome(x, e, d);
    };
  }
  const condition = compileCondition(e.incrementCondition);
  return (x) => {
    const key = `key:${counterKey(x)}`;
    const counted = (d: RateDecision): StepResult => {
      const r = rateOutcome(x, e, d);
      if (!r) afterResponse(x, (status, _kb, now) => status !== 0 && condition(status) && counters.addRate(key, period, incrementCount, now));
      return r;
    };
    const d = counters.peekRate(key, calls, period, x.now);
    return isPromise(d) ? d.then(counted) : counted(d);
  };
}

/** .NET's TimeSpan text, as Azure's quota message has it: hh:mm:ss, d.hh:mm:ss past a day. */
export function timeSpan(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const days = Math.floor(total / 86_400);
  const two = (n: number) => String(n).padStart(2, '0');
  const clock = `${two(Math.floor((total % 86_400) / 3600))}:${two(Math.floor((total % 3600) / 60))}:${two(total % 60)}`;
  return days > 0 ? `${days}.${clock}` : clock;
}

function quotaRefusal(limit: QuotaLimit, d: QuotaDecision): Answer {
  if (d.unavailable) return unavailable();
  const what = limit.calls === undefined ? 'bandwidth' : 'call volume';
  if (d.retryAfterMs === Infinity) return jsonAnswer(403, `Out of ${what} quota.`, 'QuotaExceeded');
  const seconds = Math.max(1, Math.ceil(d.retryAfterMs / 1000));
  return jsonAnswer(403, `Out of ${what} quota. Quota will be replenished in ${timeSpan(d.retryAfterMs)}.`, 'QuotaExceeded', { 'Retry-After': String(seconds) });
}

/** Counts what the answer's body weighed (and, with an increment-condition, the call itself) once it is out. */
function countAfter(x: Exchange, env: PolicyEnv, key: string, window: QuotaWindow, condition: ((status: number) => boolean) | undefined): void {
  afterResponse(x, (status, kilobytes) => {
    const calls = condition && status !== 0 && condition(status) ? 1 : 0;
    if (calls > 0 || kilobytes > 0) env.counters.addQuota(key, window, calls, kilobytes);
  });
}

export function compileQuota(e: Placed<'quota'> | (QuotaElement & { origin: PolicyOrigin }), target: CompileTarget, env: PolicyEnv): Step {
  const placement = e.origin.scope === 'product' ? '' : `@${originKey(e.origin)}`;
  const targets = targetsOf<QuotaTarget>(e, target, { suffix: placement, limit: limitOf(e), periodSeconds: e.renewalPeriodSeconds }, (t, suffix) =>
    t.calls === undefined && t.bandwidthKb === undefined ? undefined : { suffix: placement + suffix, limit: limitOf(t), periodSeconds: t.renewalPeriodSeconds },
  );
  const { counters } = env;
  return inTurn(
    targets.map(({ suffix, limit, periodSeconds }): Step => {
      // Kilobytes are counted only where they are limited: counting them costs a write per call.
      const bandwidth = limit.kilobytes !== undefined;
      const outcome = (x: Exchange, key: string, window: QuotaWindow, d: QuotaDecision): StepResult => {
        if (!d.allowed) return quotaRefusal(limit, d);
        if (bandwidth) countAfter(x, env, key, window, undefined);
        return undefined;
      };
      return (x) => {
        const sub = x.subscription;
        if (!sub) return undefined;
        const key = sub.subscriptionId + suffix;
        const window = windowAt(sub.startedAt, periodSeconds, x.now);
        const d = counters.takeQuota(key, window, limit, 1, x.now);
        return isPromise(d) ? d.then((v) => outcome(x, key, window, v)) : outcome(x, key, window, d);
      };
    }),
  );
}

export function compileQuotaByKey(e: Placed<'quota-by-key'> | QuotaByKeyElement, env: PolicyEnv): Step {
  const counterKey = compileExpr(e.counterKey);
  const condition = e.incrementCondition && compileCondition(e.incrementCondition);
  const limit = limitOf(e);
  const { counters } = env;
  return (x) => {
    const key = counterKey(x);
    const window = windowAt(e.firstPeriodStart, e.renewalPeriodSeconds, x.now);
    // Several quota-by-key policies on one key in one call count it once (Azure); the others only check.
    const first = !(x.quotaKeys ??= new Set()).has(key);
    x.quotaKeys.add(key);
    const outcome = (d: QuotaDecision): StepResult => {
      if (!d.allowed) return quotaRefusal(limit, d);
      if (first && (condition || limit.kilobytes !== undefined)) countAfter(x, env, key, window, condition);
      return undefined;
    };
    const d = counters.takeQuota(key, window, limit, first && !condition ? 1 : 0, x.now);
    return isPromise(d) ? d.then(outcome) : outcome(d);
  };
}

function limitOf(t: { calls?: number; bandwidthKb?: number }): QuotaLimit {
  return { ...(t.calls !== undefined ? { calls: t.calls } : {}), ...(t.bandwidthKb !== undefined ? { kilobytes: t.bandwidthKb } : {}) };
}
