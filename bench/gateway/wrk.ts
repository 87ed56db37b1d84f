/**
 * Saturation load with wrk (Debian's package, installed with apt-get if missing): one thread, C,
 * pinned to the CPU the servers are not on. A Node load generator spends more CPU per request than
 * nginx does, so on two cores it, not the proxy, set the pace of the fast targets; wrk costs a few
 * microseconds. Its latencies come from its own histogram (microsecond resolution), its counts from
 * a `done()` hook that prints them as one JSON line.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePackage } from './apt.js';
import { pinned } from './child.js';
import { cpuUse, sampleCpu, type LoadOptions, type LoadResult } from './measure.js';

export const WRK = '/usr/bin/wrk';

const MARK = 'WRK-RESULT ';

// `errors.status` is wrk's count of answers with a status of 400 or more; it keeps no other breakdown.
const DONE_SCRIPT = `done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('${MARK}{"requests":%d,"durationUs":%d,"status":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d}\\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
`;

export function ensureWrk(): void {
  ensurePackage(WRK, 'wrk', 'the load generator');
}

export function wrkVersion(): string {
  const r = spawnSync(WRK, ['-v'], { encoding: 'utf8' });
  return (r.stdout || r.stderr).split('\n')[0]!.replace(/\s*Copyright.*$/, '').trim();
}

interface WrkDone {
  requests: number;
  durationUs: number;
  status: number;
  connect: number;
  read: number;
  write: number;
  timeout: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** One wrk run (`-t1 -c<connections> -d<duration>`), on `cpu` if given; CPU of every process sampled around it. */
export async function runWrk(o: LoadOptions & { cpu: number | undefined }): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-wrk-'));
  try {
    const script = join(dir, 'done.lua');
    writeFileSync(script, DONE_SCRIPT);
    const headers = Object.entries(o.headers ?? {}).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
    const args = ['-t1', `-c${o.connections}`, `-d${o.durationS}s`, '--timeout', '10s', '-s', script, ...headers, o.url];
    const [command, argv] = pinned(o.cpu, WRK, args);
    const before = sampleCpu(o);
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const p = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      p.stdout.on('data', (d: Buffer) => (out += d));
      p.stderr.on('data', (d: Buffer) => (err += d));
      p.once('error', reject);
      p.once('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
    });
    const after = sampleCpu(o);
    const line = stdout.split('\n').find((l) => l.startsWith(MARK));
    if (code !== 0 || !line) throw new Error(`wrk failed (exit ${code}):\n${stdout}\n${stderr}`);
    const d = JSON.parse(line.slice(MARK.length)) as WrkDone;
    const errors = d.connect + d.read + d.write + d.timeout;
    return {
      requests: d.requests,
      rps: d.requests / (d.durationUs / 1e6),
      p50: d.p50 / 1000,
      p90: d.p90 / 1000,
      p99: d.p99 / 1000,
      max: d.max / 1000,
      non2xx: d.status,
      errors,
      statuses: d.status ? { '≥400': d.status } : {},
      cpu: cpuUse(before, after, d.requests),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
