/**
 * What a serving process adds for operations, from its configuration: the call sinks (metrics
 * when METRICS_PORT is set, the access log when TOLLGATE_ACCESS_LOG is), the metrics registry
 * over the gateway once it exists, and the METRICS_PORT listener. `tollgate start` and
 * `tollgate gateway` build theirs here, so both expose the same metrics. Without METRICS_PORT
 * nothing is counted at all, and prom-client is not even loaded (it costs ~50 ms of startup).
 */
import type { Registry } from 'prom-client';
import type { Config } from '../config.js';
import type { CallSink } from '../gateway/observe/call.js';
import { createAccessLog } from '../gateway/observe/access-log.js';
import { createCallMetrics, type CallMetrics } from '../gateway/observe/metrics.js';
import type { GatewayLogger } from '../gateway/types.js';
import type { MetricSources } from './metrics.js';
import { startMetricsServer, type MetricsServer } from './metrics-server.js';

export interface NodeOpsOptions {
  config: Pick<Config, 'metricsPort' | 'accessLog' | 'nodeName' | 'host'>;
  logger: GatewayLogger;
  /** false: count, but leave METRICS_PORT to the cluster's primary (a worker of `tollgate gateway --workers N`). */
  serve?: boolean;
}

export interface NodeOps {
  /** For createGateway's `sinks`. */
  readonly sinks: readonly CallSink[];
  /** Once the gateway exists: what the registry reads besides the calls. */
  watch(sources: Omit<MetricSources, 'nodeName' | 'calls'>): void;
  /** undefined without METRICS_PORT (or before `listen`). */
  registry(): Registry | undefined;
  /** Builds the registry (with METRICS_PORT) and starts its listener if it is served here; the listener's port. */
  listen(): Promise<number | undefined>;
  close(): Promise<void>;
}

export function createNodeOps(options: NodeOpsOptions): NodeOps {
  const { config, logger } = options;
  const calls: CallMetrics | undefined = config.metricsPort === undefined ? undefined : createCallMetrics();
  const sinks: CallSink[] = [...(calls ? [calls] : []), ...(config.accessLog ? [createAccessLog(logger)] : [])];
  let sources: Omit<MetricSources, 'nodeName' | 'calls'> | undefined;
  let registry: Registry | undefined;
  let server: MetricsServer | undefined;
  return {
    sinks,
    watch(s) {
      sources = s;
    },
    registry: () => registry,
    async listen() {
      if (!calls || !sources || config.metricsPort === undefined) return undefined;
      const { createMetricsRegistry } = await import('./metrics.js');
      const r = (registry ??= createMetricsRegistry({ ...sources, nodeName: config.nodeName, calls }));
      if (options.serve === false) return undefined;
      server = await startMetricsServer({
        port: config.metricsPort,
        host: config.host,
        render: async () => ({ contentType: r.contentType, body: await r.metrics() }),
        logger,
      });
      logger.info({ port: server.port, host: config.host }, 'metrics listening');
      return server.port;
    },
    async close() {
      await server?.close();
      server = undefined;
    },
  };
}
