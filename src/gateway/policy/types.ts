/** What compiling a policy needs to know: where it runs, and the gateway's parts it uses. */
import type { Clock } from '../../domain/clock.js';
import type { Counters } from '../counters/types.js';
import type { RouteApi, RouteOperation } from '../routing.js';
import type { GatewayLogger } from '../types.js';
import type { OpenIdConfigs } from './openid.js';

export interface PolicyEnv {
  counters: Counters;
  clock: Clock;
  logger: GatewayLogger;
  /** The gateway's own upstream timeout: forward-request may shorten it, never lengthen it. */
  gatewayTimeoutMs: number;
  openid: OpenIdConfigs;
}

/** The operation (and product) an effective policy is compiled for. */
export interface CompileTarget {
  api: RouteApi;
  operation: RouteOperation;
  productId: string | undefined;
}

/** A policy the gateway cannot run as stored: the scope's calls are refused with 500 instead. */
export class PolicyCompileError extends Error {}
