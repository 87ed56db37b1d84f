/**
 * Where a presented subscription key comes from (the API's header, else its query parameter) and
 * the query string the backend gets: the original one, byte for byte, minus the key parameter.
 */
import type { IncomingMessage } from 'node:http';

export interface PresentedKey {
  /** undefined: no key in the header or the query. */
  key: string | undefined;
  /** The query string to forward (without '?'), '' for none. */
  forwardQuery: string;
}

/** A query string's name or value decoded ('+' is a space); undefined when it is not valid percent-encoding. */
export function decodeQueryPart(s: string): string | undefined {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

export function takeKey(req: IncomingMessage, query: string, keyHeader: string, keyQuery: string): PresentedKey {
  const header = req.headers[keyHeader];
  let key = typeof header === 'string' ? header.trim() : Array.isArray(header) ? header[0] : undefined;
  if (key === '') key = undefined;
  if (query === '') return { key, forwardQuery: '' };
  const kept: string[] = [];
  for (const part of query.split('&')) {
    const eq = part.indexOf('=');
    const name = decodeQueryPart(eq < 0 ? part : part.slice(0, eq));
    if (name === keyQuery) {
      if (key === undefined && eq >= 0) {
        const value = decodeQueryPart(part.slice(eq + 1));
        if (value) key = value;
      }
      continue;
    }
    kept.push(part);
  }
  return { key, forwardQuery: kept.join('&') };
}

/** The decoded name of one `name=value` part of a query string (as written when it does not decode). */
export function queryName(part: string): string {
  const eq = part.indexOf('=');
  const raw = eq < 0 ? part : part.slice(0, eq);
  return decodeQueryPart(raw) ?? raw;
}
