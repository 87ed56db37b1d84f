/**
 * The admin UI in tests: a server whose first administrator comes from TOLLGATE_ADMIN_EMAIL and
 * TOLLGATE_ADMIN_PASSWORD, a browser without JavaScript signed in to /admin, and signing in with
 * Chromium.
 */
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import { Browser, hiddenFields, type Res } from './portal-browser.js';
import { startServer, type BackendName, type StartOptions, type TestServer } from './server.js';

export const ADMIN_EMAIL = 'admin@contoso.example';
export const ADMIN_PASSWORD = 'correct horse battery staple';

/** startServer with a first administrator who can sign in to /admin. */
export function startAdminServer(backend: BackendName, options: StartOptions = {}): Promise<TestServer> {
  return startServer(backend, { ...options, env: { TOLLGATE_ADMIN_EMAIL: ADMIN_EMAIL, TOLLGATE_ADMIN_PASSWORD: ADMIN_PASSWORD, ...options.env } });
}

/** A browser without JavaScript (cookie jar, no redirects followed) for the admin UI. */
export class AdminBrowser extends Browser {
  /** Signs in at /admin/signin; expects the redirect into the admin UI. */
  async signInAdmin(email = ADMIN_EMAIL, password = ADMIN_PASSWORD): Promise<Res> {
    const res = await this.submit('/admin/signin', '/admin/signin', { email, password });
    expect(res.status, res.text).toBe(303);
    expect(res.location).toMatch(/^\/admin/);
    return res;
  }

  /** Opens `page` and posts its form to `action` with `fields` (hidden fields, CSRF token included). */
  async submitAdmin(page: string, action: string, fields: Record<string, string> = {}): Promise<Res> {
    return this.submit(page, action, fields);
  }

  /** The hidden fields (CSRF token) of the form posting to `action` on `page`. */
  async formFields(page: string, action: string): Promise<Record<string, string>> {
    const opened = await this.get(page);
    expect(opened.status, opened.text).toBe(200);
    return hiddenFields(opened.text, action);
  }
}

/** A signed-in AdminBrowser. */
export async function adminBrowser(server: TestServer): Promise<AdminBrowser> {
  const browser = new AdminBrowser(server);
  await browser.signInAdmin();
  return browser;
}

/** Signs in to /admin with Chromium and waits for the overview (or `returnTo`). */
export async function signInAdminInChromium(page: Page, server: TestServer, email = ADMIN_EMAIL, password = ADMIN_PASSWORD): Promise<void> {
  await page.goto(`${server.url}/admin/signin`);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
  expect(new URL(page.url()).pathname).toMatch(/^\/admin/);
}
