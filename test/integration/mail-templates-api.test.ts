/**
 * Email templates through the management API, and the emails Tollgate sends from them, received
 * by a real SMTP server: notify=true on user PUT/DELETE and confirmations/password/send.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startServer, type TestServer } from '../helpers/server.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { runOutbox } from '../helpers/mail.js';
import { TEMPLATE_NAMES } from '../../src/mail/templates/catalogue.js';

describe.each(BACKENDS)('email templates and notifications on %s', (backend) => {
  let server: TestServer;
  let smtp: TestSmtpServer;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    // The tests drive the outbox themselves (deliver()): the worker's own poll, landing between a
    // test's writes (an invitation, then the account's deletion), would send what must not go.
    server = await startServer(backend, { env: { SMTP_URL: smtp.url, MAIL_FROM: 'Contoso <noreply@contoso.example>', TOLLGATE_ORGANIZATION_NAME: 'Contoso' }, outboxPollMs: 2_147_483_647 });
  });
  afterAll(async () => {
    await server.close();
    await smtp.stop();
  });

  /** Runs the outbox worker until it has nothing left, and returns what arrived meanwhile. */
  async function deliver() {
    const before = smtp.received.length;
    await runOutbox(server);
    return smtp.received.slice(before);
  }

  it('lists the 14 templates with Azure names, isDefault and parameters; names match case-insensitively', async () => {
    const list = await server.request('GET', '/templates');
    expect(list.status).toBe(200);
    expect(list.json.count).toBe(14);
    expect(list.json.value).toHaveLength(14);
    expect(list.json.value.map((t: { name: string }) => t.name.toLowerCase()).sort()).toEqual([...TEMPLATE_NAMES].map((n) => n.toLowerCase()).sort());
    const one = await server.request('GET', '/templates/INVITEUSERNOTIFICATIONMESSAGE');
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({ name: 'InviteUserNotificationMessage', type: 'Microsoft.ApiManagement/service/templates' });
    expect(one.json.id).toMatch(/\/templates\/InviteUserNotificationMessage$/);
    expect(one.json.properties.isDefault).toBe(true);
    expect(one.json.properties.parameters.map((p: { name: string }) => p.name)).toContain('ConfirmUrl');
    expect(one.headers.get('etag')).toBeTruthy();
    expect((await server.request('HEAD', '/templates/inviteUserNotificationMessage')).status).toBe(200);
    expect((await server.request('GET', '/templates/noSuchTemplate')).status).toBe(404);
    const filtered = await server.request('GET', '/templates', { query: { $filter: "startswith(name,'password')" } });
    expect(filtered.json.value.map((t: { name: string }) => t.name).sort()).toEqual(['PasswordResetByAdminNotificationMessage', 'PasswordResetIdentityDefault']);
  });

  it('refuses a body that is not well-formed or uses an unknown variable, saying where, and changes nothing', async () => {
    const broken = await server.request('PUT', '/templates/inviteUserNotificationMessage', {
      body: { properties: { subject: 'Hi', body: '<html><body>\n<p>Hello $DevFirstName</div></body></html>' } },
    });
    expect(broken.status).toBe(400);
    expect(broken.json.error.details[0]).toMatchObject({ target: 'body' });
    expect(broken.json.error.details[0].message).toMatch(/Line 2, column \d+/);

    const unknown = await server.request('PUT', '/templates/inviteUserNotificationMessage', {
      body: { properties: { subject: 'Hi $Nope', body: '<html><body><p>$AlsoNope</p></body></html>' } },
    });
    expect(unknown.status).toBe(400);
    const messages = unknown.json.error.details.map((d: { target: string; message: string }) => `${d.target}: ${d.message}`).join('\n');
    expect(messages).toContain('Nope');
    expect(messages).toContain('AlsoNope');
    expect((await server.request('GET', '/templates/inviteUserNotificationMessage')).json.properties.isDefault).toBe(true);
  });

  it('sends the invitation with notify=true, from the edited template, as HTML with a text alternative and a working link', async () => {
    const put = await server.request('PUT', '/templates/inviteUserNotificationMessage', {
      body: {
        properties: {
          subject: 'Join $OrganizationName, $DevFirstName',
          body: '<html><body><p>Hello $DevFirstName &amp; welcome.</p><p><a href="$ConfirmUrl">Accept</a> within $LinkValidFor.</p></body></html>',
        },
      },
    });
    expect(put.status).toBe(201);
    expect(put.json.properties.isDefault).toBe(false);

    const created = await server.request('PUT', '/users/invitee', {
      query: { notify: true },
      body: { properties: { email: 'invitee@example.com', firstName: '<Ann>', lastName: 'Lee', confirmation: 'invite' } },
    });
    expect(created.status).toBe(201);
    expect(created.json.properties.state).toBe('pending');
    const [mail, ...more] = await deliver();
    expect(more).toHaveLength(0);
    expect(mail!.to).toContain('invitee@example.com');
    expect(mail!.from).toContain('noreply@contoso.example');
    expect(mail!.subject).toBe('Join Contoso, <Ann>');
    expect(mail!.html).toContain('Hello &lt;Ann&gt; &amp; welcome.');
    expect(mail!.text).toContain('Hello <Ann> & welcome.');
    expect(mail!.html).toContain('within 2 days');
    const link = /href="([^"]+)"/.exec(mail!.html)![1]!.replace(/&amp;/g, '&');
    expect(link.startsWith(`${server.url}/invitation?token=`)).toBe(true);
    // The token in the link is live, and only its hash is in the database.
    const token = new URL(link).searchParams.get('token')!;
    expect(await server.app.services.accounts.inspectLink(token, 'invitation')).toBe('valid');
    const rows = await server.app.database.db.selectFrom('tokens').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(token);
    const outbox = await server.app.store.outbox.listOutbox('invitee');
    expect(JSON.stringify(outbox)).not.toContain(token);
    expect(outbox[0]?.state).toBe('sent');
  });

  it('DELETE resets a template to its default', async () => {
    const etag = (await server.request('GET', '/templates/inviteUserNotificationMessage')).headers.get('etag')!;
    expect((await server.request('DELETE', '/templates/inviteUserNotificationMessage', { headers: { 'if-match': '"stale"' } })).status).toBe(412);
    expect((await server.request('DELETE', '/templates/inviteUserNotificationMessage', { headers: { 'if-match': etag } })).status).toBe(200);
    expect((await server.request('DELETE', '/templates/inviteUserNotificationMessage', { headers: { 'if-match': '*' } })).status).toBe(204);
    const after = await server.request('GET', '/templates/inviteUserNotificationMessage');
    expect(after.json.properties.isDefault).toBe(true);
    expect(after.json.properties.subject).toBe('You are invited to join the $OrganizationName developer portal');
  });

  it('PATCH needs If-Match and changes only what it is given', async () => {
    const etag = (await server.request('GET', '/templates/accountClosedDeveloper')).headers.get('etag')!;
    expect((await server.request('PATCH', '/templates/accountClosedDeveloper', { body: { properties: { subject: 'x' } } })).status).toBe(400);
    const patched = await server.request('PATCH', '/templates/accountClosedDeveloper', {
      headers: { 'if-match': etag },
      body: { properties: { subject: 'Goodbye from $OrganizationName' } },
    });
    expect(patched.status).toBe(200);
    expect(patched.json.properties.subject).toBe('Goodbye from $OrganizationName');
    expect(patched.json.properties.body).toContain('<html');
  });

  it('sends account-closed on DELETE with notify=true, and nothing with notify=false', async () => {
    for (const [id, notify] of [['bye1', true], ['bye2', false]] as const) {
      await server.request('PUT', `/users/${id}`, { body: { properties: { email: `${id}@example.com`, firstName: 'B', lastName: 'Y' } } });
      expect((await server.request('DELETE', `/users/${id}`, { query: { notify }, headers: { 'if-match': '*' } })).status).toBe(204);
    }
    const mails = await deliver();
    expect(mails.map((m) => m.to)).toEqual([expect.stringContaining('bye1@example.com')]);
    expect(mails[0]!.subject).toBe('Goodbye from Contoso');
  });

  it('sends a password reset link on confirmations/password/send, valid for the configured hour', async () => {
    await server.request('PUT', '/users/resetme', { body: { properties: { email: 'resetme@example.com', firstName: 'R', lastName: 'M', password: 'a long enough passphrase' } } });
    expect((await server.request('POST', '/users/resetme/confirmations/password/send')).status).toBe(204);
    const [mail] = await deliver();
    expect(mail!.to).toContain('resetme@example.com');
    expect(mail!.text).toContain('1 hour');
    expect(mail!.text).toMatch(new RegExp(`${server.url}/reset-password\\?token=[A-Za-z0-9_-]{43}`));
  });

  it('gives up at once on a link email whose account is gone, and sends nothing', async () => {
    await server.request('PUT', '/users/gone', {
      query: { notify: true },
      body: { properties: { email: 'gone@example.com', firstName: 'G', lastName: 'O', confirmation: 'invite' } },
    });
    await server.request('DELETE', '/users/gone', { headers: { 'if-match': '*' } });
    expect(await deliver()).toHaveLength(0);
    const [row] = await server.app.store.outbox.listOutbox('gone');
    expect(row).toMatchObject({ state: 'dead', attempts: 1 });
    expect(row!.last_error).toContain('gone');
  });
});
