/**
 * My subscriptions' usage in real Chromium: a developer's calls through the real gateway on
 * several days (and another developer's, which must not show), then the page draws each
 * subscription's calls per day with uPlot, says so for one without calls, and shows the quota
 * used in the current period and the product's limits; no console error, no CSP violation.
 *
 * With TOLLGATE_SCREENSHOTS=1 the page is saved to docs/screenshots/portal-usage.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import { STARTER_POLICY_XML } from '../../src/domain/policy/defaults.js';
import { SKIP_BROWSER_TESTS, screenshot, typeSignIn, useChromium } from '../helpers/browser.js';
import { activeSubscription, putApi, putProduct } from '../helpers/gateway.js';
import { expectNoPolicyViolation } from '../helpers/page.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { activeDeveloper, type TestUser } from '../helpers/users.js';
import { keyCall } from '../helpers/usage-page.js';
import { SUCCESS_GREEN, pixelsOf } from '../helpers/chart-page.js';

const DAY = 86_400_000;
const MINUTE = 60_000;

describe.skipIf(SKIP_BROWSER_TESTS)("portal: My subscriptions' usage in Chromium", () => {
  const chrome = useChromium();
  const clock = new ManualClock('2026-02-20T12:00:00.000Z');
  let server: TestServer;
  let upstream: Upstream;
  let ada: TestUser;

  beforeAll(async () => {
    upstream = await startUpstream();
    server = await startServer('sqlite', { clock, env: { TOLLGATE_ORGANIZATION_NAME: 'Contoso' } });
    const policy = await server.request('PUT', '/products/starter/policies/policy', { body: { properties: { value: STARTER_POLICY_XML, format: 'xml' } } });
    expect([200, 201], policy.text).toContain(policy.status);
    await putApi(server, 'weather', { displayName: 'Weather', path: 'weather', serviceUrl: upstream.url, protocols: ['http'] }, [
      { id: 'forecast', displayName: 'Forecast', method: 'GET', urlTemplate: '/forecast' },
    ]);
    expect((await server.request('PUT', '/products/starter/apis/weather')).status).toBeLessThan(300);
    await putProduct(server, 'archive', { displayName: 'Archive', subscriptionRequired: true, approvalRequired: false, state: 'published' }, { groups: ['developers'], apis: ['weather'] });
    ada = await activeDeveloper(server, 'ada', { firstName: 'Ada', lastName: 'Lovelace' });
    await activeDeveloper(server, 'bob', { firstName: 'Bob', lastName: 'Builder' });
    const adaKey = await activeSubscription(server, 'ada-starter', 'ada', 'starter', 'Weather dashboard');
    await activeSubscription(server, 'ada-archive', 'ada', 'archive', 'Archive export');
    const bobKey = await activeSubscription(server, 'bob-starter', 'bob', 'starter', 'Bob tracker');

    // Ada: a few calls on some days (at most 5 a minute: Starter's rate limit), Bob every day.
    const start = Date.parse('2026-02-20T12:00:00.000Z');
    for (const [day, calls] of [[0, 4], [3, 7], [6, 2], [8, 9], [10, 5]] as const) {
      for (let i = 0; i < calls; i++) {
        clock.set(new Date(start + day * DAY + Math.floor(i / 4) * MINUTE));
        expect(await keyCall(server.gatewayUrl, '/weather/forecast', adaKey)).toBe(200);
      }
      await keyCall(server.gatewayUrl, '/weather/forecast', bobKey);
    }
    await server.app.gateway.flushTraffic();
    clock.set('2026-03-02T15:00:00.000Z');
  });

  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  it("draws each of the developer's subscriptions' calls per day, with the quota used and the limits", async () => {
    const page = chrome.page;
    await page.goto(`${server.url}/signin?returnTo=%2Fsubscriptions`);
    await typeSignIn(page, ada.email, ada.password);
    if (new URL(page.url()).pathname !== '/subscriptions') await page.goto(`${server.url}/subscriptions`);

    const dashboard = page.getByRole('region', { name: 'Weather dashboard' });
    await dashboard.locator('[data-chart][data-drawn="true"]').waitFor();
    expect(await dashboard.locator('canvas').count()).toBe(1);
    const green = await pixelsOf(dashboard.locator('[data-chart]'), SUCCESS_GREEN);
    expect(green).toBeGreaterThan(50);
    expect(await dashboard.innerText()).toContain('27 calls in the last 30 days: 27 successful, 0 blocked, 0 failed.');
    // The numbers, under "Table".
    await dashboard.locator('details.chart-table summary').click();
    expect(await dashboard.locator('details.chart-table tbody th').allInnerTexts()).toEqual(['2026-02-20', '2026-02-23', '2026-02-26', '2026-02-28', '2026-03-02']);
    // Quota used this week (the period that started on 2026-02-27 12:00) and Starter's limits in words.
    expect((await dashboard.locator('dd.quota-used').innerText()).trim()).toBe('14 of 100 calls this period');
    expect(await dashboard.locator('dd.limits').innerText()).toBe('5 calls per minute, 100 calls per week');

    const archive = page.getByRole('region', { name: 'Archive export' });
    expect(await archive.innerText()).toContain('No calls in the last 30 days.');
    expect(await page.getByRole('main').innerText()).not.toContain('Bob tracker');
    await screenshot(page, 'portal-usage');
    expect(chrome.consoleErrors).toEqual([]);
    expectNoPolicyViolation(chrome.consoleErrors);
  });
});
