/**
 * Post/Redirect/Get with a one-line notice: the redirect names the notice by a fixed code
 * (`?notice=<code>`) and the next page shows that code's sentence from its face's table. Only the
 * codes of the table exist, so a crafted link cannot make a page say anything else.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { applyNoStore } from './headers.js';

export type NoticeTable = Readonly<Record<string, string>>;

/** 303 to `location` (the browser follows with a GET), with the notice's code when there is one. */
export function seeOther(reply: FastifyReply, location: string, notice?: string): FastifyReply {
  applyNoStore(reply);
  if (notice === undefined) return reply.redirect(location, 303);
  const sep = location.includes('?') ? '&' : '?';
  return reply.redirect(`${location}${sep}notice=${encodeURIComponent(notice)}`, 303);
}

/** The sentence of the request's `?notice=` code in `table` (among `allowed`, when given); undefined for any other value. */
export function noticeText<T extends NoticeTable>(request: FastifyRequest, table: T, allowed?: readonly (keyof T & string)[]): string | undefined {
  const query = request.query as Record<string, unknown> | undefined;
  const code = query?.notice;
  if (typeof code !== 'string' || !Object.prototype.hasOwnProperty.call(table, code)) return undefined;
  if (allowed && !allowed.includes(code)) return undefined;
  return table[code];
}
