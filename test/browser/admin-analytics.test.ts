/**
 * The admin UI's Analytics page in real Chromium, over traffic driven through the real gateway
 * (several days, then the last hour minute by minute): uPlot draws the charts (canvases with the
 * series' colors in them), the tables fold away under "Table", the range picker's links and its
 * from/to form change the range and the step, a range without traffic says so, the user's page
 * shows its usage chart; no console error, no CSP violation.
 *
 * With TOLLGATE_SCREENSHOTS=1 the pages are saved to docs/screenshots/ (admin-analytics,
 * admin-analytics-7d, admin-analytics-custom, admin-analytics-empty, admin-user-usage).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ManualClock } from '../../src/domain/clock.js';
import { signInAdminInChromium, startAdminServer } from '../helpers/admin.js';
import { SKIP_BROWSER_TESTS, clickAndWait, screenshot, useChromium } from '../helpers/browser.js';
import { activeSubscription, putApi, putProduct } from '../helpers/gateway.js';
import { expectNoPolicyViolation, heading, pathOf } from '../helpers/page.js';
import type { TestServer } from '../helpers/server.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { activeDeveloper } from '../helpers/users.js';
import { keyCall } from '../helpers/usage-page.js';
import { freePort } from '../helpers/net.js';
import { P50_BLUE, SUCCESS_GREEN, pixelsOf, stepsOf } from '../helpers/chart-page.js';

const MINUTE = 60_000;
const DAY = 86_400_000;

describe.skipIf(SKIP_BROWSER_TESTS)('admin UI: Analytics in Chromium', () => {
  const chrome = useChromium();
  const clock = new ManualClock('2026-02-20T12:00:00.000Z');
  let server: TestServer;
  let upstream: Upstream;

  beforeAll(async () => {
    upstream = await startUpstream();
    server = await startAdminServer('sqlite', { clock, env: { TOLLGATE_ORGANIZATION_NAME: 'Contoso' } });
    const closed = await freePort();
    await putApi(server, 'orders', { displayName: 'Orders', path: 'orders', serviceUrl: upstream.url, protocols: ['http'] }, [
      { id: 'list', displayName: 'List orders', method: 'GET', urlTemplate: '/orders' },
      { id: 'get', displayName: 'Get an order', method: 'GET', urlTemplate: '/orders/{id}', templateParameters: [{ name: 'id', type: 'string', required: true }] },
    ]);
    await putApi(server, 'billing', { displayName: 'Billing', path: 'billing', serviceUrl: `http://127.0.0.1:${closed}`, protocols: ['http'] }, [
      { id: 'invoices', displayName: 'Invoices', method: 'GET', urlTemplate: '/invoices' },
    ]);
    await putProduct(server, 'starter', { displayName: 'Starter', subscriptionRequired: true, approvalRequired: false, state: 'published' }, { groups: ['developers'], apis: ['orders', 'billing'] });
    await activeDeveloper(server, 'ada', { firstName: 'Ada', lastName: 'Lovelace' });
    await activeDeveloper(server, 'grace', { firstName: 'Grace', lastName: 'Hopper' });
    const ada = await activeSubscription(server, 'ada-starter', 'ada', 'starter', 'Ada app');
    const grace = await activeSubscription(server, 'grace-starter', 'grace', 'starter', 'Grace app');
    const call = (path: string, key: string) => keyCall(server.gatewayUrl, path, key);

    // Earlier days: a few calls each.
    for (const [day, calls] of [[0, 4], [2, 7], [5, 3], [8, 9]] as const) {
      clock.set(new Date(Date.parse('2026-02-20T12:00:00.000Z') + day * DAY));
      for (let i = 0; i < calls; i++) await call('/orders/orders', i % 2 ? ada : grace);
    }
    // The last hour, every 5 minutes from 09:05: Ada lists and reads orders, Grace too, now and then a wrong key or the billing backend that is down.
    for (let m = 5; m < 60; m += 5) {
      clock.set(new Date(Date.parse('2026-03-02T09:00:00.000Z') + m * MINUTE));
      for (let i = 0; i < 2 + (m % 15 === 0 ? 4 : 1); i++) await call(`/orders/orders/${i}`, ada);
      for (let i = 0; i < 1 + (m % 10 === 0 ? 2 : 0); i++) await call('/orders/orders', grace);
      if (m % 20 === 5) await call('/orders/orders', 'wrong-key');
      if (m % 25 === 0) await call('/billing/invoices', grace);
    }
    await server.app.gateway.flushTraffic();
    clock.set('2026-03-02T10:00:00.000Z');
  });

  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  async function open(page: Page, path: string): Promise<void> {
    await signInAdminInChromium(page, server);
    const res = await page.goto(`${server.url}${path}`);
    expect(res?.status()).toBe(200);
  }

  it('draws the last hour with uPlot: calls by result and latency, the tables folded under them', async () => {
    const page = chrome.page;
    await open(page, '/admin/analytics?range=1h');
    expect(await heading(page)).toBe('Analytics');
    await page.locator('#calls-chart[data-drawn="true"]').waitFor();
    await page.locator('#latency-chart[data-drawn="true"]').waitFor();
    expect(await page.locator('#calls-chart canvas').count()).toBe(1);
    expect(await stepsOf(page.locator('#calls-chart'))).toBe(60);
    // The successful calls' line (green) and the p50 line (blue) are drawn.
    expect(await pixelsOf(page.locator('#calls-chart'), SUCCESS_GREEN)).toBeGreaterThan(50);
    expect(await pixelsOf(page.locator('#latency-chart'), P50_BLUE)).toBeGreaterThan(20);
    expect(await page.locator('#calls-chart .u-legend .u-series').count()).toBe(4);
    // The numbers stay in the page, folded away now that the chart shows them.
    const table = page.locator('figure[aria-labelledby="calls-title"] details.chart-table');
    expect(await table.getAttribute('open')).toBeNull();
    await table.locator('summary').click();
    expect(await table.locator('tbody tr').count()).toBe(11);
    // The top lists, busiest first.
    const users = page.getByRole('region', { name: 'Top users' });
    expect(await users.locator('tbody th').allInnerTexts()).toEqual(['Ada Lovelace', 'Grace Hopper']);
    expect(await page.getByRole('region', { name: 'Errors by status' }).innerText()).toContain('401');
    await screenshot(page, 'admin-analytics');
    expect(chrome.consoleErrors).toEqual([]);
    expectNoPolicyViolation(chrome.consoleErrors);
  });

  it('changes the range with the picker: a preset link, then from/to', async () => {
    const page = chrome.page;
    await open(page, '/admin/analytics?range=1h');
    await clickAndWait(page, page.getByRole('link', { name: 'Last 7 days' }));
    expect(pathOf(page)).toBe('/admin/analytics?range=7d');
    expect(await page.getByRole('link', { name: 'Last 7 days' }).getAttribute('aria-current')).toBe('true');
    await page.locator('#calls-chart[data-drawn="true"]').waitFor();
    expect(await stepsOf(page.locator('#calls-chart'))).toBe(168);
    expect(await pixelsOf(page.locator('#calls-chart'), SUCCESS_GREEN)).toBeGreaterThan(20);
    await screenshot(page, 'admin-analytics-7d');

    await page.getByLabel('From (UTC)').fill('2026-02-20T00:00');
    await page.getByLabel('To (UTC)').fill('2026-03-02T23:59');
    await clickAndWait(page, page.getByRole('button', { name: 'Show range' }));
    expect(pathOf(page)).toBe('/admin/analytics?from=2026-02-20T00%3A00&to=2026-03-02T23%3A59');
    await page.locator('#calls-chart[data-drawn="true"]').waitFor();
    // Eleven days: a step of a day.
    expect(await stepsOf(page.locator('#calls-chart'))).toBe(11);
    expect(await page.locator('.range-shown').innerText()).toContain('in steps of a day');
    await screenshot(page, 'admin-analytics-custom');

    await clickAndWait(page, page.getByRole('region', { name: 'Top users' }).getByRole('link', { name: 'Grace Hopper' }));
    expect(await heading(page)).toBe('Analytics: User Grace Hopper');
    await page.locator('#calls-chart[data-drawn="true"]').waitFor();
    expect(chrome.consoleErrors).toEqual([]);
  });

  it('says when a range has no traffic', async () => {
    const page = chrome.page;
    await open(page, '/admin/analytics?from=2026-01-01T00:00&to=2026-01-07T00:00');
    expect(await page.getByRole('heading', { name: 'No traffic in this range' }).count()).toBe(1);
    expect(await page.locator('[data-chart]').count()).toBe(0);
    await screenshot(page, 'admin-analytics-empty');
    expect(chrome.consoleErrors).toEqual([]);
  });

  it("shows a user's calls per day on their page, with the way to Analytics", async () => {
    const page = chrome.page;
    await open(page, '/admin/users/ada');
    const usage = page.getByRole('region', { name: 'Usage' });
    await usage.locator('[data-chart][data-drawn="true"]').waitFor();
    expect(await pixelsOf(page.locator('#usage-user-chart'), SUCCESS_GREEN)).toBeGreaterThan(50);
    await usage.scrollIntoViewIfNeeded();
    await screenshot(page, 'admin-user-usage');
    await clickAndWait(page, usage.getByRole('link', { name: 'Open in Analytics' }));
    expect(pathOf(page)).toBe('/admin/analytics?range=30d&user=ada');
    expect(await heading(page)).toBe('Analytics: User Ada Lovelace');
    expect(chrome.consoleErrors).toEqual([]);
  });
});
