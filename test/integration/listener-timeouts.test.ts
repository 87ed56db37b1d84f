/**
 * The timeouts of both listeners (PORT and GATEWAY_PORT), configured short: a slowloris client —
 * a partial request line, headers trickled forever, or nothing at all — is closed within the
 * headers timeout (plus the 10% Node may take to notice), not after Node's 60 + 30 s; an idle
 * keep-alive connection after the keep-alive timeout; and on the gateway, a streamed upload is
 * bounded by GATEWAY_REQUEST_TIMEOUT_MS, while one that finishes in time passes.
 *
 * The database plays no part in these limits, so one backend (SQLite) is enough.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { parseResponse, rawSocket, trickle } from '../helpers/raw-socket.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { putApi } from '../helpers/gateway.js';

const HEADERS_TIMEOUT_MS = 1_000;
const KEEP_ALIVE_TIMEOUT_MS = 1_000;
const GATEWAY_REQUEST_TIMEOUT_MS = 2_000;
/** Closed within the timeout plus 1.5 s at most. */
const SLACK_MS = 1_500;
/** Node closes an idle keep-alive socket this long after the timeout it announces, so that the client gives up first. */
const NODE_KEEP_ALIVE_MARGIN_MS = 1_000;

describe('listener timeouts', () => {
  let server: TestServer;
  let upstream: Upstream;
  let ports: { name: string; port: number }[] = [];

  beforeAll(async () => {
    upstream = await startUpstream();
    server = await startServer('sqlite', {
      env: {
        HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
        GATEWAY_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
        KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_TIMEOUT_MS),
        GATEWAY_KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_TIMEOUT_MS),
        GATEWAY_REQUEST_TIMEOUT_MS: String(GATEWAY_REQUEST_TIMEOUT_MS),
      },
    });
    ports = [
      { name: 'PORT', port: Number(new URL(server.url).port) },
      { name: 'GATEWAY_PORT', port: Number(new URL(server.gatewayUrl).port) },
    ];
    await putApi(server, 'upload', { displayName: 'Upload', path: 'upload', serviceUrl: upstream.url, protocols: ['http'], subscriptionRequired: false }, [
      { id: 'post', displayName: 'Post', method: 'POST', urlTemplate: '/*' },
    ]);
    expect(await postSlowly(0, 0)).toBe(200);
  });

  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  /** POSTs `chunks` chunks of 1 KB to the gateway, one every `everyMs`; resolves with the status, or 0 if the connection was cut. */
  function postSlowly(chunks: number, everyMs: number): Promise<number> {
    return new Promise((resolve) => {
      const req = httpRequest(
        { host: '127.0.0.1', port: ports[1]!.port, path: '/upload/x', method: 'POST', agent: false, headers: { 'content-length': String(chunks * 1024) } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', () => resolve(0));
        },
      );
      req.on('error', () => resolve(0));
      let sent = 0;
      const next = () => {
        if (sent === chunks) return void req.end();
        sent += 1;
        req.write(Buffer.alloc(1024, 0x61));
        setTimeout(next, everyMs);
      };
      next();
    });
  }

  const withinHeadersTimeout = (closedAfterMs: number) => {
    expect(closedAfterMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS * 0.9);
    expect(closedAfterMs).toBeLessThan(HEADERS_TIMEOUT_MS + SLACK_MS);
  };

  it.each(['PORT', 'GATEWAY_PORT'])('closes a partial request line on %s within the headers timeout', async (name) => {
    const { port } = ports.find((p) => p.name === name)!;
    const outcome = await rawSocket(port, (socket) => socket.write('GET /signin HT'));
    expect(outcome.timedOut).toBe(false);
    withinHeadersTimeout(outcome.closedAfterMs);
    expect(parseResponse(outcome.text)?.status).toBe(408);
  });

  it.each(['PORT', 'GATEWAY_PORT'])('closes a client trickling its headers on %s within the headers timeout, however steadily it sends', async (name) => {
    const { port } = ports.find((p) => p.name === name)!;
    const outcome = await rawSocket(port, (socket) => trickle(socket, 'GET /signin HTTP/1.1\r\nHost: x\r\n', 'X-Slow: 1\r\n', 100));
    expect(outcome.timedOut).toBe(false);
    withinHeadersTimeout(outcome.closedAfterMs);
    expect(parseResponse(outcome.text)?.status).toBe(408);
  });

  it.each(['PORT', 'GATEWAY_PORT'])('closes a connection that never sends a byte on %s within the headers timeout', async (name) => {
    const { port } = ports.find((p) => p.name === name)!;
    const outcome = await rawSocket(port, () => undefined);
    expect(outcome.timedOut).toBe(false);
    withinHeadersTimeout(outcome.closedAfterMs);
  });

  it.each(['PORT', 'GATEWAY_PORT'])('closes an idle keep-alive connection on %s after the keep-alive timeout', async (name) => {
    const { port } = ports.find((p) => p.name === name)!;
    let answeredAt = 0;
    const outcome = await rawSocket(port, (socket) => {
      socket.once('data', () => (answeredAt = performance.now()));
      socket.write('GET /no-such-thing HTTP/1.1\r\nHost: x\r\n\r\n');
    });
    expect(outcome.timedOut).toBe(false);
    const response = parseResponse(outcome.text);
    expect(response?.status).toBe(404);
    // Clients are told the timeout, so that they stop reusing the connection before the server drops it.
    expect(response?.headers['keep-alive']).toBe(`timeout=${KEEP_ALIVE_TIMEOUT_MS / 1000}`);
    expect(answeredAt).toBeGreaterThan(0);
    const idleMs = outcome.closedAt - answeredAt;
    expect(idleMs).toBeGreaterThanOrEqual(KEEP_ALIVE_TIMEOUT_MS * 0.9);
    expect(idleMs).toBeLessThan(KEEP_ALIVE_TIMEOUT_MS + NODE_KEEP_ALIVE_MARGIN_MS + SLACK_MS);
  });

  it('lets a streamed upload through the gateway that completes within GATEWAY_REQUEST_TIMEOUT_MS', async () => {
    // 20 chunks over about one second: slower than any header timeout would allow, yet in time.
    expect(await postSlowly(20, 50)).toBe(200);
    expect(upstream.seen.at(-1)!.body).toHaveLength(20 * 1024);
  });

  it('cuts an upload through the gateway still arriving after GATEWAY_REQUEST_TIMEOUT_MS', async () => {
    const seen = upstream.seen.length;
    const started = performance.now();
    const status = await postSlowly(1_000, 100);
    const elapsed = performance.now() - started;
    // The backend never got a whole request, so it never answered: the gateway says 408.
    expect(status).toBe(408);
    expect(elapsed).toBeGreaterThanOrEqual(GATEWAY_REQUEST_TIMEOUT_MS * 0.9);
    expect(elapsed).toBeLessThan(GATEWAY_REQUEST_TIMEOUT_MS + SLACK_MS);
    expect(upstream.seen.length).toBe(seen);
  });
});
