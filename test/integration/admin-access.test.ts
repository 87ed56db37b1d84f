/**
 * Who gets into the admin UI, and how: the first administrator (from the environment, or from the
 * one-time setup link printed at startup), sign-in for administrators only, admin sessions apart
 * from portal sessions, CSRF on every POST, the lockout and audit of the portal, security headers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { BACKENDS, startServer, type TestServer } from '../helpers/server.js';
import { Browser, hiddenFields, messages } from '../helpers/portal-browser.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, AdminBrowser, adminBrowser, startAdminServer } from '../helpers/admin.js';
import { activeDeveloper, type TestUser } from '../helpers/users.js';
import { loadConfig } from '../../src/config.js';
import { createApp } from '../../src/app.js';

const CSP_WITH_SCRIPT =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

function developer(server: TestServer): Promise<TestUser> {
  return activeDeveloper(server, `dev-${randomBytes(4).toString('hex')}`);
}

describe.each(BACKENDS)('admin UI access (%s)', (backend) => {
  describe('first administrator from a setup link', () => {
    let server: TestServer;
    let setupUrl: string;

    beforeAll(async () => {
      server = await startServer(backend);
      // startServer already listened once (one link); a second listen-time link replaces it, as a restart would.
      const link = await server.app.services.adminSetup.issueSetupToken();
      expect(link).toBeDefined();
      setupUrl = `/admin/setup?token=${encodeURIComponent(link!.token)}`;
    });
    afterAll(async () => server?.close());

    it('has no administrator who can sign in on a new instance, and no default credentials', async () => {
      expect(await server.app.services.adminSetup.needsSetup()).toBe(true);
      const browser = new AdminBrowser(server);
      for (const password of ['', 'admin', 'password', 'changeme']) {
        const page = await browser.get('/admin/signin');
        const res = await browser.post('/admin/signin', { ...hiddenFields(page.text, '/admin/signin'), email: 'admin@tollgate.local', password });
        expect(res.status).not.toBe(303);
      }
    });

    it('sends an anonymous visitor to the sign-in page, remembering where they were going', async () => {
      const res = await new AdminBrowser(server).get('/admin/users?state=blocked');
      expect(res.status).toBe(303);
      expect(res.location).toBe(`/admin/signin?returnTo=${encodeURIComponent('/admin/users?state=blocked')}`);
    });

    it('refuses a wrong or reused setup token, and keeps what was typed when the password is weak', async () => {
      const browser = new AdminBrowser(server);
      const bad = await browser.get('/admin/setup?token=nope');
      expect(bad.status).toBe(410);
      expect(messages(bad.text)).toContain('Setup links work once');

      const page = await browser.get(setupUrl);
      expect(page.status, page.text).toBe(200);
      expect(page.headers.get('content-security-policy')).toBe(CSP_WITH_SCRIPT);
      const weak = await browser.post('/admin/setup', {
        ...hiddenFields(page.text, '/admin/setup'),
        firstName: 'Alex',
        lastName: 'Admin',
        email: 'alex@contoso.example',
        password: 'password',
      });
      expect(weak.status).toBe(400);
      expect(weak.text).toContain('value="alex@contoso.example"');
      expect(weak.text).not.toContain('value="password"');
      expect(await server.app.services.adminSetup.needsSetup()).toBe(true);
    });

    it('creates the first administrator once, signed in, and the link then stops working', async () => {
      const browser = new AdminBrowser(server);
      const page = await browser.get(setupUrl);
      const done = await browser.post('/admin/setup', {
        ...hiddenFields(page.text, '/admin/setup'),
        firstName: 'Alex',
        lastName: 'Admin',
        email: 'alex@contoso.example',
        password: 'Quartz lantern 42 meadow',
      });
      expect(done.status, done.text).toBe(303);
      expect(done.location).toBe('/admin?notice=welcome');
      const cookie = done.setCookies.find((c) => c.startsWith('tg_admin='));
      expect(cookie).toMatch(/Path=\/admin; HttpOnly; SameSite=Strict/);
      const overview = await browser.get('/admin');
      expect(overview.status).toBe(200);
      expect(overview.text).toContain('Alex Admin');
      expect(await server.app.services.adminSetup.needsSetup()).toBe(false);

      const again = await new AdminBrowser(server).get(setupUrl);
      expect(again.status).toBe(410);
      expect(await server.app.services.adminSetup.issueSetupToken()).toBeUndefined();

      // The new administrator signs in with the chosen password, in a fresh browser.
      const other = new AdminBrowser(server);
      await other.signInAdmin('alex@contoso.example', 'Quartz lantern 42 meadow');
      const audit = await server.app.store.audit.listAudit({ userId: '1', action: 'admin.setup' });
      expect(audit).toHaveLength(1);
    });
  });

  describe('with TOLLGATE_ADMIN_EMAIL and TOLLGATE_ADMIN_PASSWORD', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startAdminServer(backend);
    });
    afterAll(async () => server?.close());

    it('creates that administrator at startup, so no setup link is printed', async () => {
      expect(await server.app.services.adminSetup.needsSetup()).toBe(false);
      const admin = await server.app.services.users.get('1');
      expect(admin.email).toBe(ADMIN_EMAIL);
      const browser = await adminBrowser(server);
      const overview = await browser.get('/admin');
      expect(overview.status).toBe(200);
      expect(overview.headers.get('content-security-policy')).toBe(CSP_WITH_SCRIPT);
      expect(overview.headers.get('cache-control')).toBe('no-store');
      expect(overview.headers.get('x-frame-options')).toBe('DENY');
      expect(overview.text).toContain('<nav class="admin-nav" aria-label="Sections">');
      expect(overview.text).not.toMatch(/ style="/);
    });

    it('serves the stylesheet and the script with validators', async () => {
      const browser = new AdminBrowser(server);
      const css = await browser.get('/admin/assets/admin.css');
      expect(css.status).toBe(200);
      expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
      const cached = await browser.get('/admin/assets/admin.css', { 'if-none-match': css.headers.get('etag')! });
      expect(cached.status).toBe(304);
      const js = await browser.get('/admin/assets/admin.js');
      expect(js.status).toBe(200);
      expect(js.text).toContain('data-confirm');
    });

    it('refuses a developer with the right password, and counts nothing against them', async () => {
      const dev = await developer(server);
      const browser = new AdminBrowser(server);
      const page = await browser.get('/admin/signin');
      const res = await browser.post('/admin/signin', { ...hiddenFields(page.text, '/admin/signin'), email: dev.email, password: dev.password });
      expect(res.status).toBe(403);
      expect(messages(res.text)).toContain('not an administrator');
      expect(browser.cookie('tg_admin')).toBeUndefined();
      expect((await browser.get('/admin')).status).toBe(303);
      const failures = await server.app.store.audit.listAudit({ userId: dev.id, action: 'signin.failure' });
      expect(failures.map((f) => JSON.parse(f.detail ?? '{}').reason)).toContain('not-administrator');
    });

    it("does not let a developer's portal session, or an admin's portal session, open the admin UI", async () => {
      const dev = await developer(server);
      const portal = new Browser(server);
      await portal.signIn(dev.email, dev.password);
      const portalSession = portal.cookie('tg_session')!;
      const forged = new AdminBrowser(server);
      forged.jar.set('tg_admin', portalSession);
      expect((await forged.get('/admin')).status).toBe(303);

      // The administrator signed in on the developer portal: that session is a portal session only.
      const adminOnPortal = new Browser(server);
      await adminOnPortal.signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
      const forged2 = new AdminBrowser(server);
      forged2.jar.set('tg_admin', adminOnPortal.cookie('tg_session')!);
      expect((await forged2.get('/admin')).status).toBe(303);
    });

    it('ends the admin session at once when the administrator leaves the Administrators group', async () => {
      const id = `adm-${randomBytes(3).toString('hex')}`;
      const email = `${id}@contoso.example`;
      const password = `Granite harbor ${randomBytes(4).toString('hex')}`;
      await server.app.services.users.createOrUpdate(id, { email, firstName: 'Sam', lastName: 'Second', password }, {});
      await server.app.services.groups.addMember('administrators', id);
      const browser = new AdminBrowser(server);
      await browser.signInAdmin(email, password);
      expect((await browser.get('/admin')).status).toBe(200);
      await server.app.services.groups.removeMember('administrators', id);
      const after = await browser.get('/admin');
      expect(after.status).toBe(303);
      expect(after.location).toContain('notice=session-ended');
    });

    it('never takes the last administrator who can sign in out of Administrators', async () => {
      await expect(server.app.services.groups.removeMember('administrators', '1')).rejects.toMatchObject({ code: 'LastAdministrator' });
      expect(await server.app.services.groups.hasMember('administrators', '1')).toBe(true);
      // With a second administrator, the first may go (and come back).
      const id = `adm2-${randomBytes(3).toString('hex')}`;
      await server.app.services.users.createOrUpdate(id, { email: `${id}@contoso.example`, firstName: 'Kim', lastName: 'Second', password: `Granite harbor ${randomBytes(4).toString('hex')}` }, {});
      await server.app.services.groups.addMember('administrators', id);
      expect(await server.app.services.groups.removeMember('administrators', '1')).toBe(true);
      await expect(server.app.services.groups.removeMember('administrators', id)).rejects.toMatchObject({ code: 'LastAdministrator' });
      await server.app.services.groups.addMember('administrators', '1');
      await server.app.services.groups.removeMember('administrators', id);
    });

    it('refuses a POST without the form token, with a foreign Origin, or from another session', async () => {
      const browser = await adminBrowser(server);
      const page = await browser.get('/admin');
      const fields = hiddenFields(page.text, '/admin/signout');
      const missing = await browser.post('/admin/signout', {});
      expect(missing.status).toBe(403);
      const foreign = await browser.post('/admin/signout', fields, { origin: 'https://evil.example' });
      expect(foreign.status).toBe(403);
      const other = await adminBrowser(server);
      const stolen = await other.post('/admin/signout', fields);
      expect(stolen.status).toBe(403);
      // The real thing works, and the session is gone afterwards.
      const out = await browser.post('/admin/signout', fields);
      expect(out.status).toBe(303);
      expect((await browser.get('/admin')).status).toBe(303);
    });

    it('locks sign-in after repeated failures, as on the portal', async () => {
      const browser = new AdminBrowser(server);
      let last = 0;
      for (let i = 0; i < 5; i++) {
        const page = await browser.get('/admin/signin');
        const res = await browser.post('/admin/signin', { ...hiddenFields(page.text, '/admin/signin'), email: ADMIN_EMAIL, password: `wrong ${i}` });
        last = res.status;
      }
      expect(last).toBe(429);
      const page = await browser.get('/admin/signin');
      const locked = await browser.post('/admin/signin', { ...hiddenFields(page.text, '/admin/signin'), email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
      expect(locked.status).toBe(429);
      await server.app.services.attempts.forget(`account:${ADMIN_EMAIL}`);
    });

    it('answers unknown admin pages with a 404 in the admin shell', async () => {
      const browser = await adminBrowser(server);
      const res = await browser.get('/admin/no-such-page');
      expect(res.status).toBe(404);
      expect(res.text).toContain('admin-nav');
    });
  });

  it('refuses to start with a TOLLGATE_ADMIN_PASSWORD that breaks the password policy, or with only one of the two', async () => {
    const base = { PORT: '0', GATEWAY_PORT: '0', HOST: '127.0.0.1', DATABASE_URL: 'sqlite::memory:', LOG_LEVEL: 'silent' };
    expect(() => loadConfig({ ...base, TOLLGATE_ADMIN_EMAIL: 'a@b.example' })).toThrow(/must be set together/);
    if (backend !== 'sqlite') return;
    await expect(createApp(loadConfig({ ...base, TOLLGATE_ADMIN_EMAIL: 'a@b.example', TOLLGATE_ADMIN_PASSWORD: 'password' }))).rejects.toThrow(
      /TOLLGATE_ADMIN_PASSWORD: /,
    );
  });
});
