/**
 * The gateway as the edge, against a real backend that records what it receives: paths that
 * could climb out of the API's service URL once a backend decodes them (encoded slashes and
 * backslashes, raw backslashes, dot segments, also percent-encoded or encoded twice) are refused
 * with 400 and never forwarded, while ordinary encodings pass untouched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startServer, type TestServer } from '../helpers/server.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { putApi, until } from '../helpers/gateway.js';
import { parseResponse, rawSocket } from '../helpers/raw-socket.js';
import { GATEWAY_MESSAGES } from '../../src/gateway/index.js';

/** GETs `path` on 127.0.0.1:`port`, byte for byte as given (no client normalises it), over a fresh connection. */
async function rawGet(port: number, path: string, head = 'Host: gw.example\r\n'): Promise<{ status: number; json: unknown }> {
  const outcome = await rawSocket(port, (s) => s.write(Buffer.from(`GET ${path} HTTP/1.1\r\n${head}Connection: close\r\n\r\n`, 'latin1')));
  const response = parseResponse(outcome.text);
  if (!response) throw new Error(`no response to ${path}: ${outcome.text.slice(0, 200)} ${outcome.error ?? ''}`);
  return { status: response.status, json: JSON.parse(response.body) };
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
    await until(async () => (await rawGet(port, '/files/ready')).status, 200);
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
});
