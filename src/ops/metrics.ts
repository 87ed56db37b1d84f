/**
 * A process's Prometheus registry: the gateway's call metrics, what its snapshot holds and how far
 * behind the change feed it is, the traffic recorder's backlog, Node's own metrics (event-loop
 * delay among them) and, in the all-in-one process, the email outbox. One registry per process
 * (not prom-client's global one: tests run several apps in one process). Every value is read at
 * scrape time; nothing here runs per call.
 */
import { collectDefaultMetrics, Gauge, Registry, type Aggregator } from 'prom-client';
import type { Clock } from '../domain/clock.js';
import type { Gateway } from '../gateway/index.js';
import type { CallMetrics } from '../gateway/observe/metrics.js';
import type { TrafficRecorder } from '../gateway/analytics/recorder.js';
import type { Store } from '../store/index.js';

export interface MetricSources {
  nodeName: string;
  calls: CallMetrics;
  gateway: Pick<Gateway, 'stats'>;
  recorder?: Pick<TrafficRecorder, 'pending'> | undefined;
  /** The all-in-one process only: its database holds the outbox every gateway node shares. */
  outbox?: { store: Pick<Store, 'outbox'>; clock: Clock } | undefined;
}

/** Outbox counts are two queries: read at most this often, whatever the scrape interval. */
export const OUTBOX_CACHE_MS = 5_000;

export function createMetricsRegistry(sources: MetricSources): Registry {
  const registry = new Registry();
  // Every series says which node it came from; the workers of one node add up under one name.
  registry.setDefaultLabels({ node: sources.nodeName });
  collectDefaultMetrics({ register: registry });
  sources.calls.register(registry);

  // In a cluster each worker holds the whole snapshot: its size is the largest, not the sum.
  const gauge = (name: string, help: string, aggregator: Aggregator, read: () => number | undefined) =>
    new Gauge({
      name,
      help,
      aggregator,
      registers: [registry],
      collect() {
        const value = read();
        if (value === undefined) this.reset();
        else this.set(value);
      },
    });
  const stats = () => sources.gateway.stats();
  gauge('tollgate_gateway_snapshot_loaded', 'Whether the gateway has loaded its configuration (1) or still answers 503 (0).', 'min', () => (stats().loaded ? 1 : 0));
  gauge('tollgate_gateway_apis', 'APIs in the gateway\'s snapshot.', 'max', () => stats().apis);
  gauge('tollgate_gateway_subscriptions', 'Subscriptions in the gateway\'s key index.', 'max', () => stats().subscriptions);
  gauge('tollgate_gateway_keys', 'Keys in the gateway\'s key index (two per subscription).', 'max', () => stats().keys);
  gauge('tollgate_gateway_key_index_bytes', 'Memory the key index takes (bytes; summed over a node\'s workers).', 'sum', () => stats().keyIndexBytes);
  gauge('tollgate_gateway_feed_position', 'The last change-feed sequence number the gateway applied (the lowest of a node\'s workers).', 'min', () => stats().feedSeq);
  gauge(
    'tollgate_gateway_change_lag_seconds',
    'How long after it was written the newest change the gateway applied was applied (seconds; absent before any change was applied).',
    'max',
    () => {
      const ms = stats().changeLagMs;
      return ms === undefined ? undefined : ms / 1000;
    },
  );
  if (sources.recorder) {
    const recorder = sources.recorder;
    gauge('tollgate_traffic_pending_buckets', 'Traffic buckets counted and not yet written to the database.', 'sum', () => recorder.pending().buckets);
    gauge('tollgate_traffic_pending_requests', 'Sampled requests not yet written to the database.', 'sum', () => recorder.pending().requests);
  }
  if (sources.outbox) registerOutbox(registry, sources.outbox);
  return registry;
}

function registerOutbox(registry: Registry, { store, clock }: NonNullable<MetricSources['outbox']>): void {
  let cached: { at: number; counts: Promise<{ pending: number; dead: number }> } | undefined;
  const counts = () => {
    const now = clock.now().getTime();
    if (!cached || now - cached.at >= OUTBOX_CACHE_MS) {
      const read = Promise.all([store.outbox.countByState('pending'), store.outbox.countByState('dead')]).then(([pending, dead]) => ({ pending, dead }));
      // A failed read is not kept: the next scrape asks again.
      read.catch(() => (cached = undefined));
      cached = { at: now, counts: read };
    }
    return cached.counts;
  };
  for (const [state, help] of [
    ['pending', 'Emails waiting in the outbox (due or waiting for a retry).'],
    ['dead', 'Emails the outbox gave up on after their last attempt.'],
  ] as const) {
    new Gauge({
      name: `tollgate_outbox_${state}`,
      help,
      registers: [registry],
      async collect() {
        this.set((await counts())[state]);
      },
    });
  }
}
