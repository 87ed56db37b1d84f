/**
 * The API reference in real Chromium: the public Petstore (OpenAPI 3.0) imported through the
 * management API; a developer goes from the product to the API's page, to an operation, and uses
 * Try it: with JavaScript the answer of the real upstream (through the real gateway, with the
 * developer's key) appears in place, without the page reloading; nothing breaks the CSP.
 *
 * With TOLLGATE_SCREENSHOTS=1: docs/screenshots/portal-api-reference.png, portal-operation.png,
 * portal-try-it.png. Without Chromium the suite is skipped: ../helpers/browser.ts.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicFixture, publicFixturePath } from '../fixtures/openapi/public/index.js';
import { SKIP_BROWSER_TESTS, clickAndWait, screenshot, typeInto, typeSignIn, useChromium } from '../helpers/browser.js';
import { activeSubscription, putProduct } from '../helpers/gateway.js';
import { freePort } from '../helpers/net.js';
import { expectNoPolicyViolation, heading, pathOf } from '../helpers/page.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { activeDeveloper } from '../helpers/users.js';

describe.skipIf(SKIP_BROWSER_TESTS)('the API reference and Try it in the developer portal (Chromium)', () => {
  const chrome = useChromium();
  let server: TestServer;
  let upstream: Upstream;
  let gatewayUrl: string;

  beforeAll(async () => {
    upstream = await startUpstream((request) => ({ id: Number(request.url.split('/').pop()), name: 'doggie', status: 'available', photoUrls: [] }));
    // Try it calls GATEWAY_PUBLIC_URL from the server: here, the gateway's real address.
    const port = await freePort();
    gatewayUrl = `http://localhost:${port}`;
    server = await startServer('sqlite', { env: { TOLLGATE_ORGANIZATION_NAME: 'Contoso', GATEWAY_PORT: String(port), GATEWAY_PUBLIC_URL: gatewayUrl } });
    const text = readFileSync(publicFixturePath(publicFixture('petstore-openapi-3.0')), 'utf8');
    const res = await server.request('PUT', '/apis/petstore', { body: { properties: { format: 'openapi+json', value: text, path: 'petstore', serviceUrl: `${upstream.url}/v2` } } });
    expect([200, 201], res.text).toContain(res.status);
    await putProduct(
      server,
      'pets',
      { displayName: 'Pet shop', description: 'Everything about pets.', subscriptionRequired: true, approvalRequired: false, state: 'published' },
      { groups: ['developers'], apis: ['petstore'] },
    );
  });

  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  it('browses product → API → operation and tries it in place, through the gateway to the backend', async () => {
    const page = chrome.page;
    const dev = await activeDeveloper(server, 'grace', { email: 'grace.hopper@example.com' });
    await activeSubscription(server, 'grace-app', dev.id, 'pets', 'Pet finder app');

    await page.goto(`${server.url}/signin?returnTo=${encodeURIComponent('/products/pets')}`);
    await typeSignIn(page, dev.email, dev.password);
    expect(pathOf(page)).toBe('/products/pets');

    await clickAndWait(page, page.getByRole('link', { name: 'API reference and Try it' }));
    expect(pathOf(page)).toBe('/apis/petstore');
    expect(await heading(page)).toBe('Swagger Petstore');
    const main = await page.getByRole('main').innerText();
    expect(main).toContain(`${gatewayUrl}/petstore`);
    expect(main).toContain('Ocp-Apim-Subscription-Key');
    expect(await page.locator('.operation-list li').count()).toBe(20);
    await screenshot(page, 'portal-api-reference');

    await clickAndWait(page, page.getByRole('link', { name: /Find pet by ID/ }));
    expect(pathOf(page)).toBe('/apis/petstore/operations/getpetbyid');
    expect(await heading(page)).toBe('Find pet by ID');
    expect((await page.locator('.endpoint').first().innerText()).replace(/\s+/g, ' ')).toContain(`GET ${gatewayUrl}/petstore/pet/{petId}`);
    expect(await page.getByRole('table', { name: 'Path parameters of Find pet by ID' }).innerText()).toContain('ID of pet to return');
    // The 200 answer's schema, from the imported document's Pet.
    expect(await page.getByRole('table', { name: /^Schema of the 200 response/ }).innerText()).toMatch(/photoUrls\s+array of string\s+required/);
    await screenshot(page, 'portal-operation');

    // With JavaScript, Send posts the form with fetch and swaps the answer in: the page stays.
    await page.evaluate('window.stayedHere = true');
    expect(await page.getByLabel('Subscription').locator('option').allInnerTexts()).toEqual(['Pet finder app']);
    await typeInto(page.getByLabel(/petId/), '42');
    const before = upstream.seen.length;
    await page.getByRole('button', { name: 'Send' }).click();
    const answer = page.locator('.try-answer');
    await answer.waitFor();
    expect(await page.evaluate('window.stayedHere')).toBe(true);
    expect(await answer.getByRole('heading').innerText()).toMatch(/^Answer 200 in \d+ ms$/);
    expect(await answer.locator('pre').innerText()).toContain('"name": "doggie"');
    expect((await answer.locator('.endpoint').innerText()).replace(/\s+/g, ' ')).toBe(`GET ${gatewayUrl}/petstore/pet/42`);
    expect(upstream.seen.length).toBe(before + 1);
    expect(upstream.seen.at(-1)?.url).toBe('/v2/pet/42');
    // Focus moves to the answer, for keyboard and screen-reader users.
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('try-it-answer');
    // The form works again, in place, with the values kept.
    expect(await page.getByLabel(/petId/).inputValue()).toBe('42');
    await answer.locator('summary').click();
    await screenshot(page, 'portal-try-it');

    // A refused value: the form comes back in place with the error next to the field.
    await page.getByLabel(/petId/).fill('..');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').innerText()).toContain('The value of petId cannot be "..".');
    expect(await page.locator('#try-path-petId-error').innerText()).toBe('The value of petId cannot be "..".');
    expect(await page.evaluate('window.stayedHere')).toBe(true);
    expect(upstream.seen.length).toBe(before + 1);

    expectNoPolicyViolation(chrome.consoleErrors);
  });
});
