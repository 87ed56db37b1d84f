/**
 * The hot path: match API and operation in the current snapshot, check the subscription key (one
 * HMAC, one Map lookup), look up the operation's compiled policy, proxy. No database query, no
 * plaintext key kept. A call whose effective policy only forwards takes the plain path (nothing
 * is built for it); any other runs its pipeline (policy/run.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../domain/clock.js';
import { lookupHash, type KeyRing } from '../domain/subscription-keys.js';
import type { Admitted } from './access.js';
import { isSafePath } from './path-safety.js';
import { isPreflight, unmatchedPreflight } from './policy/cors.js';
import { clientIp, type Exchange } from './policy/exchange.js';
import type { CallCause, CallRecord, CallSink } from './observe/call.js';
import { newTrace } from './observe/trace.js';
import { runPipeline } from './policy/run.js';
import { proxyRequest, type ProxyOptions } from './proxy.js';
import { MESSAGES, sendAnswer, sendError } from './responses.js';
import type { Snapshot } from './snapshot.js';
import { takeKey } from './subscription-key.js';
import type { GatewayLogger } from './types.js';

export interface HandlerDeps {
  /** The current snapshot, or undefined before the first load. */
  snapshot(): Snapshot | undefined;
  ring(): Pick<KeyRing, 'lookup'> | undefined;
  clock: Clock;
  logger: GatewayLogger;
  proxy: ProxyOptions;
  /** Hears every call once its answer is out (traffic recording, metrics, access log). */
  sink?: CallSink | undefined;
}

/** Azure's gateway health path: answered 200 on the gateway's port without a key (load balancers probe it). */
export const HEALTH_PATH = '/status-0123456789abcdef';

export function createHandler(deps: HandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  // Decided once: per-request debug lines cost time even when nobody reads them.
  const debug = deps.logger.debug && (deps.logger.isLevelEnabled?.('debug') ?? true) ? deps.logger.debug.bind(deps.logger) : undefined;
  const sink = deps.sink;
  return (req, res) => {
    const startedAt = performance.now();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const method = (req.method ?? 'GET').toUpperCase();
    const trace = newTrace(req.headers.traceparent);
    const call: CallRecord = {
      at: deps.clock.now().getTime(),
      startedAt,
      requestId: trace.requestId,
      traceparent: trace.traceparent,
      method,
      path: q < 0 ? url : url.slice(0, q),
      query: '',
      ip: clientIp(req),
      apiId: undefined,
      operationId: undefined,
      productId: undefined,
      subscriptionId: undefined,
      userId: undefined,
      requestBytes: declaredLength(req),
      status: 0,
      backendStatus: 0,
      responseBytes: 0,
      apiMs: 0,
      serviceMs: 0,
      dispatchedAt: 0,
      cause: undefined,
    };
    res.setHeader('x-request-id', trace.requestId);
    let finished = false;
    // Synchronous up to the proxy, and the proxy reports by callback: no promise, and no microtask,
    // per request (see docs/benchmarks.md, gateway).
    const finish = (status: number, bytes: number) => {
      if (finished) return;
      finished = true;
      call.status = status;
      call.responseBytes = bytes;
      call.apiMs = performance.now() - startedAt;
      if (debug) debug({ method, path: call.path, api: call.apiId, status, ms: Math.round(call.apiMs) }, 'gateway request');
      if (sink) {
        try {
          sink.record(call);
        } catch (error) {
          deps.logger.error({ err: error }, 'gateway: recording a call failed');
        }
      }
    };
    try {
      handle(req, res, q < 0 ? '' : url.slice(q + 1), call, deps, finish);
    } catch (error) {
      deps.logger.error({ err: error, method, path: call.path }, 'gateway request failed');
      call.cause = 'internal';
      finish(500, sendError(res, 500, MESSAGES.internal));
    }
  };
}

type Finish = (status: number, bytes: number) => void;

function declaredLength(req: IncomingMessage): number {
  const length = req.headers['content-length'];
  if (length === undefined) return 0;
  const n = Number(length);
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}

function refuse(req: IncomingMessage, res: ServerResponse, call: CallRecord, finish: Finish, status: number, message: string, cause: CallCause): void {
  drain(req);
  call.cause = cause;
  finish(status, sendError(res, status, message));
}

