/**
 * The traffic recorder: a call sink that counts every call in memory, per minute and per API,
 * operation, product, subscription and user (Azure's report counts, bytes, times, a latency
 * histogram), per minute, API and status code (and, when it writes, the same rolled up per hour
 * and per UTC day), and keeps a uniform sample of single requests for
 * `byRequest`. Every `flushMs` it writes what it holds in one transaction (a few multi-row upserts
 * that add to the rows other nodes and earlier flushes wrote), never a write per request. A node
 * that dies loses at most what it counted since its last flush; a flush that fails keeps its
 * counts for the next one.
 */
import { callClass } from '../../domain/analytics/call-class.js';
import { LATENCY_BUCKETS, latencyBucket } from '../../domain/analytics/latency.js';
import type { Store } from '../../store/index.js';
import type { TrafficMinuteRow, TrafficRequestRow, TrafficStatusRow } from '../../store/traffic-repo.js';
import type { GatewayLogger } from '../types.js';
import { callUrl, type CallRecord, type CallSink } from '../observe/call.js';
import { rollUpMinutes, rollUpStatuses } from './rollup.js';

export interface TrafficRecorderOptions {
  store: Store;
  logger: GatewayLogger;
  /** How often what was counted is written (ms). */
  flushMs: number;
  /** Single requests kept per second of flush interval, sampled uniformly (0: none). */
  requestLogPerSecond: number;
  /**
   * Distinct buckets held before a failing database makes the recorder drop the oldest
   * interval's counts instead of growing without bound (default 200,000).
   */
  maxBuckets?: number;
}

export interface TrafficRecorder extends CallSink {
  /** Writes what was counted so far (tests, and shutdown); resolves when it is in the database. */
  flush(): Promise<void>;
  start(): void;
  /** Stops the timer and writes what is left. */
  close(): Promise<void>;
  /** Buckets and sampled requests waiting for the next flush (metrics). */
  pending(): { buckets: number; requests: number };
}

const MINUTE_MS = 60_000;
/** Bucket rows per statement of a flush (the repository's own batch size). */
const ROWS_PER_WRITE = 200;
/** Sampled requests per statement: building a statement of thousands of parameters holds the event loop too. */
const REQUESTS_PER_WRITE = 50;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** One minute of one (API, operation, product, subscription, user). */
interface Bucket {
  readonly minute: number;
  readonly apiId: string;
  readonly operationId: string;
  readonly productId: string;
  readonly subscriptionId: string;
  readonly userId: string;
  success: number;
  blocked: number;
  failed: number;
  other: number;
  bandwidth: number;
  apiSum: number;
  apiMin: number;
  apiMax: number;
  serviceCalls: number;
  serviceSum: number;
  serviceMin: number;
  serviceMax: number;
  readonly latency: number[];
}

interface Interval {
  buckets: Map<string, Bucket>;
  /** minute|api|status -> calls */
  statuses: Map<string, TrafficStatusRow>;
  sample: TrafficRequestRow[];
  /** Calls offered to the sample this interval (reservoir sampling). */
  seen: number;
}

const newInterval = (): Interval => ({ buckets: new Map(), statuses: new Map(), sample: [], seen: 0 });

