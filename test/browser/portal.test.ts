/**
 * The developer portal in real Chromium, used like a person uses it: pages opened, fields clicked
 * and typed into, buttons pressed. Emails are delivered to a real SMTP server, opened in the
 * browser, and their links followed by clicking them.
 *
 * With TOLLGATE_SCREENSHOTS=1 each page is also saved, in its main state, to docs/screenshots/.
 * Without Chromium at /usr/bin/chromium the suite is skipped (and fails on CI): see ../helpers/browser.ts.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ManualClock } from '../../src/domain/clock.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { startSmtpServer, type ReceivedEmail, type TestSmtpServer } from '../helpers/smtp.js';
import { SKIP_BROWSER_TESTS, clickAndWait, screenshot, typeInto, typeSignIn, useChromium } from '../helpers/browser.js';
import { expectNoPolicyViolation, heading, messages, pathOf, showEmail, type InPage } from '../helpers/page.js';
import { emailTo } from '../helpers/mail.js';
import { uniqueIds } from '../helpers/ids.js';
import { activeDeveloper } from '../helpers/users.js';

const ORGANIZATION = 'Contoso';

// Every server here starts on an empty database, so plain counters make unique, stable names (and
// the screenshots do not change from one run to the next).
const uniqueId = uniqueIds();

describe.skipIf(SKIP_BROWSER_TESTS)('developer portal in Chromium', () => {
  const chrome = useChromium();
  // A clock that stands still, so that the dates on the pages are the same in every screenshot.
  const clock = new ManualClock('2026-03-02T10:00:00.000Z');
  let server: TestServer;
  let smtp: TestSmtpServer;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    server = await startServer('sqlite', {
      clock,
      env: { SMTP_URL: smtp.url, MAIL_FROM: `${ORGANIZATION} <noreply@contoso.example>`, TOLLGATE_ORGANIZATION_NAME: ORGANIZATION },
    });
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.stop();
  });

  const portal = (path: string) => `${server.url}${path}`;

  /** Opens an email in the browser (as a webmail would show it) and clicks its button. */
  async function followEmailLink(page: Page, mail: ReceivedEmail, button: string, path: string): Promise<void> {
    await showEmail(page, mail);
    const link = page.getByRole('link', { name: button, exact: true });
    expect(await link.getAttribute('href')).toMatch(new RegExp(`^${server.url}${path}\\?token=[A-Za-z0-9_-]{43}$`));
    const response = await clickAndWait(page, link);
    expect(response?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe(path);
  }

  async function signIn(page: Page, email: string, password: string): Promise<number | undefined> {
    if (new URL(page.url()).pathname !== '/signin') await page.goto(portal('/signin'));
    return typeSignIn(page, email, password);
  }

  async function activeUser(names: { firstName?: string; lastName?: string } = {}): Promise<{ id: string; email: string; password: string }> {
    const id = uniqueId('developer');
    const firstName = names.firstName ?? 'Ada';
    const lastName = names.lastName ?? 'Lovelace';
    const email = `${firstName}.${lastName}.${uniqueId.count}@example.com`.toLowerCase();
    return activeDeveloper(server, id, { email, firstName, lastName });
  }

  async function stateOfUser(id: string): Promise<string> {
    const res = await server.request('GET', `/users/${id}`);
    expect(res.status, res.text).toBe(200);
    return res.json.properties.state as string;
  }

  it('shows the home page, and an HTML page for an unknown address', async () => {
    const page = chrome.page;
    const home = await page.goto(portal('/'));
    expect(home?.status()).toBe(200);
    expect(await page.title()).toBe(`Home · ${ORGANIZATION}`);
    expect(await heading(page)).toBe(`Welcome to the ${ORGANIZATION} developer portal`);
    // The stylesheet applied (the header bar is dark), so CSP and the asset route work together.
    const headerColor = await page.locator('header.site-header').evaluate((el) => (globalThis as unknown as InPage).getComputedStyle(el).backgroundColor);
    expect(headerColor).toBe('rgb(17, 24, 39)');
    await screenshot(page, 'home');

    await clickAndWait(page, page.getByRole('main').getByRole('link', { name: 'Sign in' }));
    expect(pathOf(page)).toBe('/signin');
    await screenshot(page, 'signin');

    const missing = await page.goto(portal('/no/such/page'));
    expect(missing?.status()).toBe(404);
    expect(await heading(page)).toBe('Page not found');
    await screenshot(page, 'not-found');
    await clickAndWait(page, page.getByRole('link', { name: 'Go to the home page' }));
    expect(pathOf(page)).toBe('/');
    expectNoPolicyViolation(chrome.consoleErrors);
  });

  it('accepts an invitation sent through the management API: a password, signed in, active', async () => {
    const page = chrome.page;
    const id = uniqueId('invitee');
    const email = 'grace.hopper@example.com';
    const created = await server.request('PUT', `/users/${id}`, {
      query: { notify: true },
      body: { properties: { email, firstName: 'Grace', lastName: 'Hopper <QA> & "Co"', confirmation: 'invite' } },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.json.properties.state).toBe('pending');

    const mail = await emailTo(server, smtp, email);
    expect(mail.subject).toBe(`You are invited to join the ${ORGANIZATION} developer portal`);
    await showEmail(page, mail);
    await screenshot(page, 'email-invitation');
    await followEmailLink(page, mail, 'Accept the invitation', '/invitation');
    expect(await heading(page)).toBe('Welcome, choose a password');
    expect(await page.getByRole('main').innerText()).toContain(`You were invited to the ${ORGANIZATION} developer portal`);
    await screenshot(page, 'invitation');

    const password = 'Copper kettle whistle';
    await typeInto(page.getByLabel('Password', { exact: true }), password);
    await typeInto(page.getByLabel('Confirm password', { exact: true }), password);
    const done = await clickAndWait(page, page.getByRole('button', { name: 'Activate my account' }));
    expect(done?.status()).toBe(200);
    expect(pathOf(page)).toBe('/profile?notice=welcome');
    expect(await heading(page)).toBe('Your profile');
    const details = await page.locator('dl.details').innerText();
    expect(details).toContain(email);
    // The name is shown as text, markup characters and all.
    expect(details).toContain('Grace Hopper <QA> & "Co"');
    expect(details).toContain('March 2, 2026');
    expect(await page.locator('dl.details b, dl.details QA').count()).toBe(0);
    expect(await page.getByRole('navigation', { name: 'Account' }).getByRole('button', { name: 'Sign out' }).isVisible()).toBe(true);
    await screenshot(page, 'profile');
    expect(await stateOfUser(id)).toBe('active');

    // Signing out, and back in with the chosen password.
    await clickAndWait(page, page.getByRole('button', { name: 'Sign out' }));
    expect(pathOf(page)).toBe('/?notice=signed-out');
    expect(await messages(page)).toBe('You are signed out.');
    expect(await signIn(page, email, password)).toBe(200);
    expect(pathOf(page)).toBe('/profile');
    expectNoPolicyViolation(chrome.consoleErrors);
  });

  it('signs in with the right password, and says so on the page for a wrong one, keeping the email', async () => {
    const page = chrome.page;
    const user = await activeUser();

    expect(await signIn(page, user.email, 'not the password at all')).toBe(401);
    expect(pathOf(page)).toBe('/signin');
    expect(await messages(page)).toContain('The email address or password is incorrect.');
    expect(await page.getByLabel('Email address', { exact: true }).inputValue()).toBe(user.email);
    expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('');
    await screenshot(page, 'signin-error');

    // Only the password needs typing again.
    await typeInto(page.getByLabel('Password', { exact: true }), user.password);
    const response = await clickAndWait(page, page.getByRole('button', { name: 'Sign in', exact: true }));
    expect(response?.status()).toBe(200);
    expect(pathOf(page)).toBe('/profile');
    expect(await page.locator('dl.details').innerText()).toContain(user.email);
    expectNoPolicyViolation(chrome.consoleErrors);
  });

  it('resets a forgotten password from the emailed link; the old password stops working', async () => {
    const page = chrome.page;
    const user = await activeUser({ firstName: 'Katherine', lastName: 'Johnson' });
    await page.goto(portal('/signin'));
    await clickAndWait(page, page.getByRole('link', { name: 'Forgot your password?' }));
    expect(pathOf(page)).toBe('/forgot-password');
    await screenshot(page, 'forgot-password');
    await typeInto(page.getByLabel('Email address', { exact: true }), user.email);
    await clickAndWait(page, page.getByRole('button', { name: 'Send me a link' }));
    expect(pathOf(page)).toBe('/forgot-password/sent');
    expect(await messages(page)).toContain('If an account exists for that address, we sent a link to it.');
    await screenshot(page, 'forgot-password-sent');

    const mail = await emailTo(server, smtp, user.email);
    expect(mail.subject).toBe(`Reset your ${ORGANIZATION} password`);
    await followEmailLink(page, mail, 'Choose a new password', '/reset-password');
    expect(await heading(page)).toBe('Choose a new password');
    await screenshot(page, 'reset-password');
    const fresh = 'Fresh start every morning';
    await typeInto(page.getByLabel('New password', { exact: true }), fresh);
    await typeInto(page.getByLabel('Confirm new password', { exact: true }), fresh);
    await clickAndWait(page, page.getByRole('button', { name: 'Change my password' }));
    expect(pathOf(page)).toBe('/signin?notice=password-reset');
    expect(await messages(page)).toContain('Your password was changed; sign in with the new one.');

    expect(await signIn(page, user.email, user.password)).toBe(401);
    expect(await signIn(page, user.email, fresh)).toBe(200);
    expect(pathOf(page)).toBe('/profile');

    // The link was used up.
    const again = await chrome.newPage();
    await showEmail(again, mail);
    await clickAndWait(again, again.getByRole('link', { name: 'Choose a new password', exact: true }));
    expect(await heading(again)).toBe('This link has already been used');
    expectNoPolicyViolation(chrome.consoleErrors);
  });

  it('throws a blocked developer out of an open session, and refuses the next sign-in', async () => {
    const page = chrome.page;
    const user = await activeUser({ firstName: 'Alan', lastName: 'Turing' });
    expect(await signIn(page, user.email, user.password)).toBe(200);
    expect(pathOf(page)).toBe('/profile');

    const blocked = await server.request('PATCH', `/users/${user.id}`, { headers: { 'if-match': '*' }, body: { properties: { state: 'blocked' } } });
    expect(blocked.status, blocked.text).toBe(200);
    expect(blocked.json.properties.state).toBe('blocked');

    await page.reload();
    expect(pathOf(page)).toBe('/signin?notice=session-ended');
    expect(await messages(page)).toContain('Your session has ended. Sign in again to continue.');
    expect(await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Sign in' }).isVisible()).toBe(true);
    expect((await chrome.context.cookies()).some((c) => c.name === 'tg_session')).toBe(false);

    // Navigating to the profile by hand ends up on the sign-in page too.
    await page.goto(portal('/profile'));
    expect(pathOf(page)).toBe('/signin');

    expect(await signIn(page, user.email, user.password)).toBe(403);
    expect(pathOf(page)).toBe('/signin');
    expect(await messages(page)).toContain('This account cannot sign in. Contact the administrator of this portal.');
    await screenshot(page, 'signin-not-active');
    expectNoPolicyViolation(chrome.consoleErrors);
  });

  it('signs up, chooses the password behind the emailed link, and is signed in', async () => {
    const page = chrome.page;
    const email = 'mary.jackson@example.com';
    const password = 'Orbital mechanics rule';
    await page.goto(portal('/'));
    await clickAndWait(page, page.getByRole('main').getByRole('link', { name: 'Sign up' }));
    expect(pathOf(page)).toBe('/signup');
    await screenshot(page, 'signup');

    await typeInto(page.getByLabel('First name'), 'Mary');
    await typeInto(page.getByLabel('Email address'), email);
    // Past the browser's own checks (a script-less client, or an older browser): the server's answer.
    await page.locator('form[action="/signup"]').evaluate((form) => form.setAttribute('novalidate', ''));
    const refused = await clickAndWait(page, page.getByRole('button', { name: 'Create my account' }));
    expect(refused?.status()).toBe(400);
    expect(await messages(page)).toContain('Enter your last name.');
    // What was typed is kept.
    expect(await page.getByLabel('First name').inputValue()).toBe('Mary');
    expect(await page.getByLabel('Email address').inputValue()).toBe(email);
    await screenshot(page, 'signup-errors');

    // The error summary links to the field in error.
    await page.getByRole('alert').getByRole('link', { name: 'Enter your last name.' }).click();
    expect(await page.evaluate(() => (globalThis as unknown as InPage).document.activeElement?.id)).toBe('signup-last-name');

    await typeInto(page.getByLabel('Last name'), 'Jackson');
    await clickAndWait(page, page.getByRole('button', { name: 'Create my account' }));
    expect(pathOf(page)).toBe('/signup/check-email');
    expect(await heading(page)).toBe('Check your email');
    await screenshot(page, 'signup-check-email');
    const user = (await server.app.store.users.findLiveUserByEmail(email))!;
    expect(await stateOfUser(user.id)).toBe('pending');

    const mail = await emailTo(server, smtp, email);
    expect(mail.subject).toBe(`Please confirm your new ${ORGANIZATION} account`);
    await followEmailLink(page, mail, 'Confirm my email address', '/confirm/signup');
    expect(await heading(page)).toBe('Activate your account');
    await screenshot(page, 'confirm-signup');
    // Opening the link changed nothing; choosing the password does.
    expect(await stateOfUser(user.id)).toBe('pending');
    await typeInto(page.getByLabel('Password', { exact: true }), password);
    await typeInto(page.getByLabel('Confirm password', { exact: true }), password);
    await clickAndWait(page, page.getByRole('button', { name: 'Activate my account' }));
    expect(pathOf(page)).toBe('/profile?notice=welcome');
    expect(await messages(page)).toContain('Your account is active and you are signed in.');
    expect(await stateOfUser(user.id)).toBe('active');
    expect(await page.locator('dl.details').innerText()).toContain('Mary Jackson');

    await clickAndWait(page, page.getByRole('button', { name: 'Sign out' }));
    expect(await signIn(page, email, password)).toBe(200);
    expect(pathOf(page)).toBe('/profile');
    expectNoPolicyViolation(chrome.consoleErrors);
  });

  it('refuses a signed-in form whose token was tampered with, and changes nothing', async () => {
    const page = chrome.page;
    const user = await activeUser();
    expect(await signIn(page, user.email, user.password)).toBe(200);

    const form = page.locator('form[action="/profile/password"]');
    await typeInto(form.getByLabel('Current password'), user.password);
    await typeInto(form.getByLabel('New password', { exact: true }), 'Brand new secret phrase');
    await typeInto(form.getByLabel('Confirm new password'), 'Brand new secret phrase');
    const token = form.locator('input[name="_csrf"]');
    const original = await token.inputValue();
    expect(original).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Same length and alphabet, one character different.
    const forged = original.slice(0, -1) + (original.endsWith('A') ? 'B' : 'A');
    await token.evaluate((input, value) => {
      (input as unknown as { value: string }).value = value;
    }, forged);
    expect(await token.inputValue()).toBe(forged);

    const refused = await clickAndWait(page, form.getByRole('button', { name: 'Change my password' }));
    expect(refused?.status()).toBe(403);
    expect(pathOf(page)).toBe('/profile/password');
    expect(await heading(page)).toBe('The form expired');
    expect(await messages(page)).toBe('The form expired, please try again.');
    expect(await page.content()).not.toContain('Brand new secret phrase');
    await screenshot(page, 'csrf-refused');
    await clickAndWait(page, page.getByRole('link', { name: 'Try again' }));
    expect(pathOf(page)).toBe('/profile');
    expectNoPolicyViolation(chrome.consoleErrors);

    // The password did not change: the old one signs in elsewhere, the new one does not.
    const other = await chrome.newPage();
    expect(await signIn(other, user.email, 'Brand new secret phrase')).toBe(401);
    expect(await signIn(other, user.email, user.password)).toBe(200);
    expect(pathOf(other)).toBe('/profile');
  });

  it('greets a signed-in developer on the home page', async () => {
    const page = chrome.page;
    const user = await activeUser({ firstName: 'Dorothy', lastName: 'Vaughan' });
    expect(await signIn(page, user.email, user.password)).toBe(200);
    await clickAndWait(page, page.getByRole('link', { name: ORGANIZATION, exact: true }));
    expect(pathOf(page)).toBe('/');
    expect(await heading(page)).toBe('Welcome, Dorothy');
    expect(await page.getByRole('main').innerText()).toContain(`signed in to the ${ORGANIZATION} developer portal as ${user.email}`);
    await screenshot(page, 'home-signed-in');
    await clickAndWait(page, page.getByRole('link', { name: 'Go to my profile' }));
    expect(pathOf(page)).toBe('/profile');
    expectNoPolicyViolation(chrome.consoleErrors);
  });

  // KNOWN BUG (reported; remove `.fails` once fixed): on the signed-in home page the email address
  // (<strong>) and the first name (<h1>) do not wrap, so a long one runs out of the 420px card on a
  // desktop, and out of the screen on a phone (the page then scrolls sideways). Only the profile's
  // <dd> has `overflow-wrap: anywhere` in src/http/portal/assets.ts.
  it('keeps a long email address and name inside the card on the signed-in home page', async () => {
    const page = chrome.page;
    const id = uniqueId('long');
    const email = `katherine.coleman.goble.johnson.${uniqueId.count}@flight-research-division.langley.example.com`;
    const password = 'Trajectories by hand 1962';
    await server.app.services.users.createOrUpdate(id, { email, firstName: 'Wolfeschlegelsteinhausenbergerdorff', lastName: 'Senior', password }, {});
    expect(await signIn(page, email, password)).toBe(200);
    const overflow = async () =>
      page.evaluate(() => {
        const d = (globalThis as unknown as InPage).document;
        const card = d.querySelector('main .card');
        return {
          card: card ? card.scrollWidth - card.clientWidth : -1,
          page: d.documentElement.scrollWidth - d.documentElement.clientWidth,
        };
      });
    await page.goto(portal('/profile'));
    expect(await overflow()).toEqual({ card: 0, page: 0 });
    await page.goto(portal('/'));
    const desktop = await overflow();
    await page.setViewportSize({ width: 360, height: 740 });
    const phone = await overflow();
    expect({ desktop, phone }).toEqual({ desktop: { card: 0, page: 0 }, phone: { card: 0, page: 0 } });
  });

  describe('a form posted from another site', () => {
    let evil: Server;
    let evilPort: number;
    /** The page the other site serves: a form to the portal's /profile/close that submits itself. */
    let evilPage = '';

    beforeAll(async () => {
      evil = createServer((_request, response) => {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        response.end(evilPage);
      });
      await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
      const address = evil.address();
      evilPort = typeof address === 'object' && address ? address.port : 0;
    });

    afterAll(async () => {
      await new Promise<void>((resolve) => evil.close(() => resolve()));
    });

    function attack(fields: Record<string, string>): string {
      const inputs = Object.entries(fields)
        .map(([name, value]) => `<input type="hidden" name="${name}" value="${value.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`)}">`)
        .join('\n');
      return `<!DOCTYPE html><html><head><title>Win a prize</title></head><body>
<form method="post" action="${portal('/profile/close')}">${inputs}</form>
<script>document.forms[0].submit();</script>
</body></html>`;
    }

    /** Opens the other site's page and returns the portal's answer to the form it submits. */
    async function visit(page: Page, origin: string): Promise<number> {
      const answered = page.waitForResponse((r) => r.url() === portal('/profile/close') && r.request().method() === 'POST');
      await page.goto(`${origin}/`);
      const response = await answered;
      await page.waitForLoadState('load');
      return response.status();
    }

    it('refuses it, and the account stays open', async () => {
      const page = chrome.page;
      const user = await activeUser();
      expect(await signIn(page, user.email, user.password)).toBe(200);
      // The attacker even knows the password; what it cannot know is the form token.
      evilPage = attack({ _csrf: 'x'.repeat(43), currentPassword: user.password, confirm: 'yes' });

      // Another port of the same host: the browser sends the session cookie (same site), and the
      // portal refuses the foreign Origin (and the wrong token).
      const sameSite = await visit(page, `http://127.0.0.1:${evilPort}`);
      expect(sameSite).toBe(403);
      expect(pathOf(page)).toBe('/profile/close');
      expect(await heading(page)).toBe('The form expired');
      expect(await stateOfUser(user.id)).toBe('active');

      // Another site altogether (localhost is not 127.0.0.1 to the browser): the SameSite=Lax
      // session cookie stays home, so the form reaches the portal signed out and is sent to sign in
      // (303); the browser then follows with a top-level GET, which does carry the cookie, and
      // /signin passes the still signed-in developer on to the profile.
      const crossSite = await visit(page, `http://localhost:${evilPort}`);
      expect(crossSite).toBe(303);
      expect(pathOf(page)).toBe('/profile');
      expect(await stateOfUser(user.id)).toBe('active');

      // The developer is still signed in, and can still sign in.
      await page.goto(portal('/profile'));
      expect(pathOf(page)).toBe('/profile');
      const other = await chrome.newPage();
      expect(await signIn(other, user.email, user.password)).toBe(200);
    });
  });
});

