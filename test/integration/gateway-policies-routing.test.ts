/**
 * What reaches the backend and what comes back: set-header on the request (inbound) and on the
 * answer (outbound) with every exists-action, set-query-parameter likewise, rewrite-uri with the
 * operation's template parameters (copying the other query parameters, or not), set-backend-service,
 * forward-request's timeout (504), and named values substituted into documents (a secret one too,
 * and a change of value reaching the policy without anything else changing). Bodies still stream.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/server.js';
import { policyXml, startPolicyWorld, type PolicyWorld } from '../helpers/policy-world.js';

describe.each(BACKENDS)('gateway routing and header policies (%s)', (backend) => {
  let w: PolicyWorld;
  let key: string;
  const last = () => w.seen[w.seen.length - 1]!;

  beforeAll(async () => {
    w = await startPolicyWorld(backend, { upstreamTimeoutMs: 30_000 });
    await w.addApi('echo', 'echo', [
      ['get-item', 'GET', '/items/{id}/parts/{part}'],
      ['post', 'POST', '/upload'],
      ['any', '*', '/*'],
    ]);
    await w.addProduct('p', ['echo']);
    key = await w.addSubscription('s', '/products/p');
  });

  afterEach(async () => {
    await w.setPolicy('/apis/echo', undefined);
    await w.setPolicy('/apis/echo/operations/get-item', undefined);
  });

  afterAll(async () => {
    await w?.close();
  });

  it('set-header on the request: override, skip, append, delete, values from expressions, several values joined', async () => {
    await w.setPolicy(
      '/apis/echo',
      policyXml({
        inbound: [
          '<base />',
          '<set-header name="X-Override" exists-action="override"><value>new</value></set-header>',
          '<set-header name="X-Skip" exists-action="skip"><value>policy</value></set-header>',
          '<set-header name="X-Skip-Absent" exists-action="skip"><value>added</value></set-header>',
          '<set-header name="X-Append" exists-action="append"><value>second</value></set-header>',
          '<set-header name="X-Delete" exists-action="delete" />',
          '<set-header name="X-Who" exists-action="override"><value>@(context.Subscription.Id + "/" + context.User.Id + "/" + context.Product.Id + "/" + context.Api.Id + "/" + context.Operation.Id)</value></set-header>',
          '<set-header name="X-Many"><value>a</value><value>b</value></set-header>',
        ].join(''),
      }),
    );
    const res = await w.call('/echo/x', { key, headers: { 'x-override': 'old', 'x-skip': 'client', 'x-append': 'first', 'x-delete': 'gone' } });
    expect(res.status).toBe(200);
    const h = last().headers;
    expect(h['x-override']).toBe('new');
    expect(h['x-skip']).toBe('client');
    expect(h['x-skip-absent']).toBe('added');
    expect(h['x-append']).toBe('first, second');
    expect(h['x-delete']).toBeUndefined();
    expect(h['x-who']).toBe('s/dev/p/echo/any');
    expect(h['x-many']).toBe('a,b');
    // The key still never reaches the backend.
    expect(h['ocp-apim-subscription-key']).toBeUndefined();
  });

  it('set-header on the answer (outbound): override, skip, append, delete, on the backend\'s headers; the body still streams', async () => {
    await w.setPolicy(
      '/apis/echo',
      policyXml({
        outbound: [
          '<base />',
          '<set-header name="X-Backend" exists-action="override"><value>hidden</value></set-header>',
          '<set-header name="X-Backend-Tag" exists-action="append"><value>b2</value></set-header>',
          '<set-header name="Content-Type" exists-action="skip"><value>text/plain</value></set-header>',
          '<set-header name="Set-Cookie" exists-action="append"><value>c=3</value></set-header>',
          '<set-header name="X-Added" exists-action="skip"><value>@(context.Request.Headers.GetValueOrDefault("X-In", "none"))</value></set-header>',
          '<set-header name="Set-Cookie-Gone" exists-action="delete" />',
        ].join(''),
      }),
    );
    const res = await w.call('/echo/bytes/70000', { key, headers: { 'x-in': 'given' } });
    expect(res.status).toBe(200);
    expect(res.text).toHaveLength(70_000);
    expect(res.headers['x-backend']).toBe('hidden');
    expect(res.headers['content-type']).toBe('text/plain');
    expect(res.headers['x-added']).toBe('given');
    const json = await w.call('/echo/x', { key });
    expect(json.headers['x-backend-tag']).toBe('b1,b2');
    expect(json.headers['content-type']).toBe('application/json');
    // Set-Cookie keeps one line per value.
    expect(json.headers['set-cookie']).toEqual(['a=1', 'b=2', 'c=3']);
  });

  it('set-query-parameter: override, skip, append, delete, values encoded', async () => {
    await w.setPolicy(
      '/apis/echo',
      policyXml({
        inbound: [
          '<base />',
          '<set-query-parameter name="o" exists-action="override"><value>new value</value></set-query-parameter>',
          '<set-query-parameter name="s" exists-action="skip"><value>policy</value></set-query-parameter>',
          '<set-query-parameter name="a" exists-action="append"><value>2</value><value>3</value></set-query-parameter>',
          '<set-query-parameter name="d" exists-action="delete" />',
          '<set-query-parameter name="k"><value>@(context.Subscription.Key)</value></set-query-parameter>',
        ].join(''),
      }),
    );
    await w.call('/echo/q?o=old&s=client&a=1&d=x&keep=yes', { key });
    const url = new URL(last().url, 'http://x');
    expect(url.pathname).toBe('/q');
    expect(url.searchParams.getAll('o')).toEqual(['new value']);
    expect(url.searchParams.getAll('s')).toEqual(['client']);
    expect(url.searchParams.getAll('a')).toEqual(['1', '2', '3']);
    expect(url.searchParams.has('d')).toBe(false);
    expect(url.searchParams.get('keep')).toBe('yes');
    // context.Subscription.Key is the key the caller presented.
    expect(url.searchParams.get('k')).toBe(key);
  });

  it('rewrite-uri: the operation\'s template parameters into the new path, unmatched query parameters copied, or not', async () => {
    await w.setPolicy(
      '/apis/echo/operations/get-item',
      policyXml({ inbound: '<base /><rewrite-uri template="/v2/things/{part}/of/{id}?view={view}" />' }),
    );
    await w.call('/echo/items/42/parts/wheel?view=full&extra=1', { key });
    expect(last().url).toBe('/v2/things/wheel/of/42?view=full&extra=1');

    await w.setPolicy(
      '/apis/echo/operations/get-item',
      policyXml({ inbound: '<base /><rewrite-uri template="/v2/things/{id}" copy-unmatched-params="false" />' }),
    );
    await w.call('/echo/items/a%20b/parts/wheel?extra=1', { key });
    expect(last().url).toBe('/v2/things/a%20b');
    // Other operations are not rewritten.
    await w.call('/echo/plain?x=1', { key });
    expect(last().url).toBe('/plain?x=1');
  });

  it('set-backend-service sends the call to another base URL, with the path after it', async () => {
    await w.setPolicy('/apis/echo', policyXml({ inbound: `<base /><set-backend-service base-url="${w.otherBackendUrl}/base" />` }));
    const res = await w.call('/echo/items/1/parts/2?z=1', { key });
    expect(res.json.backend).toBe('other');
    expect(last()).toMatchObject({ backend: 'other', url: '/base/items/1/parts/2?z=1' });
    // A POST body streams to it.
    const posted = await w.call('/echo/upload', { key, method: 'POST', body: 'payload', headers: { 'content-type': 'text/plain' } });
    expect(posted.status).toBe(200);
    expect(last()).toMatchObject({ backend: 'other', method: 'POST', body: 'payload' });
  });

  it('forward-request\'s timeout: 504 when the backend does not answer in time, and on-error sees it', async () => {
    await w.setPolicy(
      '/apis/echo',
      policyXml({ backend: '<forward-request timeout="1" />', onError: '<set-header name="X-Error" exists-action="override"><value>timeout</value></set-header>' }),
    );
    const started = performance.now();
    const res = await w.call('/echo/slow', { key });
    expect(res.status).toBe(504);
    expect(res.json).toEqual({ statusCode: 504, message: 'Gateway timeout: the backend did not answer in time.' });
    expect(res.headers['x-error']).toBe('timeout');
    expect(performance.now() - started).toBeLessThan(4_000);
  });

  it('without forward-request nothing is forwarded: outbound runs on an empty 200', async () => {
    const before = w.seen.length;
    await w.setPolicy('/apis/echo', policyXml({ backend: '', outbound: '<set-header name="X-Local" exists-action="override"><value>yes</value></set-header>' }));
    const res = await w.call('/echo/x', { key });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(res.headers['x-local']).toBe('yes');
    expect(w.seen.length).toBe(before);
  });

  it('named values: {{name}} substituted when the document is read, a secret one opened, and a new value applied without touching the policy', async () => {
    await w.setNamedValue('nv-plain', 'BackendTag', 'tag-1');
    await w.setNamedValue('nv-secret', 'ApiSecret', 's3cr3t', true);
    await w.setPolicy(
      '/apis/echo',
      policyXml({
        inbound:
          '<base /><set-header name="X-Tag" exists-action="override"><value>{{BackendTag}}</value></set-header><set-header name="X-Secret" exists-action="override"><value>{{apisecret}}</value></set-header>',
      }),
    );
    await w.call('/echo/x', { key });
    expect(last().headers['x-tag']).toBe('tag-1');
    expect(last().headers['x-secret']).toBe('s3cr3t');
    await w.setNamedValue('nv-plain', 'BackendTag', 'tag-2');
    await w.call('/echo/x', { key });
    expect(last().headers['x-tag']).toBe('tag-2');
    // A named value gone from under a stored document: its calls are refused rather than run without it.
    await w.setNamedValue('nv-plain', 'BackendTag', undefined);
    const refused = await w.call('/echo/x', { key });
    expect(refused.status).toBe(500);
    expect(w.logLines.some((l) => l.includes('a stored policy does not parse'))).toBe(true);
    await w.setNamedValue('nv-plain', 'BackendTag', 'tag-3');
    expect((await w.call('/echo/x', { key })).status).toBe(200);
    expect(last().headers['x-tag']).toBe('tag-3');
  });
});
