/**
 * rate-limit, rate-limit-by-key, quota and quota-by-key at the gateway, against a real backend:
 * Azure's answers (429 and 403 with Retry-After and their exact JSON), the header names a policy
 * asks for, sliding windows and fixed quota windows moved through by the test's clock (no sleep),
 * `<api>`/`<operation>` limits counted apart, counter keys from expressions, increment-condition
 * judged on the answer's status, increment-count, bandwidth counted from the answer's size, and
 * calls without a subscription not counted by the per-subscription limits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/server.js';
import { policyXml, startPolicyWorld, type PolicyWorld } from '../helpers/policy-world.js';

const MINUTE = 60_000;

describe.each(BACKENDS)('gateway limit policies (%s)', (backend) => {
  let w: PolicyWorld;

  beforeAll(async () => {
    w = await startPolicyWorld(backend);
    await w.addApi('echo', 'echo', [
      ['get-item', 'GET', '/items/{id}'],
      ['any', '*', '/*'],
    ]);
    await w.addApi('other', 'other', [['any', '*', '/*']], { displayName: 'Other API' });
    await w.addApi('open', 'open', [['any', '*', '/*']], { subscriptionRequired: false });
  });

  afterAll(async () => {
    await w?.close();
  });

  it('rate-limit: 429 past the limit with Retry-After and Azure\'s JSON, the calls left and total in the headers asked for, and the window slides', async () => {
    await w.addProduct('rl', ['echo']);
    const key = await w.addSubscription('rl-1', '/products/rl');
    await w.setPolicy(
      '/products/rl',
      policyXml({ inbound: '<rate-limit calls="3" renewal-period="60" remaining-calls-header-name="x-left" total-calls-header-name="x-total" /><base />' }),
    );
    for (const left of ['2', '1', '0']) {
      const ok = await w.call('/echo/x', { key });
      expect(ok.status).toBe(200);
      expect(ok.headers['x-left']).toBe(left);
      expect(ok.headers['x-total']).toBe('3');
      w.clock.advance(10_000);
    }
    const refused = await w.call('/echo/x', { key });
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('30');
    expect(refused.json).toEqual({ statusCode: 429, message: 'Rate limit is exceeded. Try again in 30 seconds.' });
    expect(refused.headers['x-left']).toBe('0');
    // 30 s later the first call has left the window: one call fits, and only one.
    w.clock.advance(30_000);
    expect((await w.call('/echo/x', { key })).status).toBe(200);
    expect((await w.call('/echo/x', { key })).status).toBe(429);
  });

  it('rate-limit: a custom retry-after-header-name, and each subscription counted on its own', async () => {
    await w.addProduct('rl2', ['echo']);
    const a = await w.addSubscription('rl2-a', '/products/rl2');
    const b = await w.addSubscription('rl2-b', '/products/rl2');
    await w.setPolicy('/products/rl2', policyXml({ inbound: '<rate-limit calls="1" renewal-period="10" retry-after-header-name="x-retry" /><base />' }));
    expect((await w.call('/echo/x', { key: a })).status).toBe(200);
    const refused = await w.call('/echo/x', { key: a });
    expect(refused.status).toBe(429);
    expect(refused.headers['x-retry']).toBe('10');
    expect(refused.headers['retry-after']).toBeUndefined();
    expect((await w.call('/echo/x', { key: b })).status).toBe(200);
  });

  it('rate-limit: <api> and <operation> limits count apart from the product\'s, and only the calls they name', async () => {
    await w.addProduct('rl3', ['echo', 'other']);
    const key = await w.addSubscription('rl3-1', '/products/rl3');
    await w.setPolicy(
      '/products/rl3',
      policyXml({
        inbound:
          '<rate-limit calls="10" renewal-period="60"><api name="Other API" calls="1" renewal-period="60" /><api id="echo" calls="5" renewal-period="60"><operation id="get-item" calls="2" renewal-period="60" /></api></rate-limit><base />',
      }),
    );
    // The operation's own limit (2) stops get-item; other echo calls still pass.
    expect((await w.call('/echo/items/1', { key })).status).toBe(200);
    expect((await w.call('/echo/items/2', { key })).status).toBe(200);
    expect((await w.call('/echo/items/3', { key })).json.message).toMatch(/^Rate limit is exceeded/);
    expect((await w.call('/echo/anything', { key })).status).toBe(200);
    // The API named by its display name: one call.
    expect((await w.call('/other/a', { key })).status).toBe(200);
    expect((await w.call('/other/b', { key })).status).toBe(429);
    // echo's API limit (5): 2 get-item + 1 other echo call so far (the refused get-item counted nowhere: the narrowest limit is asked first).
    expect((await w.call('/echo/c', { key })).status).toBe(200);
    expect((await w.call('/echo/d', { key })).status).toBe(200);
    expect((await w.call('/echo/e', { key })).status).toBe(429);
  });

  it('rate-limit and quota do nothing for a call without a subscription (an open API), as Azure counts only calls with a key', async () => {
    await w.setPolicy('/apis/open', policyXml({ inbound: '<base /><rate-limit calls="1" renewal-period="60" />' }));
    for (let i = 0; i < 3; i++) expect((await w.call('/open/x')).status).toBe(200);
  });

  it('rate-limit-by-key: counter keys from expressions, one counter per value, increment-count', async () => {
    await w.setPolicy(
      '/apis/open',
      policyXml({
        inbound:
          '<base /><rate-limit-by-key calls="4" renewal-period="60" counter-key="@(&quot;client-&quot; + context.Request.Headers.GetValueOrDefault(&quot;X-Client&quot;, &quot;anonymous&quot;))" increment-count="2" remaining-calls-header-name="x-left" />',
      }),
    );
    const as = (client?: string) => w.call('/open/x', client ? { headers: { 'x-client': client } } : {});
    expect((await as('a')).headers['x-left']).toBe('2');
    expect((await as('a')).headers['x-left']).toBe('0');
    expect((await as('a')).status).toBe(429);
    expect((await as('b')).status).toBe(200);
    expect((await as()).status).toBe(200);
    expect((await as()).status).toBe(200);
    expect((await as()).status).toBe(429);
    w.clock.advance(MINUTE);
    expect((await as('a')).status).toBe(200);
  });

  it('rate-limit-by-key: increment-condition counts only the calls whose answer meets it, after the answer', async () => {
    await w.setPolicy(
      '/apis/open',
      policyXml({ inbound: '<base /><rate-limit-by-key calls="2" renewal-period="60" counter-key="errors" increment-condition="@(context.Response.StatusCode &gt;= 500)" />' }),
    );
    for (let i = 0; i < 5; i++) expect((await w.call('/open/status/200')).status).toBe(200);
    expect((await w.call('/open/status/503')).status).toBe(503);
    expect((await w.call('/open/status/500')).status).toBe(500);
    // Two failures counted: now every call is refused, until they leave the window.
    const refused = await w.call('/open/status/200');
    expect(refused.status).toBe(429);
    expect(refused.json.message).toBe('Rate limit is exceeded. Try again in 60 seconds.');
    w.clock.advance(MINUTE);
    expect((await w.call('/open/status/200')).status).toBe(200);
    await w.setPolicy('/apis/open', undefined);
  });

  it('quota: 403 with Azure\'s message (hh:mm:ss), Retry-After, windows from the subscription\'s start, and the count visible by subscription id', async () => {
    await w.addProduct('q', ['echo']);
    // Started 10 minutes ago: the hourly window ends 50 minutes from now.
    const start = new Date(w.clock.now().getTime() - 10 * MINUTE).toISOString();
    const key = await w.addSubscription('q-1', '/products/q', start);
    await w.setPolicy('/products/q', policyXml({ inbound: '<quota calls="2" renewal-period="3600" /><base />' }));
    expect((await w.call('/echo/x', { key })).status).toBe(200);
    expect((await w.call('/echo/x', { key })).status).toBe(200);
    w.clock.advance(79_000);
    const refused = await w.call('/echo/x', { key });
    expect(refused.status).toBe(403);
    expect(refused.json).toEqual({ statusCode: 403, message: 'Out of call volume quota. Quota will be replenished in 00:48:41.' });
    expect(refused.headers['retry-after']).toBe(String(48 * 60 + 41));
    const periods = await w.counters.quotaPeriods('q-1');
    expect(periods).toHaveLength(1);
    expect(periods[0]).toMatchObject({ calls: 2, window: { start: Date.parse(start), end: Date.parse(start) + 3_600_000 } });
    // The next window starts from nothing.
    w.clock.advance(49 * MINUTE);
    expect((await w.call('/echo/x', { key })).status).toBe(200);
  });

  it('quota: a period past a day reads d.hh:mm:ss; bandwidth counts the answer\'s kilobytes', async () => {
    await w.addProduct('qw', ['echo']);
    const start = w.clock.now().toISOString();
    const key = await w.addSubscription('qw-1', '/products/qw', start);
    await w.setPolicy('/products/qw', policyXml({ inbound: '<quota calls="1" renewal-period="604800" /><base />' }));
    expect((await w.call('/echo/x', { key })).status).toBe(200);
    w.clock.advance(1000);
    expect((await w.call('/echo/x', { key })).json.message).toBe('Out of call volume quota. Quota will be replenished in 6.23:59:59.');

    await w.addProduct('bw', ['echo']);
    const bkey = await w.addSubscription('bw-1', '/products/bw', w.clock.now().toISOString());
    await w.setPolicy('/products/bw', policyXml({ inbound: '<quota bandwidth="3" renewal-period="3600" /><base />' }));
    expect((await w.call('/echo/bytes/2048', { key: bkey })).text).toHaveLength(2048);
    expect((await w.call('/echo/bytes/1024', { key: bkey })).status).toBe(200);
    // 3 KB transferred: the quota is used up.
    const refused = await w.call('/echo/bytes/10', { key: bkey });
    expect(refused.status).toBe(403);
    expect(refused.json.message).toBe('Out of bandwidth quota. Quota will be replenished in 01:00:00.');
    expect((await w.counters.quotaPeriods('bw-1'))[0]).toMatchObject({ calls: 2, kilobytes: 3 });
  });

  it('quota-by-key: windows from first-period-start, the counter key as written, increment-condition, counted once per call for one key', async () => {
    w.clock.set('2026-03-04T09:00:00.000Z');
    await w.setPolicy(
      '/apis/open',
      policyXml({
        inbound:
          '<base /><quota-by-key calls="2" renewal-period="86400" counter-key="@(&quot;ip-&quot; + context.Request.IpAddress)" first-period-start="2026-03-01T00:00:00Z" increment-condition="@(context.Response.StatusCode == 200)" /><quota-by-key calls="10" renewal-period="86400" counter-key="@(&quot;ip-&quot; + context.Request.IpAddress)" first-period-start="2026-03-01T00:00:00Z" />',
      }),
    );
    expect((await w.call('/open/status/404')).status).toBe(404);
    expect((await w.call('/open/x')).status).toBe(200);
    expect((await w.call('/open/x')).status).toBe(200);
    const refused = await w.call('/open/x');
    expect(refused.status).toBe(403);
    // The day from 2026-03-04T00:00Z ends at 2026-03-05T00:00Z; the clock is at 09:00Z.
    expect(refused.json.message).toBe('Out of call volume quota. Quota will be replenished in 15:00:00.');
    const periods = await w.counters.quotaPeriods('ip-127.0.0.1');
    expect(periods).toEqual([
      { counterKey: 'ip-127.0.0.1', window: { start: Date.parse('2026-03-04T00:00:00Z'), end: Date.parse('2026-03-05T00:00:00Z') }, calls: 2, kilobytes: expect.any(Number) },
    ]);
    await w.setPolicy('/apis/open', undefined);
  });
});
