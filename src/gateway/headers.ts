/**
 * Header rules for forwarding: hop-by-hop headers (and those the Connection header names) stay on
 * their hop, the subscription key never reaches the backend, Host becomes the upstream's (undici
 * sets it from the pool's origin), and Forwarded and X-Forwarded-For/-Proto/-Host tell the backend
 * who asked, as the gateway saw it. The backend gets the call's request id (`x-request-id`, the
 * client's own replaced: it is the gateway's id, as in the answer) and its W3C `traceparent`
 * (observe/trace.ts; `tracestate` passes unchanged).
 */
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { forwardedElement } from './forwarded.js';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * Headers the gateway sets or that must not be passed on as received. A client's own Forwarded and
 * X-Forwarded-* are dropped, not appended to: Tollgate is the edge, and without a list of trusted
 * proxies (there is none yet) whatever a client claims there is forged as easily as not.
 */
const REQUEST_DROPPED = new Set(['host', 'expect', 'forwarded', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'traceparent', 'x-request-id']);

const NO_TOKENS: ReadonlySet<string> = new Set();

function connectionTokens(value: string | string[] | undefined): ReadonlySet<string> {
  // What nearly every client and backend sends names no header, so there is nothing to collect.
  if (value === undefined || value === 'keep-alive' || value === 'close') return NO_TOKENS;
  const out = new Set<string>();
  for (const v of Array.isArray(value) ? value : [value]) {
    for (const token of v.split(',')) {
      const t = token.trim().toLowerCase();
      if (t) out.add(t);
    }
  }
  return out;
}

function dropHeader(name: string, named: ReadonlySet<string>): boolean {
  return HOP_BY_HOP.has(name) || name.startsWith('proxy-') || named.has(name);
}

/** The headers for the upstream request, as undici's flat [name, value, ...] list (repeats kept). */
export function upstreamRequestHeaders(req: IncomingMessage, keyHeader: string, trace: { requestId: string; traceparent: string }): string[] {
  const named = connectionTokens(req.headers.connection);
  const out: string[] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (lower === keyHeader || REQUEST_DROPPED.has(lower) || dropHeader(lower, named)) continue;
    out.push(name, raw[i + 1]!);
  }
  const client = req.socket.remoteAddress;
  const proto = (req.socket as Partial<TLSSocket>).encrypted ? 'https' : 'http';
  const host = req.headers.host;
  out.push('forwarded', forwardedElement(client, proto, host));
  if (client) out.push('x-forwarded-for', client);
  out.push('x-forwarded-proto', proto);
  if (host) out.push('x-forwarded-host', host);
  out.push('traceparent', trace.traceparent, 'x-request-id', trace.requestId);
  return out;
}

/** The backend's response headers for the client, without hop-by-hop ones. */
export function clientResponseHeaders(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>): OutgoingHttpHeaders {
  const named = connectionTokens(headers.connection);
  const out: OutgoingHttpHeaders = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (dropHeader(lower, named)) continue;
    out[lower] = value;
  }
  return out;
}

/** Whether the request carries a body to stream upstream. */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return length !== '0';
  return req.headers['transfer-encoding'] !== undefined;
}
