/**
 * The metrics listener (METRICS_PORT, on HOST): GET /metrics in Prometheus's text format, nothing
 * else. A plain node:http server of its own, apart from PORT and GATEWAY_PORT, so that scraping
 * needs no credentials on the public ports and can be kept to an internal network.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';

export interface MetricsText {
  contentType: string;
  body: string;
}

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

export interface MetricsServerOptions {
  port: number;
  host: string;
  /** The metrics as they are now (the registry's, or the cluster's aggregate). */
  render(): Promise<MetricsText>;
  logger: { warn(o: object, m?: string): void };
}

export const METRICS_PATH = '/metrics';

export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path !== METRICS_PATH) return plain(res, 404, 'Not found: metrics are at /metrics\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return plain(res, 405, 'Method not allowed\n');
    }
    options.render().then(
      ({ contentType, body }) => {
        res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (error: unknown) => {
        options.logger.warn({ err: error }, 'metrics: collecting failed');
        plain(res, 500, 'Collecting the metrics failed; see the log\n');
      },
    );
  });
  // Prometheus keeps its connection between scrapes; closing must not wait for it.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : options.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
