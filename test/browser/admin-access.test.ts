/**
 * Getting into the admin UI in real Chromium: the first administrator created from the one-time
 * setup link, signing out and in again, a wrong password, and a developer refused.
 *
 * With TOLLGATE_SCREENSHOTS=1 each page is saved to docs/screenshots/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { SKIP_BROWSER_TESTS, clickAndWait, screenshot, typeInto, typeSignIn, useChromium } from '../helpers/browser.js';
import { expectNoPolicyViolation, messages } from '../helpers/page.js';
import { signInAdminInChromium } from '../helpers/admin.js';
import { activeDeveloper } from '../helpers/users.js';

const ADMIN = { firstName: 'Alex', lastName: 'Morgan', email: 'alex.morgan@contoso.example', password: 'Quartz lantern 42 meadow' };

describe.skipIf(SKIP_BROWSER_TESTS)('admin UI access in Chromium', () => {
  const chrome = useChromium();
  const clock = new ManualClock('2026-03-02T10:00:00.000Z');
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer('sqlite', { clock, env: { TOLLGATE_ORGANIZATION_NAME: 'Contoso' } });
  });
  afterAll(async () => server?.close());

  it('creates the first administrator from the setup link, then signs out and in again', async () => {
    const page = chrome.page;
    const link = await server.app.services.adminSetup.issueSetupToken();
    await page.goto(`${server.url}/admin/setup?token=${link!.token}`);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Create the first administrator');
    await screenshot(page, 'admin-setup');

    await typeInto(page.getByLabel('First name'), ADMIN.firstName);
    await typeInto(page.getByLabel('Last name'), ADMIN.lastName);
    await typeInto(page.getByLabel('Email address'), ADMIN.email);
    await typeInto(page.getByLabel('Password'), 'password');
    let response = await clickAndWait(page, page.getByRole('button', { name: 'Create administrator' }));
    expect(response?.status()).toBe(400);
    expect(await messages(page)).toMatch(/password/i);
    expect(await page.getByLabel('Email address').inputValue()).toBe(ADMIN.email);
    expect(await page.getByLabel('Password').inputValue()).toBe('');
    await screenshot(page, 'admin-setup-error');

    await typeInto(page.getByLabel('Password'), ADMIN.password);
    response = await clickAndWait(page, page.getByRole('button', { name: 'Create administrator' }));
    expect(response?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/admin');
    expect(await messages(page)).toContain('you are the first administrator');
    expect(await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Overview' }).getAttribute('aria-current')).toBe('page');
    await screenshot(page, 'admin-overview');

    await clickAndWait(page, page.getByRole('button', { name: 'Sign out' }));
    expect(new URL(page.url()).pathname).toBe('/admin/signin');
    expect(await messages(page)).toContain('You have signed out.');

    // The link worked once.
    const again = await page.goto(`${server.url}/admin/setup?token=${link!.token}`);
    expect(again?.status()).toBe(410);

    // A wrong password, then the right one.
    await page.goto(`${server.url}/admin/signin`);
    expect(await typeSignIn(page, ADMIN.email, 'not the password')).toBe(401);
    expect(await messages(page)).toContain('The email address or password is incorrect.');
    await screenshot(page, 'admin-signin');
    await page.getByLabel('Email address').clear();
    await signInAdminInChromium(page, server, ADMIN.email, ADMIN.password);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Overview');
    expectNoPolicyViolation(chrome.consoleErrors);
  });

  it('refuses a developer, and sends visitors of admin pages to sign in first', async () => {
    const page = chrome.page;
    const { password } = await activeDeveloper(server, 'dev-1', { email: 'dev@example.com', firstName: 'Dev', lastName: 'Eloper' });
    await page.goto(`${server.url}/admin/users`);
    expect(new URL(page.url()).pathname).toBe('/admin/signin');
    expect(await typeSignIn(page, 'dev@example.com', password)).toBe(403);
    expect(await messages(page)).toContain('This account is not an administrator.');
    await screenshot(page, 'admin-signin-refused');
    expect((await page.context().cookies()).map((c) => c.name)).not.toContain('tg_admin');
    expectNoPolicyViolation(chrome.consoleErrors);
  });
});
