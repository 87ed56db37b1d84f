/**
 * Email templates, the outbox and the audit log of the admin UI in real Chromium: a template
 * edited with the live preview (the script posts the form, as it is typed, to the preview's
 * sandboxed iframe, whose document has its own policy: the email's inline styles apply there and
 * only there, with no policy violation), a validation error, a dead email retried, and
 * the audit log searched. With TOLLGATE_SCREENSHOTS=1 each page is saved to docs/screenshots/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ManualClock } from '../../src/domain/clock.js';
import { DEFAULT_MAX_ATTEMPTS } from '../../src/mail/outbox-worker.js';
import type { TestServer } from '../helpers/server.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { SKIP_BROWSER_TESTS, clickAndWait, screenshot, typeInto, useChromium } from '../helpers/browser.js';
import { signInAdminInChromium, startAdminServer } from '../helpers/admin.js';

const ORGANIZATION = 'Contoso';

/** The text of the page's alerts and status messages, whitespace collapsed. */
async function messages(page: Page): Promise<string> {
  const texts = await page.locator('[role="alert"], [role="status"]').allInnerTexts();
  return texts.map((t) => t.replace(/\s+/g, ' ').trim()).join(' | ');
}

/** No Content-Security-Policy violation (nor any script error) on the pages of a test. */
function expectNoPolicyViolation(errors: readonly string[]): void {
  expect(errors.filter((e) => /content security policy|refused to|pageerror/i.test(e))).toEqual([]);
}

/** The preview iframe's document body, as Chromium shows it. */
function previewBody(page: Page) {
  return page.frameLocator('#template-preview-frame').locator('body');
}

