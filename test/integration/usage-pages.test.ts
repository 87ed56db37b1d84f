/**
 * Usage people can see, over real HTTP on both databases: traffic driven through the real gateway
 * (two developers, a backend that answers and one that is down, a wrong key), written by the
 * recorder (`flushTraffic`), then read back from the admin UI's Analytics page (all traffic, one
 * user's, a range of days, an empty range, a bad range), the user's and the product's usage
 * sections, and the portal's My subscriptions, where a developer sees their own usage only. The
 * chart assets are ours (no CDN), cached for a year, and the pages' CSP allows no inline script.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import { AdminBrowser, startAdminServer } from '../helpers/admin.js';
import { activeSubscription, putApi, putProduct } from '../helpers/gateway.js';
import { Browser, messageText } from '../helpers/portal-browser.js';
import { BACKENDS, type TestServer } from '../helpers/server.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { activeDeveloper, type TestUser } from '../helpers/users.js';
import { freePort } from '../helpers/net.js';
import { bodyRows, keyCall, region, totalRow } from '../helpers/usage-page.js';

describe.each(BACKENDS)('usage pages (%s)', (backend) => {
  const clock = new ManualClock('2026-03-02T10:00:30.000Z');
  let server: TestServer;
  let upstream: Upstream;
  let admin: AdminBrowser;
  let ada: TestUser;
  let bob: TestUser;
  const keys = { ada: '', bob: '' };

  const call = (path: string, key: string) => keyCall(server.gatewayUrl, path, key);

  beforeAll(async () => {
    upstream = await startUpstream();
    server = await startAdminServer(backend, { clock });
    const closed = await freePort();
    await putApi(server, 'echo', { displayName: 'Echo', path: 'echo', serviceUrl: upstream.url, protocols: ['http'] }, [
      { id: 'hello', displayName: 'Say hello', method: 'GET', urlTemplate: '/hello' },
    ]);
    await putApi(server, 'down', { displayName: 'Down', path: 'down', serviceUrl: `http://127.0.0.1:${closed}`, protocols: ['http'] }, [
      { id: 'any', displayName: 'Anything', method: 'GET', urlTemplate: '/*' },
    ]);
    await putProduct(server, 'basic', { displayName: 'Basic', subscriptionRequired: true, approvalRequired: false, state: 'published' }, { groups: ['developers'], apis: ['echo', 'down'] });
    ada = await activeDeveloper(server, 'ada', { firstName: 'Ada', lastName: 'Lovelace' });
    bob = await activeDeveloper(server, 'bob', { firstName: 'Bob', lastName: 'Builder' });
    keys.ada = await activeSubscription(server, 'ada-basic', 'ada', 'basic', "Ada app");
    keys.bob = await activeSubscription(server, 'bob-basic', 'bob', 'basic', "Bob app");

    // 10:00: Ada 3 calls and one to the backend that is down, Bob 2 and one with a wrong key.
    for (let i = 0; i < 3; i++) expect(await call('/echo/hello', keys.ada)).toBe(200);
    expect(await call('/down/x', keys.ada)).toBeGreaterThanOrEqual(500);
    for (let i = 0; i < 2; i++) expect(await call('/echo/hello', keys.bob)).toBe(200);
    expect(await call('/echo/hello', 'not-a-key')).toBe(401);
    // 10:05: one more of Ada's.
    clock.advance(5 * 60_000);
    expect(await call('/echo/hello', keys.ada)).toBe(200);
    await server.app.gateway.flushTraffic();

    admin = new AdminBrowser(server);
    await admin.signInAdmin();
  });

  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  it('shows the last hour: calls per minute by result, totals, latency, the top lists and errors by status', async () => {
    const page = await admin.get('/admin/analytics?range=1h');
    expect(page.status, page.text).toBe(200);
    expect(bodyRows(page.text, 'calls-title')).toEqual([
      ['2026-03-02 10:00', '5', '1', '1'],
      ['2026-03-02 10:05', '1', '0', '0'],
    ]);
    expect(totalRow(page.text, 'calls-title')).toEqual(['Total', '6', '1', '1']);
    // Latency: one row per minute with calls, three percentiles in ms.
    const latency = bodyRows(page.text, 'latency-title');
    expect(latency.map((r) => r[0])).toEqual(['2026-03-02 10:00', '2026-03-02 10:05']);
    for (const row of latency) for (const v of row.slice(1)) expect(Number(v)).toBeGreaterThanOrEqual(0);

    expect(bodyRows(page.text, 'top-apis-heading').map((r) => r.slice(0, 3))).toEqual([
      ['Echo', '7', '0'],
      ['Down', '1', '1'],
    ]);
    expect(bodyRows(page.text, 'top-operations-heading').map((r) => r.slice(0, 2))).toEqual([
      // The wrong key's call matched the operation before its key was refused.
      ['Say hello (echo)', '7'],
      ['Anything (down)', '1'],
    ]);
    expect(bodyRows(page.text, 'top-users-heading').map((r) => r.slice(0, 2))).toEqual([
      ['Ada Lovelace', '5'],
      ['Bob Builder', '2'],
    ]);
    expect(bodyRows(page.text, 'top-products-heading').map((r) => r.slice(0, 2))).toEqual([['Basic', '7']]);
    const errors = bodyRows(page.text, 'errors-heading');
    expect(errors).toHaveLength(2);
    expect(errors).toContainEqual(['401', '1']);
    expect(Number(errors.find((r) => r[0] !== '401')![0])).toBeGreaterThanOrEqual(500);
    expect(region(page.text, 'top-users-heading')).toContain('href="/admin/analytics?range=1h&amp;user=ada"');
  });

  it('changes the step with the range, and scopes to one user', async () => {
    const day = await admin.get('/admin/analytics?range=24h');
    expect(bodyRows(day.text, 'calls-title')).toEqual([['2026-03-02 10:00', '6', '1', '1']]);

    const user = await admin.get('/admin/analytics?range=1h&user=ada');
    expect(user.status).toBe(200);
    expect(user.text).toContain('Analytics: User Ada Lovelace');
    expect(bodyRows(user.text, 'calls-title')).toEqual([
      ['2026-03-02 10:00', '3', '0', '1'],
      ['2026-03-02 10:05', '1', '0', '0'],
    ]);
    // Top users of one user says nothing: left out; status counts are kept per API only.
    expect(region(user.text, 'top-users-heading')).toBe('');
    expect(region(user.text, 'errors-heading')).toContain('kept per API');
    // The range links keep the scope.
    expect(user.text).toContain('href="/admin/analytics?range=7d&amp;user=ada"');
  });

  it('shows an empty state for a range without traffic, and a bad range next to its field (400)', async () => {
    const empty = await admin.get('/admin/analytics?from=2026-01-01T00:00&to=2026-01-02T00:00');
    expect(empty.status).toBe(200);
    expect(empty.text).toContain('No traffic in this range');
    expect(region(empty.text, 'calls-title')).toBe('');
    expect(empty.text).toContain('value="2026-01-01T00:00"');

    const bad = await admin.get('/admin/analytics?from=yesterday&to=2026-01-02T00:00');
    expect(bad.status).toBe(400);
    expect(messageText(bad.text)).toContain('Enter the start of the range as a date and time.');
    expect(bad.text).toContain('id="analytics-from-error"');

    const reversed = await admin.get('/admin/analytics?from=2026-01-02T00:00&to=2026-01-01T00:00');
    expect(reversed.status).toBe(400);
    expect(messageText(reversed.text)).toContain('The end of the range must be after its start.');
  });

  it("shows a user's and a product's calls per day on their pages, with a link to the scoped Analytics page", async () => {
    clock.advance(24 * 3_600_000);
    for (let i = 0; i < 2; i++) expect(await call('/echo/hello', keys.ada)).toBe(200);
    await server.app.gateway.flushTraffic();
    // A day later the admin's session has ended.
    admin = new AdminBrowser(server);
    await admin.signInAdmin();

    const user = await admin.get('/admin/users/ada');
    expect(user.status).toBe(200);
    expect(bodyRows(user.text, 'usage-user-title')).toEqual([
      ['2026-03-02', '4', '0', '1'],
      ['2026-03-03', '2', '0', '0'],
    ]);
    expect(totalRow(user.text, 'usage-user-title')).toEqual(['Total', '6', '0', '1']);
    expect(region(user.text, 'usage-user-heading')).toContain('href="/admin/analytics?range=30d&amp;user=ada"');

    const product = await admin.get('/admin/products/basic');
    expect(product.status).toBe(200);
    // The wrong key's call named no subscription, hence no product.
    expect(totalRow(product.text, 'usage-product-title')).toEqual(['Total', '8', '0', '1']);

    const month = await admin.get('/admin/analytics?range=30d');
    expect(bodyRows(month.text, 'calls-title')).toEqual([
      ['2026-03-02', '6', '1', '1'],
      ['2026-03-03', '2', '0', '0'],
    ]);
  });

  it("shows a developer their own subscriptions' calls per day, the quota used and the limits, and nobody else's", async () => {
    const browser = new Browser(server);
    await browser.signIn(ada.email, ada.password);
    const page = await browser.get('/subscriptions');
    expect(page.status).toBe(200);
    expect(page.text).toContain("Ada app");
    expect(page.text).not.toContain("Bob app");
    expect(totalRow(page.text, 'usage-1-calls-title')).toEqual(['Total', '6', '0', '1']);
    expect(totalRow(page.text, 'usage-2-calls-title')).toBeUndefined();
    expect(page.text).toMatch(/7 calls in the last 30 days: 6 successful, 0 blocked, 1 failed/);

    const other = new Browser(server);
    await other.signIn(bob.email, bob.password);
    const bobs = await other.get('/subscriptions');
    expect(bobs.text).not.toContain("Ada app");
    expect(totalRow(bobs.text, 'usage-1-calls-title')).toEqual(['Total', '2', '0', '0']);
  });

  it('serves uPlot and the chart script itself, cached for a year, under a CSP without inline scripts', async () => {
    for (const [browser, path, prefix] of [
      [admin, '/admin/analytics?range=1h', '/admin/assets/'],
      [await signedInDeveloper(), '/subscriptions', '/assets/'],
    ] as const) {
      const page = await browser.get(path);
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      const script = new RegExp(`src="(${prefix}charts-[\\w-]+\\.js)"`).exec(page.text)?.[1];
      const stylesheet = new RegExp(`href="(${prefix}charts-[\\w-]+\\.css)"`).exec(page.text)?.[1];
      expect(script, page.text).toBeDefined();
      const js = await fetch(server.url + script!);
      expect(js.status).toBe(200);
      expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(await js.text()).toContain('https://github.com/leeoniya/uPlot');
      const css = await fetch(server.url + stylesheet!);
      expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
      expect(css.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(await css.text()).toContain('.uplot');
    }
  });

  async function signedInDeveloper(): Promise<Browser> {
    const browser = new Browser(server);
    await browser.signIn(ada.email, ada.password);
    return browser;
  }
});
