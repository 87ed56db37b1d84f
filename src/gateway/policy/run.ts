/**
 * Runs a call through its compiled pipeline: inbound, backend, the backend's exchange (streamed as
 * on the plain path), outbound on the backend's head, then what counts after the response. A
 * policy's refusal, a failing policy or a failing backend becomes an error answer that on-error
 * runs on before it leaves. Steps answer synchronously when they can (the local counters do): a
 * call then costs no promise; one that must wait (validate-jwt, Redis) continues when it answers.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Clock } from '../../domain/clock.js';
import { upstreamRequestHeaders } from '../headers.js';
import { proxyRequest, type PolicyHooks, type ProxyOptions } from '../proxy.js';
import { MESSAGES, sendAnswer } from '../responses.js';
import type { GatewayLogger } from '../types.js';
import { applyCors } from './cors.js';
import { editAnswerHeaders } from './headers.js';
import { isPromise, jsonAnswer, type Answer, type Exchange, type Step, type StepResult } from './exchange.js';
import type { Pipeline } from './pipeline.js';
import type { CallCause } from '../observe/call.js';

export interface RunDeps {
  proxy: ProxyOptions;
  clock: Clock;
  logger: GatewayLogger;
}

/** Runs `steps` from `from` on; `next` hears the first answer, or undefined when all went on. */
function runSteps(steps: readonly Step[], from: number, x: Exchange, next: (a: StepResult) => void, fail: (error: unknown) => void): void {
  for (let i = from; i < steps.length; i++) {
    let r: StepResult | Promise<StepResult>;
    try {
      r = steps[i]!(x);
    } catch (error) {
      fail(error);
      return;
    }
    if (r === undefined) continue;
    if (isPromise(r)) {
      r.then((v) => {
        try {
          if (v === undefined) runSteps(steps, i + 1, x, next, fail);
          else next(v);
        } catch (error) {
          fail(error);
        }
      }, fail);
      return;
    }
    next(r);
    return;
  }
  next(undefined);
}

/** What every answer of the call gets: the limit headers inbound noted, and CORS's. */
function decorate(x: Exchange, headers: OutgoingHttpHeaders): void {
  if (x.answerHeaders) for (const [name, value] of x.answerHeaders) editAnswerHeaders(headers, name, 'override', [value]);
  if (x.cors) applyCors(headers, x.cors);
}

/** Why an answer the gateway made itself was made, by its error reason (undefined: return-response, mock-response). */
function causeOf(a: Answer): CallCause | undefined {
  switch (a.error) {
    case undefined:
      return undefined;
    case 'RateLimitExceeded':
      return 'rate-limit';
    case 'QuotaExceeded':
      return 'quota';
    case 'PolicyFailed':
      return 'internal';
    default:
      return 'policy';
  }
}

/** `done` hears the status sent (0: the client went away) and the bytes of the answer's body. */
export function runPipeline(x: Exchange, res: ServerResponse, pipeline: Pipeline, deps: RunDeps, done?: (status: number, bytes: number) => void): void {
  const head = x.method === 'HEAD';

  const ended = (status: number, bytes: number) => {
    const after = x.after;
    if (after) {
      const now = deps.clock.now().getTime();
      for (const fn of after) {
        try {
          fn(status, bytes / 1024, now);
        } catch (error) {
          deps.logger.error({ err: error, api: x.api.id }, 'gateway: counting after the response failed');
        }
      }
    }
    done?.(status, bytes);
  };

  /** on-error on an error answer: its set-headers change it, a return-response or mock-response replaces it. */
  const onError = (a: Answer): Answer => {
    decorate(x, a.headers);
    for (const step of pipeline.onError) {
      try {
        const instead = step(x, a);
        if (instead) {
          decorate(x, instead.headers);
          return instead;
        }
      } catch (error) {
        deps.logger.error({ err: error, api: x.api.id }, 'gateway: a policy of on-error failed; the error answer goes out as it was');
        return a;
      }
    }
    return a;
  };

  /** outbound on an answer's head (the backend's, or the empty one of a call not forwarded). */
  const outbound = (status: number, headers: OutgoingHttpHeaders): Answer | undefined => {
    decorate(x, headers);
    const current = { status, headers };
    try {
      for (const step of pipeline.outbound) {
        const instead = step(x, current);
        if (instead) {
          x.call.cause = 'policy';
          decorate(x, instead.headers);
          return instead;
        }
      }
    } catch (error) {
      deps.logger.error({ err: error, api: x.api.id }, 'gateway: a policy of outbound failed');
      return onError(jsonAnswer(500, MESSAGES.internal, 'PolicyFailed'));
    }
    return undefined;
  };

  const send = (a: Answer) => {
    if (!x.req.complete) x.req.resume();
    if (res.destroyed) return ended(0, 0);
    ended(a.status, sendAnswer(res, a, head));
  };

  const answered = (a: Answer) => {
    x.call.cause = causeOf(a) ?? 'policy';
    send(a.error ? onError(a) : (decorate(x, a.headers), a));
  };

  const fail = (error: unknown) => {
    deps.logger.error({ err: error, api: x.api.id, operation: x.operation.id }, 'gateway: a policy failed');
    x.call.cause = 'internal';
    send(onError(jsonAnswer(500, MESSAGES.internal, 'PolicyFailed')));
  };

  const forward = () => {
    const f = pipeline.forward;
    if (!f) {
      // No forward-request: no backend call; outbound runs on an empty 200.
      const empty: Answer = { status: 200, headers: {}, body: '' };
      x.call.cause = 'policy';
      send(outbound(200, empty.headers) ?? empty);
      return;
    }
    const target = x.target;
    if (!target) {
      x.call.cause = 'upstream-error';
      send(onError(jsonAnswer(502, MESSAGES.noBackend, 'BackendConnectionFailure')));
      return;
    }
    const hooks: PolicyHooks = {
      headers: x.headers ?? upstreamRequestHeaders(x.req, x.api.keyHeader, x.call),
      timeoutMs: f.timeoutMs,
      response: outbound,
      failed: (status, message) => onError(jsonAnswer(status, message, 'BackendConnectionFailure')),
      ended,
    };
    proxyRequest({ req: x.req, res, target, rest: x.path ?? x.rest, query: x.query, keyHeader: x.api.keyHeader, policy: hooks, call: x.call }, deps.proxy);
  };

  runSteps(pipeline.inbound, 0, x, (a) => (a ? answered(a) : runSteps(pipeline.backend, 0, x, (b) => (b ? answered(b) : forward()), fail)), fail);
}
