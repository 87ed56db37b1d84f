/**
 * Child process: the benchmark's backend, a minimal node:http server answering every request with
 * 200 and the same 100-byte JSON body (Content-Length, keep-alive). Reports `{ port }`; answers
 * `counters` with the connections accepted and requests served so far.
 */
import { createServer } from 'node:http';
import { failChild, serveChild } from './child.js';

export const UPSTREAM_BODY = JSON.stringify({
  ok: true,
  service: 'bench-upstream',
  message: 'Hello from the upstream',
  padding: 'xxxxxxxxxxxxx',
});

function main(): void {
  const body = Buffer.from(UPSTREAM_BODY);
  // Counted so that the benchmark can tell how many connections each proxy opened to the upstream.
  let connections = 0;
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    // Any request body is read and dropped; the answer never depends on the request.
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', () => connections++);
  server.once('error', failChild);
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    serveChild(
      { port },
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
      { counters: () => ({ connections, requests }) },
    );
  });
}

// Imported by run.ts for UPSTREAM_BODY; started as a child process with `--serve`.
if (process.argv.includes('--serve')) main();
