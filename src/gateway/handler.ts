/**
 * The hot path: match API and operation in the current snapshot, check the subscription key (one
 * HMAC, one Map lookup), proxy. No database query, no plaintext key kept.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../domain/clock.js';
import { lookupHash, type KeyRing } from '../domain/subscription-keys.js';
import { decideAccess } from './access.js';
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
    handle(req, res, method, path, query, started, deps)
      .catch((error: unknown) => {
        deps.logger.error({ err: error, method, path }, 'gateway request failed');
        sendError(res, 500, MESSAGES.internal);
        return { status: 500 } as Outcome;
      })
      .then((outcome) => {
        debug?.({ method, path, api: outcome.apiId, status: outcome.status, ms: Math.round(performance.now() - started) }, 'gateway request');
      }, () => undefined);
  };
}

interface Outcome {
  status: number;
  apiId?: string;
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  path: string,
  query: string,
  startedAt: number,
  deps: HandlerDeps,
): Promise<Outcome> {
  if (!isSafePath(path)) {
    drain(req);
    sendError(res, 400, MESSAGES.unsafePath);
    return { status: 400 };
  }
  const snapshot = deps.snapshot();
  const ring = deps.ring();
  if (!snapshot || !ring) {
    drain(req);
    sendError(res, 503, MESSAGES.unavailable);
    return { status: 503 };
  }
  const match = snapshot.routes.match(method, path);
  if (!match) {
    drain(req);
    sendError(res, 404, MESSAGES.notFound);
    return { status: 404 };
  }
  const { api } = match;
  const presented = takeKey(req, query, api.keyHeader, api.keyQuery);
  if (api.subscriptionRequired) {
    if (presented.key === undefined) {
      drain(req);
      sendError(res, 401, MESSAGES.missingKey);
      return { status: 401, apiId: api.id };
    }
    const decision = decideAccess(snapshot.keys, lookupHash(ring, presented.key), api.id, deps.clock.now().getTime());
    if (!decision.allowed) {
      drain(req);
      sendError(res, decision.status, decision.message);
      return { status: decision.status, apiId: api.id };
    }
  }
  if (!api.upstream) {
    drain(req);
    sendError(res, 502, MESSAGES.noBackend);
    return { status: 502, apiId: api.id };
  }
  const status = await proxyRequest(
    { req, res, target: api.upstream, rest: match.rest, query: presented.forwardQuery, keyHeader: api.keyHeader, startedAt },
    deps.proxy,
  );
  return { status, apiId: api.id };
}

/** Reads and discards a request body the gateway answers without forwarding. */
function drain(req: IncomingMessage): void {
  if (!req.complete) req.resume();
}
