/**
 * Forwards one request to its backend: any method, request and response bodies streamed both ways
 * (never buffered), headers rewritten by headers.ts. Unreachable backend → 502, no answer within
 * the timeout → 504; undici's error text never reaches the client.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Dispatcher } from 'undici';
import { clientResponseHeaders, hasBody, upstreamRequestHeaders } from './headers.js';
import { MESSAGES, sendError } from './responses.js';
import type { UpstreamTarget } from './routing.js';
import type { Upstreams } from './upstreams.js';

const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);

export interface ProxyRequest {
  req: IncomingMessage;
  res: ServerResponse;
  target: UpstreamTarget;
  /** The path after the API's path ('' or '/...'). */
  rest: string;
  /** Query to forward, without '?'. */
  query: string;
  keyHeader: string;
}

export interface ProxyOptions {
  upstreams: Upstreams;
  timeoutMs: number;
}

/** Resolves when the exchange is over; returns the status sent (or 0 if the client went away). */
export async function proxyRequest(p: ProxyRequest, options: ProxyOptions): Promise<number> {
  const { req, res, target } = p;
  const path = (target.basePath + p.rest || '/') + (p.query ? `?${p.query}` : '');
  const abort = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) abort.abort();
  };
  res.once('close', onClose);
  let upstream: Dispatcher.ResponseData;
  try {
    upstream = await options.upstreams.pool(target.origin).request({
      method: req.method as Dispatcher.HttpMethod,
      path,
      headers: upstreamRequestHeaders(req, p.keyHeader),
      body: hasBody(req) ? req : null,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      signal: abort.signal,
    });
  } catch (error) {
    res.off('close', onClose);
    if (abort.signal.aborted || res.destroyed) return 0;
    const status = TIMEOUTS.has(errorCode(error)) ? 504 : 502;
    sendError(res, status, status === 504 ? MESSAGES.gatewayTimeout : MESSAGES.badGateway);
    // A request body the backend never read must not stall the connection.
    if (!req.complete) req.resume();
    return status;
  }
  try {
    res.writeHead(upstream.statusCode, clientResponseHeaders(upstream.headers));
    await pipeline(upstream.body, res);
  } catch {
    // The backend or the client broke off mid-body: the status line is gone, only closing is left.
    upstream.body.destroy();
    res.destroy();
  } finally {
    res.off('close', onClose);
  }
  return upstream.statusCode;
}

function errorCode(error: unknown): string {
  const e = error as { code?: unknown; cause?: { code?: unknown } } | null;
  const code = e?.code ?? e?.cause?.code;
  return typeof code === 'string' ? code : '';
}
