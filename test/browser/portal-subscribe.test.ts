/**
 * From the catalogue to a working key, in real Chromium: a developer signs in, opens the products,
 * opens one, subscribes, reveals the key on My subscriptions (and copies it with the Copy button),
 * then calls the API through the gateway with that key, to a real upstream server started here.
 *
 * With TOLLGATE_SCREENSHOTS=1 the pages are saved to docs/screenshots/ (products, product,
 * subscriptions, subscriptions-key-shown). Without Chromium the suite is skipped: ../helpers/browser.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { SKIP_BROWSER_TESTS, clickAndWait, screenshot, typeInto, typeSignIn, useChromium } from '../helpers/browser.js';
import { expectNoPolicyViolation, heading, messages, pathOf } from '../helpers/page.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { putApi, putProduct } from '../helpers/gateway.js';
import { activeDeveloper } from '../helpers/users.js';

const ORGANIZATION = 'Contoso';
const GATEWAY_PUBLIC_URL = 'https://api.contoso.example';

describe.skipIf(SKIP_BROWSER_TESTS)('subscribing in the developer portal, then calling the gateway (Chromium)', () => {
  const chrome = useChromium();
  const clock = new ManualClock('2026-03-02T10:00:00.000Z');
  let server: TestServer;
  let gatewayUrl: string;
  let upstream: Upstream;

  beforeAll(async () => {
    upstream = await startUpstream((request) => ({ city: request.url.split('/').pop(), forecast: 'sunny', temperatureC: 21 }));

    // The pages show GATEWAY_PUBLIC_URL (fixed, so that the screenshots do not change); the test
    // reaches the same gateway at the address it really listens on.
    server = await startServer('sqlite', { clock, env: { TOLLGATE_ORGANIZATION_NAME: ORGANIZATION, GATEWAY_PUBLIC_URL } });
    gatewayUrl = server.gatewayUrl;

    await putApi(
      server,
      'weather',
      {
        displayName: 'Weather',
        description: 'Forecasts for the cities of the world.',
        path: 'weather',
        serviceUrl: `${upstream.url}/v2`,
        protocols: ['http', 'https'],
      },
      [
        {
          id: 'forecast',
          displayName: 'Forecast for a city',
          method: 'GET',
          urlTemplate: '/forecast/{city}',
          templateParameters: [{ name: 'city', type: 'string', required: true }],
        },
        { id: 'stations', displayName: 'List the stations', method: 'GET', urlTemplate: '/stations' },
      ],
    );
    const links = { groups: ['developers'], apis: ['weather'] };
    await putProduct(
      server,
      'weather-basic',
      {
        displayName: 'Weather Basic',
        description: 'The forecast API for hobby projects: one subscription per developer, keys at once.',
        terms: 'Use the forecasts at your own risk.\nDo not resell the data.',
        subscriptionRequired: true,
        approvalRequired: false,
        subscriptionsLimit: 1,
        state: 'published',
      },
      links,
    );
    await putProduct(
      server,
      'weather-pro',
      {
        displayName: 'Weather Pro',
        description: 'Higher limits for businesses. An administrator approves each subscription.',
        subscriptionRequired: true,
        approvalRequired: true,
        state: 'published',
      },
      links,
    );
  });

  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  it('subscribes to a product, reveals and copies the key, and calls the API with it', async () => {
    const page = chrome.page;
    const { email, password } = await activeDeveloper(server, 'ada', { email: 'ada.lovelace@example.com' });
    await chrome.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });

    // Sign in, on the way to the catalogue.
    await page.goto(`${server.url}/products`);
    await clickAndWait(page, page.getByRole('main').getByRole('link', { name: 'Sign in' }));
    await typeSignIn(page, email, password);
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

    // The key opens the API on the gateway, at the address the product page showed (the
    // subscription was enforced when the portal answered it).
    const target = operationUrl.replace(GATEWAY_PUBLIC_URL, gatewayUrl).replace('{city}', 'paris');
    const refused = await fetch(target);
    expect(refused.status).toBe(401);
    const before = upstream.seen.length;
    const answer = await fetch(target, { headers: { 'Ocp-Apim-Subscription-Key': key } });
    expect(answer.status, await answer.clone().text()).toBe(200);
    expect(await answer.json()).toEqual({ city: 'paris', forecast: 'sunny', temperatureC: 21 });
    expect(upstream.seen.length).toBe(before + 1);
    expect(upstream.seen.at(-1)?.method).toBe('GET');
    expect(upstream.seen.at(-1)?.url).toBe('/v2/forecast/paris');
    // The key is for the gateway, not for the backend.
    expect(upstream.seen.at(-1)?.headers['ocp-apim-subscription-key']).toBeUndefined();

    // Nothing broke the Content-Security-Policy (the script is ours, loaded from /assets/portal.js).
    expectNoPolicyViolation(chrome.consoleErrors);
  });
});
