/**
 * From the catalogue to a working key, in real Chromium: a developer signs in, opens the products,
 * opens one, subscribes, reveals the key on My subscriptions (and copies it with the Copy button),
 * then calls the API through the gateway with that key, to a real upstream server started here.
 *
 * With TOLLGATE_SCREENSHOTS=1 the pages are saved to docs/screenshots/ (products, product,
 * subscriptions, subscriptions-key-shown). Without Chromium the suite is skipped: ../helpers/browser.ts.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ManualClock } from '../../src/domain/clock.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { SKIP_BROWSER_TESTS, clickAndWait, screenshot, typeInto, useChromium } from '../helpers/browser.js';

const ORGANIZATION = 'Contoso';
const GATEWAY_PUBLIC_URL = 'https://api.contoso.example';

interface UpstreamCall {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/** The text of the page's alerts and status messages, whitespace collapsed. */
async function messages(page: Page): Promise<string> {
  const texts = await page.locator('[role="alert"], [role="status"]').allInnerTexts();
  return texts.map((t) => t.replace(/\s+/g, ' ').trim()).join(' | ');
}

async function heading(page: Page): Promise<string> {
  return (await page.getByRole('heading', { level: 1 }).innerText()).trim();
}

function pathOf(page: Page): string {
  const url = new URL(page.url());
  return url.pathname + url.search;
}

