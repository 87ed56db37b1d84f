/**
 * What a load run yields, whichever client generated it (wrk.ts, paced.ts), and the CPU accounting
 * around it: CPU time (from /proc) of the server under test, of the upstream, of the load
 * generator and of everything else on the machine over the measured window.
 */
import { machineBusyTicks, processTree, selfAndReapedTicks, TICK_MS, treeTicks } from './procstat.js';

export interface LoadOptions {
  url: string;
  headers?: Record<string, string>;
  connections: number;
  durationS: number;
  /** Requests per second for all connections together; none: as fast as possible. */
  rate?: number;
  /** The server under test (its process tree is accounted). */
  serverPid?: number;
  upstreamPid?: number;
}

/** CPU used during a run, in cores (1 = one CPU fully busy); NaN when unknown. */
export interface CpuUse {
  server: number;
  /** Server CPU time per response, in microseconds. */
  serverUsPerRequest: number;
  upstream: number;
  /** The load generator: wrk (a child of this process), or this process for paced.ts. */
  client: number;
  /** Every other process on the machine. */
  others: number;
}

export interface GatewayTimings {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface LoadResult {
  requests: number;
  /** Responses per second over the whole run. */
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Responses whose status is not 2xx (wrk: status 400 or above, the only ones it counts). */
  non2xx: number;
  /** Connection errors, timeouts included (requests without a response). */
  errors: number;
  statuses: Record<string, number>;
  cpu: CpuUse;
  /** Filled in by the caller: connections the upstream accepted and requests it served during the run. */
  upstream?: { connections: number; requests: number };
  /** Filled in by the caller for the gateway node: the gateway's own time per request (ms). */
  inGateway?: GatewayTimings;
}

interface CpuSample {
  at: number;
  server: number;
  upstream: number;
  client: number;
  ours: number;
  machine: number;
}

export function sampleCpu(o: LoadOptions): CpuSample {
  const tree = (pid: number | undefined) => (pid === undefined ? NaN : treeTicks(processTree(pid)));
  return {
    at: performance.now(),
    server: tree(o.serverPid),
    upstream: o.upstreamPid === o.serverPid ? NaN : tree(o.upstreamPid),
    client: selfAndReapedTicks(),
    ours: treeTicks(processTree(process.pid).filter((pid) => pid !== process.pid)) + selfAndReapedTicks(),
    machine: machineBusyTicks(),
  };
}

export function cpuUse(a: CpuSample, b: CpuSample, requests: number): CpuUse {
  const ms = b.at - a.at;
  const cores = (key: keyof CpuSample) => ((b[key] - a[key]) * TICK_MS) / ms;
  return {
    server: cores('server'),
    serverUsPerRequest: requests > 0 ? ((b.server - a.server) * TICK_MS * 1000) / requests : NaN,
    upstream: cores('upstream'),
    client: cores('client'),
    others: Math.max(0, cores('machine') - cores('ours')),
  };
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}
