/**
 * What a serving process adds for operations, from its configuration: the call sinks (metrics
 * when METRICS_PORT is set, the access log when TOLLGATE_ACCESS_LOG is), the metrics registry
 * over the gateway once it exists, and the METRICS_PORT listener. `tollgate start` and
 * `tollgate gateway` build theirs here, so both expose the same metrics. Without METRICS_PORT
 * nothing is counted at all.
 */
import type { Registry } from 'prom-client';
import type { Config } from '../config.js';
import type { CallSink } from '../gateway/observe/call.js';
import { createAccessLog } from '../gateway/observe/access-log.js';
import { createCallMetrics, type CallMetrics } from '../gateway/observe/metrics.js';
import type { GatewayLogger } from '../gateway/types.js';
import { createMetricsRegistry, type MetricSources } from './metrics.js';
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
  /** undefined without METRICS_PORT (or before `watch`). */
  registry(): Registry | undefined;
  /** Starts the METRICS_PORT listener (if configured and served here); its port. */
  listen(): Promise<number | undefined>;
  close(): Promise<void>;
}

export function createNodeOps(options: NodeOpsOptions): NodeOps {
  const { config, logger } = options;
  const calls: CallMetrics | undefined = config.metricsPort === undefined ? undefined : createCallMetrics();
  const sinks: CallSink[] = [...(calls ? [calls] : []), ...(config.accessLog ? [createAccessLog(logger)] : [])];
  let registry: Registry | undefined;
  let server: MetricsServer | undefined;
  return {
    sinks,
    watch(sources) {
      if (calls) registry = createMetricsRegistry({ ...sources, nodeName: config.nodeName, calls });
    },
    registry: () => registry,
    async listen() {
      const r = registry;
      if (!r || options.serve === false || config.metricsPort === undefined) return undefined;
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