function handle(req: IncomingMessage, res: ServerResponse, rawQuery: string, call: CallRecord, deps: HandlerDeps, finish: Finish): void {
  const { method, path } = call;
  if (!isSafePath(path)) return refuse(req, res, call, finish, 400, MESSAGES.unsafePath, 'bad-request');
  if (path === HEALTH_PATH && (method === 'GET' || method === 'HEAD')) {
    drain(req);
    call.cause = 'health';
    res.writeHead(200, { 'content-length': 0 });
    res.end();
    return finish(200, 0);
  }
  const snapshot = deps.snapshot();
  const ring = deps.ring();
  if (!snapshot || !ring) return refuse(req, res, call, finish, 503, MESSAGES.unavailable, 'unavailable');
  if (method === 'OPTIONS' && isPreflight(method, req) && preflight(req, res, path, snapshot, call, finish)) return;
  const match = snapshot.routes.match(method, path);
  if (!match) return refuse(req, res, call, finish, 404, MESSAGES.notFound, 'not-found');
  const { api, operation } = match;
  call.apiId = api.id;
  call.operationId = operation.id;
  const presented = takeKey(req, rawQuery, api.keyHeader, api.keyQuery);
  call.query = presented.forwardQuery;
  let admitted: Admitted | undefined;
  if (api.subscriptionRequired) {
    if (presented.key === undefined) return refuse(req, res, call, finish, 401, MESSAGES.missingKey, 'key');
    const decision = snapshot.keys.decide(lookupHash(ring, presented.key), api.id, call.at);
    if (!decision.allowed) return refuse(req, res, call, finish, decision.status, decision.message, 'key');
    admitted = decision;
  } else if (presented.key !== undefined && snapshot.policies.size > 0) {
    // An open API called with a key: policies see its subscription (and count the call), as Azure's do.
    const decision = snapshot.keys.decide(lookupHash(ring, presented.key), api.id, call.at);
    if (decision.allowed) admitted = decision;
  }
  if (admitted) {
    call.subscriptionId = admitted.subscriptionId;
    call.userId = admitted.ownerId;
    call.productId = admitted.productId;
  }
  const pipeline = snapshot.policies.pipeline(admitted?.productId, api, operation);
  if (pipeline.trivial) {
    if (!api.upstream) return refuse(req, res, call, finish, 502, MESSAGES.noBackend, 'upstream-error');
    proxyRequest({ req, res, target: api.upstream, rest: match.rest, query: presented.forwardQuery, keyHeader: api.keyHeader, call }, deps.proxy, finish);
    return;
  }
  if (pipeline.failed) return refuse(req, res, call, finish, 500, MESSAGES.internal, 'internal');
  const x: Exchange = {
    req,
    method,
    api,
    operation,
    rest: match.rest,
    key: presented.key,
    subscription: admitted,
    now: call.at,
    call,
    headers: undefined,
    query: presented.forwardQuery,
    target: api.upstream,
    path: undefined,
    answerHeaders: undefined,
    cors: undefined,
    after: undefined,
    quotaKeys: undefined,
  };
  runPipeline(x, res, pipeline, deps, finish);
}

/**
 * A CORS preflight, answered by the cors policies of the operation the browser asks about (the
 * method it names), before any key is asked for: browsers send none with it. Without a product:
 * a product's cors policy needs the key a preflight does not carry (as in Azure). false: no cors
 * policy there, the call goes on as any OPTIONS.
 */
function preflight(req: IncomingMessage, res: ServerResponse, path: string, snapshot: Snapshot, call: CallRecord, finish: Finish): boolean {
  const asked = String(req.headers['access-control-request-method']).trim().toUpperCase();
  const match = snapshot.routes.match(asked, path);
  if (!match) return false;
  const { cors } = snapshot.policies.pipeline(undefined, match.api, match.operation);
  if (cors.length === 0) return false;
  let answer = unmatchedPreflight();
  for (const c of cors) {
    const a = c.preflight(req);
    if (a) {
      answer = a;
      break;
    }
  }
  drain(req);
  call.apiId = match.api.id;
  call.operationId = match.operation.id;
  call.cause = 'policy';
  finish(answer.status, sendAnswer(res, answer, false));
  return true;
}

/** Reads and discards a request body the gateway answers without forwarding. */
function drain(req: IncomingMessage): void {
  if (!req.complete) req.resume();
}
