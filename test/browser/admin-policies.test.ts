/**
 * Policies in real Chromium, used as an administrator uses them: Starter's policy written in its
 * editor with mistakes, the problems read at their lines and columns (a click puts the cursor
 * there), the text fixed and saved; an operation's effective policy shown for Starter; a secret
 * named value created and listed; and the portal's Starter page stating the limits in words.
 *
 * With TOLLGATE_SCREENSHOTS=1 each page is saved to docs/screenshots/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import { STARTER_POLICY_XML } from '../../src/domain/policy/defaults.js';
import type { TestServer } from '../helpers/server.js';
import { SKIP_BROWSER_TESTS, clickAndWait, screenshot, typeInto, useChromium } from '../helpers/browser.js';
import { signInAdminInChromium, startAdminServer } from '../helpers/admin.js';
import { expectNoPolicyViolation, heading, messages } from '../helpers/page.js';
import { putApi } from '../helpers/gateway.js';

/** The browser's view of the text area's selection (the project's TypeScript has no DOM). */
interface TextArea {
  selectionStart: number;
  value: string;
}
interface InDocument {
  document: { activeElement: { id: string } | null };
}

/** Starter's policy with two mistakes: a number that is not one (line 3) and an element the gateway does not have (line 6). */
const STARTER_WITH_MISTAKES = STARTER_POLICY_XML.replace('<rate-limit calls="5"', '<rate-limit calls="five"').replace(
  '    <base />\r\n  </inbound>',
  '    <base />\r\n    <send-one-way-request mode="new" />\r\n  </inbound>',
);

