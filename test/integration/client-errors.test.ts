/**
 * Errors Node's HTTP parser raises before any handler runs, on both listeners: a URL or headers
 * over 16 KB (431), bytes that are not HTTP (400), a request not received in time (408). Each is
 * answered in the face's own JSON shape — Azure's `{"error":{...}}` on PORT, the gateway's
 * `{"statusCode","message"}` on GATEWAY_PORT — with content-length and `connection: close`, and
 * reaches the client as a clean close, never a reset, even when more input follows.
 *
 * The database plays no part in this, so one backend (SQLite) is enough.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { parseResponse, rawSocket, type RawOutcome } from '../helpers/raw-socket.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { putApi } from '../helpers/gateway.js';
import { GATEWAY_MESSAGES } from '../../src/gateway/index.js';

const REPEAT = 50;
const BIG = 'a'.repeat(20 * 1024);
const HEADERS_TIMEOUT_MS = 1_000;

const azure = (code: string, message: string) => ({ error: { code, message, details: [] } });

const FACES = {
  PORT: {
    431: azure('RequestHeaderFieldsTooLarge', 'The request URL and headers are too large (16 KB at most together).'),
    400: azure('BadRequest', 'The request could not be understood.'),
    408: azure('RequestTimeout', 'The request was not received in time.'),
  },
  GATEWAY_PORT: {
    431: { statusCode: 431, message: GATEWAY_MESSAGES.headersTooLarge },
    400: { statusCode: 400, message: GATEWAY_MESSAGES.badRequest },
    408: { statusCode: 408, message: GATEWAY_MESSAGES.requestTimeout },
  },
} as const;
type Face = keyof typeof FACES;

/** The one response in `outcome`: the expected status and body, JSON with its length, closed cleanly. */
function expectAnswer(outcome: RawOutcome, face: Face, status: 400 | 408 | 431): void {
  expect(outcome.error, 'the connection ended cleanly (no reset)').toBeUndefined();
  expect(outcome.timedOut).toBe(false);
  const response = parseResponse(outcome.text);
  expect(response, outcome.text.slice(0, 200)).toBeDefined();
  expect(response!.status).toBe(status);
  expect(response!.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(response!.headers.connection).toBe('close');
  expect(Number(response!.headers['content-length'])).toBe(Buffer.byteLength(response!.body, 'latin1'));
  expect(JSON.parse(response!.body)).toEqual(FACES[face][status]);
  expect(outcome.text.split('HTTP/1.1 ').length - 1, 'exactly one response').toBe(1);
}

describe('errors raised before the handlers, on both listeners', () => {
  let server: TestServer;
  let upstream: Upstream;
  const port: Record<Face, number> = { PORT: 0, GATEWAY_PORT: 0 };

  beforeAll(async () => {
    upstream = await startUpstream();
    server = await startServer('sqlite', { env: { HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS), GATEWAY_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS) } });
    port.PORT = Number(new URL(server.url).port);
    port.GATEWAY_PORT = Number(new URL(server.gatewayUrl).port);
    await putApi(server, 'open', { displayName: 'Open', path: 'open', serviceUrl: upstream.url, protocols: ['http'], subscriptionRequired: false }, [
      { id: 'all', displayName: 'All', method: 'GET', urlTemplate: '/*' },
    ]);
    expect((await fetch(`${server.gatewayUrl}/open/x`)).status).toBe(200);
  });

  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  const faces: Face[] = ['PORT', 'GATEWAY_PORT'];

  it.each(faces)(`answers every one of ${REPEAT} requests with 20 KB of headers with a 431 on %s, none with a reset`, async (face) => {
    for (let i = 0; i < REPEAT; i++) {
      const outcome = await rawSocket(port[face], (s) => s.write(`GET /open/x HTTP/1.1\r\nHost: x\r\nX-Big: ${BIG}\r\n\r\n`));
      expectAnswer(outcome, face, 431);
    }
  });

  it.each(faces)(`answers every one of ${REPEAT} requests with a 20 KB URL with a 431 on %s, none with a reset`, async (face) => {
    for (let i = 0; i < REPEAT; i++) {
      const outcome = await rawSocket(port[face], (s) => s.write(`GET /open/${BIG} HTTP/1.1\r\nHost: x\r\n\r\n`));
      expectAnswer(outcome, face, 431);
    }
  });

  it.each(faces)('still answers a 431 cleanly on %s when a large body follows the oversized headers', async (face) => {
    for (let i = 0; i < 10; i++) {
      const outcome = await rawSocket(port[face], (s) =>
        s.write(`POST /open/x HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\nX-Big: ${BIG}\r\n\r\n${'b'.repeat(1024 * 1024)}`),
      );
      expectAnswer(outcome, face, 431);
    }
  });

  it.each(faces)('keeps reading what a client still sends after the 431 on %s, so that the close stays clean', async (face) => {
    for (let i = 0; i < 10; i++) {
      const outcome = await rawSocket(port[face], (s) => {
        s.write(`POST /open/x HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\nX-Big: ${BIG}\r\n\r\n`);
        // The rest of the body, as a client that does not watch for an early answer sends it.
        s.once('data', () => s.write('b'.repeat(256 * 1024)));
      });
      expectAnswer(outcome, face, 431);
    }
  });

  it.each(faces)('answers raw bytes in the request line with a 400 on %s', async (face) => {
    const lines = [
      'GET /open/\x01x HTTP/1.1\r\nHost: x\r\n\r\n',
      'G@T /open/x HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /open/x HTTP/9\x7f\r\nHost: x\r\n\r\n',
      // A TLS ClientHello sent to the plain-HTTP port.
      '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03',
    ];
    for (const line of lines) {
      const outcome = await rawSocket(port[face], (s) => s.write(Buffer.from(line, 'latin1')));
      expectAnswer(outcome, face, 400);
    }
  });

  it.each(faces)('answers headers not complete within the headers timeout with a 408 on %s, and serves nothing sent after it', async (face) => {
    const seen = upstream.seen.length;
    const outcome = await rawSocket(port[face], (s) => {
      s.write('GET /open/late HTTP/1.1\r\nHost: x\r\n');
      // The rest of the request, once the 408 is in: it must not become a request.
      s.once('data', () => s.write('\r\nGET /open/later HTTP/1.1\r\nHost: x\r\n\r\n'));
    });
    expectAnswer(outcome, face, 408);
    expect(upstream.seen.length).toBe(seen);
  });
});
