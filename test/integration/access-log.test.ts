/**
 * The access log (TOLLGATE_ACCESS_LOG=1): one info line per gateway call with its fields, read
 * from the app's real log stream. A subscription key sent in the header and in the query string
 * (valid, wrong, or to a path no API has) appears nowhere in anything the process logged.
 * Without the setting there is no such line.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_LOG_MESSAGE } from '../../src/gateway/observe/access-log.js';
import { BACKENDS, startServer, type TestServer } from '../helpers/server.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { get, putCatalogue, type Catalogue } from '../helpers/ops.js';

const KEY_HEADER = 'Ocp-Apim-Subscription-Key';

function collector(): { stream: Writable; text: () => string; lines: () => Record<string, unknown>[] } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  const lines = () =>
    text
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { stream, text: () => text, lines };
}

describe.each(BACKENDS)('access log (%s)', (backend) => {
  let server: TestServer;
  let upstream: Upstream;
  let catalogue: Catalogue;
  const log = collector();
  const access = () => log.lines().filter((l) => l.msg === ACCESS_LOG_MESSAGE);

  beforeAll(async () => {
    upstream = await startUpstream();
    server = await startServer(backend, { env: { TOLLGATE_ACCESS_LOG: '1', LOG_LEVEL: 'debug' }, logStream: log.stream });
    catalogue = await putCatalogue(server, upstream.url);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  it('writes one line per call with its fields, the url without the key', async () => {
    const key = catalogue.starterKey;
    const res = await get(`${server.gatewayUrl}/echo/items?color=red&subscription-key=${encodeURIComponent(key)}&size=2`);
    expect(res.status).toBe(200);
    const mine = access().filter((l) => l.requestId === res.headers['x-request-id']);
    expect(mine).toHaveLength(1);
    const line = mine[0]!;
    expect(line).toMatchObject({
      level: 30,
      method: 'GET',
      url: '/echo/items?color=red&size=2',
      status: 200,
      backendStatus: 200,
      requestBytes: 0,
      responseBytes: Buffer.byteLength(res.body),
      ip: '127.0.0.1',
      api: 'echo',
      operation: 'all',
      product: 'starter',
      subscription: 's-starter',
    });
    expect(line.apiMs as number).toBeGreaterThanOrEqual(line.serviceMs as number);
    expect(line.serviceMs as number).toBeGreaterThan(0);
    expect(line).not.toHaveProperty('cause');
    // The backend got the call without the key parameter too.
    expect(upstream.seen.at(-1)!.url).toBe('/items?color=red&size=2');
  });

  it('says why the gateway answered itself, and logs no health probe', async () => {
    const before = access().length;
    const refused = await get(`${server.gatewayUrl}/echo/x`);
    expect(refused.status).toBe(401);
    expect((await get(`${server.gatewayUrl}/status-0123456789abcdef`)).status).toBe(200);
    const lines = access().slice(before);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ url: '/echo/x', status: 401, backendStatus: 0, serviceMs: 0, api: 'echo', subscription: '', cause: 'key', requestId: refused.headers['x-request-id'] });
  });

  it('never logs a key: in the header, in the query, valid or not, matched or not', async () => {
    const { starterKey, goldKey } = catalogue;
    const wrong = 'WrongKey0123456789abcdefWrongKey';
    const g = server.gatewayUrl;
    const q = (k: string) => `subscription-key=${encodeURIComponent(k)}`;
    const statuses = [
      (await get(`${g}/echo/a`, { [KEY_HEADER]: starterKey })).status,
      (await get(`${g}/echo/b?${q(goldKey)}`)).status,
      (await get(`${g}/echo/c?${q(wrong)}`)).status,
      (await get(`${g}/echo/d`, { [KEY_HEADER]: wrong })).status,
      (await get(`${g}/nowhere?${q(starterKey)}`, { [KEY_HEADER]: goldKey })).status,
      (await get(`${g}/dead/e?${q(goldKey)}`, { [KEY_HEADER]: starterKey })).status,
    ];
    expect(statuses).toEqual([200, 200, 401, 401, 404, 502]);
    expect(access().length).toBeGreaterThanOrEqual(8);
    // Everything the process logged: the access lines, Fastify's request lines, the gateway's debug lines.
    const everything = log.text();
    for (const secret of [starterKey, goldKey, wrong, encodeURIComponent(starterKey), encodeURIComponent(goldKey)]) expect(everything).not.toContain(secret);
  });
});

describe('without TOLLGATE_ACCESS_LOG', () => {
  it('writes no access line', async () => {
    const upstream = await startUpstream();
    const log = collector();
    const server = await startServer('sqlite', { env: { LOG_LEVEL: 'info' }, logStream: log.stream });
    try {
      await putCatalogue(server, upstream.url);
      expect((await get(`${server.gatewayUrl}/nowhere`)).status).toBe(404);
      expect(log.lines().some((l) => l.msg === 'gateway listening')).toBe(true);
      expect(log.lines().filter((l) => l.msg === ACCESS_LOG_MESSAGE)).toEqual([]);
    } finally {
      await server.close();
      await upstream.close();
    }
  });
});
