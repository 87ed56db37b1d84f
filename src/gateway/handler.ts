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
import type { Exchange } from './policy/exchange.js';
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
}

export function createHandler(deps: HandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  // Decided once: per-request debug lines cost time even when nobody reads them.
  const debug = deps.logger.debug && (deps.logger.isLevelEnabled?.('debug') ?? true) ? deps.logger.debug.bind(deps.logger) : undefined;
  return (req, res) => {
    const started = debug || deps.proxy.onTiming ? performance.now() : 0;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = q < 0 ? '' : url.slice(q + 1);
    const method = (req.method ?? 'GET').toUpperCase();
    // Synchronous up to the proxy, and the proxy reports by callback: no promise, and no microtask,
    // per request (see docs/benchmarks.md, gateway). Only a debug line needs the outcome.
    const report = debug ? (o: Outcome) => logDebug(debug, method, path, o, started) : undefined;
    let outcome: Outcome | undefined;
    try {
      outcome = handle(req, res, method, path, query, started, deps, report);
    } catch (error) {
      deps.logger.error({ err: error, method, path }, 'gateway request failed');
      sendError(res, 500, MESSAGES.internal);
      outcome = { status: 500 };
    }
    if (outcome && report) report(outcome);
  };
}

function logDebug(debug: (o: object, m?: string) => void, method: string, path: string, outcome: Outcome, started: number): void {
  debug({ method, path, api: outcome.apiId, status: outcome.status, ms: Math.round(performance.now() - started) }, 'gateway request');
}

interface Outcome {
  status: number;
  apiId?: string;
}

function refuse(req: IncomingMessage, res: ServerResponse, status: number, message: string, apiId?: string): Outcome {
  drain(req);
  sendError(res, status, message);
  return apiId === undefined ? { status } : { status, apiId };
}

function handle(
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  path: string,
  query: string,
  startedAt: number,
  deps: HandlerDeps,
  report: ((o: Outcome) => void) | undefined,
): Outcome | undefined {
  if (!isSafePath(path)) return refuse(req, res, 400, MESSAGES.unsafePath);
  const snapshot = deps.snapshot();
  const ring = deps.ring();
  if (!snapshot || !ring) return refuse(req, res, 503, MESSAGES.unavailable);
  if (method === 'OPTIONS' && isPreflight(method, req)) {
    const answered = preflight(req, res, path, snapshot);
    if (answered) return answered;
  }
  const match = snapshot.routes.match(method, path);
  if (!match) return refuse(req, res, 404, MESSAGES.notFound);
  const { api, operation } = match;
  const presented = takeKey(req, query, api.keyHeader, api.keyQuery);
  let now = 0;
  let admitted: Admitted | undefined;
  if (api.subscriptionRequired) {
    if (presented.key === undefined) return refuse(req, res, 401, MESSAGES.missingKey, api.id);
    now = deps.clock.now().getTime();
    const decision = snapshot.keys.decide(lookupHash(ring, presented.key), api.id, now);
    if (!decision.allowed) return refuse(req, res, decision.status, decision.message, api.id);
    admitted = decision;
  } else if (presented.key !== undefined && snapshot.policies.size > 0) {
    // An open API called with a key: policies see its subscription (and count the call), as Azure's do.
    now = deps.clock.now().getTime();
    const decision = snapshot.keys.decide(lookupHash(ring, presented.key), api.id, now);
    if (decision.allowed) admitted = decision;
  }
  const pipeline = snapshot.policies.pipeline(admitted?.productId, api, operation);
  const apiId = api.id;
  if (pipeline.trivial) {
    if (!api.upstream) return refuse(req, res, 502, MESSAGES.noBackend, api.id);
    proxyRequest(
      { req, res, target: api.upstream, rest: match.rest, query: presented.forwardQuery, keyHeader: api.keyHeader, startedAt },
      deps.proxy,
      report && ((status) => report({ status, apiId })),
    );
    return undefined;
  }
  if (pipeline.failed) return refuse(req, res, 500, MESSAGES.internal, api.id);
  const x: Exchange = {
    req,
    method,
    api,
    operation,
    rest: match.rest,
    key: presented.key,
    subscription: admitted,
    now: now || deps.clock.now().getTime(),
    headers: undefined,
    query: presented.forwardQuery,
    target: api.upstream,
    path: undefined,
    answerHeaders: undefined,
    cors: undefined,
    after: undefined,
    quotaKeys: undefined,
  };
  runPipeline(x, res, pipeline, deps, report && ((status) => report({ status, apiId })), startedAt);
  return undefined;
}

/**
 * A CORS preflight, answered by the cors policies of the operation the browser asks about (the
 * method it names), before any key is asked for: browsers send none with it. Without a product:
 * a product's cors policy needs the key a preflight does not carry (as in Azure). undefined: no
 * cors policy there, the call goes on as any OPTIONS.
 */
function preflight(req: IncomingMessage, res: ServerResponse, path: string, snapshot: Snapshot): Outcome | undefined {
  const asked = String(req.headers['access-control-request-method']).trim().toUpperCase();
  const match = snapshot.routes.match(asked, path);
  if (!match) return undefined;
  const { cors } = snapshot.policies.pipeline(undefined, match.api, match.operation);
  if (cors.length === 0) return undefined;
  let answer = unmatchedPreflight();
  for (const c of cors) {
    const a = c.preflight(req);
    if (a) {
      answer = a;
      break;
    }
  }
  drain(req);
  sendAnswer(res, answer, false);
  return { status: answer.status, apiId: match.api.id };
}

/** Reads and discards a request body the gateway answers without forwarding. */
function drain(req: IncomingMessage): void {
  if (!req.complete) req.resume();
}