describe.skipIf(SKIP_BROWSER_TESTS)('developer portal links over time in Chromium', () => {
  const chrome = useChromium();
  const clock = new ManualClock('2026-03-01T09:00:00.000Z');
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer('sqlite', { clock, env: { TOLLGATE_ORGANIZATION_NAME: ORGANIZATION } });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('shows an expired invitation link with a way to get a new one', async () => {
    const page = chrome.page;
    const id = uniqueId('late');
    await server.app.services.users.createOrUpdate(id, { email: `${id}@example.com`, firstName: 'Late', lastName: 'Comer', confirmation: 'invite' }, {});
    const { token } = await server.app.services.tokens.issue(server.app.store, id, 'invitation');
    const link = `${server.url}/invitation?token=${token}`;
    expect((await page.goto(link))?.status()).toBe(200);

    clock.advance(49 * 60 * 60 * 1000);
    const expired = await page.goto(link);
    expect(expired?.status()).toBe(410);
    expect(await heading(page)).toBe('This link has expired');
    await screenshot(page, 'link-expired');

    const before = (await server.app.store.outbox.listOutbox(id)).length;
    await clickAndWait(page, page.getByRole('button', { name: 'Send me a new invitation' }));
    expect(pathOf(page)).toBe('/resend/sent');
    expect(await messages(page)).toContain('If the account is still waiting, we sent a new link');
    expect((await server.app.store.outbox.listOutbox(id)).length).toBe(before + 1);
    expectNoPolicyViolation(chrome.consoleErrors);
  });
});
