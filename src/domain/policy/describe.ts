/**
 * A document's limits in plain English, for the developer portal ("5 calls per minute",
 * "100 calls per week"): what a caller can count on, said no more precisely than it holds.
 */
import type { Condition, EffectivePolicy, Expr, LimitTarget, PolicyDocument } from './types.js';

const UNITS: readonly [string, number][] = [
  ['week', 604800],
  ['day', 86400],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

/** 60 -> "minute", 7200 -> "2 hours", 90 -> "90 seconds". */
export function describePeriod(seconds: number): string {
  const [unit, size] = UNITS.find(([, size]) => seconds % size === 0) ?? ['second', 1];
  const n = seconds / size;
  return n === 1 ? unit : `${n.toLocaleString('en-US')} ${unit}s`;
}

function count(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** Kilobytes in the largest unit that divides them. */
function bandwidth(kb: number): string {
  if (kb % (1024 * 1024) === 0) return `${(kb / (1024 * 1024)).toLocaleString('en-US')} GB`;
  if (kb % 1024 === 0) return `${(kb / 1024).toLocaleString('en-US')} MB`;
  return `${kb.toLocaleString('en-US')} KB`;
}

function volume(limit: { calls?: number; bandwidthKb?: number }): string {
  const parts = [limit.calls === undefined ? undefined : count(limit.calls, 'call', 'calls'), limit.bandwidthKb === undefined ? undefined : bandwidth(limit.bandwidthKb)];
  return parts.filter((p) => p !== undefined).join(' and ');
}

/** A quota's period: 0 never renews. */
function quotaPeriod(seconds: number): string {
  return seconds === 0 ? 'in total' : `per ${describePeriod(seconds)}`;
}

const CONTEXT_WORDS: Readonly<Record<string, string>> = {
  'subscription.id': 'subscription',
  'subscription.key': 'subscription key',
  'user.id': 'user',
  'request.ip': 'IP address',
  'request.method': 'HTTP method',
  'api.id': 'API',
  'operation.id': 'operation',
  'product.id': 'product',
};

/** Who shares one counter. */
function keyWords(key: Expr): string {
  const [only, ...more] = key.parts;
  if (only !== undefined && more.length === 0) {
    if (only.kind === 'context') return `per ${CONTEXT_WORDS[only.value]}`;
    if (only.kind === 'header') return `per value of the ${only.name} header`;
    return `shared by every call (one counter, key '${only.value}')`;
  }
  return 'per key';
}

const OPERATORS: Readonly<Record<string, (n: number) => string>> = {
  '==': (n) => `${n}`,
  '!=': (n) => `other than ${n}`,
  '<': (n) => `below ${n}`,
  '<=': (n) => `${n} or below`,
  '>': (n) => `above ${n}`,
  '>=': (n) => `${n} or above`,
};

function conditionWords(c: Condition): string {
  switch (c.kind) {
    case 'const':
      return c.value ? 'always' : 'never';
    case 'status':
      return `status ${(OPERATORS[c.op] as (n: number) => string)(c.value)}`;
    case 'not':
      return `not (${conditionWords(c.operand)})`;
    default:
      return `${conditionWords(c.left)} ${c.kind} ${conditionWords(c.right)}`;
  }
}

function counting(incrementCondition: Condition | undefined, incrementCount = 1): string {
  const each = incrementCount === 1 ? '' : `, each call counting ${incrementCount}`;
  if (incrementCondition === undefined || (incrementCondition.kind === 'const' && incrementCondition.value)) return each;
  return `, counting only calls answered with ${conditionWords(incrementCondition)}${each}`;
}

function targetName(t: LimitTarget): string {
  return `'${t.id ?? t.name ?? ''}'`;
}

export function describeLimits(doc: PolicyDocument | EffectivePolicy): string[] {
  const out: string[] = [];
  for (const elements of Object.values(doc.sections)) {
    for (const e of elements) {
      if (e.kind === 'rate-limit' || e.kind === 'quota') {
        const per = (t: { calls?: number; bandwidthKb?: number; renewalPeriodSeconds: number }) =>
          `${volume(t)} ${e.kind === 'quota' ? quotaPeriod(t.renewalPeriodSeconds) : `per ${describePeriod(t.renewalPeriodSeconds)}`}`;
        out.push(per(e));
        for (const api of e.apis) {
          out.push(`${per(api)} to the API ${targetName(api)}`);
          for (const op of api.operations) out.push(`${per(op)} to the operation ${targetName(op)} of the API ${targetName(api)}`);
        }
      } else if (e.kind === 'rate-limit-by-key') {
        out.push(`${count(e.calls, 'call', 'calls')} per ${describePeriod(e.renewalPeriodSeconds)} ${keyWords(e.counterKey)}${counting(e.incrementCondition, e.incrementCount)}`);
      } else if (e.kind === 'quota-by-key') {
        out.push(`${volume(e)} ${quotaPeriod(e.renewalPeriodSeconds)} ${keyWords(e.counterKey)}${counting(e.incrementCondition)}`);
      }
    }
  }
  return out;
}