describe.skipIf(SKIP_BROWSER_TESTS)('subscribing in the developer portal, then calling the gateway (Chromium)', () => {
  const chrome = useChromium();
  const clock = new ManualClock('2026-03-02T10:00:00.000Z');
  let server: TestServer;
  let gatewayUrl: string;
  let upstream: Server;
  let upstreamUrl: string;
  const calls: UpstreamCall[] = [];

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      calls.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      const body = JSON.stringify({ city: (req.url ?? '').split('/').pop(), forecast: 'sunny', temperatureC: 21 });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const address = upstream.address();
    upstreamUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

    // The pages show GATEWAY_PUBLIC_URL (fixed, so that the screenshots do not change); the test
    // reaches the same gateway at the address it really listens on.
    server = await startServer('sqlite', { clock, env: { TOLLGATE_ORGANIZATION_NAME: ORGANIZATION, GATEWAY_PUBLIC_URL } });
    gatewayUrl = server.gatewayUrl;

    const put = async (path: string, body?: unknown) => {
      const res = await server.request('PUT', path, body === undefined ? {} : { body });
      expect([200, 201], `${path}: ${res.text}`).toContain(res.status);
    };
    await put('/apis/weather', {
      properties: {
        displayName: 'Weather',
        description: 'Forecasts for the cities of the world.',
        path: 'weather',
        serviceUrl: `${upstreamUrl}/v2`,
        protocols: ['http', 'https'],
      },
    });
    await put('/apis/weather/operations/forecast', {
      properties: {
        displayName: 'Forecast for a city',
        method: 'GET',
        urlTemplate: '/forecast/{city}',
        templateParameters: [{ name: 'city', type: 'string', required: true }],
      },
    });
    await put('/apis/weather/operations/stations', { properties: { displayName: 'List the stations', method: 'GET', urlTemplate: '/stations' } });
    await put('/products/weather-basic', {
      properties: {
        displayName: 'Weather Basic',
        description: 'The forecast API for hobby projects: one subscription per developer, keys at once.',
        terms: 'Use the forecasts at your own risk.\nDo not resell the data.',
        subscriptionRequired: true,
        approvalRequired: false,
        subscriptionsLimit: 1,
        state: 'published',
      },
    });
    await put('/products/weather-pro', {
      properties: {
        displayName: 'Weather Pro',
        description: 'Higher limits for businesses. An administrator approves each subscription.',
        subscriptionRequired: true,
        approvalRequired: true,
        state: 'published',
      },
    });
    for (const id of ['weather-basic', 'weather-pro']) {
      await put(`/products/${id}/groups/developers`);
      await put(`/products/${id}/apis/weather`);
    }
  });

  afterAll(async () => {
    await server?.close();
    await new Promise<void>((resolve) => (upstream ? upstream.close(() => resolve()) : resolve()));
  });

  it('subscribes to a product, reveals and copies the key, and calls the API with it', async () => {
    const page = chrome.page;
    const email = 'ada.lovelace@example.com';
    const password = `Violet tundra mosaic ${randomBytes(3).toString('hex')}`;
    await server.app.services.users.createOrUpdate('ada', { email, firstName: 'Ada', lastName: 'Lovelace', password }, {});
    await chrome.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });

    // Sign in, on the way to the catalogue.
    await page.goto(`${server.url}/products`);
    await clickAndWait(page, page.getByRole('main').getByRole('link', { name: 'Sign in' }));
    await typeInto(page.getByLabel('Email address', { exact: true }), email);
    await typeInto(page.getByLabel('Password', { exact: true }), password);
    await clickAndWait(page, page.getByRole('button', { name: 'Sign in', exact: true }));
    expect(pathOf(page)).toBe('/products');

    // The catalogue, from the header's navigation.
    await clickAndWait(page, page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Products' }));
    expect(await heading(page)).toBe('Products');
    const list = await page.getByRole('main').innerText();
    expect(list).toContain('Weather Basic');
    expect(list).toContain('Weather Pro');
    expect(list).toContain('Needs approval');
    await screenshot(page, 'products');

    // The product: its APIs with the gateway addresses, the terms, the subscribe form.
    await clickAndWait(page, page.getByRole('link', { name: 'Weather Basic', exact: true }));
    expect(pathOf(page)).toBe('/products/weather-basic');
    expect(await heading(page)).toBe('Weather Basic');
    const operationUrl = `${GATEWAY_PUBLIC_URL}/weather/forecast/{city}`;
    expect(await page.getByRole('table').innerText()).toContain(operationUrl);
    expect(await page.getByRole('main').innerText()).toContain('Do not resell the data.');
    const name = page.getByLabel('Subscription name');
    expect(await name.inputValue()).toBe('Weather Basic');
    await name.clear();
    await typeInto(name, 'Forecast widget');
    await screenshot(page, 'product');

    // Subscribing needs the terms accepted: the browser itself asks first (the box is required).
    await page.getByLabel('I accept the terms of use').check();
    const done = await clickAndWait(page, page.getByRole('button', { name: 'Subscribe', exact: true }));
    expect(done?.status()).toBe(200);
    expect(pathOf(page)).toBe('/subscriptions?notice=subscribed');
    expect(await heading(page)).toBe('My subscriptions');
    expect(await messages(page)).toContain('Your subscription is active');
    const card = page.locator('section.subscription', { has: page.getByRole('heading', { name: 'Forecast widget' }) });
    expect(await card.locator('dl.details').innerText()).toMatch(/Weather Basic[\s\S]*Active[\s\S]*March 2, 2026/);

    // The keys are hidden until asked for.
    const primary = card.locator('code.key-value').first();
    expect(await primary.isVisible()).toBe(false);
    await screenshot(page, 'subscriptions');
    await card.locator('.key summary').first().click();
    expect(await primary.isVisible()).toBe(true);
    const key = (await primary.innerText()).trim();
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    await screenshot(page, 'subscriptions-key-shown');

    // The Copy button appears with JavaScript, and copies the key.
    const copy = card.getByRole('button', { name: 'Copy the primary key' });
    expect(await copy.isVisible()).toBe(true);
    await copy.click();
    // The button says so for two seconds; the page's live region keeps saying it.
    await expect.poll(() => page.locator('#copy-status').textContent(), { timeout: 5000 }).toBe('The key was copied to the clipboard.');
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(key);

    // The key opens the API on the gateway, at the address the product page showed.
    await server.app.gateway.refresh();
    const target = operationUrl.replace(GATEWAY_PUBLIC_URL, gatewayUrl).replace('{city}', 'paris');
    const refused = await fetch(target);
    expect(refused.status).toBe(401);
    const before = calls.length;
    const answer = await fetch(target, { headers: { 'Ocp-Apim-Subscription-Key': key } });
    expect(answer.status, await answer.clone().text()).toBe(200);
    expect(await answer.json()).toEqual({ city: 'paris', forecast: 'sunny', temperatureC: 21 });
    expect(calls.length).toBe(before + 1);
    expect(calls.at(-1)?.method).toBe('GET');
    expect(calls.at(-1)?.url).toBe('/v2/forecast/paris');
    // The key is for the gateway, not for the backend.
    expect(calls.at(-1)?.headers['ocp-apim-subscription-key']).toBeUndefined();

    // Nothing broke the Content-Security-Policy (the script is ours, loaded from /assets/portal.js).
    expect(chrome.consoleErrors.filter((e) => /content security policy|refused to|pageerror/i.test(e))).toEqual([]);
  });
});
