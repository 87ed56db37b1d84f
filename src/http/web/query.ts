/** Reading a page's query string: a parameter given once, as a string. */
import type { FastifyRequest } from 'fastify';

/** A query parameter given once ('' when absent or repeated). */
export function queryParam(request: FastifyRequest, name: string): string {
  const query = request.query as Record<string, unknown> | undefined;
  const value = query && Object.prototype.hasOwnProperty.call(query, name) ? query[name] : undefined;
  return typeof value === 'string' ? value : '';
}