describe.skipIf(SKIP_BROWSER_TESTS)('admin UI: email templates, outbox and audit log in Chromium', () => {
  const chrome = useChromium();
  const clock = new ManualClock('2026-03-01T18:00:00.000Z');
  let server: TestServer;
  let smtp: TestSmtpServer;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    server = await startAdminServer('sqlite', {
      clock,
      outboxPollMs: 60_000,
      env: { SMTP_URL: smtp.url, MAIL_FROM: `${ORGANIZATION} <noreply@contoso.example>`, TOLLGATE_ORGANIZATION_NAME: ORGANIZATION },
    });
    // An invitation the SMTP server refuses until the attempts run out: a dead email.
    smtp.refuse({ code: 550, message: 'Mailbox unavailable' });
    await server.request('PUT', '/users/grace', {
      query: { notify: true },
      body: { properties: { email: 'grace.hopper@example.com', firstName: 'Grace', lastName: 'Hopper', confirmation: 'invite' } },
    });
    for (let i = 0; i < DEFAULT_MAX_ATTEMPTS; i++) {
      await server.app.outbox!.runOnce();
      clock.advance(2 * 60 * 60 * 1000);
    }
    smtp.refuse(null);
    await server.app.services.users.createOrUpdate('ada', { email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace', password: 'Violet tundra mosaic 42' }, {});
    clock.set('2026-03-02T10:00:00.000Z');
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.stop();
  });

  const admin = (path: string) => `${server.url}${path}`;

  it('lists the templates and edits one with the live preview', async () => {
    const page = chrome.page;
    await signInAdminInChromium(page, server);
    await page.goto(admin('/admin/templates'));
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Email templates');
    expect(await page.locator('table.data tbody tr').count()).toBe(14);
    await screenshot(page, 'admin-templates');

    await clickAndWait(page, page.getByRole('link', { name: 'Invite user', exact: true }));
    expect(new URL(page.url()).pathname).toBe('/admin/templates/inviteUserNotificationMessage');
    // The edit page keeps the admin policy (no inline style, no fetch); the preview frame has its own.
    const edit = await page.request.get(page.url());
    expect(edit.headers()['content-security-policy']).not.toContain('unsafe-inline');
    expect(edit.headers()['content-security-policy']).not.toContain('connect-src');
    // The preview shows the email with sample values, its inline styles applied.
    await expect.poll(() => previewBody(page).innerText()).toContain('Hello Ada,');
    expect(await previewBody(page).evaluate((b) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(b).backgroundColor)).toBe('rgb(243, 244, 246)');
    expect(await previewBody(page).innerText()).toContain('Subject: You are invited to join the Contoso developer portal');
    // ...and only there: the page's own elements take no inline style.
    expect(await page.locator('main [style]').count()).toBe(0);

    // Typing refreshes the preview (debounced), without saving.
    const subject = page.getByLabel('Subject', { exact: true });
    await subject.clear();
    await typeInto(subject, 'Welcome aboard, $DevFirstName');
    await expect.poll(() => previewBody(page).innerText()).toContain('Subject: Welcome aboard, Ada');
    const body = page.getByLabel(/^Body/);
    const original = await body.inputValue();
    await body.fill(original.replace('Hello#if ($DevFirstName) $DevFirstName#end,', 'Dear $DevFirstName $DevLastName,'));
    await body.focus();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(' ');
    await expect.poll(() => previewBody(page).innerText()).toContain('Dear Ada Lovelace,');
    expect(await messages(page)).toContain('Preview updated');
    expect((await server.app.services.templates.get('inviteUserNotificationMessage')).isDefault).toBe(true);
    await screenshot(page, 'admin-template-edit');

    const saved = await clickAndWait(page, page.getByRole('button', { name: 'Save', exact: true }));
    expect(saved?.status()).toBe(200);
    expect(await messages(page)).toContain('The template was saved.');
    expect((await server.app.services.templates.get('inviteUserNotificationMessage')).subject).toBe('Welcome aboard, $DevFirstName');

    // The next invitation, sent from the admin UI, uses the edited template.
    await page.goto(admin('/admin/users/invite'));
    await typeInto(page.getByLabel('Email address'), 'kim.lee@example.com');
    await typeInto(page.getByLabel('First name'), 'Kim');
    await typeInto(page.getByLabel('Last name'), 'Lee');
    const invited = await clickAndWait(page, page.getByRole('button', { name: 'Send invitation' }));
    expect(invited?.status()).toBe(200);
    await server.app.outbox!.runOnce();
    const mail = smtp.received.find((m) => m.envelopeTo.includes('kim.lee@example.com'));
    expect(mail?.subject).toBe('Welcome aboard, Kim');
    expect(mail?.html).toMatch(/\/invitation\?token=[A-Za-z0-9_-]{43}/);
    expectNoPolicyViolation(chrome.consoleErrors);
  });

  it('shows a validation error next to the body, with what was typed', async () => {
    const page = chrome.page;
    await signInAdminInChromium(page, server);
    await page.goto(admin('/admin/templates/passwordResetIdentityDefault'));
    const body = page.getByLabel(/^Body/);
    const broken = (await body.inputValue()).replace('</h1>', '</h2>').replace('$ConfirmUrl', '$ConfirmLink');
    await body.fill(broken);
    await body.focus();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(' ');
    // The live preview says why it is not updated.
    await expect.poll(() => previewBody(page).innerText()).toContain('Preview not updated');
    expect(await previewBody(page).innerText()).toMatch(/unknown variable \$ConfirmLink/);

    const response = await clickAndWait(page, page.getByRole('button', { name: 'Save', exact: true }));
    expect(response?.status()).toBe(400);
    expect(await page.title()).toMatch(/^Error: /);
    const errors = await page.locator('#template-body-error').innerText();
    expect(errors).toMatch(/Line \d+, column \d+: <\/h2> closes <h1>/);
    expect(errors).toMatch(/unknown variable \$ConfirmLink/);
    expect(await page.getByLabel(/^Body/).inputValue()).toBe(`${broken} `);
    expect(await page.getByLabel(/^Body/).getAttribute('aria-invalid')).toBe('true');
    expect((await server.app.services.templates.get('passwordResetIdentityDefault')).isDefault).toBe(true);
    await screenshot(page, 'admin-template-error');
    expectNoPolicyViolation(chrome.consoleErrors);
  });

  it('retries a dead email from the outbox', async () => {
    const page = chrome.page;
    await signInAdminInChromium(page, server);
    await clickAndWait(page, page.getByRole('link', { name: /could not be sent/ }));
    expect(new URL(page.url()).search).toBe('?status=dead');
    const row = page.locator('table.data tbody tr', { hasText: 'grace.hopper@example.com' });
    expect(await row.locator('.state').innerText()).toBe('Dead');
    expect(await row.innerText()).toContain('550');
    await page.goto(admin('/admin/outbox'));
    await screenshot(page, 'admin-outbox');

    await clickAndWait(page, page.getByRole('button', { name: /Retry the email to grace\.hopper@example\.com/ }));
    expect(await messages(page)).toContain('The email is queued again and will be sent shortly.');
    expect(await page.locator('table.data tbody tr', { hasText: 'grace.hopper@example.com' }).locator('.state').innerText()).toBe('Pending');
    await server.app.outbox!.runOnce();
    expect(smtp.received.some((m) => m.to.includes('grace.hopper@example.com'))).toBe(true);
    await page.reload();
    expect(await page.locator('table.data tbody tr', { hasText: 'grace.hopper@example.com' }).locator('.state').innerText()).toBe('Sent');
    expectNoPolicyViolation(chrome.consoleErrors);
  });

  it('searches the audit log', async () => {
    const page = chrome.page;
    await signInAdminInChromium(page, server);
    await page.goto(admin('/admin/audit'));
    await page.getByLabel('Action', { exact: true }).selectOption('outbox.retried');
    await clickAndWait(page, page.getByRole('button', { name: 'Search', exact: true }));
    expect(new URL(page.url()).searchParams.get('action')).toBe('outbox.retried');
    expect(await page.locator('table.data tbody tr').count()).toBe(1);
    await page.goto(admin('/admin/audit'));
    await typeInto(page.getByLabel('User', { exact: true }), 'grace.hopper@example.com');
    await clickAndWait(page, page.getByRole('button', { name: 'Search', exact: true }));
    const rows = await page.locator('table.data tbody tr').allInnerTexts();
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(rows.every((r) => r.includes('grace'))).toBe(true);
    await clickAndWait(page, page.getByRole('link', { name: 'Clear', exact: true }));
    await screenshot(page, 'admin-audit');
    expectNoPolicyViolation(chrome.consoleErrors);
  });
});
