/**
 * Policy expressions, compiled once into closures: a literal becomes a constant, `@(…)` a
 * concatenation of context reads. Azure's C# is not interpreted per call; the parser only lets
 * through the few forms listed in domain/policy/types.ts.
 */
import type { Condition, ContextValue, Expr, ExprPart } from '../../domain/policy/types.js';
import { clientIp, type Exchange } from './exchange.js';

export type Evaluate = (x: Exchange) => string;

/** A request header as a policy reads it: the backend-bound value once a policy changed it, else the client's. */
export function requestHeader(x: Exchange, lowerName: string): string | undefined {
  if (x.headers) {
    let out: string | undefined;
    for (let i = 0; i + 1 < x.headers.length; i += 2) {
      if (x.headers[i]!.toLowerCase() === lowerName) out = out === undefined ? x.headers[i + 1]! : `${out},${x.headers[i + 1]!}`;
    }
    return out;
  }
  const v = x.req.headers[lowerName];
  return Array.isArray(v) ? v.join(',') : v;
}

const CONTEXT: Readonly<Record<ContextValue, Evaluate>> = {
  'subscription.id': (x) => x.subscription?.subscriptionId ?? '',
  'subscription.key': (x) => x.key ?? '',
  'user.id': (x) => x.subscription?.ownerId ?? '',
  'request.ip': (x) => clientIp(x.req),
  'request.method': (x) => x.method,
  'api.id': (x) => x.api.id,
  'operation.id': (x) => x.operation.id,
  'product.id': (x) => x.subscription?.productId ?? '',
};

function part(p: ExprPart): Evaluate {
  switch (p.kind) {
    case 'text': {
      const value = p.value;
      return () => value;
    }
    case 'context':
      return CONTEXT[p.value];
    case 'header': {
      const { name, fallback } = p;
      return (x) => requestHeader(x, name) ?? fallback;
    }
  }
}

export function compileExpr(expr: Expr): Evaluate {
  const parts = expr.parts.map(part);
  if (parts.length === 0) return () => '';
  if (parts.length === 1) return parts[0]!;
  return (x) => {
    let out = '';
    for (const p of parts) out += p(x);
    return out;
  };
}

/** The literal value of an expression without context reads, or undefined. */
export function constantOf(expr: Expr): string | undefined {
  return expr.parts.every((p) => p.kind === 'text') ? expr.parts.map((p) => (p as { value: string }).value).join('') : undefined;
}

/** `increment-condition`: judged on the status of the answer the caller got. */
export function compileCondition(c: Condition): (status: number) => boolean {
  switch (c.kind) {
    case 'const': {
      const v = c.value;
      return () => v;
    }
    case 'status': {
      const v = c.value;
      switch (c.op) {
        case '==':
          return (s) => s === v;
        case '!=':
          return (s) => s !== v;
        case '<':
          return (s) => s < v;
        case '<=':
          return (s) => s <= v;
        case '>':
          return (s) => s > v;
        case '>=':
          return (s) => s >= v;
      }
      break;
    }
    case 'and': {
      const l = compileCondition(c.left);
      const r = compileCondition(c.right);
      return (s) => l(s) && r(s);
    }
    case 'or': {
      const l = compileCondition(c.left);
      const r = compileCondition(c.right);
      return (s) => l(s) || r(s);
    }
    case 'not': {
      const o = compileCondition(c.operand);
      return (s) => !o(s);
    }
  }
  throw new Error('unknown condition');
}
