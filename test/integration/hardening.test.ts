/**
 * Defects found by probing Tollgate from outside as an attacker would, each shown fixed over real
 * HTTP on both databases: a burst of wrong passwords cannot outrun the sign-in lock; sign-ups are
 * limited and cannot pre-register someone else's address; a return path outside Latin-1 does not
 * break the redirect; a deeply nested body is refused, not a crash; credentials are never cached;
 * wrong management keys are limited and audited; a crafted link cannot put words on a page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import { ACCOUNT_FREE_FAILURES, MANAGEMENT_KEY_FAILURES, SIGN_UPS_PER_ADDRESS, SIGN_UPS_PER_EMAIL } from '../../src/domain/attempt-limits.js';
import { checkSchemaName, dropSchema } from '../../src/store/database.js';
import { BACKENDS, type TestServer } from '../helpers/server.js';
import { Browser, hiddenFields, messageText } from '../helpers/portal-browser.js';
import { adminBrowser, startAdminServer } from '../helpers/admin.js';
import { activeDeveloper } from '../helpers/users.js';

const HOUR = 60 * 60 * 1000;

describe.each(BACKENDS)('defects found by probing, fixed (%s)', (backend) => {
  let server: TestServer;
  const clock = new ManualClock('2026-09-01T08:00:00.000Z');

  beforeAll(async () => {
    server = await startAdminServer(backend, { clock });
  });
  afterAll(() => server.close());

  /** Starts every counting window afresh: the limits of one test do not reach the next. */
  const freshWindows = () => clock.advance(2 * HOUR);

  describe('the sign-in lock under a burst', () => {
    it('engages at the documented failure when 50 wrong passwords arrive at once, and then refuses the right one', async () => {
      freshWindows();
      const dev = await activeDeveloper(server, 'burst', { email: 'burst@example.com', password: 'Sunlit harbour at noon' });
      const browser = new Browser(server);
      const fields = hiddenFields((await browser.get('/signin')).text, '/signin');
      const wrong = Array.from({ length: 50 }, (_, i) => browser.post('/signin', { ...fields, email: dev.email, password: `wrong guess ${i}` }));
      const statuses = (await Promise.all(wrong)).map((r) => r.status);
      // The first ACCOUNT_FREE_FAILURES are told the password is wrong; the next one is checked too
      // and sets the lock; every other attempt of the burst is refused without being checked.
      expect(statuses.filter((s) => s === 401)).toHaveLength(ACCOUNT_FREE_FAILURES);
      expect(statuses.filter((s) => s === 429)).toHaveLength(50 - ACCOUNT_FREE_FAILURES);
      const audit = await server.app.store.audit.listAudit({ limit: 500 });
      const failures = audit.filter((e) => e.action === 'signin.failure' && e.user_id === 'burst');
      expect(failures).toHaveLength(ACCOUNT_FREE_FAILURES + 1);
      expect(audit.filter((e) => e.action === 'signin.locked').length).toBeGreaterThanOrEqual(50 - ACCOUNT_FREE_FAILURES - 1);

      const right = await browser.post('/signin', { ...fields, email: dev.email, password: dev.password });
      expect(right.status).toBe(429);
      expect(browser.cookie('tg_session')).toBeUndefined();
      // The lock is the account's: once it is over (1 minute), the right password works.
      clock.advance(61 * 1000);
      expect((await browser.post('/signin', { ...fields, email: dev.email, password: dev.password })).status).toBe(303);
    });

    it('does not lock an address out for its successful sign-ins', async () => {
      freshWindows();
      const dev = await activeDeveloper(server, 'often', { email: 'often@example.com', password: 'Quiet library shelves' });
      for (let i = 0; i < 25; i++) {
        const browser = new Browser(server);
        expect((await browser.signIn(dev.email, dev.password)).status).toBe(303);
      }
    });
  });

  describe('sign-up', () => {
    it(`takes at most ${SIGN_UPS_PER_EMAIL} sign-ups an hour for one email address and ${SIGN_UPS_PER_ADDRESS} from one client address (429, audited)`, async () => {
      freshWindows();
      const signUp = async (email: string) => {
        const browser = new Browser(server);
        return browser.submit('/signup', '/signup', { firstName: 'Sign', lastName: 'Up', email });
      };
      const outboxBefore = (await server.app.store.outbox.listOutbox()).length;
      for (let i = 0; i < SIGN_UPS_PER_EMAIL; i++) expect((await signUp('target@example.com')).status).toBe(303);
      const refused = await signUp('target@example.com');
      expect(refused.status).toBe(429);
      expect(messageText(refused.text)).toContain('Too many sign-ups');
      for (let i = SIGN_UPS_PER_EMAIL; i < SIGN_UPS_PER_ADDRESS; i++) expect((await signUp(`many-${i}@example.com`)).status).toBe(303);
      expect((await signUp('one-more@example.com')).status).toBe(429);
      // Refused sign-ups create nobody and send nothing.
      expect(await server.app.store.users.findLiveUserByEmail('one-more@example.com')).toBeUndefined();
      expect((await server.app.store.outbox.listOutbox()).length - outboxBefore).toBe(SIGN_UPS_PER_ADDRESS);
      const limited = (await server.app.store.audit.listAudit({ action: 'signup.limited', limit: 10 })).filter((e) => e.ip !== null);
      expect(limited.length).toBeGreaterThanOrEqual(2);
      // An hour later the address may sign up again.
      freshWindows();
      expect((await signUp('next-hour@example.com')).status).toBe(303);
    });

    it("leaves someone who signs up with another person's address no password: only the mailbox's owner can finish", async () => {
      freshWindows();
      const mallory = new Browser(server);
      expect((await mallory.submit('/signup', '/signup', { firstName: 'Victim', lastName: 'Name', email: 'victim@example.com' })).status).toBe(303);
      const pending = (await server.app.store.users.findLiveUserByEmail('victim@example.com'))!;
      expect(pending.state).toBe('pending');
      expect(pending.password_hash).toBeNull();
      // Nothing Mallory could have typed signs in: the account has no password until the link is used.
      const attempt = await mallory.submit('/signin', '/signin', { email: 'victim@example.com', password: 'anything at all here' });
      expect(attempt.status).toBe(401);
      // The owner's own sign-up replaces Mallory's; the password is chosen behind the emailed link.
      expect((await new Browser(server).submit('/signup', '/signup', { firstName: 'Vera', lastName: 'Owner', email: 'victim@example.com' })).status).toBe(303);
      const replaced = (await server.app.store.users.findUser(pending.id))!;
      expect(replaced.first_name).toBe('Vera');
      expect(replaced.password_hash).toBeNull();
    });
  });

  describe('return paths', () => {
    it('encodes a return path outside Latin-1 instead of failing the redirect (portal and admin UI)', async () => {
      const dev = await activeDeveloper(server, 'latin', { email: 'latin@example.com', password: 'Copper kettle whistle' });
      const portal = new Browser(server);
      await portal.signIn(dev.email, dev.password);
      const res = await portal.get('/signin?returnTo=/%C4%80x');
      expect(res.status).toBe(303);
      expect(res.location).toBe('/%C4%80x');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect((await portal.get('/profile')).status).toBe(200);

      const fresh = new Browser(server);
      const posted = await fresh.submit('/signin', '/signin', { email: dev.email, password: dev.password, returnTo: '/products/é€' });
      expect(posted.status).toBe(303);
      expect(posted.location).toBe('/products/%C3%A9%E2%82%AC');
      expect(fresh.cookie('tg_session')).toBeDefined();

      const admin = await adminBrowser(server);
      const adminRes = await admin.get('/admin/signin?returnTo=/admin/%C4%80');
      expect(adminRes.status).toBe(303);
      expect(adminRes.location).toBe('/admin/%C4%80');
      // A return path outside the face is not followed.
      expect((await admin.get('/admin/signin?returnTo=/profile')).location).toBe('/admin');
    });
  });

  describe('the management API', () => {
    it('refuses a deeply nested body with a 400 in Azure’s shape, and creates nothing', async () => {
      // Depth 5,000 inside `format` (written out: the test's own JSON.stringify would not reach it).
      const deep = `${'{"deeper":'.repeat(5000)}"x"${'}'.repeat(5000)}`;
      const json = { 'content-type': 'application/json' };
      const res = await server.request('PUT', '/apis/deep', { rawBody: `{"properties":{"path":"deep","format":${deep}}}`, headers: json });
      expect(res.status).toBe(400);
      expect(res.json.error).toMatchObject({ code: 'InvalidRequestContent' });
      expect(res.json.error.message).toContain('nests more than');
      const arrays = await server.request('PUT', '/apis/deep', { rawBody: `{"properties":{"path":"deep","value":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`, headers: json });
      expect(arrays.status).toBe(400);
      expect((await server.request('GET', '/apis/deep')).status).toBe(404);
      // A shallow empty value of an unused feature still passes, a deep one is named as the feature.
      const shallow = await server.request('PUT', '/apis/deep', { body: { properties: { path: 'deep', format: { a: { b: '' } } } } });
      expect(shallow.status).toBe(201);
      let nested: unknown = '';
      for (let i = 0; i < 20; i++) nested = [nested];
      const refused = await server.request('PUT', '/apis/deep2', { body: { properties: { path: 'deep2', format: nested } } });
      expect(refused.status).toBe(400);
      expect(refused.json.error.details[0]).toMatchObject({ target: 'format' });
    });

    it('answers listSecrets, token and generateSsoUrl with Cache-Control: no-store', async () => {
      await server.request('PUT', '/users/cache', { body: { properties: { email: 'cache@example.com', firstName: 'C', lastName: 'N' } } });
      await server.request('PUT', '/subscriptions/cache', { body: { properties: { scope: '/apis', displayName: 'Cache', ownerId: '/users/cache' } } });
      const secrets = await server.request('POST', '/subscriptions/cache/listSecrets');
      const token = await server.request('POST', '/users/cache/token', {
        body: { properties: { keyType: 'primary', expiry: new Date(clock.now().getTime() + 24 * HOUR).toISOString() } },
      });
      const sso = await server.request('POST', '/users/cache/generateSsoUrl');
      for (const res of [secrets, token, sso]) {
        expect(res.status, res.text).toBe(200);
        expect(res.headers.get('cache-control')).toBe('no-store');
      }
      // An ordinary read may be cached as usual.
      expect((await server.request('GET', '/users/cache')).headers.get('cache-control')).toBeNull();
    });

    it(`counts wrong keys per client address: audited, refused with 429 from the ${MANAGEMENT_KEY_FAILURES}th, while a valid key still works`, async () => {
      freshWindows();
      const wrong = () => server.request('GET', '/users', { auth: false, headers: { authorization: 'Bearer not-a-key-at-all-but-long-enough' } });
      const statuses: number[] = [];
      for (let i = 0; i < MANAGEMENT_KEY_FAILURES + 5; i++) statuses.push((await wrong()).status);
      expect(statuses.slice(0, MANAGEMENT_KEY_FAILURES - 1).every((s) => s === 401)).toBe(true);
      expect(statuses.slice(MANAGEMENT_KEY_FAILURES - 1).every((s) => s === 429)).toBe(true);
      const refused = await wrong();
      expect(refused.json.error.code).toBe('TooManyRequests');
      const audit = await server.app.store.audit.listAudit({ action: 'management-key.refused', limit: 100 });
      expect(audit.length).toBeGreaterThanOrEqual(MANAGEMENT_KEY_FAILURES);
      expect(audit.every((e) => e.ip !== null && e.actor === 'anonymous')).toBe(true);
      expect(JSON.stringify(audit)).not.toContain('not-a-key-at-all');
      // The right key is not locked out with the wrong ones.
      expect((await server.request('GET', '/users')).status).toBe(200);
      freshWindows();
      expect((await wrong()).status).toBe(401);
    });
  });

  describe('notices', () => {
    it('shows only the notices of fixed codes: a crafted link cannot put words on an admin or portal page', async () => {
      const admin = await adminBrowser(server);
      const crafted = await admin.get(`/admin?done=${encodeURIComponent('Your session expired: re-enter your password at evil.example')}`);
      expect(crafted.status).toBe(200);
      expect(crafted.text).not.toContain('evil.example');
      const unknown = await admin.get(`/admin?notice=${encodeURIComponent('<b>hacked</b>')}`);
      expect(unknown.text).not.toContain('hacked');
      expect(messageText((await admin.get('/admin?notice=user-added')).text)).toContain('The user was added.');
      const portal = await new Browser(server).get(`/?notice=${encodeURIComponent('Send your password to evil.example')}`);
      expect(portal.text).not.toContain('evil.example');
      expect(messageText((await new Browser(server).get('/?notice=signed-out')).text)).toContain('You are signed out.');
    });
  });

});

describe('PostgreSQL schema names', () => {
  it('are checked before they go into SQL, when a schema is dropped as when one is opened', async () => {
    for (const bad of ['x; drop table users', 'A', '1abc', 'a-b', '', 'a'.repeat(64), 'public"']) expect(() => checkSchemaName(bad)).toThrow(/invalid schema name/);
    for (const good of ['t_0123abcd', '_x', 'a'.repeat(63)]) expect(() => checkSchemaName(good)).not.toThrow();
    // Refused before any connection is made (nothing listens on port 1).
    await expect(dropSchema('postgres://127.0.0.1:1/none', 'x cascade; drop schema public')).rejects.toThrow(/invalid schema name/);
  });
});
