/**
 * Timing requests over real HTTP: one keep-alive connection, strictly sequential requests, for
 * each case a warm-up that is not recorded, then `samples` timed requests. A request is timed from
 * just before it is written until its whole body has been read; building the next request (and
 * checking the response) is not timed.
 */
import http from 'node:http';
import { progressBar } from './progress.js';

export interface HttpResult {
  status: number;
  body: string;
}

export interface Client {
  request(method: string, path: string, body?: unknown): Promise<HttpResult>;
  close(): void;
}

/**
 * One request over `options.agent`; resolves with its status once its whole body has been read.
 * `onResponse` sees the response before its body is read (the admin client takes its cookies there).
 */
export function sendRequest(url: URL, options: http.RequestOptions, payload?: string, onResponse?: (res: http.IncomingMessage) => void): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, options, (res) => {
      onResponse?.(res);
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** `base` is the service's management URL; `path` is appended to it and gets `api-version`. */
export function createClient(base: string, key: string, apiVersion = '2024-05-01'): Client {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return {
    request(method, path, body) {
      const url = new URL(base + path);
      url.searchParams.set('api-version', apiVersion);
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const headers = {
        authorization: `Bearer ${key}`,
        ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
      };
      return sendRequest(url, { method, agent, headers }, payload);
    },
    close: () => agent.destroy(),
  };
}

export interface RequestSpec {
  method: string;
  path: string;
  body?: unknown;
}

export interface BenchCase {
  name: string;
  /** Expected status; any other stops the benchmark (an error page is not what we meant to time). */
  expect: number;
  samples: number;
  warmup: number;
  /** The i-th request (warm-up requests come first, with their own indexes). */
  next(i: number): RequestSpec;
  /** Optional check of a response body, e.g. that a filtered list matched what it should. */
  check?(result: HttpResult): void;
}

export interface CaseResult {
  name: string;
  samples: number;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? NaN;
}

export function summarize(name: string, timesMs: readonly number[]): CaseResult {
  const sorted = [...timesMs].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, t) => sum + t, 0) / sorted.length;
  return {
    name,
    samples: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    mean,
    min: sorted[0] ?? NaN,
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

/** Milliseconds as the result tables print them: two decimals below 10, one above. */
export function formatMs(v: number): string {
  return v.toFixed(v < 10 ? 2 : 1);
}

/**
 * The results as a markdown table; the first is the baseline, and the last column each p50 over
 * its p50. `label` heads the column of the cases' names (Case, Page); `figure` is the fifth figure.
 */
export function resultsTable(results: readonly CaseResult[], label: string, figure: 'max' | 'mean'): string {
  const ms = formatMs;
  const baseline = results[0]!.p50;
  const lines = [
    `| ${label} | Samples | p50 ms | p90 ms | p99 ms | ${figure} ms | p50 / baseline p50 |`,
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    lines.push(`| ${r.name} | ${r.samples} | ${ms(r.p50)} | ${ms(r.p90)} | ${ms(r.p99)} | ${ms(r[figure])} | ${(r.p50 / baseline).toFixed(2)}× |`);
  }
  return lines.join('\n');
}

/**
 * Runs all cases interleaved: in each round every case whose turn it is sends one request, and a
 * case's requests are spread evenly over the rounds. So every case, the baseline included, sees
 * the same machine: a burst of load from another process slows them all alike instead of
 * landing on one case, and the ratios to the baseline stay meaningful.
 */
export async function runCases(client: Client, cases: readonly BenchCase[], label: string): Promise<CaseResult[]> {
  const totals = cases.map((c) => c.warmup + c.samples);
  const rounds = Math.max(...totals);
  const progress = progressBar(label, totals.reduce((a, b) => a + b, 0));
  const sent = cases.map(() => 0);
  const times: number[][] = cases.map(() => []);
  let done = 0;
  for (let round = 0; round < rounds; round++) {
    for (const [k, c] of cases.entries()) {
      const total = totals[k]!;
      if (Math.floor(((round + 1) * total) / rounds) === Math.floor((round * total) / rounds)) continue;
      const i = sent[k]!++;
      const spec = c.next(i);
      const started = performance.now();
      const result = await client.request(spec.method, spec.path, spec.body);
      const elapsed = performance.now() - started;
      if (result.status !== c.expect) {
        progress.finish();
        throw new Error(`${c.name}: ${spec.method} ${spec.path} answered ${result.status}, expected ${c.expect}: ${result.body.slice(0, 500)}`);
      }
      c.check?.(result);
      if (i >= c.warmup) times[k]!.push(elapsed);
      progress.update(++done);
    }
  }
  progress.finish();
  return cases.map((c, k) => summarize(c.name, times[k]!));
}