describe.skipIf(SKIP_BROWSER_TESTS)('admin UI policies and named values in Chromium', () => {
  const chrome = useChromium();
  const clock = new ManualClock('2026-03-02T10:00:00.000Z');
  let server: TestServer;

  beforeAll(async () => {
    server = await startAdminServer('sqlite', { clock, env: { TOLLGATE_ORGANIZATION_NAME: 'Contoso' } });
    await putApi(server, 'orders', { displayName: 'Orders', path: 'orders', serviceUrl: 'https://orders.internal.example/v1', protocols: ['https'] }, [
      { id: 'get-order', displayName: 'Get an order', method: 'GET', urlTemplate: '/orders/{id}', templateParameters: [{ name: 'id', type: 'string', required: true }] },
    ]);
    expect((await server.request('PUT', '/products/starter/apis/orders')).status).toBeLessThan(300);
    // Starter starts without a policy here, whatever the seed gives it: the test writes it.
    await server.request('DELETE', '/products/starter/policies/policy', { headers: { 'if-match': '*' } });
  });
  afterAll(async () => server?.close());

  it("writes Starter's policy with mistakes, reads them at their lines, fixes them and saves", async () => {
    const page = chrome.page;
    await signInAdminInChromium(page, server);
    await page.goto(`${server.url}/admin/products/starter`);
    await clickAndWait(page, page.getByRole('link', { name: 'Policy', exact: true }));
    expect(await heading(page)).toBe('Policy of Starter');

    const editor = page.getByLabel('Policy XML');
    await editor.fill(STARTER_WITH_MISTAKES);
    let response = await clickAndWait(page, page.getByRole('button', { name: 'Save', exact: true }));
    expect(response?.status()).toBe(400);
    expect(await editor.inputValue()).toBe(STARTER_WITH_MISTAKES.replace(/\r\n/g, '\n'));
    const problems = await server.app.services.policies.check({ scope: 'product', productId: 'starter' }, { value: STARTER_WITH_MISTAKES, format: 'xml' });
    expect(problems.map((p) => p.line)).toEqual([3, 6]);
    const shown = await messages(page);
    expect(shown).toContain('The policy was not saved');
    for (const p of problems) expect(shown).toContain(`Line ${p.line}, column ${p.column}`);
    expect(await editor.getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'admin-policy-errors');

    // A click on a problem puts the cursor at its line and column.
    const second = problems.find((p) => p.line === 6)!;
    await page.getByRole('link', { name: `Line ${second.line}, column ${second.column}` }).click();
    const where = await page.evaluate(() => {
      const g = globalThis as unknown as InDocument & { document: { getElementById(id: string): TextArea } };
      const area = g.document.getElementById('policy-xml');
      return { focused: g.document.activeElement?.id, at: area.selectionStart, text: area.value };
    });
    expect(where.focused).toBe('policy-xml');
    const lines = where.text.split('\n');
    expect(where.at).toBe(lines.slice(0, second.line - 1).reduce((n, l) => n + l.length + 1, 0) + second.column - 1);

    await editor.fill(STARTER_POLICY_XML);
    response = await clickAndWait(page, page.getByRole('button', { name: 'Save', exact: true }));
    expect(response?.status()).toBe(200);
    expect(await messages(page)).toContain('The policy was saved');
    expect((await server.request('GET', '/products/starter/policies/policy')).json.properties.value).toBe(STARTER_POLICY_XML);
    await screenshot(page, 'admin-policy-editor');

    await page.goto(`${server.url}/admin/products/starter`);
    expect(await page.getByText('5 calls per minute, 100 calls per week').count()).toBe(1);
    expectNoPolicyViolation(chrome.consoleErrors);
  });

  it("shows an operation's effective policy, for no product and for Starter", async () => {
    const page = chrome.page;
    await signInAdminInChromium(page, server);
    await page.goto(`${server.url}/admin/apis/orders`);
    await clickAndWait(page, page.getByRole('link', { name: 'Policy of Get an order' }));
    expect(await heading(page)).toBe('Policy of Get an order');
    const effective = page.getByLabel('Effective policy XML');
    expect(await effective.innerText()).not.toContain('rate-limit');

    await page.getByLabel('Called with a subscription to').selectOption('starter');
    await clickAndWait(page, page.getByRole('button', { name: 'Show', exact: true }));
    expect(new URL(page.url()).search).toBe('?product=starter');
    const text = await effective.innerText();
    expect(text).toContain('<rate-limit calls="5" renewal-period="60"');
    expect(text).toContain('<quota calls="100" renewal-period="604800"');
    expect(text).toContain('<forward-request');
    expect(await page.getByText('5 calls per minute, 100 calls per week').count()).toBe(1);
    await page.locator('#effective').scrollIntoViewIfNeeded();
    await screenshot(page, 'admin-policy-effective');
    expectNoPolicyViolation(chrome.consoleErrors);
  });

  it('creates a secret named value and lists it without its value', async () => {
    const page = chrome.page;
    page.on('dialog', (dialog) => void dialog.accept());
    await signInAdminInChromium(page, server);
    await page.goto(`${server.url}/admin/named-values`);
    expect(await heading(page)).toBe('Named values');
    for (const [name, value, secret] of [
      ['orders-backend', 'https://orders.internal.example/v1', false],
      ['orders-api-key', 'a8f5f167f44f4964e6c998dee827110c', true],
    ] as const) {
      await clickAndWait(page, page.getByRole('link', { name: 'New named value' }));
      await typeInto(page.getByLabel('Name', { exact: true }), name);
      await typeInto(page.getByLabel('Value', { exact: true }), value);
      if (secret) await page.getByLabel('Secret').check();
      await typeInto(page.getByLabel('Tags'), 'orders');
      const response = await clickAndWait(page, page.getByRole('button', { name: 'Create named value' }));
      expect(response?.status()).toBe(200);
      expect(await messages(page)).toContain('The named value was created.');
      await page.goto(`${server.url}/admin/named-values`);
    }
    const table = page.getByRole('table', { name: 'Named values' });
    expect(await table.getByRole('row').count()).toBe(3);
    expect(await table.innerText()).toContain('Secret');
    expect(await table.innerText()).not.toContain('a8f5f167f44f4964e6c998dee827110c');
    await screenshot(page, 'admin-named-values');

    await clickAndWait(page, table.getByRole('link', { name: 'orders-api-key' }));
    expect(await page.getByText('a8f5f167f44f4964e6c998dee827110c').count()).toBe(0);
    await clickAndWait(page, page.getByRole('button', { name: 'Show value' }));
    expect(await page.getByText('a8f5f167f44f4964e6c998dee827110c').count()).toBe(1);
    expectNoPolicyViolation(chrome.consoleErrors);
  });

  it("states Starter's limits in words on the portal's product page", async () => {
    const page = chrome.page;
    await page.goto(`${server.url}/products/starter`);
    expect(await heading(page)).toBe('Starter');
    expect(await page.locator('p.limits').innerText()).toBe('Limits: 5 calls per minute, 100 calls per week');
    await screenshot(page, 'portal-product-limits');
    expectNoPolicyViolation(chrome.consoleErrors);
  });
});
