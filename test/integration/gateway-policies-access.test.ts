/**
 * The gateway answering in the backend's place or refusing: return-response, mock-response, cors
 * (a preflight answered without a key, the headers of an allowed cross-origin call, unmatched
 * origins), ip-filter over IPv4 and IPv6 (addresses and ranges, allow and forbid) with Azure's 403,
 * and check-header; on-error changing a refusal's answer.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/server.js';
import { policyXml, startPolicyWorld, type PolicyWorld } from '../helpers/policy-world.js';

describe.each(BACKENDS)('gateway answering and access policies (%s)', (backend) => {
  let w: PolicyWorld;
  let key: string;

  beforeAll(async () => {
    w = await startPolicyWorld(backend, { ipv6: true });
    await w.addApi('echo', 'echo', [
      ['get', 'GET', '/*'],
      ['post', 'POST', '/*'],
    ]);
    await w.addProduct('p', ['echo']);
    key = await w.addSubscription('s', '/products/p');
  });

  afterEach(async () => {
    await w.setPolicy('/apis/echo', undefined);
    await w.setPolicy('/', undefined);
  });

  afterAll(async () => {
    await w?.close();
  });

  it('return-response: the status, reason, headers and body it sets, without calling the backend; a HEAD gets no body', async () => {
    await w.setPolicy(
      '/apis/echo',
      policyXml({
        inbound:
          '<base /><return-response><set-status code="418" reason="Teapot Here" /><set-header name="Content-Type" exists-action="override"><value>text/plain</value></set-header><set-header name="X-Sub" exists-action="override"><value>@(context.Subscription.Id)</value></set-header><set-body>short and stout</set-body></return-response>',
      }),
    );
    const before = w.seen.length;
    const res = await w.call('/echo/x', { key, method: 'POST', body: 'ignored' });
    expect(res.status).toBe(418);
    expect(res.statusMessage).toBe('Teapot Here');
    expect(res.headers['content-type']).toBe('text/plain');
    expect(res.headers['x-sub']).toBe('s');
    expect(res.headers['content-length']).toBe('15');
    expect(res.text).toBe('short and stout');
    expect(w.seen.length).toBe(before);
    // An empty return-response is a 200 with no body.
    await w.setPolicy('/apis/echo', policyXml({ inbound: '<base /><return-response />' }));
    const empty = await w.call('/echo/x', { key });
    expect([empty.status, empty.text]).toEqual([200, '']);
  });

  it('return-response in outbound replaces the backend\'s answer', async () => {
    await w.setPolicy('/apis/echo', policyXml({ outbound: '<base /><return-response><set-status code="202" /><set-body>replaced</set-body></return-response>' }));
    const res = await w.call('/echo/bytes/100000', { key });
    expect([res.status, res.text]).toEqual([202, 'replaced']);
  });

  it('mock-response: the status and content type, an empty body (operations hold no examples), no backend call', async () => {
    await w.setPolicy('/apis/echo', policyXml({ inbound: '<base /><mock-response status-code="201" content-type="application/xml" />' }));
    const before = w.seen.length;
    const res = await w.call('/echo/x', { key });
    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toBe('application/xml');
    expect(res.text).toBe('');
    expect(w.seen.length).toBe(before);
  });

  it('cors: a preflight is answered by the gateway without a key; an allowed call gets the CORS headers; credentials echo the origin', async () => {
    await w.setPolicy(
      '/apis/echo',
      policyXml({
        inbound:
          '<cors allow-credentials="true"><allowed-origins><origin>https://app.example.com</origin></allowed-origins><allowed-methods preflight-result-max-age="300"><method>GET</method><method>POST</method></allowed-methods><allowed-headers><header>content-type</header><header>x-custom</header></allowed-headers><expose-headers><header>x-backend</header></expose-headers></cors><base />',
      }),
    );
    const before = w.seen.length;
    const pre = await w.call('/echo/x', {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'Content-Type, X-Custom' },
    });
    expect(pre.status).toBe(200);
    expect(pre.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(pre.headers['access-control-allow-methods']).toBe('GET,POST');
    expect(pre.headers['access-control-allow-headers']).toBe('Content-Type,X-Custom');
    expect(pre.headers['access-control-allow-credentials']).toBe('true');
    expect(pre.headers['access-control-max-age']).toBe('300');
    expect(w.seen.length).toBe(before);

    const actual = await w.call('/echo/x', { key, headers: { origin: 'https://app.example.com' } });
    expect(actual.status).toBe(200);
    expect(actual.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(actual.headers['access-control-allow-credentials']).toBe('true');
    expect(actual.headers['access-control-expose-headers']).toBe('x-backend');
    expect(actual.headers.vary).toContain('Origin');
    // A refusal by a later policy carries them too, so that the browser can read it.
    await w.setPolicy('/apis/echo/operations/post', policyXml({ inbound: '<base /><return-response><set-status code="409" /></return-response>' }));
    const refused = await w.call('/echo/x', { key, method: 'POST', headers: { origin: 'https://app.example.com' } });
    expect(refused.status).toBe(409);
    expect(refused.headers['access-control-allow-origin']).toBe('https://app.example.com');
    await w.setPolicy('/apis/echo/operations/post', undefined);
    // A call without a key is refused before any policy runs (as in Azure): no CORS headers.
    const noKey = await w.call('/echo/x', { headers: { origin: 'https://app.example.com' } });
    expect(noKey.status).toBe(401);
    expect(noKey.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('cors: an origin or a header not allowed gets an empty 200 to its preflight, and a GET from it is ended (terminate-unmatched-request)', async () => {
    await w.setPolicy('/apis/echo', policyXml({ inbound: '<cors><allowed-origins><origin>https://app.example.com</origin></allowed-origins></cors><base />' }));
    const pre = await w.call('/echo/x', { method: 'OPTIONS', headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'GET' } });
    expect(pre.status).toBe(200);
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    const header = await w.call('/echo/x', { method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-other' } });
    expect(header.headers['access-control-allow-origin']).toBeUndefined();
    const before = w.seen.length;
    const get = await w.call('/echo/x', { key, headers: { origin: 'https://evil.example.com' } });
    expect([get.status, get.text, get.headers['access-control-allow-origin']]).toEqual([200, '', undefined]);
    expect(w.seen.length).toBe(before);
    // A POST from it goes on, without CORS headers.
    const post = await w.call('/echo/x', { key, method: 'POST', headers: { origin: 'https://evil.example.com' } });
    expect(post.status).toBe(200);
    expect(post.json.backend).toBe('main');
    expect(post.headers['access-control-allow-origin']).toBeUndefined();

    // With terminate-unmatched-request="false" and any origin: '*' and the GET goes on.
    await w.setPolicy('/apis/echo', policyXml({ inbound: '<cors terminate-unmatched-request="false"><allowed-origins><origin>*</origin></allowed-origins></cors><base />' }));
    const any = await w.call('/echo/x', { key, headers: { origin: 'https://whoever.example' } });
    expect(any.headers['access-control-allow-origin']).toBe('*');
  });

  it('a preflight where no cors policy applies is an OPTIONS call like any other', async () => {
    const res = await w.call('/echo/x', { method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'GET' } });
    expect(res.status).toBe(404);
  });

  it('ip-filter over IPv4: allow lets through only what matches, forbid refuses it, with Azure\'s 403', async () => {
    await w.setPolicy('/', policyXml({ inbound: '<ip-filter action="allow"><address>10.0.0.1</address><address-range from="127.0.0.0" to="127.0.0.255" /></ip-filter>', backend: '<forward-request />' }));
    expect((await w.call('/echo/x', { key })).status).toBe(200);
    await w.setPolicy('/', policyXml({ inbound: '<ip-filter action="allow"><address-range from="10.0.0.0" to="10.255.255.255" /></ip-filter>', backend: '<forward-request />' }));
    const refused = await w.call('/echo/x', { key });
    expect(refused.status).toBe(403);
    expect(refused.json).toEqual({ statusCode: 403, message: 'Forbidden' });
    await w.setPolicy('/apis/echo', policyXml({ inbound: '<ip-filter action="forbid"><address>127.0.0.1</address></ip-filter>' }));
    await w.setPolicy('/', undefined);
    expect((await w.call('/echo/x', { key })).json).toEqual({ statusCode: 403, message: 'Forbidden' });
  });

  it('ip-filter over IPv6: addresses and ranges compared as numbers, and IPv4 rules not matching an IPv6 caller', async () => {
    await w.setPolicy('/apis/echo', policyXml({ inbound: '<base /><ip-filter action="allow"><address-range from="::" to="::ff" /></ip-filter>' }));
    expect((await w.call('/echo/x', { key, ipv6: true })).status).toBe(200);
    expect((await w.call('/echo/x', { key })).status).toBe(403);
    await w.setPolicy('/apis/echo', policyXml({ inbound: '<base /><ip-filter action="forbid"><address>0:0:0:0:0:0:0:1</address></ip-filter>' }));
    expect((await w.call('/echo/x', { key, ipv6: true })).status).toBe(403);
    expect((await w.call('/echo/x', { key })).status).toBe(200);
  });

  it('check-header: missing, a value not allowed, ignore-case; and on-error changes the refusal\'s answer', async () => {
    await w.setPolicy(
      '/apis/echo',
      policyXml({
        inbound:
          '<base /><check-header name="X-Tenant" failed-check-httpcode="401" failed-check-error-message="Tenant not allowed" ignore-case="true"><value>Alpha</value><value>beta</value></check-header>',
        onError: '<base /><set-header name="X-Refused" exists-action="override"><value>yes</value></set-header>',
      }),
    );
    const missing = await w.call('/echo/x', { key });
    expect(missing.status).toBe(401);
    expect(missing.json).toEqual({ statusCode: 401, message: 'Tenant not allowed' });
    expect(missing.headers['x-refused']).toBe('yes');
    expect((await w.call('/echo/x', { key, headers: { 'x-tenant': 'gamma' } })).status).toBe(401);
    expect((await w.call('/echo/x', { key, headers: { 'x-tenant': 'ALPHA' } })).status).toBe(200);
    await w.setPolicy(
      '/apis/echo',
      policyXml({ inbound: '<base /><check-header name="X-Tenant" failed-check-httpcode="403" failed-check-error-message="No" ignore-case="false"><value>Alpha</value></check-header>' }),
    );
    expect((await w.call('/echo/x', { key, headers: { 'x-tenant': 'alpha' } })).status).toBe(403);
    expect((await w.call('/echo/x', { key, headers: { 'x-tenant': 'Alpha' } })).status).toBe(200);
  });

  it('on-error: a return-response there replaces the error answer', async () => {
    await w.setPolicy(
      '/apis/echo',
      policyXml({
        inbound: '<base /><ip-filter action="forbid"><address>127.0.0.1</address></ip-filter>',
        onError: '<return-response><set-status code="451" /><set-body>not from here</set-body></return-response>',
      }),
    );
    const res = await w.call('/echo/x', { key });
    expect([res.status, res.text]).toEqual([451, 'not from here']);
  });
});
