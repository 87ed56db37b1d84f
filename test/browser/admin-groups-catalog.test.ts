/**
 * The admin UI's Groups, Products and APIs pages in real Chromium, used like an administrator uses
 * them: a group created and a member added; an API with an operation, a product created,
 * published, given the API and the Developers group.
 *
 * With TOLLGATE_SCREENSHOTS=1 each page is saved to docs/screenshots/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import type { TestServer } from '../helpers/server.js';
import { SKIP_BROWSER_TESTS, clickAndWait, screenshot, typeInto, useChromium } from '../helpers/browser.js';
import { signInAdminInChromium, startAdminServer } from '../helpers/admin.js';
import { expectNoPolicyViolation, heading, messages } from '../helpers/page.js';

describe.skipIf(SKIP_BROWSER_TESTS)('admin UI groups, products and APIs in Chromium', () => {
  const chrome = useChromium();
  const clock = new ManualClock('2026-03-02T10:00:00.000Z');
  let server: TestServer;

  beforeAll(async () => {
    server = await startAdminServer('sqlite', { clock, env: { TOLLGATE_ORGANIZATION_NAME: 'Contoso' } });
    for (const [id, firstName, lastName] of [
      ['grace', 'Grace', 'Hopper'],
      ['alan', 'Alan', 'Turing'],
    ] as const) {
      await server.app.services.users.createOrUpdate(id, { email: `${id}@example.com`, firstName, lastName }, {});
    }
  });
  afterAll(async () => server?.close());

  it('creates a group and adds a member', async () => {
    const page = chrome.page;
    await signInAdminInChromium(page, server);
    await page.goto(`${server.url}/admin/groups`);
    expect(await heading(page)).toBe('Groups');
    expect(await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Groups' }).getAttribute('aria-current')).toBe('page');
    await screenshot(page, 'admin-groups');

    await clickAndWait(page, page.getByRole('link', { name: 'New group' }));
    expect(await heading(page)).toBe('New group');
    await screenshot(page, 'admin-group-new');

    // Without a name: the form comes back with the error next to the field and the text kept.
    await typeInto(page.getByLabel('Description'), 'Developers trying the new APIs before everyone else.');
    let response = await clickAndWait(page, page.getByRole('button', { name: 'Create group' }));
    expect(response?.status()).toBe(400);
    expect(await messages(page)).toContain('This is required.');
    expect(await page.getByLabel('Description').inputValue()).toBe('Developers trying the new APIs before everyone else.');

    await typeInto(page.getByLabel('Name', { exact: true }), 'Beta testers');
    response = await clickAndWait(page, page.getByRole('button', { name: 'Create group' }));
    expect(response?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/admin/groups/beta-testers');
    expect(await messages(page)).toContain('The group was created.');

    for (const email of ['grace@example.com', 'alan@example.com']) {
      await typeInto(page.getByLabel('Email address of the user to add'), email);
      response = await clickAndWait(page, page.getByRole('button', { name: 'Add member' }));
      expect(response?.status()).toBe(200);
      expect(await messages(page)).toContain('The user was added to the group.');
    }
    const members = page.getByRole('table', { name: 'Members of Beta testers' });
    expect(await members.getByRole('link', { name: 'Grace Hopper' }).getAttribute('href')).toBe('/admin/users/grace');
    expect((await server.request('HEAD', '/groups/beta-testers/users/alan')).status).toBe(204);
    await screenshot(page, 'admin-group');

    // A system group shows no edit or delete.
    await page.goto(`${server.url}/admin/groups/developers`);
    expect(await page.getByRole('link', { name: 'Edit' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Delete' }).count()).toBe(0);
    expectNoPolicyViolation(chrome.consoleErrors);
  });

  it('creates an API with an operation, and a product published with the API and the Developers group', async () => {
    const page = chrome.page;
    page.on('dialog', (dialog) => void dialog.accept());
    await signInAdminInChromium(page, server);

    await page.goto(`${server.url}/admin/apis/new`);
    await typeInto(page.getByLabel('Name', { exact: true }), 'Orders');
    await typeInto(page.getByLabel('Description'), 'Place and follow orders.');
    await typeInto(page.getByLabel('Path', { exact: true }), 'orders');
    await typeInto(page.getByLabel('Service URL'), 'https://orders.internal.example/v1');
    await page.getByLabel('HTTP', { exact: true }).check();
    let response = await clickAndWait(page, page.getByRole('button', { name: 'Create API' }));
    expect(response?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/admin/apis/orders');

    for (const [name, method, template] of [
      ['Get an order', 'GET', '/orders/{id}'],
      ['Create an order', 'POST', '/orders'],
    ] as const) {
      await typeInto(page.getByLabel('Name', { exact: true }), name);
      await page.getByLabel('Method').selectOption(method);
      await typeInto(page.getByLabel('URL template'), template);
      response = await clickAndWait(page, page.getByRole('button', { name: 'Add operation' }));
      expect(response?.status()).toBe(200);
      expect(await messages(page)).toContain('The operation was added.');
    }
    expect((await server.request('GET', '/apis/orders/operations')).json.count).toBe(2);
    await screenshot(page, 'admin-api');

    await page.goto(`${server.url}/admin/apis`);
    expect(await heading(page)).toBe('APIs');
    await screenshot(page, 'admin-apis');

    await page.goto(`${server.url}/admin/products`);
    await clickAndWait(page, page.getByRole('link', { name: 'New product' }));
    await typeInto(page.getByLabel('Name', { exact: true }), 'Shop');
    await typeInto(page.getByLabel('Description'), 'Everything a shop front needs.');
    await page.getByLabel('Approval required').check();
    await typeInto(page.getByLabel('Subscriptions per developer'), '2');
    response = await clickAndWait(page, page.getByRole('button', { name: 'Create product' }));
    expect(response?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/admin/products/shop');

    response = await clickAndWait(page, page.getByRole('button', { name: 'Publish' }));
    expect(await messages(page)).toContain('The product was published.');
    await page.getByLabel('API to add').selectOption('orders');
    await clickAndWait(page, page.getByRole('button', { name: 'Add API' }));
    expect(await messages(page)).toContain('The API was added to the product.');
    await page.getByLabel('Group to add').selectOption('developers');
    await clickAndWait(page, page.getByRole('button', { name: 'Add group' }));
    expect(await messages(page)).toContain('The product is now visible to the group.');

    const product = await server.request('GET', '/products/shop');
    expect(product.json.properties).toMatchObject({ state: 'published', approvalRequired: true, subscriptionsLimit: 2 });
    expect((await server.request('HEAD', '/products/shop/apis/orders')).status).toBe(204);
    expect((await server.request('HEAD', '/products/shop/groups/developers')).status).toBe(204);
    await screenshot(page, 'admin-product');

    await clickAndWait(page, page.getByRole('link', { name: 'Edit', exact: true }));
    expect(await heading(page)).toBe('Edit Shop');
    expect(await page.getByLabel('Subscriptions per developer').inputValue()).toBe('2');
    // Approval without subscriptions is refused by the service, next to the field.
    await page.getByLabel('Subscription required').uncheck();
    response = await clickAndWait(page, page.getByRole('button', { name: 'Save changes' }));
    expect(response?.status()).toBe(400);
    expect(await messages(page)).toContain('can be true only when subscriptionRequired is true');
    await screenshot(page, 'admin-product-edit');
    await page.getByLabel('Subscription required').check();
    response = await clickAndWait(page, page.getByRole('button', { name: 'Save changes' }));
    expect(response?.status()).toBe(200);
    expect(await messages(page)).toContain('The product was saved.');

    await page.goto(`${server.url}/admin/products`);
    expect(await heading(page)).toBe('Products');
    await screenshot(page, 'admin-products');
    expectNoPolicyViolation(chrome.consoleErrors);
  });
});