export function createTrafficRecorder(options: TrafficRecorderOptions): TrafficRecorder {
  const sampleSize = Math.max(0, Math.round((options.requestLogPerSecond * options.flushMs) / 1000));
  const maxBuckets = options.maxBuckets ?? 200_000;
  let current = newInterval();
  let timer: NodeJS.Timeout | undefined;
  let first: NodeJS.Timeout | undefined;
  let flushing: Promise<void> | undefined;

  function record(call: CallRecord): void {
    if (call.cause === 'health') return;
    const minute = call.at - (call.at % MINUTE_MS);
    const apiId = call.apiId ?? '';
    const operationId = call.operationId ?? '';
    const productId = call.productId ?? '';
    const subscriptionId = call.subscriptionId ?? '';
    const userId = call.userId ?? '';
    const key = `${minute}|${apiId}|${operationId}|${productId}|${subscriptionId}|${userId}`;
    let b = current.buckets.get(key);
    if (!b) {
      b = {
        minute,
        apiId,
        operationId,
        productId,
        subscriptionId,
        userId,
        success: 0,
        blocked: 0,
        failed: 0,
        other: 0,
        bandwidth: 0,
        apiSum: 0,
        apiMin: Infinity,
        apiMax: 0,
        serviceCalls: 0,
        serviceSum: 0,
        serviceMin: Infinity,
        serviceMax: 0,
        latency: new Array<number>(LATENCY_BUCKETS).fill(0),
      };
      current.buckets.set(key, b);
    }
    const cls = callClass(call.status);
    b[cls]++;
    b.bandwidth += call.requestBytes + call.responseBytes;
    const ms = call.apiMs;
    b.apiSum += ms;
    if (ms < b.apiMin) b.apiMin = ms;
    if (ms > b.apiMax) b.apiMax = ms;
    b.latency[latencyBucket(ms)]!++;
    if (call.dispatchedAt > 0) {
      const s = call.serviceMs;
      b.serviceCalls++;
      b.serviceSum += s;
      if (s < b.serviceMin) b.serviceMin = s;
      if (s > b.serviceMax) b.serviceMax = s;
    }

    const statusKey = `${minute}|${apiId}|${call.status}`;
    const st = current.statuses.get(statusKey);
    if (st) st.calls++;
    else current.statuses.set(statusKey, { minute, api_id: apiId, status: call.status, calls: 1 });

    if (sampleSize > 0) {
      // Algorithm R: every call of the interval has the same chance to be kept.
      const n = current.seen++;
      if (n < sampleSize) current.sample.push(requestRow(call));
      else {
        const j = Math.floor(Math.random() * (n + 1));
        if (j < sampleSize) current.sample[j] = requestRow(call);
      }
    }
  }

  async function write(interval: Interval): Promise<void> {
    const minutes = [...interval.buckets.values()].map(minuteRow);
    const statuses = [...interval.statuses.values()];
    const requests = interval.sample;
    if (minutes.length === 0 && statuses.length === 0 && requests.length === 0) return;
    await options.store.transaction(async (tx) => {
      // A few hundred rows per statement, and the event loop given back between statements: on
      // SQLite (synchronous) a flush of 10,000 buckets would otherwise hold the gateway for ~200 ms.
      for (const [resolution, calls, codes] of [
        ['minute', minutes, statuses],
        ['hour', rollUpMinutes(minutes, 'hour'), rollUpStatuses(statuses, 'hour')],
        ['day', rollUpMinutes(minutes, 'day'), rollUpStatuses(statuses, 'day')],
      ] as const) {
        for (let i = 0; i < calls.length; i += ROWS_PER_WRITE) {
          await tx.traffic.addTrafficMinutes(tx.dialect, calls.slice(i, i + ROWS_PER_WRITE), resolution);
          await yieldToEventLoop();
        }
        for (let i = 0; i < codes.length; i += ROWS_PER_WRITE * 4) {
          await tx.traffic.addTrafficStatuses(codes.slice(i, i + ROWS_PER_WRITE * 4), resolution);
          await yieldToEventLoop();
        }
      }
      for (let i = 0; i < requests.length; i += REQUESTS_PER_WRITE) {
        await tx.traffic.addTrafficRequests(requests.slice(i, i + REQUESTS_PER_WRITE));
        await yieldToEventLoop();
      }
    });
  }

  /** Puts an interval that could not be written back in front of the current one. */
  function restore(failed: Interval): void {
    if (failed.buckets.size + current.buckets.size > maxBuckets) {
      options.logger.error(
        { buckets: failed.buckets.size },
        'gateway: traffic could not be written for too long; the oldest counts were dropped',
      );
      return;
    }
    const next = current;
    current = failed;
    for (const b of next.buckets.values()) merge(current.buckets, b);
    for (const [k, s] of next.statuses) {
      const st = current.statuses.get(k);
      if (st) st.calls += s.calls;
      else current.statuses.set(k, s);
    }
    current.sample = [...current.sample, ...next.sample].slice(-Math.max(sampleSize, 1) * 2);
    current.seen += next.seen;
  }

  function flush(): Promise<void> {
    // One flush at a time; a flush asked for meanwhile runs right after (it must see calls the running one did not take).
    const run = async (): Promise<void> => {
      const interval = current;
      current = newInterval();
      try {
        await write(interval);
      } catch (error) {
        restore(interval);
        options.logger.warn({ err: error }, 'gateway: writing recorded traffic failed; it is kept for the next try');
        throw error;
      }
    };
    const next = (flushing ?? Promise.resolve()).then(run);
    // What the next flush waits for: this one settled, whichever way (the caller hears the error).
    const tracked: Promise<void> = next
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        if (flushing === tracked) flushing = undefined;
      });
    flushing = tracked;
    return next;
  }

  return {
    record,
    flush,
    start() {
      if (timer || first) return;
      // Nodes started together would flush together, every interval, all at once on the database
      // and the CPUs: the first flush comes after a random part of the interval, so they spread out.
      first = setTimeout(() => {
        first = undefined;
        timer = setInterval(() => {
          if (!flushing) flush().catch(() => undefined);
        }, options.flushMs);
        timer.unref();
      }, Math.floor(Math.random() * options.flushMs));
      first.unref();
    },
    async close() {
      if (first) clearTimeout(first);
      first = undefined;
      if (timer) clearInterval(timer);
      timer = undefined;
      await flush().catch(() => undefined);
    },
    pending: () => ({ buckets: current.buckets.size, requests: current.sample.length }),
  };
}

