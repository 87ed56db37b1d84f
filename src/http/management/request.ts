/** Reading ARM path and query parameters, each checked against the specification's limits. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, invalidField } from '../../domain/errors.js';
import type { Page, PageRequest } from '../../services/views.js';
import type { ServicePath } from './resources.js';

/** Page size when the client gives no `$top`, and the most one page may hold. */
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

type Query = Record<string, string | string[] | undefined>;
type Params = Record<string, string | undefined>;

export function queryValue(request: FastifyRequest, name: string): string | undefined {
  const value = (request.query as Query)[name];
  if (Array.isArray(value)) throw invalidField(name, 'must be given once.');
  return value;
}

export function booleanQuery(request: FastifyRequest, name: string): boolean | undefined {
  const value = queryValue(request, name);
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw invalidField(name, 'must be true or false.');
}

function integerQuery(request: FastifyRequest, name: string, min: number): number | undefined {
  const value = queryValue(request, name);
  if (value === undefined) return undefined;
  if (!/^\d{1,10}$/.test(value) || Number(value) > 2147483647) throw invalidField(name, 'must be a whole number.');
  const n = Number(value);
  if (n < min) throw invalidField(name, `must be at least ${min}.`);
  return n;
}

export function enumQuery<T extends string>(request: FastifyRequest, name: string, values: readonly T[]): T | undefined {
  const value = queryValue(request, name);
  if (value === undefined) return undefined;
  const match = values.find((v) => v.toLowerCase() === value.toLowerCase());
  if (!match) throw invalidField(name, `must be one of ${values.join(', ')}.`);
  return match;
}

export function pageRequest(request: FastifyRequest): PageRequest {
  const top = integerQuery(request, '$top', 1);
  return {
    filter: queryValue(request, '$filter'),
    top: Math.min(top ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
    skip: integerQuery(request, '$skip', 0) ?? 0,
  };
}

export function servicePath(request: FastifyRequest): ServicePath {
  const p = request.params as Params;
  return { subscriptionId: p.subscriptionId!, resourceGroupName: p.resourceGroupName!, serviceName: p.serviceName! };
}

const FORBIDDEN_IN_ID = /[\u0000-\u001f\u007f/\\?#]/;

/** An entity id from the path: 1 to `max` characters, no control characters or path syntax. */
export function pathId(request: FastifyRequest, name: string, max: number, pattern?: RegExp): string {
  const value = (request.params as Params)[name] ?? '';
  if (value.length < 1 || value.length > max) throw invalidField(name, `must be 1 to ${max} characters.`);
  if (FORBIDDEN_IN_ID.test(value) || (pattern && !pattern.test(value))) {
    throw invalidField(name, 'contains characters that are not allowed.');
  }
  return value;
}

export function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** PUT/PATCH bodies are wrapped as `{ "properties": { ... } }`. */
export function bodyProperties(request: FastifyRequest): unknown {
  const body = request.body;
  if (body === undefined || body === null) {
    throw new AppError('validation', 'ValidationError', 'A request body is required.', [
      { code: 'ValidationError', target: 'properties', message: 'is required.' },
    ]);
  }
  if (typeof body !== 'object' || Array.isArray(body)) throw invalidField('body', 'must be a JSON object.');
  const properties = (body as { properties?: unknown }).properties;
  if (properties === undefined || properties === null) return {};
  return properties;
}

/**
 * A list response. `nextLink` carries the same query with the next `$skip`; it is absolute, built
 * on PUBLIC_URL (never on the request's Host header), and empty on the last page, as Azure sends it.
 */
export function listResponse<T, R>(
  request: FastifyRequest,
  publicUrl: string,
  page: PageRequest,
  result: Page<T>,
  render: (item: T) => R,
): { value: R[]; count: number; nextLink: string } {
  const nextSkip = page.skip + result.items.length;
  let nextLink = '';
  if (result.items.length > 0 && nextSkip < result.count) {
    // Keep the client's own encoding of every other parameter; only $top and $skip change.
    const [path, rawQuery = ''] = request.url.split('?', 2) as [string, string?];
    const kept = rawQuery.split('&').filter((pair) => {
      const key = safeDecode(pair.split('=', 1)[0] ?? '');
      return pair !== '' && key !== '$top' && key !== '$skip';
    });
    kept.push(`$top=${page.top}`, `$skip=${nextSkip}`);
    nextLink = `${publicUrl}${path}?${kept.join('&')}`;
  }
  return { value: result.items.map(render), count: result.count, nextLink };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** An answer that carries a secret (keys, tokens, sign-in links): no browser or proxy may store it. */
export function noStore(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
}
