/**
 * Child process: the floor of the gateway's own architecture, node:http in front of an undici Pool
 * with dispatch(), forwarding every request as it came (no routing, key check or header rules) and
 * streaming the answer back. What Tollgate's gateway costs above it is its own work; what this
 * costs above nginx is Node's HTTP server and client. Usage: `bare-proxy.js <upstream origin>`;
 * reports `{ port }`.
 */
import { createServer } from 'node:http';
import { Pool, type Dispatcher } from 'undici';
import { failChild, serveChild } from './child.js';

function main(): void {
  const upstream = process.argv[2];
  if (!upstream) throw new Error('usage: bare-proxy.js <upstream origin>');
  const pool = new Pool(upstream, { keepAliveTimeout: 4_000 });
  const server = createServer((req, res) => {
    pool.dispatch(
      { method: req.method as Dispatcher.HttpMethod, path: req.url ?? '/', headers: req.rawHeaders, body: null },
      {
        onRequestStart() {},
        onResponseStart(_c, status, headers) {
          res.writeHead(status, headers as Record<string, string>);
        },
        onResponseData(c, chunk) {
          if (!res.write(chunk)) c.pause();
        },
        onResponseEnd() {
          res.end();
        },
        onResponseError() {
          res.destroy();
        },
      },
    );
  });
  server.keepAliveTimeout = 60_000;
  server.once('error', failChild);
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    serveChild({ port }, async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await pool.close();
    });
  });
}

main();
