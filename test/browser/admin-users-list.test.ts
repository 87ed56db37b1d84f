/**
 * The admin UI's Users list, + Add, + Invite and the bulk actions in real Chromium: searched,
 * filtered, typed into and clicked as an administrator does; the invitation arrives at a real
 * SMTP server and is accepted in the browser.
 *
 * With TOLLGATE_SCREENSHOTS=1 each page is saved to docs/screenshots/ (admin-users*, admin-user-*).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ManualClock } from '../../src/domain/clock.js';
import type { TestServer } from '../helpers/server.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { SKIP_BROWSER_TESTS, clickAndWait, screenshot, typeInto, useChromium } from '../helpers/browser.js';
import { signInAdminInChromium, startAdminServer } from '../helpers/admin.js';
import { expectNoPolicyViolation, messages, pathOf, showEmail, type InPage } from '../helpers/page.js';
import { emailTo } from '../helpers/mail.js';

const ORGANIZATION = 'Contoso';

/** The names in the list, in order. */
async function listedNames(page: Page): Promise<string[]> {
  return (await page.locator('table.users tbody th[scope="row"] a').allInnerTexts()).map((t) => t.trim());
}

async function expectNoHorizontalScroll(page: Page): Promise<void> {
  const { scrollWidth, clientWidth } = await page.evaluate(() => {
    const root = (globalThis as unknown as InPage).document.documentElement;
    return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth };
  });
  expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
}

