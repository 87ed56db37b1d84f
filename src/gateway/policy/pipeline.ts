/**
 * An effective policy compiled into what a call runs: per section a list of closures, made once
 * per configuration change (policy/set.ts caches them), so a call walks an array and never looks
 * at the policy document. A pipeline that only forwards, within the gateway's own timeout, is
 * marked trivial: the handler then takes its plain path and builds nothing for the call.
 */
import type { EffectivePolicy, PlacedElement, SectionName } from '../../domain/policy/types.js';
import { compileMockResponse, compileReturnResponse } from './answers.js';
import { compileSetBackendService, compileRewriteUri, forwardTimeoutMs } from './backend.js';
import { compileCors, type CompiledCors } from './cors.js';
import type { ResponseStep, Step } from './exchange.js';
import { compileAnswerHeader, compileCheckHeader, compileQueryParameter, compileRequestHeader } from './headers.js';
import { compileIpFilter } from './ip-filter.js';
import { compileValidateJwt } from './jwt.js';
import { compileQuota, compileQuotaByKey, compileRateLimit, compileRateLimitByKey } from './limits.js';
import { PolicyCompileError, type CompileTarget, type PolicyEnv } from './types.js';

export interface Pipeline {
  /** Only forward-request within the gateway's timeout: the handler's plain path. */
  readonly trivial: boolean;
  /** A document under this call's scopes does not parse or compile: the call is refused with 500. */
  readonly failed: boolean;
  readonly inbound: readonly Step[];
  /** The backend section's policies before forward-request. */
  readonly backend: readonly Step[];
  /** undefined: no forward-request, so no backend call (Azure then runs outbound on an empty 200). */
  readonly forward: { readonly timeoutMs: number } | undefined;
  readonly outbound: readonly ResponseStep[];
  readonly onError: readonly ResponseStep[];
  /** The cors policies of inbound, in order: what answers a preflight. */
  readonly cors: readonly CompiledCors[];
}

const NONE: readonly never[] = Object.freeze([]);

export const FAILED_PIPELINE: Pipeline = Object.freeze({
  trivial: false,
  failed: true,
  inbound: NONE,
  backend: NONE,
  forward: undefined,
  outbound: NONE,
  onError: NONE,
  cors: NONE,
});

function misplaced(e: PlacedElement, section: SectionName): never {
  throw new PolicyCompileError(`${e.kind} (line ${e.at.line}, ${e.origin.scope} scope) cannot run in ${section}`);
}

/** A policy acting on the call before it is forwarded (inbound, and backend before forward-request). */
function requestStep(e: PlacedElement, section: SectionName, target: CompileTarget, env: PolicyEnv, cors: CompiledCors[]): Step {
  switch (e.kind) {
    case 'rate-limit':
      return compileRateLimit(e, target, env);
    case 'rate-limit-by-key':
      return compileRateLimitByKey(e, env);
    case 'quota':
      return compileQuota(e, target, env);
    case 'quota-by-key':
      return compileQuotaByKey(e, env);
    case 'ip-filter':
      return compileIpFilter(e);
    case 'check-header':
      return compileCheckHeader(e);
    case 'set-header':
      return compileRequestHeader(e);
    case 'set-query-parameter':
      return compileQueryParameter(e);
    case 'rewrite-uri':
      return compileRewriteUri(e);
    case 'set-backend-service':
      return compileSetBackendService(e);
    case 'validate-jwt':
      return compileValidateJwt(e, env);
    case 'return-response':
      return compileReturnResponse(e);
    case 'mock-response':
      return compileMockResponse(e);
    case 'cors': {
      if (section !== 'inbound') return misplaced(e, section);
      const compiled = compileCors(e);
      cors.push(compiled);
      return compiled.step;
    }
    case 'forward-request':
      return misplaced(e, section);
  }
}

/** A policy acting on the answer about to leave (outbound, on-error). */
function responseStep(e: PlacedElement, section: SectionName): ResponseStep {
  switch (e.kind) {
    case 'set-header':
      return compileAnswerHeader(e);
    case 'return-response': {
      const make = compileReturnResponse(e);
      return (x) => make(x);
    }
    case 'mock-response': {
      const make = compileMockResponse(e);
      return (x) => make(x);
    }
    default:
      return misplaced(e, section);
  }
}

export function compilePipeline(policy: EffectivePolicy, target: CompileTarget, env: PolicyEnv): Pipeline {
  const cors: CompiledCors[] = [];
  const inbound = policy.sections.inbound.map((e) => requestStep(e, 'inbound', target, env, cors));
  const backend: Step[] = [];
  let forward: { timeoutMs: number } | undefined;
  for (const e of policy.sections.backend) {
    if (forward) throw new PolicyCompileError(`${e.kind} (line ${e.at.line}) comes after forward-request in backend: nothing runs there`);
    if (e.kind === 'forward-request') forward = { timeoutMs: forwardTimeoutMs(e, env.gatewayTimeoutMs) };
    else backend.push(requestStep(e, 'backend', target, env, cors));
  }
  const outbound = policy.sections.outbound.map((e) => responseStep(e, 'outbound'));
  const onError = policy.sections['on-error'].map((e) => responseStep(e, 'on-error'));
  const trivial =
    inbound.length === 0 && backend.length === 0 && outbound.length === 0 && onError.length === 0 && forward !== undefined && forward.timeoutMs >= env.gatewayTimeoutMs;
  // Most operations have no policy of their own: one shared object serves all their cache entries.
  if (trivial) return trivialFor(env);
  return { trivial, failed: false, inbound, backend, forward, outbound, onError, cors };
}

const trivialPipelines = new WeakMap<PolicyEnv, Pipeline>();

function trivialFor(env: PolicyEnv): Pipeline {
  let p = trivialPipelines.get(env);
  if (!p) {
    p = Object.freeze({ ...FAILED_PIPELINE, trivial: true, failed: false, forward: Object.freeze({ timeoutMs: env.gatewayTimeoutMs }) });
    trivialPipelines.set(env, p);
  }
  return p;
}
