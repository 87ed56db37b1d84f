/**
 * The hot path: match API and operation in the current snapshot, check the subscription key (one
 * HMAC, one Map lookup), proxy. No database query, no plaintext key kept.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../domain/clock.js';
import { lookupHash, type KeyRing } from '../domain/subscription-keys.js';
import { isSafePath } from './path-safety.js';
import { proxyRequest, type ProxyOptions } from './proxy.js';
import { MESSAGES, sendError } from './responses.js';
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
  const match = snapshot.routes.match(method, path);
  if (!match) return refuse(req, res, 404, MESSAGES.notFound);
  const { api } = match;
  const presented = takeKey(req, query, api.keyHeader, api.keyQuery);
  if (api.subscriptionRequired) {
    if (presented.key === undefined) return refuse(req, res, 401, MESSAGES.missingKey, api.id);
    const decision = snapshot.keys.decide(lookupHash(ring, presented.key), api.id, deps.clock.now().getTime());
    if (!decision.allowed) return refuse(req, res, decision.status, decision.message, api.id);
  }
  if (!api.upstream) return refuse(req, res, 502, MESSAGES.noBackend, api.id);
  const apiId = api.id;
  proxyRequest(
    { req, res, target: api.upstream, rest: match.rest, query: presented.forwardQuery, keyHeader: api.keyHeader, startedAt },
    deps.proxy,
    report && ((status) => report({ status, apiId })),
  );
  return undefined;
}

/** Reads and discards a request body the gateway answers without forwarding. */
function drain(req: IncomingMessage): void {
  if (!req.complete) req.resume();
}
