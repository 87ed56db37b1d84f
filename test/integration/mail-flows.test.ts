/**
 * Whole account journeys by email: a real SMTP server receives each message, the test follows the
 * link in it with a cookie-keeping HTTP client (as a browser without JavaScript would), and the
 * journey completes. Also: the outbox with the SMTP server down and back up, and across a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startServer, type TestServer } from '../helpers/server.js';
import { startSmtpServer, type ReceivedEmail, type TestSmtpServer } from '../helpers/smtp.js';
import { Browser } from '../helpers/portal-browser.js';
import { ManualClock } from '../../src/domain/clock.js';

const PASSWORD = 'a sturdy passphrase for tests';

/** The link of a received email that starts with `path`, relative to the server. */
function linkIn(mail: ReceivedEmail, server: TestServer, path: string): string {
  const match = new RegExp(`${server.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(${path}\\?token=[A-Za-z0-9_%-]+)`).exec(mail.text);
  if (!match) throw new Error(`no ${path} link in:\n${mail.text}`);
  return match[1]!;
}

describe.each(BACKENDS)('account journeys by email on %s', (backend) => {
  let smtp: TestSmtpServer;
  let server: TestServer;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    server = await startServer(backend, { env: { SMTP_URL: smtp.url, TOLLGATE_ORGANIZATION_NAME: 'Contoso' } });
  });
  afterAll(async () => {
    await server.close();
    await smtp.stop();
  });

  async function deliverTo(address: string): Promise<ReceivedEmail> {
    await server.app.outbox!.runOnce();
    const mail = [...smtp.received].reverse().find((m) => m.to.includes(address));
    if (!mail) throw new Error(`no email to ${address}`);
    return mail;
  }

  it('self sign-up: confirmation email, the password chosen behind its link, welcome email, sign-in', async () => {
    const browser = new Browser(server);
    const res = await browser.submit('/signup', '/signup', { firstName: 'Sam', lastName: 'Signup', email: 'sam@example.com' });
    expect(res.status).toBe(303);
    const user = (await server.request('GET', '/users', { query: { $filter: "email eq 'sam@example.com'" } })).json.value[0];
    expect(user.properties.state).toBe('pending');
    expect(user.properties.groups ?? []).toEqual([]);

    const confirm = await deliverTo('sam@example.com');
    expect(confirm.subject).toBe('Please confirm your new Contoso account');
    const link = linkIn(confirm, server, '/confirm/signup');
    const activated = await browser.submit(link, '/confirm/signup', { password: PASSWORD, passwordConfirm: PASSWORD });
    expect(activated.status).toBe(303);
    expect(activated.location).toBe('/profile?notice=welcome');
    expect((await browser.get('/profile')).status).toBe(200);
    expect((await server.request('GET', `/users/${user.name}`)).json.properties.state).toBe('active');

    const welcome = await deliverTo('sam@example.com');
    expect(welcome.subject).not.toBe(confirm.subject);
    expect((await new Browser(server).signIn('sam@example.com', PASSWORD)).location).toBe('/profile');
    // The link is single-use.
    expect((await browser.get(link)).status).toBe(410);
  });

  it('invitation by an administrator: email, choose a password, signed in and active', async () => {
    await server.request('PUT', '/users/invited', {
      query: { notify: true },
      body: { properties: { email: 'invited@example.com', firstName: 'Ivy', lastName: 'Invited', confirmation: 'invite' } },
    });
    const mail = await deliverTo('invited@example.com');
    const browser = new Browser(server);
    const accepted = await browser.submit(linkIn(mail, server, '/invitation'), '/invitation', { password: PASSWORD, passwordConfirm: PASSWORD });
    expect(accepted.status).toBe(303);
    expect(accepted.location).toBe('/profile?notice=welcome');
    expect((await browser.get('/profile')).status).toBe(200);
    expect((await server.request('GET', '/users/invited')).json.properties.state).toBe('active');
  });

  it('password reset from the email: the new password works, the old one and the other sessions do not', async () => {
    await server.app.services.users.createOrUpdate('resetter', { email: 'resetter@example.com', firstName: 'R', lastName: 'S', password: PASSWORD }, {});
    const other = new Browser(server);
    await other.signIn('resetter@example.com', PASSWORD);
    const browser = new Browser(server);
    expect((await browser.submit('/forgot-password', '/forgot-password', { email: 'resetter@example.com' })).status).toBe(303);
    const mail = await deliverTo('resetter@example.com');
    const done = await browser.submit(linkIn(mail, server, '/reset-password'), '/reset-password', {
      password: 'the replacement passphrase',
      passwordConfirm: 'the replacement passphrase',
    });
    expect(done.status).toBe(303);
    expect((await other.get('/profile')).status).toBe(303);
    expect((await new Browser(server).signIn('resetter@example.com', 'the replacement passphrase')).location).toBe('/profile');
    const old = await new Browser(server).submit('/signin', '/signin', { email: 'resetter@example.com', password: PASSWORD });
    expect(old.status).toBe(401);
  });

  it('email change: the link goes to the new address, and following it changes the email', async () => {
    await server.app.services.users.createOrUpdate('mover', { email: 'old@example.com', firstName: 'M', lastName: 'V', password: PASSWORD }, {});
    const browser = new Browser(server);
    await browser.signIn('old@example.com', PASSWORD);
    const requested = await browser.submit('/profile', '/profile/email', { email: 'new@example.com', currentPassword: PASSWORD });
    expect(requested.status).toBe(303);
    expect((await server.request('GET', '/users/mover')).json.properties.email).toBe('old@example.com');
    const mail = await deliverTo('new@example.com');
    expect((await browser.submit(linkIn(mail, server, '/confirm/email'), '/confirm/email')).status).toBe(303);
    const user = (await server.request('GET', '/users/mover')).json.properties;
    expect(user.email).toBe('new@example.com');
    expect(user.identities).toContainEqual({ provider: 'Basic', id: 'new@example.com' });
  });

  it('closing the account sends the farewell email and ends the session', async () => {
    await server.app.services.users.createOrUpdate('leaver', { email: 'leaver@example.com', firstName: 'L', lastName: 'V', password: PASSWORD }, {});
    const browser = new Browser(server);
    await browser.signIn('leaver@example.com', PASSWORD);
    const closed = await browser.submit('/profile', '/profile/close', { currentPassword: PASSWORD, confirm: 'yes' });
    expect(closed.status).toBe(303);
    expect((await server.request('GET', '/users/leaver')).json.properties.state).toBe('deleted');
    expect((await deliverTo('leaver@example.com')).subject).toContain('Contoso');
    expect((await browser.get('/profile')).status).toBe(303);
  });
});

