/**
 * One worker of `tollgate gateway --workers N`: a whole gateway node (its own database connection,
 * gateway and change feed) listening on GATEWAY_PORT, which node:cluster shares with its siblings.
 */
import { loadConfig } from '../config.js';
import { createGatewayNode, type GatewayNode } from '../gateway-node.js';
import type { PrimaryMessage, WorkerMessage } from './gateway-cluster.js';

export async function runGatewayWorker(): Promise<void> {
  let node: GatewayNode | undefined;
  const ready = (async () => {
    // METRICS_PORT is the primary's: it asks for these metrics and serves the workers' sum.
    node = await createGatewayNode(loadConfig(), { serveMetrics: false });
    return node.listen();
  })();

  let closing = false;
  const close = () => {
    if (closing) return;
    closing = true;
    void ready
      .then(() => node!.close(), () => undefined)
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.on('message', (message: PrimaryMessage) => {
    if (message?.tollgate === 'stop') close();
    else if (message?.tollgate === 'metrics') void answerMetrics(message.id, node);
  });
  // Ctrl+C and a service manager's SIGTERM reach every process of the group, not only the primary:
  // a worker closes as it would when asked, rather than dying with its connections open.
  process.once('SIGINT', close);
  process.once('SIGTERM', close);

  try {
    const { gatewayUrl } = await ready;
    process.send!({ tollgate: 'listening', gatewayUrl } satisfies WorkerMessage);
  } catch (error) {
    // The IPC channel would keep this process alive: leave explicitly, so the primary sees the failure.
    process.stderr.write(`tollgate gateway worker (pid ${process.pid}): ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}

async function answerMetrics(id: number, node: GatewayNode | undefined): Promise<void> {
  const registry = node?.metrics();
  let metrics: object[] = [];
  try {
    if (registry) metrics = await registry.getMetricsAsJSON();
  } catch (error) {
    process.stderr.write(`tollgate gateway worker (pid ${process.pid}): collecting metrics failed: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  // A worker stopping may have lost its channel already; the primary then goes without its numbers.
  if (process.connected) process.send!({ tollgate: 'metrics', id, metrics } satisfies WorkerMessage);
}
