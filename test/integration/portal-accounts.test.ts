/**
 * The developer portal's account pages over real HTTP, as a browser without JavaScript uses them:
 * cookies kept by hand, redirects not followed, forms posted with their hidden fields.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { ManualClock } from '../../src/domain/clock.js';
import { BACKENDS, startServer, type TestServer } from '../helpers/server.js';
import { Browser, hiddenFields, messages, type Res } from '../helpers/portal-browser.js';
import { uniqueIds } from '../helpers/ids.js';
import { activeDeveloper, type TestUser } from '../helpers/users.js';

const CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const unique = uniqueIds(3);

function activeUser(server: TestServer, names: { firstName?: string; lastName?: string } = {}): Promise<TestUser> {
  return activeDeveloper(server, unique('portal'), names);
}

async function invitedUser(server: TestServer): Promise<{ id: string; email: string }> {
  const id = unique('portal-inv');
  const email = `${id}@example.com`;
  await server.app.services.users.createOrUpdate(id, { email, firstName: 'Grace', lastName: 'Hopper', confirmation: 'invite' }, {});
  return { id, email };
}

async function mint(server: TestServer, userId: string, purpose: 'invitation' | 'signup' | 'password-reset' | 'email-change', data?: Record<string, string>): Promise<string> {
  return (await server.app.services.tokens.issue(server.app.store, userId, purpose, data)).token;
}

function expectPage(res: Res, status = 200): void {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(res.headers.get('content-security-policy')).toBe(CSP);
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(res.text.startsWith('<!DOCTYPE html>')).toBe(true);
  expect(res.text).toContain('<html lang="en">');
  expect(res.text).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  expect(res.text).toMatch(/<title>[^<]+<\/title>/);
  expect(res.text).toContain('<main id="main">');
  expect(res.text).not.toMatch(/ style="|<script/i);
  // Every input is labelled.
  for (const m of res.text.matchAll(/<input id="([^"]+)"/g)) expect(res.text).toContain(`<label for="${m[1]}">`);
}

describe.each(BACKENDS)('developer portal account pages (%s)', (backend) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer(backend);
  });

  afterAll(async () => {
    await server?.close();
  });

  describe('pages and plumbing', () => {
    it('renders every anonymous page as accessible HTML with the security headers', async () => {
      const browser = new Browser(server);
      for (const path of ['/', '/signin', '/signup', '/forgot-password', '/signup/check-email', '/forgot-password/sent', '/resend/sent']) {
        const res = await browser.get(path);
        expectPage(res);
      }
      const signin = await browser.get('/signin');
      expect(signin.text).toContain('autocomplete="email"');
      expect(signin.text).toContain('autocomplete="current-password"');
      expect(signin.text).toContain('href="/forgot-password"');
      const signup = await browser.get('/signup');
      for (const ac of ['given-name', 'family-name', 'email']) expect(signup.text).toContain(`autocomplete="${ac}"`);
      // No password at sign-up: it is chosen behind the emailed link, by the mailbox's owner only.
      expect(signup.text).not.toContain('type="password"');
    });

    it('renders the link pages for valid tokens, and the profile when signed in', async () => {
      const user = await activeUser(server);
      const invited = await invitedUser(server);
      const pages = [
        `/invitation?token=${await mint(server, invited.id, 'invitation')}`,
        `/confirm/signup?token=${await mint(server, invited.id, 'signup')}`,
        `/reset-password?token=${await mint(server, user.id, 'password-reset')}`,
        `/confirm/email?token=${await mint(server, user.id, 'email-change', { email: `new-${user.email}` })}`,
      ];
      const browser = new Browser(server);
      for (const path of pages) expectPage(await browser.get(path));
      await browser.signIn(user.email, user.password);
      const profile = await browser.get('/profile');
      expectPage(profile);
      expect(profile.text).toContain(user.email);
      expect(profile.text).toContain('Sign out');
    });

    it('serves the stylesheet', async () => {
      const res = await fetch(`${server.url}/assets/portal.css`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/css; charset=utf-8');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await res.text()).toContain('font-family: system-ui');
      const again = await fetch(`${server.url}/assets/portal.css`, { headers: { 'if-none-match': res.headers.get('etag')! } });
      expect(again.status).toBe(304);
    });

    it('answers an unknown page with an HTML 404, and leaves the management API its JSON 404', async () => {
      const browser = new Browser(server);
      const page = await browser.get('/no/such/page');
      expectPage(page, 404);
      expect(page.text).toContain('Page not found');
      const api = await browser.get('/subscriptions/x/nothing');
      expect(api.status).toBe(404);
      expect(api.headers.get('content-type')).toMatch(/^application\/json/);
      expect(JSON.parse(api.text).error.code).toBe('ResourceNotFound');
      const nonBrowser = await fetch(`${server.url}/no/such/page`);
      expect(nonBrowser.status).toBe(404);
      expect(nonBrowser.headers.get('content-type')).toMatch(/^application\/json/);
    });

    it('refuses forms it cannot read: repeated fields (400), JSON (415), too large (413)', async () => {
      const browser = new Browser(server);
      await browser.get('/signin');
      const token = browser.cookie('tg_csrf')!;
      const repeated = await browser.request('POST', '/signin', { form: `_csrf=${token}&email=a%40example.com&email=b%40example.com&password=x` });
      expectPage(repeated, 400);
      const json = await browser.request('POST', '/signin', { form: JSON.stringify({ _csrf: token }), headers: { 'content-type': 'application/json' } });
      expectPage(json, 415);
      const large = await browser.request('POST', '/signin', { form: `_csrf=${token}&email=${'a'.repeat(20_000)}` });
      expectPage(large, 413);
    });
  });

  describe('sign-in and sign-out', () => {
    it('signs in with a fresh HttpOnly, SameSite session cookie each time', async () => {
      const user = await activeUser(server);
      const browser = new Browser(server);
      const first = await browser.signIn(user.email, user.password);
      expect(first.location).toBe('/profile');
      const cookie = first.setCookies.find((c) => c.startsWith('tg_session='))!;
      expect(cookie).toMatch(/; HttpOnly/);
      expect(cookie).toMatch(/; SameSite=Lax/);
      expect(cookie).toMatch(/; Path=\//);
      expect(cookie).not.toMatch(/Secure/); // PUBLIC_URL is http in the tests
      const firstId = browser.cookie('tg_session')!;
      expect((await browser.get('/profile')).status).toBe(200);

      // Signed in, /signin sends the browser on; a sign-in posted anyway gets a new session.
      expect((await browser.get('/signin')).location).toBe('/profile');
      const second = await browser.post('/signin', { _csrf: browser.cookie('tg_csrf')!, email: user.email, password: user.password });
      expect(second.status).toBe(303);
      const secondId = browser.cookie('tg_session')!;
      expect(secondId).not.toBe(firstId);
      // The replaced session is over.
      expect(await server.app.services.sessions.resolve(firstId)).toBeUndefined();
      expect(await server.app.services.sessions.resolve(secondId)).toBeDefined();
    });

    it('says the same thing, with the same status, for a wrong password and an unknown email', async () => {
      const user = await activeUser(server);
      const wrong = await new Browser(server).submit('/signin', '/signin', { email: user.email, password: 'not the password at all' });
      const unknown = await new Browser(server).submit('/signin', '/signin', { email: `nobody-${user.email}`, password: 'not the password at all' });
      expectPage(wrong, 401);
      expectPage(unknown, 401);
      expect(messages(wrong.text)).toBe('The email address or password is incorrect.');
      expect(messages(unknown.text)).toBe(messages(wrong.text));
      expect(wrong.setCookies.some((c) => c.startsWith('tg_session='))).toBe(false);
      // The email stays in the form, the password does not.
      expect(wrong.text).toContain(`value="${user.email}"`);
      expect(wrong.text).not.toContain('not the password at all');
    });

    it('locks an account after repeated failures (429)', async () => {
      const user = await activeUser(server);
      const browser = new Browser(server);
      let last: Res | undefined;
      for (let i = 0; i < 5; i++) last = await browser.submit('/signin', '/signin', { email: user.email, password: 'wrong password again' });
      expectPage(last!, 429);
      expect(messages(last!.text)).toContain('Too many failed sign-ins');
      const locked = await browser.submit('/signin', '/signin', { email: user.email, password: user.password });
      expect(locked.status).toBe(429);
    });

    it('refuses a pending account with its own message (403)', async () => {
      const id = `portal-pending-${randomBytes(3).toString('hex')}`;
      const email = `${id}@example.com`;
      const password = 'Quartz lantern meadow 42';
      await server.app.services.users.createOrUpdate(id, { email, firstName: 'P', lastName: 'Ending', password, confirmation: 'signup' }, {});
      const res = await new Browser(server).submit('/signin', '/signin', { email, password });
      expectPage(res, 403);
      expect(messages(res.text)).toContain('not confirmed yet');
    });

    it('goes back to a local returnTo, and refuses one that leaves the site', async () => {
      const user = await activeUser(server);
      const browser = new Browser(server);
      const guarded = await browser.get('/profile');
      expect(guarded.status).toBe(303);
      expect(guarded.location).toBe('/signin');

      const local = await browser.submit('/signin?returnTo=%2Fprofile%3Fx%3D1', '/signin', { email: user.email, password: user.password });
      expect(local.location).toBe('/profile?x=1');

      for (const evil of ['//evil.example', '/\\evil.example', 'https://evil.example/', '/\r//evil.example', '/\t/evil.example']) {
        const other = new Browser(server);
        const page = await other.get(`/signin?returnTo=${encodeURIComponent(evil)}`);
        expect(page.text).not.toContain('evil.example');
        const forged = await other.post('/signin', { ...hiddenFields(page.text, '/signin'), returnTo: evil, email: user.email, password: user.password });
        expect(forged.status).toBe(303);
        expect(forged.location).toBe('/profile');
      }
    });

    it('signs out: the session ends and the cookie is cleared', async () => {
      const user = await activeUser(server);
      const browser = new Browser(server);
      await browser.signIn(user.email, user.password);
      const id = browser.cookie('tg_session')!;
      const out = await browser.submit('/profile', '/signout');
      expect(out.status).toBe(303);
      expect(out.location).toBe('/?notice=signed-out');
      expect(out.setCookies.find((c) => c.startsWith('tg_session='))).toMatch(/Max-Age=0/);
      expect(browser.cookie('tg_session')).toBeUndefined();
      expect(await server.app.services.sessions.resolve(id)).toBeUndefined();
      expect((await browser.get('/profile')).status).toBe(303);
    });
  });

  describe('CSRF, origin and guards', () => {
    it('refuses an anonymous form without the token or with a wrong one, and signs nobody in', async () => {
      const user = await activeUser(server);
      const browser = new Browser(server);
      await browser.get('/signin');
      const forms: Record<string, string>[] = [
        { email: user.email, password: user.password },
        { _csrf: 'x'.repeat(43), email: user.email, password: user.password },
      ];
      for (const form of forms) {
        const res = await browser.post('/signin', form);
        expectPage(res, 403);
        expect(messages(res.text)).toBe('The form expired, please try again.');
        expect(res.setCookies.some((c) => c.startsWith('tg_session='))).toBe(false);
      }
      // The right token without its cookie is refused too (double submit).
      const page = await new Browser(server).get('/signin');
      const stranger = new Browser(server);
      const res = await stranger.post('/signin', { ...hiddenFields(page.text, '/signin'), email: user.email, password: user.password });
      expect(res.status).toBe(403);
    });

    it('refuses a signed-in form without the session token, and changes nothing', async () => {
      const user = await activeUser(server);
      const browser = new Browser(server);
      await browser.signIn(user.email, user.password);
      const anonymousToken = browser.cookie('tg_csrf')!;
      for (const token of [undefined, anonymousToken, 'a'.repeat(43)]) {
        const res = await browser.post('/profile/password', {
          ...(token ? { _csrf: token } : {}),
          currentPassword: user.password,
          newPassword: 'Brand new secret phrase',
          newPasswordConfirm: 'Brand new secret phrase',
        });
        expectPage(res, 403);
        expect(messages(res.text)).toBe('The form expired, please try again.');
        const close = await browser.post('/profile/close', { ...(token ? { _csrf: token } : {}), currentPassword: user.password, confirm: 'yes' });
        expect(close.status).toBe(403);
      }
      expect((await server.app.store.users.findUser(user.id))!.state).toBe('active');
      await new Browser(server).signIn(user.email, user.password);
    });

    it('refuses a form posted from another origin, even with the right token', async () => {
      const user = await activeUser(server);
      const browser = new Browser(server);
      const cross = await browser.submit('/signin', '/signin', { email: user.email, password: user.password }, { origin: 'https://evil.example' });
      expectPage(cross, 403);
      const site = await browser.submit('/signin', '/signin', { email: user.email, password: user.password }, { 'sec-fetch-site': 'cross-site' });
      expect(site.status).toBe(403);
      const own = await browser.submit('/signin', '/signin', { email: user.email, password: user.password }, { origin: server.url });
      expect(own.status).toBe(303);
      // A no-referrer page posts with `Origin: null`; the token decides.
      const opaque = await new Browser(server).submit('/signin', '/signin', { email: user.email, password: user.password }, { origin: 'null' });
      expect(opaque.status).toBe(303);
    });

    it('redirects signed-in pages to /signin without a session', async () => {
      const browser = new Browser(server);
      for (const path of ['/profile']) {
        const res = await browser.get(path);
        expect(res.status).toBe(303);
        expect(res.location).toBe('/signin');
      }
      await browser.get('/signin');
      const token = browser.cookie('tg_csrf')!;
      for (const path of ['/profile/password', '/profile/email', '/profile/close']) {
        const res = await browser.post(path, { _csrf: token });
        expect(res.status).toBe(303);
        expect(res.location).toBe('/signin');
      }
      const bogus = new Browser(server);
      bogus.jar.set('tg_session', 'not-a-session');
      const res = await bogus.get('/profile');
      expect(res.status).toBe(303);
      expect(bogus.cookie('tg_session')).toBeUndefined();
    });

    it('signs a blocked developer out at the next request', async () => {
      const user = await activeUser(server);
      const browser = new Browser(server);
      await browser.signIn(user.email, user.password);
      expect((await browser.get('/profile')).status).toBe(200);
      await server.app.services.users.update(user.id, { state: 'blocked' }, '*');
      const res = await browser.get('/profile');
      expect(res.status).toBe(303);
      expect(res.location).toBe('/signin?notice=session-ended');
      expect(messages((await browser.get(res.location!)).text)).toContain('Your session has ended');
      const again = await browser.submit('/signin', '/signin', { email: user.email, password: user.password });
      expect(again.status).toBe(403);
    });
  });

  describe('links from emails', () => {
    it('accepts an invitation: a password, an active account, signed in; the link works once', async () => {
      const invited = await invitedUser(server);
      const token = await mint(server, invited.id, 'invitation');
      const browser = new Browser(server);
      const page = await browser.get(`/invitation?token=${token}`);
      expectPage(page);
      expect(page.text).toContain('Welcome, choose a password');

      const mismatch = await browser.post('/invitation', { ...hiddenFields(page.text, '/invitation'), password: 'Copper kettle whistle', passwordConfirm: 'Copper kettle whistles' });
      expectPage(mismatch, 400);
      expect(mismatch.text).toContain('The two passwords do not match.');
      expect(mismatch.text).not.toContain('Copper kettle');

      const weak = await browser.post('/invitation', { ...hiddenFields(page.text, '/invitation'), password: 'password', passwordConfirm: 'password' });
      expectPage(weak, 400);
      expect(weak.text).toContain('too common');

      const accepted = await browser.post('/invitation', { ...hiddenFields(page.text, '/invitation'), password: 'Copper kettle whistle', passwordConfirm: 'Copper kettle whistle' });
      expect(accepted.status, accepted.text).toBe(303);
      expect(accepted.location).toBe('/profile?notice=welcome');
      expect(browser.cookie('tg_session')).toBeDefined();
      const profile = await browser.get('/profile');
      expect(profile.status).toBe(200);
      expect(profile.text).toContain(invited.email);
      expect((await server.app.store.users.findUser(invited.id))!.state).toBe('active');
      await new Browser(server).signIn(invited.email, 'Copper kettle whistle');

      const reused = await new Browser(server).get(`/invitation?token=${token}`);
      expectPage(reused, 410);
      expect(reused.text).toContain('This link has already been used');
      expect(reused.text).toContain('href="/signin"');
      const replayed = await browser.post('/invitation', { ...hiddenFields(page.text, '/invitation'), password: 'Another fine phrase', passwordConfirm: 'Another fine phrase' });
      expect(replayed.status).toBe(410);
      await new Browser(server).signIn(invited.email, 'Copper kettle whistle');
    });

    it('says when a link is not valid', async () => {
      const browser = new Browser(server);
      for (const path of ['/invitation?token=nope', '/confirm/signup', '/reset-password?token=', `/confirm/email?token=${'x'.repeat(500)}`]) {
        const res = await browser.get(path);
        expectPage(res, 404);
        expect(res.text).toContain('This link is not valid');
      }
    });

    it('confirms a sign-up only with the password chosen behind the link (a GET uses nothing)', async () => {
      const browser = new Browser(server);
      const email = `signup-${randomBytes(4).toString('hex')}@example.com`;
      const created = await browser.submit('/signup', '/signup', { firstName: 'Katherine', lastName: 'Johnson', email });
      expect(created.status, created.text).toBe(303);
      expect(created.location).toBe('/signup/check-email');
      const user = (await server.app.store.users.findLiveUserByEmail(email))!;
      expect(user.state).toBe('pending');
      expect(user.password_hash).toBeNull();

      const token = await mint(server, user.id, 'signup');
      const page = await browser.get(`/confirm/signup?token=${token}`);
      expect(page.text).toContain('Activate my account');
      expect(page.text).toContain('autocomplete="new-password"');
      await browser.get(`/confirm/signup?token=${token}`);
      expect((await server.app.store.users.findUser(user.id))!.state).toBe('pending');

      const mismatch = await browser.post('/confirm/signup', { ...hiddenFields(page.text, '/confirm/signup'), password: 'Orbital mechanics rule', passwordConfirm: 'Orbital mechanics' });
      expectPage(mismatch, 400);
      expect(mismatch.text).toContain('The two passwords do not match.');
      expect((await server.app.store.users.findUser(user.id))!.state).toBe('pending');

      const done = await browser.post('/confirm/signup', { ...hiddenFields(page.text, '/confirm/signup'), password: 'Orbital mechanics rule', passwordConfirm: 'Orbital mechanics rule' });
      expect(done.status).toBe(303);
      expect(done.location).toBe('/profile?notice=welcome');
      const profile = await browser.get(done.location!);
      expect(messages(profile.text)).toContain('Your account is active and you are signed in');
      expect((await server.app.store.users.findUser(user.id))!.state).toBe('active');
      await new Browser(server).signIn(email, 'Orbital mechanics rule');

      const again = await new Browser(server).get(`/confirm/signup?token=${token}`);
      expect(again.status).toBe(410);
      expect(again.text).toContain('This link has already been used');
    });

    it('resets a password; every session of the account ends', async () => {
      const user = await activeUser(server);
      const elsewhere = new Browser(server);
      await elsewhere.signIn(user.email, user.password);
      const token = await mint(server, user.id, 'password-reset');
      const browser = new Browser(server);
      const page = await browser.get(`/reset-password?token=${token}`);
      expectPage(page);
      const done = await browser.post('/reset-password', { ...hiddenFields(page.text, '/reset-password'), password: 'Fresh start every morning', passwordConfirm: 'Fresh start every morning' });
      expect(done.status, done.text).toBe(303);
      expect(done.location).toBe('/signin?notice=password-reset');
      expect(messages((await browser.get(done.location!)).text)).toContain('Your password was changed');
      expect((await elsewhere.get('/profile')).status).toBe(303);
      const old = await new Browser(server).submit('/signin', '/signin', { email: user.email, password: user.password });
      expect(old.status).toBe(401);
      await new Browser(server).signIn(user.email, 'Fresh start every morning');
      const reused = await browser.get(`/reset-password?token=${token}`);
      expect(reused.status).toBe(410);
    });

    it('asks for a reset link with one answer for every address', async () => {
      const user = await activeUser(server);
      const known = await new Browser(server).submit('/forgot-password', '/forgot-password', { email: user.email });
      const unknown = await new Browser(server).submit('/forgot-password', '/forgot-password', { email: `nobody-${user.email}` });
      expect(known.status).toBe(303);
      expect(unknown.status).toBe(303);
      expect(known.location).toBe('/forgot-password/sent');
      expect(unknown.location).toBe(known.location);
      const outbox = await server.app.store.outbox.listOutbox(user.id);
      expect(outbox.some((row) => row.template === 'passwordResetIdentityDefault')).toBe(true);
      const sent = await new Browser(server).get('/forgot-password/sent');
      expect(sent.text).toContain('If an account exists for that address, we sent a link');
    });
  });

  describe('the profile', () => {
    it('changes the password after checking the current one; other sessions end', async () => {
      const user = await activeUser(server);
      const other = new Browser(server);
      await other.signIn(user.email, user.password);
      const browser = new Browser(server);
      await browser.signIn(user.email, user.password);

      const wrong = await browser.submit('/profile', '/profile/password', {
        currentPassword: 'not my password',
        newPassword: 'Sunlit harbor of pines',
        newPasswordConfirm: 'Sunlit harbor of pines',
      });
      expectPage(wrong, 400);
      expect(wrong.text).toContain('This is not your current password.');
      expect(wrong.text).toContain('aria-invalid="true"');

      const done = await browser.submit('/profile', '/profile/password', {
        currentPassword: user.password,
        newPassword: 'Sunlit harbor of pines',
        newPasswordConfirm: 'Sunlit harbor of pines',
      });
      expect(done.status, done.text).toBe(303);
      expect(done.location).toBe('/profile?notice=password-changed');
      expect(messages((await browser.get(done.location!)).text)).toContain('Your password was changed');
      expect((await other.get('/profile')).status).toBe(303);
      await new Browser(server).signIn(user.email, 'Sunlit harbor of pines');
    });

    it('changes the email address once the link sent to the new one is followed', async () => {
      const user = await activeUser(server);
      const browser = new Browser(server);
      await browser.signIn(user.email, user.password);
      const newEmail = `moved-${user.email}`;

      const invalid = await browser.submit('/profile', '/profile/email', { email: 'not an address', currentPassword: user.password });
      expectPage(invalid, 400);
      expect(invalid.text).toContain('This is not a valid email address.');
      expect(invalid.text).toContain('value="not an address"');

      const asked = await browser.submit('/profile', '/profile/email', { email: newEmail, currentPassword: user.password });
      expect(asked.status, asked.text).toBe(303);
      expect(asked.location).toBe('/profile?notice=email-sent');
      expect(messages((await browser.get(asked.location!)).text)).toContain('We sent a confirmation link to the new address');
      const outbox = await server.app.store.outbox.listOutbox(user.id);
      expect(outbox.some((row) => row.template === 'emailChangeIdentityDefault' && row.recipient === newEmail)).toBe(true);
      expect((await server.app.store.users.findUser(user.id))!.email).toBe(user.email);

      const token = await mint(server, user.id, 'email-change', { email: newEmail });
      const page = await browser.get(`/confirm/email?token=${token}`);
      expectPage(page);
      const done = await browser.post('/confirm/email', hiddenFields(page.text, '/confirm/email'));
      expect(done.status, done.text).toBe(303);
      expect(done.location).toBe('/profile?notice=email-changed');
      const profile = await browser.get(done.location!);
      expect(messages(profile.text)).toContain('Your email address was changed');
      expect(profile.text).toContain(newEmail);
      expect((await server.app.store.users.findUser(user.id))!.email).toBe(newEmail);
      await new Browser(server).signIn(newEmail, user.password);
    });

    it('closes the account after the password and the checkbox', async () => {
      const user = await activeUser(server);
      const browser = new Browser(server);
      await browser.signIn(user.email, user.password);

      const unticked = await browser.submit('/profile', '/profile/close', { currentPassword: user.password });
      expectPage(unticked, 400);
      expect(unticked.text).toContain('Tick the box');
      const wrong = await browser.submit('/profile', '/profile/close', { currentPassword: 'wrong one', confirm: 'yes' });
      expectPage(wrong, 400);
      expect((await server.app.store.users.findUser(user.id))!.state).toBe('active');

      const closed = await browser.submit('/profile', '/profile/close', { currentPassword: user.password, confirm: 'yes' });
      expect(closed.status, closed.text).toBe(303);
      expect(closed.location).toBe('/?notice=account-closed');
      expect(browser.cookie('tg_session')).toBeUndefined();
      expect(messages((await browser.get(closed.location!)).text)).toContain('Your account is closed');
      expect((await server.app.store.users.findUser(user.id))!.state).toBe('deleted');
      expect((await browser.get('/profile')).status).toBe(303);
      const again = await new Browser(server).submit('/signin', '/signin', { email: user.email, password: user.password });
      expect(again.status).toBe(401);
    });
  });

  describe('sign-up', () => {
    it('creates a pending developer; a new sign-up for the address replaces it; the same page either way', async () => {
      const email = `signup-${randomBytes(4).toString('hex')}@example.com`;
      const fields = { firstName: 'Mary', lastName: 'Jackson', email };
      const first = await new Browser(server).submit('/signup', '/signup', fields);
      expect(first.status, first.text).toBe(303);
      const user = (await server.app.store.users.findLiveUserByEmail(email))!;
      expect(user.state).toBe('pending');
      expect(user.first_name).toBe('Mary');
      expect((await server.app.store.outbox.listOutbox(user.id)).some((r) => r.template === 'confirmSignUpIdentityDefault')).toBe(true);

      const second = await new Browser(server).submit('/signup', '/signup', { ...fields, firstName: 'Someone', email: email.toUpperCase() });
      expect(second.status).toBe(303);
      expect(second.location).toBe(first.location);
      const pageA = await new Browser(server).get(first.location!);
      const pageB = await new Browser(server).get(second.location!);
      expect(pageA.text).toBe(pageB.text);
      expect(pageA.text).toContain('Check your email');
      // The second sign-up replaced the first: its names, a new link (the first link no longer works).
      const after = (await server.app.store.users.findUser(user.id))!;
      expect(after.first_name).toBe('Someone');
      expect(after.state).toBe('pending');
      expect((await server.app.store.outbox.listOutbox(user.id)).filter((r) => r.template === 'confirmSignUpIdentityDefault')).toHaveLength(2);
    });

    it('answers an active account\'s address with the same page, and changes nothing', async () => {
      const user = await activeUser(server);
      const before = (await server.app.store.users.findUser(user.id))!;
      const res = await new Browser(server).submit('/signup', '/signup', { firstName: 'Mallory', lastName: 'Evil', email: user.email });
      expect(res.status).toBe(303);
      expect(res.location).toBe('/signup/check-email');
      const after = (await server.app.store.users.findUser(user.id))!;
      expect(after).toEqual(before);
    });

    it('shows errors next to the fields and keeps what was typed, but never the passwords', async () => {
      const browser = new Browser(server);
      const res = await browser.submit('/signup', '/signup', { firstName: 'Dorothy', lastName: '', email: 'dorothy@example.com' });
      expectPage(res, 400);
      expect(res.text).toContain('value="Dorothy"');
      expect(res.text).toContain('value="dorothy@example.com"');
      expect(res.text).toContain('Enter your last name.');
      expect(res.text).toContain('role="alert"');
      // Every problem at once, with the domain's rules for each field.
      const many = await browser.submit('/signup', '/signup', { firstName: 'D'.repeat(101), lastName: '', email: 'not an address' });
      expectPage(many, 400);
      expect(many.text).toMatch(/id="signup-first-name-error"[^>]*>This must be at most 100 characters/);
      expect(many.text).toMatch(/id="signup-email-error"[^>]*>This is not a valid email address/);
      expect(many.text).toContain('Enter your last name.');
      expect(await server.app.store.users.findLiveUserByEmail('dorothy@example.com')).toBeUndefined();
    });
  });

  it('escapes what users typed', async () => {
    const user = await activeUser(server, { firstName: '<script>alert(1)</script>', lastName: '"><img src=x onerror=alert(2)>' });
    const browser = new Browser(server);
    await browser.signIn(user.email, user.password);
    for (const path of ['/profile', '/']) {
      const page = await browser.get(path);
      expect(page.status).toBe(200);
      expect(page.text).not.toContain('<script>');
      expect(page.text).not.toContain('<img');
      expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    }
    expect((await browser.get('/profile')).text).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
    const reflected = await new Browser(server).submit('/signup', '/signup', { firstName: '<b>x</b>', lastName: '', email: '"><script>' });
    expect(reflected.status).toBe(400);
    expect(reflected.text).not.toContain('<b>x</b>');
    expect(reflected.text).not.toContain('"><script>');
  });
});

describe.each(BACKENDS)('developer portal links over time (%s)', (backend) => {
  const clock = new ManualClock('2026-03-01T09:00:00.000Z');
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer(backend, { clock });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('shows an expired invitation as expired, with a way to get a new one', async () => {
    const invited = await invitedUser(server);
    const token = await mint(server, invited.id, 'invitation');
    const browser = new Browser(server);
    const fresh = await browser.get(`/invitation?token=${token}`);
    expect(fresh.status).toBe(200);

    clock.advance(49 * 60 * 60 * 1000);
    const expired = await browser.get(`/invitation?token=${token}`);
    expectPage(expired, 410);
    expect(expired.text).toContain('This link has expired');
    expect(expired.text).toContain('Send me a new invitation');
    const accept = await browser.post('/invitation', { ...hiddenFields(fresh.text, '/invitation'), password: 'Late but eager', passwordConfirm: 'Late but eager' });
    expect(accept.status).toBe(410);
    expect((await server.app.store.users.findUser(invited.id))!.state).toBe('pending');

    const before = (await server.app.store.outbox.listOutbox(invited.id)).length;
    const resent = await browser.post('/resend', hiddenFields(expired.text, '/resend'));
    expect(resent.status).toBe(303);
    expect(resent.location).toBe('/resend/sent');
    expect((await browser.get('/resend/sent')).text).toContain('If the account is still waiting, we sent a new link');
    const after = await server.app.store.outbox.listOutbox(invited.id);
    expect(after.length).toBe(before + 1);
    expect(after.some((row) => row.template === 'inviteUserNotificationMessage')).toBe(true);
  });

  it('shows an expired reset link with a way to ask for a new one', async () => {
    const user = await activeUser(server);
    const token = await mint(server, user.id, 'password-reset');
    clock.advance(61 * 60 * 1000);
    const res = await new Browser(server).get(`/reset-password?token=${token}`);
    expectPage(res, 410);
    expect(res.text).toContain('This link has expired');
    expect(res.text).toContain('href="/forgot-password"');
  });
});

describe('developer portal behind an https PUBLIC_URL', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer('sqlite', { env: { PUBLIC_URL: 'https://portal.example' } });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('marks its cookies Secure, and takes forms from the public origin', async () => {
    const user = await activeUser(server);
    const browser = new Browser(server);
    const page = await browser.get('/signin');
    const csrf = page.setCookies.find((c) => c.startsWith('tg_csrf='))!;
    expect(csrf).toMatch(/; HttpOnly/);
    expect(csrf).toMatch(/; SameSite=Strict/);
    expect(csrf).toMatch(/; Secure/);
    const res = await browser.post('/signin', { ...hiddenFields(page.text, '/signin'), email: user.email, password: user.password }, { origin: 'https://portal.example' });
    expect(res.status, res.text).toBe(303);
    const session = res.setCookies.find((c) => c.startsWith('tg_session='))!;
    expect(session).toMatch(/; HttpOnly; SameSite=Lax; Secure$/);
  });
});