describe.each(BACKENDS)('the outbox when the SMTP server is down, and across a restart, on %s', (backend) => {
  it('keeps every email while SMTP is down, delivers each exactly once when it is back, and never again after a restart', async () => {
    const smtp = await startSmtpServer({ listen: false });
    const clock = new ManualClock('2026-07-01T00:00:00.000Z');
    const server = await startServer(backend, { clock, env: { SMTP_URL: smtp.url } });
    try {
      for (const i of [1, 2, 3]) {
        await server.request('PUT', `/users/down${i}`, {
          query: { notify: true },
          body: { properties: { email: `down${i}@example.com`, firstName: 'D', lastName: `${i}`, confirmation: 'invite' } },
        });
      }
      const first = await server.app.outbox!.runOnce();
      expect(first).toEqual({ sent: 0, failed: 3 });
      const rows = await server.app.store.outbox.listOutbox();
      expect(rows.filter((r) => r.user_id?.startsWith('down')).every((r) => r.state === 'pending' && r.attempts === 1 && r.last_error)).toBe(true);

      await smtp.start();
      expect(await server.app.outbox!.runOnce()).toEqual({ sent: 0, failed: 0 }); // backoff not over yet
      clock.advance(60 * 60 * 1000);
      expect(await server.app.outbox!.runOnce()).toEqual({ sent: 3, failed: 0 });
      expect(smtp.received.map((m) => m.to).sort()).toEqual(['down1@example.com', 'down2@example.com', 'down3@example.com']);

      // A restart: a new process over the same database sends nothing that was accepted.
      await server.app.outbox!.stop();
      clock.advance(24 * 60 * 60 * 1000);
      expect(await server.app.outbox!.runOnce()).toEqual({ sent: 0, failed: 0 });
      expect(smtp.received).toHaveLength(3);
    } finally {
      await server.close();
      await smtp.stop();
    }
  });
});
