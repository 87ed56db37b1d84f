/**
 * One load run with autocannon's programmatic API. autocannon's own latency histogram holds whole
 * milliseconds (and only 2xx answers), too coarse for sub-millisecond differences, so every
 * response's latency (float ms, from autocannon's 'response' event) is kept here and the
 * percentiles are computed from all of them. Status codes, errors and timeouts are all counted.
 * CPU time (from /proc) of the server under test, of the upstream, of this process (autocannon) and
 * of everything else on the machine is recorded over the run.
 */
import autocannon from 'autocannon';
import { machineBusyTicks, processTree, TICK_MS, treeTicks } from './procstat.js';

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
  /** This process: the load generator (autocannon or paced.ts). */
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
  /** Responses whose status is not 2xx. */
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
    client: treeTicks([process.pid]),
    ours: treeTicks(processTree(process.pid)),
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

export function runLoad(o: LoadOptions): Promise<LoadResult> {
  let latencies = new Float64Array(1 << 16);
  let n = 0;
  const before = sampleCpu(o);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: o.url,
        headers: o.headers ?? {},
        connections: o.connections,
        duration: o.durationS,
        timeout: 10,
        ...(o.rate ? { overallRate: o.rate } : {}),
      },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        const elapsed = result.duration > 0 ? result.duration : (performance.now() - started) / 1000;
        const after = sampleCpu(o);
        const sorted = latencies.subarray(0, n).sort();
        const statuses: Record<string, number> = {};
        for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = count;
        resolve({
          requests: n,
          rps: n / elapsed,
          p50: percentile(sorted, 50),
          p90: percentile(sorted, 90),
          p99: percentile(sorted, 99),
          max: n ? sorted[n - 1]! : NaN,
          non2xx: result.non2xx,
          errors: result.errors, // autocannon counts timeouts among errors
          statuses,
          cpu: cpuUse(before, after, n),
        });
      },
    );
    instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => {
      if (n === latencies.length) {
        const bigger = new Float64Array(latencies.length * 2);
        bigger.set(latencies);
        latencies = bigger;
      }
      latencies[n++] = ms;
    });
  });
}
