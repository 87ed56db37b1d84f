/**
 * The admin UI's page of one user in real Chromium: block (the developer, signed in to the portal
 * in another browser, loses access, and the gateway refuses their key), activate, reset the password (the email arrives), set a
 * password (and sign in with it), delete with the subscriptions.
 *
 * With TOLLGATE_SCREENSHOTS=1 the pages are saved to docs/screenshots/ (admin-user, admin-user-blocked,
 * admin-user-reset-password, admin-user-set-password, admin-user-delete).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ManualClock } from '../../src/domain/clock.js';
import { startAdminServer, signInAdminInChromium } from '../helpers/admin.js';
import type { TestServer } from '../helpers/server.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { SKIP_BROWSER_TESTS, clickAndWait, screenshot, typeInto, typeSignIn, useChromium } from '../helpers/browser.js';
import { expectNoPolicyViolation, heading, messages } from '../helpers/page.js';
import { emailTo } from '../helpers/mail.js';
import { uniqueIds } from '../helpers/ids.js';
import { activeDeveloper } from '../helpers/users.js';
import { putApi } from '../helpers/gateway.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

const ORGANIZATION = 'Contoso';
const PASSWORD = 'Violet tundra mosaic 42';

describe.skipIf(SKIP_BROWSER_TESTS)('admin UI: one user in Chromium', () => {
  const chrome = useChromium();
  const clock = new ManualClock('2026-03-02T10:00:00.000Z');
  let server: TestServer;
  let smtp: TestSmtpServer;
  let upstream: Upstream;
  const uniqueId = uniqueIds();

  beforeAll(async () => {
    smtp = await startSmtpServer();
    upstream = await startUpstream();
    server = await startAdminServer('sqlite', {
      clock,
      env: { SMTP_URL: smtp.url, MAIL_FROM: `${ORGANIZATION} <noreply@contoso.example>`, TOLLGATE_ORGANIZATION_NAME: ORGANIZATION },
    });
    for (const [path, body] of [
      ['/products/basic', { properties: { displayName: 'Basic', subscriptionRequired: true, state: 'published' } }],
      ['/products/premium', { properties: { displayName: 'Premium', subscriptionRequired: true, state: 'published' } }],
      ['/groups/partners', { properties: { displayName: 'Partners', description: 'Companies we work with' } }],
    ] as const) {
      const res = await server.request('PUT', path, { body});
      expect(res.status, res.text).toBeLessThan(300);
    }
    // An API in the Basic product, so that a developer's key can be tried on the gateway.
    await putApi(server, 'echo', { displayName: 'Echo', path: 'echo', serviceUrl: upstream.url, protocols: ['http'] }, [
      { id: 'all', displayName: 'All', method: 'GET', urlTemplate: '/*' },
    ]);
    const linked = await server.request('PUT', '/products/basic/apis/echo');
    expect(linked.status, linked.text).toBeLessThan(300);
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.stop();
    await upstream?.close();
  });

  /** The gateway's answer to a call with the developer's Basic subscription key. */
  async function gatewayStatus(id: string): Promise<number> {
    const key = (await server.request('POST', `/subscriptions/${id}-basic/listSecrets`)).json.primaryKey as string;
    const res = await fetch(`${server.gatewayUrl}/echo/hello`, { headers: { 'Ocp-Apim-Subscription-Key': key } });
    await res.arrayBuffer();
    return res.status;
  }

  /** A developer with two subscriptions, in Partners, with a note. */
  async function developer(): Promise<{ id: string; email: string; name: string }> {
    const id = uniqueId('developer');
    const email = `ada.lovelace.${uniqueId.count}@example.com`;
    await activeDeveloper(server, id, { email, password: PASSWORD, note: 'Analytical Engines Ltd, key account' });
    clock.advance(60_000);
    await server.app.services.groups.addMember('partners', id);
    for (const product of ['basic', 'premium']) {
      clock.advance(60_000);
      const res = await server.request('PUT', `/subscriptions/${id}-${product}`, {
        body: { properties: { ownerId: `/users/${id}`, scope: `/products/${product}`, displayName: `Ada's ${product} app`, state: 'active' } },
      });
      expect(res.status, res.text).toBe(201);
    }
    return { id, email, name: 'Ada Lovelace' };
  }

  async function stateOf(id: string): Promise<number | string> {
    const res = await server.request('GET', `/users/${id}`);
    return res.status === 200 ? (res.json.properties.state as string) : res.status;
  }

  async function portalSignIn(page: Page, email: string, password: string): Promise<void> {
    await page.goto(`${server.url}/signin`);
    await typeSignIn(page, email, password);
  }

  async function openUser(page: Page, id: string): Promise<void> {
    await signInAdminInChromium(page, server);
    const res = await page.goto(`${server.url}/admin/users/${id}`);
    expect(res?.status()).toBe(200);
  }

  it('shows a user, blocks them (they lose the portal at once) and activates them again', async () => {
    const dev = await developer();
    const developerPage = await chrome.newPage();
    await portalSignIn(developerPage, dev.email, PASSWORD);
    expect(new URL(developerPage.url()).pathname).toBe('/profile');
    expect(await gatewayStatus(dev.id)).toBe(200);

    const page = chrome.page;
    clock.advance(60_000);
    await openUser(page, dev.id);
    expect(await heading(page)).toBe(dev.name);
    const details = await page.locator('dl.details').innerText();
    expect(details).toContain(dev.email);
    expect(details).toContain('Analytical Engines Ltd, key account');
    expect(details).toContain('2026-03-02 10:00:00 UTC');
    const subscriptions = page.getByRole('region', { name: 'Subscriptions' });
    expect(await subscriptions.getByRole('link', { name: "Ada's basic app" }).getAttribute('href')).toBe(`/admin/subscriptions/${dev.id}-basic`);
    expect(await subscriptions.innerText()).toContain('Product: Premium');
    expect(await page.getByRole('region', { name: 'Groups' }).getByRole('link', { name: 'Partners' }).count()).toBe(1);
    expect(await page.getByRole('region', { name: 'Audit trail' }).innerText()).toContain('subscription.created');
    await screenshot(page, 'admin-user');
    clock.advance(60_000);

    // The Block button asks first (the script's confirmation); the page works without it too.
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.accept();
    });
    await clickAndWait(page, page.getByRole('button', { name: 'Block', exact: true }));
    expect(dialogs[0]).toContain('Block Ada Lovelace?');
    expect(new URL(page.url()).pathname).toBe(`/admin/users/${dev.id}`);
    expect(await messages(page)).toContain('The user is blocked');
    expect(await page.locator('dl.details .state').innerText()).toBe('Blocked');
    expect(await stateOf(dev.id)).toBe('blocked');
    await screenshot(page, 'admin-user-blocked');

    // The developer, in the other browser, is signed out at once and cannot sign in again.
    await developerPage.goto(`${server.url}/profile`);
    expect(new URL(developerPage.url()).pathname).toBe('/signin');
    await portalSignIn(developerPage, dev.email, PASSWORD);
    expect(new URL(developerPage.url()).pathname).toBe('/signin');
    // ... and the gateway refuses their key: the block was enforced when the admin page answered.
    expect(await gatewayStatus(dev.id)).toBe(403);

    await clickAndWait(page, page.getByRole('button', { name: 'Activate', exact: true }));
    expect(await messages(page)).toContain('The user is active again');
    expect(await stateOf(dev.id)).toBe('active');
    expect(await gatewayStatus(dev.id)).toBe(200);
    await portalSignIn(developerPage, dev.email, PASSWORD);
    expect(new URL(developerPage.url()).pathname).toBe('/profile');
    expectNoPolicyViolation(chrome.consoleErrors);
  });

  it('sends a password reset email after a Yes/No page', async () => {
    const dev = await developer();
    const page = chrome.page;
    await openUser(page, dev.id);
    await clickAndWait(page, page.getByRole('link', { name: 'Reset password' }));
    expect(await heading(page)).toBe('Reset password');
    expect(await page.getByRole('main').innerText()).toContain(dev.email);
    await screenshot(page, 'admin-user-reset-password');

    // "No" goes back without sending anything.
    await clickAndWait(page, page.getByRole('link', { name: 'No', exact: true }));
    expect(new URL(page.url()).pathname).toBe(`/admin/users/${dev.id}`);
    await clickAndWait(page, page.getByRole('link', { name: 'Reset password' }));
    await clickAndWait(page, page.getByRole('button', { name: 'Yes, send the email' }));
    expect(await messages(page)).toContain('A password reset email is on its way to the user.');
    const mail = await emailTo(server, smtp, dev.email);
    expect(mail.text).toContain(`${server.url}/reset-password?token=`);
    expectNoPolicyViolation(chrome.consoleErrors);
  });

  it('sets a password: a weak one is refused next to the field, a good one works on the portal', async () => {
    const dev = await developer();
    const page = chrome.page;
    await openUser(page, dev.id);
    await clickAndWait(page, page.getByRole('link', { name: 'Set password', exact: true }));
    expect(await heading(page)).toBe('Set password');
    await typeInto(page.getByLabel('New password'), 'password');
    const refused = await clickAndWait(page, page.getByRole('button', { name: 'Set password', exact: true }));
    expect(refused?.status()).toBe(400);
    const field = page.getByLabel('New password');
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#new-password-error').innerText()).not.toBe('');
    expect(await field.inputValue()).toBe('');
    await screenshot(page, 'admin-user-set-password');

    const chosen = 'Copper kettle whistle';
    await typeInto(field, chosen);
    await clickAndWait(page, page.getByRole('button', { name: 'Set password', exact: true }));
    expect(new URL(page.url()).pathname).toBe(`/admin/users/${dev.id}`);
    expect(await messages(page)).toContain('The password is set; the user has been signed out everywhere.');

    const developerPage = await chrome.newPage();
    await portalSignIn(developerPage, dev.email, chosen);
    expect(new URL(developerPage.url()).pathname).toBe('/profile');
    expectNoPolicyViolation(chrome.consoleErrors);
  });

  it('deletes a user with their subscriptions after a confirmation page', async () => {
    const dev = await developer();
    const page = chrome.page;
    await openUser(page, dev.id);
    await clickAndWait(page, page.getByRole('link', { name: 'Delete', exact: true }));
    expect(await heading(page)).toBe('Delete user');
    expect(await page.getByRole('main').innerText()).toContain('They have 2 subscriptions.');
    await page.getByLabel('Also delete the user’s subscriptions (otherwise they are cancelled)').check();
    await screenshot(page, 'admin-user-delete');
    await clickAndWait(page, page.getByRole('button', { name: 'Delete user' }));
    const url = new URL(page.url());
    expect(url.pathname).toBe('/admin/users');
    expect(url.searchParams.get('notice')).toBe('user-deleted');
    expect(await messages(page)).toContain('The user was deleted.');
    expect(await stateOf(dev.id)).toBe(404);
    for (const product of ['basic', 'premium']) {
      expect((await server.request('GET', `/subscriptions/${dev.id}-${product}`)).status).toBe(404);
    }
    expectNoPolicyViolation(chrome.consoleErrors);
  });
});
