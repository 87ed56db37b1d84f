/**
 * set-header (on the backend's request in inbound and backend, on the answer in outbound and
 * on-error), set-query-parameter and check-header, with Azure's exists-actions: override (the
 * default; adds when absent), skip (only when absent), append, delete. Several values of a header
 * are joined with commas, except for the headers whose values hold commas or dates, which get one
 * line per value (Azure's list); several values of a query parameter are repeated parameters.
 *
 * Hop-by-hop and framing headers (Connection, Keep-Alive, TE, Trailer, Transfer-Encoding, Upgrade,
 * Proxy-Connection, Content-Length) belong to the connection, not to the API: the parser refuses
 * them at PUT, and a stored document naming one anyway does not compile (its calls are refused
 * with 500, and the log says why) rather than run half-applied.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { CheckHeaderElement, ExistsAction, SetHeaderElement, SetQueryParameterElement } from '../../domain/policy/types.js';
import { upstreamRequestHeaders } from '../headers.js';
import { queryName } from '../subscription-key.js';
import { compileExpr, requestHeader, type Evaluate } from './expressions.js';
import { jsonAnswer, type Exchange, type ResponseStep, type Step } from './exchange.js';
import { PolicyCompileError } from './types.js';

/** Headers whose values may hold commas or dates: Azure sends one line per value instead of joining them. */
const ONE_LINE_PER_VALUE = new Set([
  'user-agent',
  'www-authenticate',
  'proxy-authenticate',
  'cookie',
  'set-cookie',
  'warning',
  'date',
  'expires',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'retry-after',
]);

const NOT_SETTABLE = new Set(['connection', 'content-length', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

function checkSettable(e: SetHeaderElement): void {
  if (NOT_SETTABLE.has(e.name.toLowerCase())) {
    throw new PolicyCompileError(`set-header (line ${e.at.line}) names '${e.name}', which belongs to the connection and cannot be set by a policy`);
  }
}

/** The values a set-header gives, as header lines. */
function linesOf(lower: string, values: readonly Evaluate[], x: Exchange): string[] {
  const texts = values.map((v) => v(x));
  return ONE_LINE_PER_VALUE.has(lower) || texts.length <= 1 ? texts : [texts.join(',')];
}

/** The backend-bound headers, built from the client's the first time a policy changes one. */
function requestHeaders(x: Exchange): string[] {
  return (x.headers ??= upstreamRequestHeaders(x.req, x.api.keyHeader, x.call));
}

function editRequest(list: string[], name: string, lower: string, action: ExistsAction, lines: () => string[]): void {
  const present = list.some((n, i) => i % 2 === 0 && n.toLowerCase() === lower);
  if (action === 'skip' && present) return;
  if (action === 'override' || action === 'delete') {
    for (let i = list.length - 2; i >= 0; i -= 2) if (list[i]!.toLowerCase() === lower) list.splice(i, 2);
  }
  if (action === 'delete') return;
  for (const line of lines()) list.push(name, line);
}

export function compileRequestHeader(e: SetHeaderElement): Step {
  checkSettable(e);
  const { name, existsAction } = e;
  const lower = name.toLowerCase();
  const values = e.values.map(compileExpr);
  return (x) => {
    // Values read the request as it is before this change (a header may be set from itself).
    const lines = linesOf(lower, values, x);
    editRequest(requestHeaders(x), name, lower, existsAction, () => lines);
    return undefined;
  };
}

/** Sets a header of an answer (the backend's or the gateway's own) in place. */
export function editAnswerHeaders(headers: OutgoingHttpHeaders, name: string, action: ExistsAction, lines: string[]): void {
  const lower = name.toLowerCase();
  const keys = Object.keys(headers).filter((k) => k.toLowerCase() === lower);
  const existing = keys.flatMap((k) => {
    const v = headers[k];
    return v === undefined ? [] : Array.isArray(v) ? v : [String(v)];
  });
  if (action === 'skip' && existing.length > 0) return;
  for (const k of keys) delete headers[k];
  if (action === 'delete') return;
  const all = action === 'append' ? [...existing, ...lines] : lines;
  headers[name] = ONE_LINE_PER_VALUE.has(lower) ? (all.length === 1 ? all[0]! : all) : all.join(',');
}

export function compileAnswerHeader(e: SetHeaderElement): ResponseStep {
  checkSettable(e);
  const { name, existsAction } = e;
  const lower = name.toLowerCase();
  const values = e.values.map(compileExpr);
  return (x, head) => {
    editAnswerHeaders(head.headers, name, existsAction, linesOf(lower, values, x));
    return undefined;
  };
}

export function compileQueryParameter(e: SetQueryParameterElement): Step {
  const { name, existsAction } = e;
  const encodedName = encodeURIComponent(name);
  const values = e.values.map(compileExpr);
  return (x) => {
    const parts = x.query === '' ? [] : x.query.split('&');
    const isThis = (p: string) => queryName(p) === name;
    const present = parts.some(isThis);
    if (existsAction === 'skip' && present) return undefined;
    const kept = existsAction === 'override' || existsAction === 'delete' ? parts.filter((p) => !isThis(p)) : parts;
    if (existsAction !== 'delete') for (const v of values) kept.push(`${encodedName}=${encodeURIComponent(v(x))}`);
    x.query = kept.join('&');
    return undefined;
  };
}

export function compileCheckHeader(e: CheckHeaderElement): Step {
  const { name, ignoreCase, failedCheckHttpCode: status, failedCheckErrorMessage: message } = e;
  const allowed = ignoreCase ? e.values.map((v) => v.toLowerCase()) : e.values;
  return (x) => {
    const value = requestHeader(x, name);
    if (value === undefined) return jsonAnswer(status, message, 'HeaderNotFound');
    if (allowed.length === 0) return undefined;
    const seen = ignoreCase ? value.toLowerCase() : value;
    return allowed.includes(seen) ? undefined : jsonAnswer(status, message, 'HeaderValueNotAllowed');
  };
}
