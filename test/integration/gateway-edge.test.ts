/**
 * The gateway as the edge, against a real backend that records what it receives: paths that
 * could climb out of the API's service URL once a backend decodes them (encoded slashes and
 * backslashes, raw backslashes, dot segments, also percent-encoded or encoded twice) are refused
 * with 400 and never forwarded, while ordinary encodings pass untouched; and Forwarded /
 * X-Forwarded-* carry what the gateway saw, whatever the client claimed in them.
 */
import { request as httpRequest, type RequestOptions } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startServer, type TestServer } from '../helpers/server.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { putApi } from '../helpers/gateway.js';
import { parseResponse, rawSocket } from '../helpers/raw-socket.js';
import { createGateway, GATEWAY_MESSAGES } from '../../src/gateway/index.js';
import { systemClock } from '../../src/domain/clock.js';

/** GETs `path` on 127.0.0.1:`port`, byte for byte as given (no client normalises it), over a fresh connection. */
async function rawGet(port: number, path: string, head = 'Host: gw.example\r\n'): Promise<{ status: number; json: unknown }> {
  const outcome = await rawSocket(port, (s) => s.write(Buffer.from(`GET ${path} HTTP/1.1\r\n${head}Connection: close\r\n\r\n`, 'latin1')));
  const response = parseResponse(outcome.text);
  if (!response) throw new Error(`no response to ${path}: ${outcome.text.slice(0, 200)} ${outcome.error ?? ''}`);
  return { status: response.status, json: JSON.parse(response.body) };
}

/** Sends `options` as one request over a fresh connection; the answer's status. */
function statusOf(options: RequestOptions): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const req = httpRequest({ agent: false, ...options }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe.each(BACKENDS)('the gateway as the edge (%s)', (backend) => {
  let server: TestServer;
  let upstream: Upstream;
  let port = 0;

  beforeAll(async () => {
    upstream = await startUpstream();
    server = await startServer(backend);
    port = Number(new URL(server.gatewayUrl).port);
    await putApi(server, 'files', { displayName: 'Files', path: 'files', serviceUrl: `${upstream.url}/base`, protocols: ['http'], subscriptionRequired: false }, [
      { id: 'all', displayName: 'All', method: 'GET', urlTemplate: '/*' },
    ]);
    expect((await rawGet(port, '/files/ready')).status).toBe(200);
  });

  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  it.each([
    ['an encoded slash after ..', '/files/..%2fadmin'],
    ['an encoded slash after .. (upper case)', '/files/..%2F..%2Fadmin'],
    ['an encoded slash in a name', '/files/a%2Fb'],
    ['encoded backslashes around ..', '/files/%5c..%5cadmin'],
    ['an encoded backslash in a name', '/files/a%5Cb'],
    ['a raw backslash', '/files/a\\b'],
    ['a raw backslash before ..', '/files/..\\admin'],
    ['an encoded .. segment', '/files/%2e%2e/admin'],
    ['a half-encoded .. segment', '/files/.%2E/admin'],
    ['an encoded . segment', '/files/%2e/admin'],
    ['a .. segment', '/files/../admin'],
    ['a . segment', '/files/./admin'],
    ['a twice-encoded .. segment', '/files/%252e%252e/admin'],
    ['a twice-encoded slash', '/files/..%252fadmin'],
    ['a .. segment on a path no API serves', '/nowhere/..%2f'],
  ])('refuses %s (%s) with 400, and forwards nothing', async (_what, path) => {
    const seen = upstream.seen.length;
    const r = await rawGet(port, path);
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ statusCode: 400, message: GATEWAY_MESSAGES.unsafePath });
    expect(upstream.seen.length).toBe(seen);
  });

  it.each([
    ['/files/a%20b/c%3Fd', '/base/a%20b/c%3Fd'],
    ['/files/v1.2/report.pdf', '/base/v1.2/report.pdf'],
    ['/files/.../x', '/base/.../x'],
    ['/files/a%2eb/.hidden', '/base/a%2eb/.hidden'],
    ['/files/%E2%82%AC', '/base/%E2%82%AC'],
  ])('forwards %s, which climbs nowhere, untouched as %s', async (path, received) => {
    expect((await rawGet(port, path)).status).toBe(200);
    expect(upstream.seen.at(-1)!.url).toBe(received);
  });

  it("sets Forwarded and X-Forwarded-* from what the gateway saw, dropping the client's own", async () => {
    const status = await statusOf({
      host: '127.0.0.1',
      port,
      path: '/files/who',
      // As a flat list, to send Forwarded twice.
      headers: [
        'host', 'api.example.com:8443',
        'forwarded', 'for=198.51.100.1;proto=https',
        'forwarded', 'for="[2001:db8::1]"',
        'x-forwarded-for', '203.0.113.9, 10.0.0.1',
        'x-forwarded-proto', 'https',
        'x-forwarded-host', 'evil.example',
      ],
    });
    expect(status).toBe(200);
    const h = upstream.seen.at(-1)!.headers;
    expect(h.forwarded).toBe('for=127.0.0.1;proto=http;host="api.example.com:8443"');
    expect(h['x-forwarded-for']).toBe('127.0.0.1');
    expect(h['x-forwarded-proto']).toBe('http');
    expect(h['x-forwarded-host']).toBe('api.example.com:8443');
  });

  it('leaves host out of Forwarded and X-Forwarded-Host when the request had no Host (HTTP/1.0)', async () => {
    const outcome = await rawSocket(port, (s) => s.write('GET /files/old HTTP/1.0\r\nForwarded: for=198.51.100.1\r\n\r\n'));
    expect(parseResponse(outcome.text)?.status).toBe(200);
    const h = upstream.seen.at(-1)!.headers;
    expect(h.forwarded).toBe('for=127.0.0.1;proto=http');
    expect(h['x-forwarded-host']).toBeUndefined();
  });

  it('brackets and quotes an IPv6 client in Forwarded', async () => {
    const gateway = createGateway({ store: server.app.store, clock: systemClock, logger: server.app.http.log });
    try {
      const v6 = (await gateway.listen(0, '::1')).port;
      const status = await statusOf({ host: '::1', port: v6, path: '/files/six' });
      expect(status).toBe(200);
      const h = upstream.seen.at(-1)!.headers;
      expect(h.forwarded).toBe(`for="[::1]";proto=http;host="[::1]:${v6}"`);
      expect(h['x-forwarded-for']).toBe('::1');
      expect(h['x-forwarded-host']).toBe(`[::1]:${v6}`);
    } finally {
      await gateway.close();
    }
  });
});
