/**
 * What the developer portal says about limits, over real HTTP: a product's page states its
 * policy's limits (composed with the global policy) in words, a product without any says nothing
 * of them, and My subscriptions shows, for an active subscription with a quota, the calls left in
 * the current period (counted by the gateway on real calls to a real upstream) and when the period
 * renews, moving on to a new period when the clock does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import { STARTER_POLICY_XML } from '../../src/domain/policy/defaults.js';
import { BACKENDS, startServer, type TestServer } from '../helpers/server.js';
import { Browser } from '../helpers/portal-browser.js';
import { activeSubscription, putApi, putProduct } from '../helpers/gateway.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { activeDeveloper } from '../helpers/users.js';

const WEEK_MS = 604_800_000;

/** A policy whose limits come from the global policy as much as from the product's own. */
const GLOBAL_WITH_LIMIT = [
  '<policies>',
  '  <inbound>',
  '    <rate-limit-by-key calls="1000" renewal-period="300" counter-key="@(context.Request.IpAddress)" />',
  '  </inbound>',
  '  <backend>',
  '    <forward-request />',
  '  </backend>',
  '  <outbound />',
  '  <on-error />',
  '</policies>',
].join('\n');

function limitsLine(page: string): string | undefined {
  return /<p class="limits"><strong>Limits:<\/strong> ([^<]*)<\/p>/.exec(page)?.[1];
}

function quotaLines(page: string): string[] {
  return [...page.matchAll(/<dd class="quota">([\s\S]*?)<\/dd>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim());
}

describe.each(BACKENDS)('portal: limits in words and calls left (%s)', (backend) => {
  const clock = new ManualClock('2026-03-02T10:00:00.000Z');
  let server: TestServer;
  let upstream: Upstream;

  beforeAll(async () => {
    upstream = await startUpstream();
    server = await startServer(backend, { clock });
    const starter = await server.request('PUT', '/products/starter/policies/policy', { body: { properties: { value: STARTER_POLICY_XML, format: 'xml' } } });
    expect([200, 201], starter.text).toContain(starter.status);
    await putApi(server, 'echo', { displayName: 'Echo', path: 'echo', serviceUrl: upstream.url, protocols: ['http', 'https'] }, [
      { id: 'get', displayName: 'Get', method: 'GET', urlTemplate: '/' },
    ]);
    for (const product of ['starter', 'unlimited']) expect((await server.request('PUT', `/products/${product}/apis/echo`)).status).toBeLessThan(300);
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  it("states Starter's limits in words on its page, to guests and developers alike", async () => {
    const guest = await new Browser(server).get('/products/starter');
    expect(guest.status).toBe(200);
    expect(limitsLine(guest.text)).toBe('5 calls per minute, 100 calls per week');

    const developer = await activeDeveloper(server, 'reader');
    const browser = new Browser(server);
    await browser.signIn(developer.email, developer.password);
    expect(limitsLine((await browser.get('/products/starter')).text)).toBe('5 calls per minute, 100 calls per week');
  });

  it('says nothing of limits for a product that sets none', async () => {
    const page = await new Browser(server).get('/products/unlimited');
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('Limits:');
    expect(limitsLine(page.text)).toBeUndefined();
  });

  it("adds the global policy's limits to the product's", async () => {
    const put = await server.request('PUT', '/policies/policy', { body: { properties: { value: GLOBAL_WITH_LIMIT, format: 'xml' } } });
    expect([200, 201], put.text).toContain(put.status);
    try {
      const expected = await server.app.services.productLimits.describe('unlimited');
      expect(expected.length).toBeGreaterThan(0);
      expect(limitsLine((await new Browser(server).get('/products/unlimited')).text)).toBe(expected.join(', '));
      const starter = limitsLine((await new Browser(server).get('/products/starter')).text)!;
      expect(starter).toContain('5 calls per minute');
      expect(starter).toContain('100 calls per week');
      expect(starter).toContain(expected.join(', '));
    } finally {
      const removed = await server.request('DELETE', '/policies/policy', { headers: { 'if-match': '*' } });
      expect(removed.status).toBe(200);
    }
  });

  it('shows the calls left in the current quota period and when it renews, counting real calls', async () => {
    await putProduct(server, 'open-data', { displayName: 'Open data', subscriptionRequired: true, state: 'published' }, { groups: ['developers'], apis: ['echo'] });
    const developer = await activeDeveloper(server, 'caller');
    const key = await activeSubscription(server, 'caller-starter', developer.id, 'starter', 'My app');
    await activeSubscription(server, 'caller-open', developer.id, 'open-data', 'No quota here');
    const subscription = (await server.request('GET', '/subscriptions/caller-starter')).json.properties;
    // Its quota windows count from its start: the clock's time, which has not moved.
    const start = Date.parse(subscription.startDate ?? subscription.createdDate);
    expect(start).toBe(clock.now().getTime());
    const browser = new Browser(server);
    await browser.signIn(developer.email, developer.password);

    let page = await browser.get('/subscriptions');
    expect(page.status).toBe(200);
    const firstEnd = new Date(start + WEEK_MS).toISOString();
    expect(quotaLines(page.text)).toEqual(['100 of 100 calls left; the period renews on March 9, 2026, 10:00 UTC']);
    expect(page.text).toContain(`<time datetime="${firstEnd}">`);

    for (let i = 0; i < 3; i++) {
      const call = await fetch(`${server.gatewayUrl}/echo/`, { headers: { 'ocp-apim-subscription-key': key } });
      expect(call.status, await call.text()).toBe(200);
    }
    page = await browser.get('/subscriptions');
    expect(quotaLines(page.text)).toEqual(['97 of 100 calls left; the period renews on March 9, 2026, 10:00 UTC']);

    // A week later the next period has begun, with every call of it left.
    clock.set(new Date(start + WEEK_MS + 60_000));
    // (The session of a week ago has ended meanwhile.)
    const later = new Browser(server);
    await later.signIn(developer.email, developer.password);
    page = await later.get('/subscriptions');
    expect(page.status).toBe(200);
    expect(quotaLines(page.text)).toEqual(['100 of 100 calls left; the period renews on March 16, 2026, 10:00 UTC']);
    expect(page.text).toContain(`<time datetime="${new Date(start + 2 * WEEK_MS).toISOString()}">`);
  });
});

