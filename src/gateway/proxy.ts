/**
 * Forwards one request to its backend: any method, request and response bodies streamed both ways
 * (never buffered), headers rewritten by headers.ts. Unreachable backend → 502, no answer within
 * the timeout → 504; undici's error text never reaches the client.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { clientResponseHeaders, hasBody, upstreamRequestHeaders } from './headers.js';
import type { Answer } from './policy/exchange.js';
import { MESSAGES, sendAnswer, sendError } from './responses.js';
import type { UpstreamTarget } from './routing.js';
import type { Upstreams } from './upstreams.js';
import type { CallRecord } from './observe/call.js';

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
  /** The call as recorded: its trace goes to the backend, and the backend's status and time are noted on it. */
  call: CallRecord;
  /** A call with policies: what they changed, and what they do with the answer. Absent on the plain path. */
  policy?: PolicyHooks;
}

/** What a call's policies give and take around the backend's exchange (policy/run.ts). */
export interface PolicyHooks {
  /** The backend's request headers, as edited. */
  headers: string[];
  /** forward-request's timeout. */
  timeoutMs: number;
  /** The backend's head: its headers are changed in place (outbound), or another answer is sent instead (its body is then dropped). */
  response(status: number, headers: OutgoingHttpHeaders): Answer | undefined;
  /** The backend failed before its head: the answer to send (on-error has run on it). */
  failed(status: 502 | 504, message: string): Answer;
  /** The exchange is over: the status sent (0: the client went away) and the body's bytes. */
  ended(status: number, bytes: number): void;
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
export function proxyRequest(p: ProxyRequest, options: ProxyOptions, done?: (status: number, bytes: number) => void): void {
  const { req, res, target, call } = p;
  const hooks = p.policy;
  const path = (target.basePath + p.rest || '/') + (p.query ? `?${p.query}` : '');
  const timeoutMs = hooks ? hooks.timeoutMs : options.timeoutMs;
  let controller: Dispatcher.DispatchController | undefined;
  let status = 0;
  let bytes = 0;
  let settled = false;
  let draining = false;
  const settle = (s: number) => {
    if (settled) return;
    settled = true;
    res.off('close', onClose);
    if (draining) res.off('drain', onDrain);
    if (call.dispatchedAt && !call.serviceMs) call.serviceMs = performance.now() - call.dispatchedAt;
    hooks?.ended(s, bytes);
    done?.(s, bytes);
  };
  const onClose = () => {
    if (res.writableFinished) return;
    controller?.abort(new Error('client went away'));
    settle(0);
  };
  const onDrain = () => controller?.resume();
  res.on('close', onClose);
  const timing = options.onTiming;
  const dispatchedAt = performance.now();
  call.dispatchedAt = dispatchedAt;
  let answeredAt = 0;
  options.upstreams.pool(target.origin).dispatch(
    {
      method: req.method as Dispatcher.HttpMethod,
      path,
      headers: hooks ? hooks.headers : upstreamRequestHeaders(req, p.keyHeader, call),
      body: hasBody(req) ? req : null,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    },
    {
      onRequestStart(c) {
        controller = c;
        if (res.destroyed) c.abort(new Error('client went away'));
      },
      onResponseStart(c, statusCode, headers) {
        if (timing) answeredAt = performance.now();
        status = statusCode;
        call.backendStatus = statusCode;
        const out = clientResponseHeaders(headers);
        const instead = hooks?.response(statusCode, out);
        if (instead) {
          // An outbound return-response: the backend's body is not wanted.
          status = instead.status;
          bytes = sendAnswer(res, instead, req.method === 'HEAD');
          settle(status);
          c.abort(new Error('answered by a policy'));
          return;
        }
        res.writeHead(statusCode, out);
      },
      onResponseData(c, chunk) {
        if (settled) return;
        bytes += chunk.length;
        if (res.write(chunk)) return;
        // Backpressure is rare with most answers fitting one chunk: listen for 'drain' only once needed.
        if (!draining) {
          draining = true;
          res.on('drain', onDrain);
        }
        c.pause();
      },
      onResponseEnd() {
        if (settled) return;
        call.serviceMs = performance.now() - dispatchedAt;
        res.end();
        if (timing) timing(dispatchedAt - call.startedAt + (performance.now() - answeredAt));
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
        call.cause = s === 504 ? 'upstream-timeout' : 'upstream-error';
        const message = s === 504 ? MESSAGES.gatewayTimeout : MESSAGES.badGateway;
        let sent: number = s;
        if (hooks) {
          const answer = hooks.failed(s, message);
          sent = answer.status;
          bytes = sendAnswer(res, answer, req.method === 'HEAD');
        } else bytes = sendError(res, s, message);
        // A request body the backend never read must not stall the connection.
        if (!req.complete) req.resume();
        settle(sent);
      },
    },
  );
}

function errorCode(error: unknown): string {
  const e = error as { code?: unknown; cause?: { code?: unknown } } | null;
  const code = e?.code ?? e?.cause?.code;
  return typeof code === 'string' ? code : '';
}
