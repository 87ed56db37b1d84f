/**
 * An open-loop load at a steady rate: requests leave evenly spread in time (checked every
 * millisecond, catching up to rate × elapsed), over at most N keep-alive connections
 * (node:http Agent), whatever the answers' speed; a request waiting for a free connection counts
 * that wait in its latency. Unlike autocannon's rate limit (a per-second quota that each
 * connection spends in a burst), this is what "a moderate load" means for the latency target.
 */
import http from 'node:http';
import { cpuUse, percentile, sampleCpu, type LoadOptions, type LoadResult } from './measure.js';

export function runPaced(o: LoadOptions & { rate: number }): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.connections });
  const url = new URL(o.url);
  const total = Math.round(o.rate * o.durationS);
  const latencies = new Float64Array(total);
  const statuses: Record<string, number> = {};
  let sent = 0;
  let done = 0;
  let n = 0;
  let non2xx = 0;
  let errors = 0;
  const before = sampleCpu(o);
  const started = performance.now();
  return new Promise((resolve) => {
    const finish = () => {
      if (done < total || sent < total) return;
      const after = sampleCpu(o);
      agent.destroy();
      const sorted = latencies.subarray(0, n).sort();
      resolve({
        requests: n,
        rps: n / ((performance.now() - started) / 1000),
        p50: percentile(sorted, 50),
        p90: percentile(sorted, 90),
        p99: percentile(sorted, 99),
        max: n ? sorted[n - 1]! : NaN,
        non2xx,
        errors,
        statuses,
        cpu: cpuUse(before, after, n),
      });
    };
    const send = () => {
      const t0 = performance.now();
      sent++;
      const req = http.request({ host: url.hostname, port: url.port, path: url.pathname + url.search, agent, headers: o.headers ?? {} }, (res) => {
        res.resume();
        res.on('end', () => {
          latencies[n++] = performance.now() - t0;
          const code = String(res.statusCode);
          statuses[code] = (statuses[code] ?? 0) + 1;
          if (!code.startsWith('2')) non2xx++;
          done++;
          finish();
        });
      });
      req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        errors++;
        done++;
        finish();
      });
      req.end();
    };
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * o.rate));
      while (sent < due) send();
      if (sent >= total) clearInterval(timer);
    }, 1);
  });
}