describe.skipIf(SKIP_BROWSER_TESTS)('admin Users list in Chromium', () => {
  const chrome = useChromium();
  // A clock that stands still, so that the dates on the pages are the same in every screenshot.
  const clock = new ManualClock('2026-03-02T10:00:00.000Z');
  let server: TestServer;
  let smtp: TestSmtpServer;

  async function user(id: string, firstName: string, lastName: string, email: string, state?: 'active' | 'blocked' | 'pending') {
    await server.app.services.users.createOrUpdate(id, { email, firstName, lastName, ...(state ? { state } : {}) }, {});
  }

  async function stateOf(id: string): Promise<string> {
    return (await server.app.services.users.get(id)).state;
  }

  beforeAll(async () => {
    smtp = await startSmtpServer();
    server = await startAdminServer('sqlite', {
      clock,
      env: { SMTP_URL: smtp.url, MAIL_FROM: `${ORGANIZATION} <noreply@contoso.example>`, TOLLGATE_ORGANIZATION_NAME: ORGANIZATION },
    });
    await user('ada', 'Ada', 'Lovelace', 'ada.lovelace@analytical.example');
    await user('charles', 'Charles', 'Babbage', 'charles@analytical.example', 'blocked');
    await user('grace', 'Grace', 'Hopper', 'grace.hopper@navy.example');
    await user('alan', 'Alan', 'Turing', 'alan@bletchley.example', 'pending');
    await user('margaret', 'Margaret', 'Hamilton', 'margaret.hamilton@apollo.example');
    await user('edsger', 'Edsger', 'Dijkstra', 'edsger.w.dijkstra.with.a.rather.long.address@eindhoven-university.example');
    await user('barbara', 'Barbara', 'Liskov', 'barbara@mit.example');
    await server.app.services.groups.addMember('administrators', 'margaret');
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.stop();
  });

  it('lists the users, searches by name or email and filters by state', async () => {
    const page = chrome.page;
    await signInAdminInChromium(page, server);
    await clickAndWait(page, page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Users' }));
    expect(pathOf(page)).toBe('/admin/users');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Users');
    expect(await listedNames(page)).toEqual([
      'Ada Lovelace',
      'Administrator',
      'Alan Turing',
      'Barbara Liskov',
      'Charles Babbage',
      'Edsger Dijkstra',
      'Grace Hopper',
      'Margaret Hamilton',
    ]);
    await expectNoHorizontalScroll(page);
    await screenshot(page, 'admin-users');

    // Sorting by a column header, and back.
    await clickAndWait(page, page.locator('table.users thead').getByRole('link', { name: /^Email/ }));
    expect(pathOf(page)).toBe('/admin/users?sort=email');
    expect((await listedNames(page)).slice(0, 3)).toEqual(['Ada Lovelace', 'Administrator', 'Alan Turing']);
    await clickAndWait(page, page.locator('table.users thead').getByRole('link', { name: /^Email/ }));
    expect(pathOf(page)).toBe('/admin/users?sort=-email');
    expect((await listedNames(page))[0]).toBe('Margaret Hamilton');
    expect(await page.locator('th[aria-sort="descending"]').innerText()).toContain('Email');
    expectNoPolicyViolation(chrome.consoleErrors);
  });

  it('adds a user, showing the errors next to the fields first', async () => {
    const page = chrome.page;
    await signInAdminInChromium(page, server);
    await page.goto(`${server.url}/admin/users`);
    await clickAndWait(page, page.getByRole('link', { name: '+ Add user' }));
    expect(pathOf(page)).toBe('/admin/users/new');
    await screenshot(page, 'admin-user-add');

    await typeInto(page.getByLabel('First name'), 'Ada');
    await typeInto(page.getByLabel('Last name'), 'Byron');
    await typeInto(page.getByLabel('Email address'), 'ADA.LOVELACE@analytical.example');
    await typeInto(page.getByLabel('Note'), 'A second account?');
    const refused = await clickAndWait(page, page.getByRole('button', { name: 'Add user' }));
    expect(refused?.status()).toBe(400);
    expect(await messages(page)).toContain('A user with this email address already exists.');
    expect(await page.getByLabel('Email address').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('First name').inputValue()).toBe('Ada');
    expect(await page.getByLabel('Note').inputValue()).toBe('A second account?');
    await screenshot(page, 'admin-user-add-errors');

    // The summary's link leads to the field.
    await page.getByRole('alert').getByRole('link').first().click();
    await page.getByLabel('Email address').fill('');
    await typeInto(page.getByLabel('Email address'), 'ada.byron@analytical.example');
    await typeInto(page.getByLabel('Password (optional)'), 'Engine of difference 1843');
    const added = await clickAndWait(page, page.getByRole('button', { name: 'Add user' }));
    const id = /^\/admin\/users\/([0-9a-f]{24})$/.exec(new URL(page.url()).pathname)?.[1];
    expect(id, page.url()).toBeTruthy();
    expect(added?.url()).toContain('notice=user-added');
    const created = await server.app.services.users.get(id!);
    expect(created).toMatchObject({ firstName: 'Ada', lastName: 'Byron', email: 'ada.byron@analytical.example', state: 'active', note: 'A second account?' });
    expect(created.groups?.map((g) => g.id)).toEqual(['developers']);
    expectNoPolicyViolation(chrome.consoleErrors);
  });

  it('invites a user: the email arrives, and the user is Pending until they accept it', async () => {
    const page = chrome.page;
    await signInAdminInChromium(page, server);
    await page.goto(`${server.url}/admin/users`);
    await clickAndWait(page, page.getByRole('link', { name: '+ Invite user' }));
    expect(pathOf(page)).toBe('/admin/users/invite');
    await typeInto(page.getByLabel('Email address'), 'hedy.lamarr@example.com');
    await typeInto(page.getByLabel('First name'), 'Hedy');
    await typeInto(page.getByLabel('Last name'), 'Lamarr');
    await screenshot(page, 'admin-user-invite');
    await clickAndWait(page, page.getByRole('button', { name: 'Send invitation' }));
    const id = /^\/admin\/users\/([0-9a-f]{24})$/.exec(new URL(page.url()).pathname)?.[1];
    expect(id, page.url()).toBeTruthy();
    expect(await stateOf(id!)).toBe('pending');

    const mail = await emailTo(server, smtp, 'hedy.lamarr@example.com');
    expect(mail.subject).toBe(`You are invited to join the ${ORGANIZATION} developer portal`);

    await page.goto(`${server.url}/admin/users`);
    await page.getByLabel('State', { exact: true }).selectOption('pending');
    await clickAndWait(page, page.getByRole('button', { name: 'Search' }));
    expect(pathOf(page)).toBe('/admin/users?q=&state=pending');
    expect(await listedNames(page)).toEqual(['Alan Turing', 'Hedy Lamarr']);

    // The invitee accepts in their own browser; the list then shows them Active.
    const invitee = await chrome.newPage();
    await showEmail(invitee, mail);
    await clickAndWait(invitee, invitee.getByRole('link', { name: 'Accept the invitation', exact: true }));
    await typeInto(invitee.getByLabel('Password', { exact: true }), 'Radio frequency hopping');
    await typeInto(invitee.getByLabel('Confirm password', { exact: true }), 'Radio frequency hopping');
    await clickAndWait(invitee, invitee.getByRole('button', { name: 'Activate my account' }));
    expect(await stateOf(id!)).toBe('active');
    await page.reload();
    expect(await listedNames(page)).toEqual(['Alan Turing']);

    // Searching by part of the email address, with the state filter back to all.
    await page.getByLabel('State', { exact: true }).selectOption('');
    await page.getByLabel('Name or email').fill('');
    await typeInto(page.getByLabel('Name or email'), 'ANALYTICAL');
    await clickAndWait(page, page.getByRole('button', { name: 'Search' }));
    expect(await listedNames(page)).toEqual(['Ada Byron', 'Ada Lovelace', 'Charles Babbage']);
    await expectNoHorizontalScroll(page);
    await screenshot(page, 'admin-users-search');
    expectNoPolicyViolation(chrome.consoleErrors);
  });

  it('blocks the selected users, then deletes one after the confirmation page', async () => {
    const page = chrome.page;
    await user('bulk-1', 'Katherine', 'Johnson', 'katherine@bulk.example');
    await user('bulk-2', 'Dorothy', 'Vaughan', 'dorothy@bulk.example');
    await user('bulk-3', 'Mary', 'Jackson', 'mary@bulk.example');
    await signInAdminInChromium(page, server);
    await page.goto(`${server.url}/admin/users?q=bulk.example`);
    expect(await listedNames(page)).toEqual(['Dorothy Vaughan', 'Katherine Johnson', 'Mary Jackson']);

    // "Select all" (the script) ticks every user of the page; one is unticked again.
    await page.getByLabel('Select all users on this page').check();
    for (const name of ['Dorothy Vaughan', 'Katherine Johnson', 'Mary Jackson']) expect(await page.getByLabel(`Select ${name}`).isChecked()).toBe(true);
    await page.getByLabel('Select Mary Jackson').uncheck();
    await page.getByLabel('With the selected users').selectOption('block');
    await clickAndWait(page, page.getByRole('button', { name: 'Apply' }));
    // The result page says what was done, and leads back to the list as it was.
    expect(pathOf(page)).toBe('/admin/users/bulk');
    expect(await messages(page)).toBe('Blocked 2 users.');
    await clickAndWait(page, page.getByRole('link', { name: 'Back to the users' }));
    expect(pathOf(page)).toBe('/admin/users?q=bulk.example');
    expect(await page.locator('table.users tbody .state.blocked').count()).toBe(2);
    expect([await stateOf('bulk-1'), await stateOf('bulk-2'), await stateOf('bulk-3')]).toEqual(['blocked', 'blocked', 'active']);

    await page.getByLabel('Select Mary Jackson').check();
    await page.getByLabel('With the selected users').selectOption('delete');
    await clickAndWait(page, page.getByRole('button', { name: 'Apply' }));
    expect(new URL(page.url()).pathname).toBe('/admin/users/bulk-delete');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Delete 1 user?');
    expect(await page.getByRole('main').innerText()).toContain('mary@bulk.example');
    await page.getByLabel('Also delete their subscriptions').check();
    await expectNoHorizontalScroll(page);
    await screenshot(page, 'admin-users-bulk-delete');
    await clickAndWait(page, page.getByRole('button', { name: 'Delete 1 user' }));
    expect(pathOf(page)).toBe('/admin/users/bulk-delete');
    expect(await messages(page)).toBe('Deleted 1 user.');
    await clickAndWait(page, page.getByRole('link', { name: 'Back to the users' }));
    expect(await listedNames(page)).toEqual(['Dorothy Vaughan', 'Katherine Johnson']);
    expectNoPolicyViolation(chrome.consoleErrors);
  });
});
