/**
 * The rules of the portal's "Try it" console, without I/O. The portal's server sends the request
 * itself (a developer's browser never holds the key), so whatever the form says must not let it
 * reach anything but the gateway: the URL is the configured gateway URL, the API's path and the
 * operation's template, each parameter percent-encoded into its own place; only the operation's
 * declared query parameters and headers are sent, never headers that steer the connection or the
 * subscription key header (the server sets that one from the chosen subscription).
 */
import type { AttemptPolicy } from '../attempt-limits.js';
import { validationError, type ErrorDetail } from '../errors.js';
import { splitTemplate } from '../openapi/export.js';
import type { ReferenceParameter } from './operation.js';

/** Calls one developer may make per minute: each is a real call through the gateway, with their key. */
export const TRY_IT_CALLS_PER_MINUTE = 20;
export const TRY_IT_POLICY: AttemptPolicy = { windowMs: 60_000, lockMs: (n) => (n >= TRY_IT_CALLS_PER_MINUTE ? 60_000 : undefined) };
export const tryItKey = (userId: string) => `try-it:${userId}`;

export const TRY_IT_LIMITS = {
  /** The gateway's whole answer must arrive within this. */
  timeoutMs: 10_000,
  /** Past this many bytes the answer is cut off (the page says so). */
  maxResponseBytes: 256 * 1024,
  /** The body the form may send. */
  maxBodyChars: 256 * 1024,
  maxValueChars: 4096,
} as const;

/** Headers the form can never set: they steer the connection, its framing, or who the caller is. */
const RESERVED_HEADERS = new Set([
  'host', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'transfer-encoding', 'content-length', 'expect',
  'proxy-authorization', 'proxy-connection', 'cookie', 'forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto',
]);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

export const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface TryItValues {
  /** Parameter values keyed `${location}:${name}` (what the form's inputs are named). */
  values: ReadonlyMap<string, string>;
  body: string;
  contentType: string;
}

export interface TryItRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string | undefined;
}

export const fieldName = (p: Pick<ReferenceParameter, 'location' | 'name'>) => `${p.location}:${p.name}`;

/** `gatewayUrl`/`apiPath`/`path` with `{name}`s filled in (values already checked), then the query. */
function urlOf(gatewayUrl: string, apiPath: string, path: string, filled: ReadonlyMap<string, string>, query: [string, string][]): URL {
  const base = new URL(gatewayUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  const api = apiPath.replace(/^\/+|\/+$/g, '');
  const rest = path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(filled.get(name) ?? ''));
  const url = new URL(base.origin);
  url.pathname = `${prefix}${api === '' ? '' : `/${api}`}${rest}`;
  for (const [name, value] of query) url.searchParams.append(name, value);
  return url;
}

/**
 * The request "Try it" sends for an operation, or a validation error naming each field that is
 * wrong (`${location}:${name}`, `body`, `contentType`). `keyHeader` is left out of the headers:
 * the caller adds the subscription's key under it.
 */
export function tryItRequest(
  gateway: { url: string; apiPath: string; keyHeader: string },
  operation: { method: string; urlTemplate: string; parameters: readonly ReferenceParameter[] },
  input: TryItValues,
): TryItRequest {
  const problems: ErrorDetail[] = [];
  const problem = (target: string, message: string) => problems.push({ code: 'ValidationError', target, message });
  const filled = new Map<string, string>();
  const query: [string, string][] = [];
  const headers: Record<string, string> = {};
  for (const p of operation.parameters) {
    const target = fieldName(p);
    const value = input.values.get(target) ?? '';
    if (value === '') {
      if (p.required) problem(target, `Enter a value for ${p.name}: it is required.`);
      continue;
    }
    if (value.length > TRY_IT_LIMITS.maxValueChars) problem(target, `The value of ${p.name} must be at most ${TRY_IT_LIMITS.maxValueChars} characters.`);
    else if (p.location === 'path') {
      // Encoded, a value cannot add a path segment; `.` and `..` would still climb out of the API's path.
      if (value === '.' || value === '..') problem(target, `The value of ${p.name} cannot be "${value}".`);
      else filled.set(p.name, value);
    } else if (p.location === 'query') query.push([p.name, value]);
    else {
      const lower = p.name.toLowerCase();
      if (!HEADER_NAME.test(p.name) || RESERVED_HEADERS.has(lower) || lower.startsWith('proxy-') || lower === gateway.keyHeader.toLowerCase()) {
        problem(target, `The header ${p.name} cannot be set here.`);
      } else if (CONTROL.test(value)) problem(target, `The value of ${p.name} cannot hold line breaks or control characters.`);
      else headers[lower] = value;
    }
  }
  const method = operation.method.toUpperCase();
  let body: string | undefined;
  if (METHODS_WITH_BODY.has(method) && input.body !== '') {
    if (input.body.length > TRY_IT_LIMITS.maxBodyChars) problem('body', `The body must be at most ${TRY_IT_LIMITS.maxBodyChars} characters.`);
    const contentType = input.contentType.trim();
    if (contentType === '' || CONTROL.test(contentType) || contentType.length > 200) problem('contentType', 'Choose the content type of the body.');
    else headers['content-type'] = contentType;
    body = input.body;
  }
  if (problems.length > 0) throw validationError('Some values of the request are not right.', problems);
  const url = urlOf(gateway.url, gateway.apiPath, splitTemplate(operation.urlTemplate).path, filled, query);
  // The guard of last resort: whatever the values were, the request goes to the gateway's origin.
  if (url.origin !== new URL(gateway.url).origin) throw validationError('The request would leave the gateway.');
  return { url: url.href, method, headers, body };
}
