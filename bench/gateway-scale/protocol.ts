/**
 * What a server process (server.ts) tells the benchmark over IPC. Apart from server.ts, which
 * starts serving when it is loaded, so that the parent can import these.
 */
import type { Gateway } from '../../src/gateway/index.js';

/** Timer resolution of the delay histogram: a delay shorter than this is not seen. */
export const LOOP_RESOLUTION_MS = 2;

export interface LoopDelay {
  /** Milliseconds; NaN when no delay was sampled. */
  p50: number;
  p99: number;
  max: number;
}

export interface Sample {
  rss: number;
  /** The largest RSS this process has had since it started (the kernel's figure), bytes. */
  peakRss: number;
  heapUsed: number;
  stats: ReturnType<Gateway['stats']>;
  loop: LoopDelay;
}

export interface Startup {
  /** From the process's start (performance.timeOrigin) until the gateway listens, ms. */
  sinceProcessStartMs: number;
  /** From createApp / createGatewayNode until the gateway listens, ms. */
  sinceCreateMs: number;
  /** The event loop's delays while starting (the initial load blocks it, which is a fact worth seeing). */
  loop: LoopDelay;
  rss: number;
}

export interface Ready {
  url?: string;
  gatewayPort: number;
  startup: Startup;
}

