/**
 * Forwards one request to its backend: any method, request and response bodies streamed both ways
 * (never buffered), headers rewritten by headers.ts. Unreachable backend → 502, no answer within
 * the timeout → 504; undici's error text never reaches the client.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
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
  /** performance.now() when the request reached the gateway; only kept when `onTiming` is set. */
  startedAt?: number;
}

export interface ProxyOptions {
  upstreams: Upstreams;
  timeoutMs: number;
  /**
   * Measurement (the benchmark): called after each forwarded exchange with the milliseconds the
   * gateway itself spent on it — from the request's arrival to the upstream dispatch, plus from the
   * upstream's response headers to the end of the answer — i.e. everything but the backend's round
   * trip. Absent in production: then no clock is read on the hot path.
   */
  onTiming?: (gatewayMs: number) => void;
}

/**
 * Calls `done` (if given) when the exchange is over, with the status sent (or 0 if the client went
 * away). A callback rather than a promise: nothing on the hot path waits for it (see
 * docs/benchmarks.md, gateway).
 *
 * Uses undici's dispatch() with a handler that writes straight into the client's response: no
 * AbortController, Readable wrapper or stream pipeline per request (those cost more CPU than all of
 * the gateway's own work). Backpressure pauses the upstream through the handler's controller; a
 * client that goes away aborts it.
 */
export function proxyRequest(p: ProxyRequest, options: ProxyOptions, done?: (status: number) => void): void {
  const { req, res, target } = p;
  const path = (target.basePath + p.rest || '/') + (p.query ? `?${p.query}` : '');
  let controller: Dispatcher.DispatchController | undefined;
  let status = 0;
  let settled = false;
  let draining = false;
  const settle = (s: number) => {
    if (settled) return;
    settled = true;
    res.off('close', onClose);
    if (draining) res.off('drain', onDrain);
    done?.(s);
  };
  const onClose = () => {
    if (res.writableFinished) return;
    controller?.abort(new Error('client went away'));
    settle(0);
  };
  const onDrain = () => controller?.resume();
  res.on('close', onClose);
  const timing = options.onTiming;
  const dispatchedAt = timing ? performance.now() : 0;
  let answeredAt = 0;
  options.upstreams.pool(target.origin).dispatch(
    {
      method: req.method as Dispatcher.HttpMethod,
      path,
      headers: upstreamRequestHeaders(req, p.keyHeader),
      body: hasBody(req) ? req : null,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    },
    {
      onRequestStart(c) {
        controller = c;
        if (res.destroyed) c.abort(new Error('client went away'));
      },
      onResponseStart(_c, statusCode, headers) {
        if (timing) answeredAt = performance.now();
        status = statusCode;
        res.writeHead(statusCode, clientResponseHeaders(headers));
      },
      onResponseData(c, chunk) {
        if (res.write(chunk)) return;
        // Backpressure is rare with most answers fitting one chunk: listen for 'drain' only once needed.
        if (!draining) {
          draining = true;
          res.on('drain', onDrain);
        }
        c.pause();
      },
      onResponseEnd() {
        res.end();
        if (timing) timing(dispatchedAt - (p.startedAt ?? dispatchedAt) + (performance.now() - answeredAt));
        settle(status);
      },
      onResponseError(_c, error) {
        if (settled) return;
        if (res.headersSent || res.destroyed) {
          // The backend or the client broke off mid-body: the status line is gone, only closing is left.
          res.destroy();
          settle(res.headersSent ? status : 0);
          return;
        }
        const s = TIMEOUTS.has(errorCode(error)) ? 504 : 502;
        sendError(res, s, s === 504 ? MESSAGES.gatewayTimeout : MESSAGES.badGateway);
        // A request body the backend never read must not stall the connection.
        if (!req.complete) req.resume();
        settle(s);
      },
    },
  );
}

function errorCode(error: unknown): string {
  const e = error as { code?: unknown; cause?: { code?: unknown } } | null;
  const code = e?.code ?? e?.cause?.code;
  return typeof code === 'string' ? code : '';
}
