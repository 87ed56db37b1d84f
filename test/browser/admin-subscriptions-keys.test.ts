/**
 * The admin UI's Subscriptions and Management keys pages in real Chromium: an administrator finds
 * the requests waiting for approval, approves one, rejects another with a reason (the owners get
 * the emails, over a real SMTP server), creates a management key (shown once; it works against the
 * management API) and revokes it (it then gets 401).
 *
 * With TOLLGATE_SCREENSHOTS=1 the pages are saved to docs/screenshots/ (admin-subscriptions,
 * admin-subscription, admin-subscription-reject, admin-keys, admin-key-created). Without Chromium
 * the suite is skipped: ../helpers/browser.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import type { TestServer } from '../helpers/server.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { SKIP_BROWSER_TESTS, clickAndWait, screenshot, typeInto, useChromium } from '../helpers/browser.js';
import { signInAdminInChromium, startAdminServer } from '../helpers/admin.js';
import { expectNoPolicyViolation, heading, messages, pathOf } from '../helpers/page.js';
import { emailTo } from '../helpers/mail.js';
import { putProduct } from '../helpers/gateway.js';
import { activeDeveloper } from '../helpers/users.js';

const ORGANIZATION = 'Contoso';

describe.skipIf(SKIP_BROWSER_TESTS)('admin UI: subscriptions and management keys (Chromium)', () => {
  const chrome = useChromium();
  const clock = new ManualClock('2026-03-02T10:00:00.000Z');
  let server: TestServer;
  let smtp: TestSmtpServer;

  async function ok(res: Promise<{ status: number; text: string }>): Promise<void> {
    const r = await res;
    expect([200, 201, 204], r.text).toContain(r.status);
  }

  async function developer(id: string, firstName: string, lastName: string): Promise<{ id: string; email: string }> {
    const email = `${firstName}.${lastName}@example.com`.toLowerCase();
    await activeDeveloper(server, id, { email, firstName, lastName, password: 'Violet tundra mosaic 42' });
    return { id, email };
  }

  beforeAll(async () => {
    smtp = await startSmtpServer();
    server = await startAdminServer('sqlite', {
      clock,
      env: { SMTP_URL: smtp.url, MAIL_FROM: `${ORGANIZATION} <noreply@contoso.example>`, TOLLGATE_ORGANIZATION_NAME: ORGANIZATION },
    });
    for (const [id, displayName, approvalRequired] of [
      ['gold', 'Gold', true],
      ['starter', 'Starter', false],
    ] as const) {
      await putProduct(server, id, { displayName, subscriptionRequired: true, approvalRequired, state: 'published' }, { groups: ['developers'] });
    }
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.stop();
  });

  it('approves a subscription request and rejects another with a reason', async () => {
    const ada = await developer('ada', 'Ada', 'Lovelace');
    const grace = await developer('grace', 'Grace', 'Hopper');
    const alan = await developer('alan', 'Alan', 'Turing');
    // Fixed names (and a clock that stands still between them) keep the screenshots the same from run to run.
    const subscribe = async (sid: string, owner: string, product: string, displayName: string, state?: string) => {
      await ok(server.request('PUT', `/subscriptions/${sid}`, { body: { properties: { ownerId: `/users/${owner}`, scope: `/products/${product}`, displayName, ...(state ? { state } : {}) } } }));
      clock.advance(60_000);
      return sid;
    };
    await subscribe('alan-weather', alan.id, 'starter', 'Weather dashboard');
    await subscribe('ada-analytics', ada.id, 'starter', 'Analytics engine');
    await subscribe('grace-compiler', grace.id, 'starter', 'Compiler bot', 'suspended');
    const adaGold = { id: await subscribe('ada-analytics-gold', ada.id, 'gold', 'Analytics at scale') };
    const graceGold = { id: await subscribe('grace-nightly-gold', grace.id, 'gold', 'Nightly builds') };
    expect((await server.app.services.subscriptions.get(adaGold.id)).state).toBe('submitted');

    const page = chrome.page;
    await signInAdminInChromium(page, server);
    await clickAndWait(page, page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Subscriptions' }));
    expect(pathOf(page)).toBe('/admin/subscriptions');
    expect(await heading(page)).toBe('Subscriptions');
    // Five, and the built-in all-access subscription.
    expect(await page.locator('table.data tbody tr').count()).toBe(6);
    await screenshot(page, 'admin-subscriptions');

    // Filter on the requests waiting for approval.
    await page.getByLabel('State').selectOption('submitted');
    await clickAndWait(page, page.getByRole('button', { name: 'Filter' }));
    expect(pathOf(page)).toBe('/admin/subscriptions?state=submitted&product=&owner=');
    expect(await page.locator('table.data tbody tr').count()).toBe(2);

    await clickAndWait(page, page.getByRole('link', { name: 'Analytics at scale' }));
    expect(pathOf(page)).toBe(`/admin/subscriptions/${adaGold.id}`);
    expect(await heading(page)).toBe('Analytics at scale');
    await expect(page.getByRole('link', { name: 'Ada Lovelace' }).getAttribute('href')).resolves.toBe('/admin/users/ada');
    expect(await page.getByRole('button', { name: 'Suspend' }).count()).toBe(0);
    await screenshot(page, 'admin-subscription');
    await clickAndWait(page, page.getByRole('button', { name: 'Approve' }));
    expect(new URL(page.url()).pathname).toBe(`/admin/subscriptions/${adaGold.id}`);
    expect(await messages(page)).toContain('Subscription approved: it is active. The owner was emailed');
    await expect(page.locator('dl.details .state').innerText()).resolves.toBe('Active');
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    expect((await emailTo(server, smtp, ada.email, /Gold is active/)).subject).toBe('Your subscription to Gold is active');

    // Reject the other one, with a reason.
    await page.goto(`${server.url}/admin/subscriptions?state=submitted`);
    await clickAndWait(page, page.getByRole('link', { name: 'Nightly builds' }));
    await clickAndWait(page, page.getByRole('link', { name: 'Reject…' }));
    expect(await heading(page)).toBe('Reject the subscription request?');
    // Without a reason the form comes back with the error next to the field (the browser's own
    // check is skipped here, as a browser without it would send the form).
    await page.locator('form[action$="/reject"]').evaluate((form) => form.setAttribute('novalidate', ''));
    await clickAndWait(page, page.getByRole('button', { name: 'Reject' }));
    expect(await messages(page)).toContain('This is required');
    await page.goto(`${server.url}/admin/subscriptions/${graceGold.id}/reject`);
    const reason = 'Gold is for partners. Please use the Starter product for now.';
    await typeInto(page.getByLabel('Reason'), reason);
    await screenshot(page, 'admin-subscription-reject');
    await clickAndWait(page, page.getByRole('button', { name: 'Reject' }));
    expect(new URL(page.url()).pathname).toBe(`/admin/subscriptions/${graceGold.id}`);
    expect(await messages(page)).toContain('Subscription rejected. The owner was emailed the reason.');
    await expect(page.locator('dl.details .state').innerText()).resolves.toBe('Rejected');
    await expect(page.locator('dl.details').innerText()).resolves.toContain(reason);
    expect(await page.locator('main form[action^="/admin/subscriptions/"]').count()).toBe(0);
    const declined = await emailTo(server, smtp, grace.email, /declined/);
    expect(declined.text).toContain(reason);
    expectNoPolicyViolation(chrome.consoleErrors);
  });

  it('creates a management key, shown once, that works; and revokes it', async () => {
    await server.app.services.keys.create('Terraform');
    const page = chrome.page;
    await signInAdminInChromium(page, server);
    await clickAndWait(page, page.getByRole('link', { name: 'Management keys' }));
    expect(pathOf(page)).toBe('/admin/keys');
    await typeInto(page.getByLabel('Name'), 'CI deployments');
    await screenshot(page, 'admin-keys');
    const response = await clickAndWait(page, page.getByRole('button', { name: 'Create key' }));
    expect(response?.status()).toBe(200);
    expect(response?.headers()['cache-control']).toBe('no-store');
    expect(pathOf(page)).toBe('/admin/keys');
    expect(await heading(page)).toBe('Key created');
    expect(await messages(page)).toContain('Copy the key now: it will not be shown again.');
    const key = (await page.locator('#new-key').innerText()).trim();
    expect(key).toMatch(/^tg_[0-9a-f]{24}\.[A-Za-z0-9_-]{43}$/);
    await screenshot(page, 'admin-key-created');
    expect((await server.request('GET', '/users', { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);

    await clickAndWait(page, page.getByRole('link', { name: /back to the keys/ }));
    expect(await page.content()).not.toContain(key);
    await clickAndWait(page, page.getByRole('link', { name: 'Revoke CI deployments', exact: true }));
    expect(await heading(page)).toBe('Revoke the key?');
    await clickAndWait(page, page.getByRole('button', { name: 'Revoke key' }));
    expect(new URL(page.url()).pathname).toBe('/admin/keys');
    expect(await messages(page)).toContain('The key was revoked: calls made with it are refused.');
    expect((await server.request('GET', '/users', { headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
    expect(await page.content()).not.toContain(key);
    expectNoPolicyViolation(chrome.consoleErrors);
  });
});
