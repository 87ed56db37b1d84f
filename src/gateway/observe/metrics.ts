/**
 * The gateway's call metrics: a call sink that counts every call in plain numbers (a Map per API
 * id of typed arrays; nothing is allocated per call once an API was seen), turned into prom-client
 * metric families only when Prometheus scrapes. prom-client's own observe() hashes a label object
 * per call; on the hot path that is work nobody reads until the next scrape.
 *
 * Labels hold API ids (bounded: administrators create them; '' for a call that matched no API),
 * status classes, causes: never a key, a path or anything else a caller chooses.
 */
import type { Metric, MetricValueWithName, Registry } from 'prom-client';
import { statusClass } from '../../domain/analytics/call-class.js';
import { LATENCY_BOUNDS_MS, LATENCY_BUCKETS, latencyBucket } from '../../domain/analytics/latency.js';
import type { CallCause, CallRecord, CallSink } from './call.js';

const CLASSES = ['0', '1xx', '2xx', '3xx', '4xx', '5xx'] as const;
const CLASS_INDEX: Record<(typeof CLASSES)[number], number> = { '0': 0, '1xx': 1, '2xx': 2, '3xx': 3, '4xx': 4, '5xx': 5 };

/** The reasons the gateway answered a call itself (refusals_total); the rest of the causes are counted elsewhere. */
const REFUSAL_REASONS = {
  'not-found': 'not_found',
  'bad-request': 'bad_request',
  unavailable: 'unavailable',
  key: 'key',
  'rate-limit': 'rate_limit',
  quota: 'quota',
  policy: 'policy',
  internal: 'internal',
} as const satisfies Partial<Record<CallCause, string>>;
type RefusalCause = keyof typeof REFUSAL_REASONS;

/** Upper bounds in seconds: the reports' latency buckets, so both views of a call agree. */
const BOUNDS_S = LATENCY_BOUNDS_MS.map((ms) => ms / 1000);

interface Timings {
  /** Per bucket (not cumulative); the last holds everything above the last bound. */
  readonly buckets: Float64Array;
  sum: number;
  count: number;
}

interface ApiTally {
  readonly byClass: Float64Array;
  /** Total time of every call. */
  readonly total: Timings;
  /** Backend time of the calls that reached the backend. */
  readonly backend: Timings;
}

const timings = (): Timings => ({ buckets: new Float64Array(LATENCY_BUCKETS), sum: 0, count: 0 });

function observe(t: Timings, ms: number): void {
  t.buckets[latencyBucket(ms)]!++;
  t.sum += ms / 1000;
  t.count++;
}

export interface CallMetrics extends CallSink {
  /** Adds the call metric families to `registry` (read from the counts at each scrape). */
  register(registry: Registry): void;
}

export function createCallMetrics(): CallMetrics {
  const apis = new Map<string, ApiTally>();
  const refusals = new Map<RefusalCause, number>();
  const upstream = { error: 0, timeout: 0 };

  function record(call: CallRecord): void {
    const cause = call.cause;
    // Load balancers' probes are not API calls.
    if (cause === 'health') return;
    const api = call.apiId ?? '';
    let tally = apis.get(api);
    if (!tally) {
      tally = { byClass: new Float64Array(CLASSES.length), total: timings(), backend: timings() };
      apis.set(api, tally);
    }
    tally.byClass[CLASS_INDEX[statusClass(call.status)]]!++;
    observe(tally.total, call.apiMs);
    if (call.dispatchedAt > 0) observe(tally.backend, call.serviceMs);
    if (cause === undefined) return;
    if (cause === 'upstream-error') upstream.error++;
    else if (cause === 'upstream-timeout') upstream.timeout++;
    else refusals.set(cause, (refusals.get(cause) ?? 0) + 1);
  }

  function requests(): MetricValueWithName<string>[] {
    const out: MetricValueWithName<string>[] = [];
    for (const [api, t] of apis) {
      for (let i = 0; i < CLASSES.length; i++) if (t.byClass[i]! > 0) out.push({ labels: { api, status_class: CLASSES[i]! }, value: t.byClass[i]! });
    }
    return out;
  }

  function histogram(name: string, pick: (t: ApiTally) => Timings): () => MetricValueWithName<string>[] {
    return () => {
      const out: MetricValueWithName<string>[] = [];
      for (const [api, tally] of apis) {
        const t = pick(tally);
        if (t.count === 0) continue;
        let cumulative = 0;
        for (let i = 0; i < BOUNDS_S.length; i++) {
          cumulative += t.buckets[i]!;
          out.push({ metricName: `${name}_bucket`, labels: { api, le: BOUNDS_S[i]! }, value: cumulative });
        }
        out.push({ metricName: `${name}_bucket`, labels: { api, le: '+Inf' }, value: t.count });
        out.push({ metricName: `${name}_sum`, labels: { api }, value: t.sum });
        out.push({ metricName: `${name}_count`, labels: { api }, value: t.count });
      }
      return out;
    };
  }

  return {
    record,
    register(registry) {
      registry.registerMetric(
        precounted('tollgate_gateway_requests_total', 'Gateway calls answered, by API id and status class (0: the client went away first).', 'counter', requests),
      );
      const total = 'tollgate_gateway_request_duration_seconds';
      registry.registerMetric(precounted(total, 'Total time of gateway calls, arrival to the end of the answer, by API id.', 'histogram', histogram(total, (t) => t.total)));
      const backend = 'tollgate_gateway_backend_duration_seconds';
      registry.registerMetric(
        precounted(backend, 'Backend time of the gateway calls that reached a backend, dispatch to the end of its answer, by API id.', 'histogram', histogram(backend, (t) => t.backend)),
      );
      registry.registerMetric(
        precounted('tollgate_gateway_upstream_errors_total', 'Calls whose backend could not be reached or failed (error) or did not answer in time (timeout).', 'counter', () =>
          (['error', 'timeout'] as const).map((kind) => ({ labels: { kind }, value: upstream[kind] })),
        ),
      );
      registry.registerMetric(
        precounted('tollgate_gateway_refusals_total', 'Calls the gateway answered itself instead of forwarding, by reason.', 'counter', () =>
          [...refusals].map(([cause, value]) => ({ labels: { reason: REFUSAL_REASONS[cause] }, value })),
        ),
      );
    },
  };
}

/**
 * A metric family whose values are computed at collect time, in prom-client's own shape (what its
 * metrics' get() returns, so the registry prints it and the cluster aggregator sums it as theirs).
 */
function precounted(name: string, help: string, type: 'counter' | 'histogram', values: () => MetricValueWithName<string>[]): Metric {
  const read = () => ({ name, help, type, aggregator: 'sum', values: values() });
  return { name, get: () => Promise.resolve(read()), reset: () => undefined } as unknown as Metric;
}