function merge(into: Map<string, Bucket>, b: Bucket): void {
  const key = `${b.minute}|${b.apiId}|${b.operationId}|${b.productId}|${b.subscriptionId}|${b.userId}`;
  const a = into.get(key);
  if (!a) {
    into.set(key, b);
    return;
  }
  a.success += b.success;
  a.blocked += b.blocked;
  a.failed += b.failed;
  a.other += b.other;
  a.bandwidth += b.bandwidth;
  a.apiSum += b.apiSum;
  a.apiMin = Math.min(a.apiMin, b.apiMin);
  a.apiMax = Math.max(a.apiMax, b.apiMax);
  a.serviceCalls += b.serviceCalls;
  a.serviceSum += b.serviceSum;
  a.serviceMin = Math.min(a.serviceMin, b.serviceMin);
  a.serviceMax = Math.max(a.serviceMax, b.serviceMax);
  for (let i = 0; i < LATENCY_BUCKETS; i++) a.latency[i]! += b.latency[i]!;
}

function minuteRow(b: Bucket): TrafficMinuteRow {
  const row: Record<string, number | string> = {
    minute: b.minute,
    api_id: b.apiId,
    operation_id: b.operationId,
    product_id: b.productId,
    subscription_id: b.subscriptionId,
    user_id: b.userId,
    calls_success: b.success,
    calls_blocked: b.blocked,
    calls_failed: b.failed,
    calls_other: b.other,
    calls_total: b.success + b.blocked + b.failed + b.other,
    bandwidth: b.bandwidth,
    api_time_sum: b.apiSum,
    api_time_min: b.apiMin === Infinity ? 0 : b.apiMin,
    api_time_max: b.apiMax,
    service_calls: b.serviceCalls,
    service_time_sum: b.serviceSum,
    // A bucket no call of which reached a backend: min stays "none" (max of doubles) so another node's real minimum wins the merge.
    service_time_min: b.serviceCalls === 0 ? Number.MAX_VALUE : b.serviceMin,
    service_time_max: b.serviceMax,
  };
  for (let i = 0; i < LATENCY_BUCKETS; i++) row[`latency_${i}`] = b.latency[i]!;
  return row as unknown as TrafficMinuteRow;
}

function requestRow(call: CallRecord): TrafficRequestRow {
  return {
    at: call.at,
    request_id: call.requestId,
    method: call.method,
    url: callUrl(call),
    ip: call.ip,
    api_id: call.apiId ?? '',
    operation_id: call.operationId ?? '',
    product_id: call.productId ?? '',
    subscription_id: call.subscriptionId ?? '',
    user_id: call.userId ?? '',
    response_code: call.status,
    backend_response_code: call.backendStatus,
    request_size: call.requestBytes,
    response_size: call.responseBytes,
    api_time: call.apiMs,
    service_time: call.serviceMs,
  };
}
