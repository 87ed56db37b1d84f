/**
 * Request ids and trace context over real HTTP: every gateway answer carries `x-request-id`
 * (forwarded, refused, not found, the health path), the backend gets the same id (the client's
 * own replaced) and a W3C traceparent that continues the client's trace when it sent a valid one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { activeSubscription, putApi, putProduct } from '../helpers/gateway.js';
import { HEALTH_PATH } from '../../src/gateway/handler.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CLIENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('gateway request ids and traceparent', () => {
  let server: TestServer;
  let upstream: Upstream;
  let key = '';

  beforeAll(async () => {
    upstream = await startUpstream();
    server = await startServer('sqlite');
    await server.request('PUT', '/users/tia', { body: { properties: { email: 'tia@example.com', firstName: 'Tia', lastName: 'T' } } });
    await putApi(server, 'echo', { displayName: 'Echo', path: 'echo', serviceUrl: upstream.url, protocols: ['http'] }, [
      { id: 'any', displayName: 'Any', method: 'GET', urlTemplate: '/*' },
    ]);
    await putProduct(server, 'p', { displayName: 'P', subscriptionRequired: true, state: 'published' }, { apis: ['echo'] });
    key = await activeSubscription(server, 'tia-p', 'tia', 'p', 'Tia p');
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  const call = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${server.gatewayUrl}${path}`, { headers });
    await res.arrayBuffer();
    return { status: res.status, requestId: res.headers.get('x-request-id') };
  };

  it('answers every call with its own x-request-id, whoever answers it', async () => {
    const answers = [
      await call('/echo/a', { 'ocp-apim-subscription-key': key }),
      await call('/echo/a'),
      await call('/echo/a', { 'ocp-apim-subscription-key': 'f'.repeat(64) }),
      await call('/nowhere'),
      await call(HEALTH_PATH),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 401, 401, 404, 200]);
    for (const a of answers) expect(a.requestId).toMatch(UUID);
    expect(new Set(answers.map((a) => a.requestId)).size).toBe(answers.length);
  });

  it('sends the backend the same request id, not the client’s, and a new trace when the client sent none', async () => {
    const res = await call('/echo/b', { 'ocp-apim-subscription-key': key, 'x-request-id': 'client-chosen' });
    const seen = upstream.seen.at(-1)!;
    expect(seen.headers['x-request-id']).toBe(res.requestId);
    expect(seen.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it('continues a valid client trace, and replaces an invalid one', async () => {
    await call('/echo/c', { 'ocp-apim-subscription-key': key, traceparent: `00-${CLIENT_TRACE}-00f067aa0ba902b7-01` });
    const continued = String(upstream.seen.at(-1)!.headers.traceparent);
    expect(continued).toMatch(new RegExp(`^00-${CLIENT_TRACE}-[0-9a-f]{16}-01$`));
    expect(continued).not.toContain('00f067aa0ba902b7');

    await call('/echo/d', { 'ocp-apim-subscription-key': key, traceparent: 'bogus' });
    const replaced = String(upstream.seen.at(-1)!.headers.traceparent);
    expect(replaced).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(replaced).not.toContain('bogus');
  });
});
