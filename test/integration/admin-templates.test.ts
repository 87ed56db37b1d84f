/**
 * The admin UI's email templates, without JavaScript (and the live preview's endpoint as the
 * script calls it): editing a template changes the next email of its kind (delivered to a real
 * SMTP server), an invalid template is refused with line and column and what was typed kept, the
 * preview shows sample values, reset restores the default, a test message arrives, every change
 * is audited with the administrator as actor, and a developer cannot reach the pages.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, type TestServer } from '../helpers/server.js';
import { startSmtpServer, type ReceivedEmail, type TestSmtpServer } from '../helpers/smtp.js';
import { Browser, hiddenFields, messages, unescapeHtml } from '../helpers/portal-browser.js';
import { ADMIN_EMAIL, AdminBrowser, adminBrowser, startAdminServer } from '../helpers/admin.js';
import { TEMPLATES } from '../../src/mail/templates/catalogue.js';

const INVITE = '/admin/templates/inviteUserNotificationMessage';

const CUSTOM_BODY = `<html xmlns="http://www.w3.org/1999/xhtml">
<body>
<p>Ahoy $DevFirstName! Custom invitation text from $OrganizationName.</p>
<p><a href="$ConfirmUrl">Accept the invitation</a></p>
</body>
</html>`;

/** The body typed in the form, as the page shows it back (the textarea's content). */
function textareaOf(page: string): string {
  const match = /<textarea[^>]*name="body"[^>]*>\n?([\s\S]*?)<\/textarea>/.exec(page);
  if (!match) throw new Error(`no body textarea in:\n${page}`);
  return unescapeHtml(match[1]!);
}

/** The preview iframe's document (its srcdoc attribute, unescaped). */
function previewOf(page: string): string {
  const match = /<iframe[^>]*id="template-preview-frame"[^>]*srcdoc="([^"]*)"/.exec(page);
  if (!match) throw new Error(`no preview iframe in:\n${page}`);
  return unescapeHtml(match[1]!);
}

async function waitForEmail(smtp: TestSmtpServer, to: string, timeoutMs = 10_000): Promise<ReceivedEmail> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const mail = smtp.received.find((m) => m.to.includes(to));
    if (mail) return mail;
    if (Date.now() > until) throw new Error(`no email to ${to} (received: ${smtp.received.map((m) => m.to).join(', ')})`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.each(BACKENDS)('admin UI: email templates (%s)', (backend) => {
  let smtp: TestSmtpServer;
  let server: TestServer;
  let admin: AdminBrowser;
  let adminId: string;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    server = await startAdminServer(backend, { outboxPollMs: 50, env: { SMTP_URL: smtp.url, TOLLGATE_ORGANIZATION_NAME: 'Contoso' } });
    admin = await adminBrowser(server);
    adminId = (await server.app.store.users.findLiveUserByEmail(ADMIN_EMAIL))!.id;
  });
  afterAll(async () => {
    await server?.close();
    await smtp?.stop();
  });

  async function auditOf(action: string) {
    return server.app.store.audit.listAudit({ action });
  }

  it('lists the 14 templates with title, subject and whether they are customised', async () => {
    const page = await admin.get('/admin/templates');
    expect(page.status).toBe(200);
    expect(page.text).toContain('aria-current="page">Email templates');
    const rows = [...page.text.matchAll(/<tr>\s*<th scope="row"><a href="\/admin\/templates\/(\w+)">/g)].map((m) => m[1]);
    expect(rows).toHaveLength(14);
    expect(rows).toContain('inviteUserNotificationMessage');
    expect(page.text).toContain(TEMPLATES.inviteUserNotificationMessage.title);
    expect(page.text).toContain('You are invited to join the $OrganizationName developer portal');
    expect(page.text.match(/class="state default"/g)).toHaveLength(14);
  });

  it('shows the edit page with the preview rendered with sample values, in a sandboxed iframe', async () => {
    const page = await admin.get(INVITE);
    expect(page.status).toBe(200);
    // The srcdoc document runs under the page's policy: inline styles (the email's) are allowed, and the live preview's fetch.
    expect(page.headers.get('content-security-policy')).toBe(
      "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    expect(page.text).toMatch(/<iframe id="template-preview-frame"[^>]* sandbox srcdoc="/);
    const preview = previewOf(page.text);
    expect(preview).toContain('Ada');
    expect(preview).toContain('Contoso');
    expect(preview).toContain('token=sample-token');
    expect(page.text).toContain('You are invited to join the Contoso developer portal');
    expect(textareaOf(page.text)).toBe(TEMPLATES.inviteUserNotificationMessage.body);
    expect(page.text).toContain('<code>$ConfirmUrl</code>');
  });

  it('previews what was typed without saving: with the Preview button, and through the live preview endpoint', async () => {
    const typed = CUSTOM_BODY.replace('Custom invitation text', 'Unsaved preview text');
    const res = await admin.submit(INVITE, INVITE, { subject: 'Hello $DevFirstName $DevLastName', body: typed.replace(/\n/g, '\r\n'), intent: 'preview' });
    expect(res.status).toBe(200);
    expect(previewOf(res.text)).toContain('Ahoy Ada! Unsaved preview text from Contoso.');
    expect(res.text).toContain('Hello Ada Lovelace');
    expect(textareaOf(res.text)).toBe(typed);
    expect((await server.app.services.templates.get('inviteUserNotificationMessage')).isDefault).toBe(true);

    // The script's request: the form's fields (CSRF token included), sent by fetch.
    const fields = await admin.formFields(INVITE, INVITE);
    const live = await admin.request('POST', `${INVITE}/preview`, {
      form: new URLSearchParams({ ...fields, subject: 'Hi $DevFirstName', body: typed }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8', accept: 'application/json' },
    });
    expect(live.status).toBe(200);
    expect(live.headers.get('content-type')).toMatch(/^application\/json/);
    const json = JSON.parse(live.text) as { subject: string; html: string };
    expect(json.subject).toBe('Hi Ada');
    expect(json.html).toContain('Unsaved preview text');

    const invalid = await admin.post(`${INVITE}/preview`, { ...fields, subject: 'Hi', body: '<p>$Nope</p>' });
    expect(invalid.status).toBe(200);
    expect(JSON.parse(invalid.text).html).toBeUndefined();
    expect(JSON.parse(invalid.text).errors[0].message).toMatch(/Line 1, column 4: unknown variable \$Nope/);

    // The plugin's CSRF check applies to the preview too.
    const forged = await admin.post(`${INVITE}/preview`, { subject: 'Hi', body: typed });
    expect(forged.status).toBe(403);
    expect((await server.app.services.templates.get('inviteUserNotificationMessage')).isDefault).toBe(true);
  });

  it('refuses an invalid template with line and column next to the body, keeps what was typed, saves nothing', async () => {
    const broken = '<html>\n<body>\n<p>Hello $DevFirstNam</p>\n<p>unclosed\n</body>\n</html>';
    const res = await admin.submit(INVITE, INVITE, { subject: 'Join us', body: broken });
    expect(res.status).toBe(400);
    expect(textareaOf(res.text)).toBe(broken);
    expect(res.text).toContain('value="Join us"');
    expect(res.text).toMatch(/<textarea[^>]*aria-invalid="true" aria-describedby="template-body-error"/);
    const bodyErrors = /<div class="field-error" id="template-body-error">([\s\S]*?)<\/div>/.exec(res.text)![1]!;
    expect(bodyErrors).toMatch(/Line 3, column 10: unknown variable \$DevFirstNam\. InviteUserNotificationMessage accepts \$DevFirstName/);
    expect(bodyErrors).toContain('Line 5, column 1: &lt;/body&gt; closes &lt;p&gt; opened at line 4, column 1');
    expect(messages(res.text)).toContain('The template was not saved');
    expect((await server.app.services.templates.get('inviteUserNotificationMessage')).isDefault).toBe(true);
    expect(await auditOf('email-template.updated')).toHaveLength(0);
  });

  it('saves an edit, audited, and the next invitation uses it', async () => {
    const res = await admin.submit(INVITE, INVITE, { subject: 'Join $OrganizationName, $DevFirstName', body: CUSTOM_BODY.replace(/\n/g, '\r\n') });
    expect(res.status, res.text).toBe(303);
    expect(res.location).toMatch(new RegExp(`^${INVITE}\\?done=`));
    const after = await admin.get(res.location!);
    expect(messages(after.text)).toContain('the template was saved');
    expect(textareaOf(after.text)).toBe(CUSTOM_BODY);
    expect(after.text).toContain('class="state customised"');

    const [entry] = await auditOf('email-template.updated');
    expect(entry).toMatchObject({ actor: `user:${adminId}`, user_id: null });
    expect(JSON.parse(entry!.detail!)).toEqual({ template: 'inviteUserNotificationMessage' });

    const invited = await server.request('PUT', '/users/invitee', {
      query: { notify: true },
      body: { properties: { email: 'invitee@example.com', firstName: 'Ivy', lastName: 'Invited', confirmation: 'invite' } },
    });
    expect(invited.status).toBeLessThan(300);
    const mail = await waitForEmail(smtp, 'invitee@example.com');
    expect(mail.subject).toBe('Join Contoso, Ivy');
    expect(mail.html).toContain('Ahoy Ivy! Custom invitation text from Contoso.');
    expect(mail.html).toMatch(new RegExp(`href="${server.url}/invitation\\?token=[A-Za-z0-9_%-]+"`));
    expect(mail.html).not.toContain('sample-token');
  });

  it('refuses a save made from an old version of the template', async () => {
    const stale = await admin.formFields(INVITE, INVITE);
    await server.app.services.templates.update('inviteUserNotificationMessage', { subject: 'Changed elsewhere' }, '*');
    const res = await admin.post(INVITE, { ...stale, subject: 'Mine', body: CUSTOM_BODY });
    expect(res.status).toBe(412);
    expect(messages(res.text)).toContain('Someone else changed this template');
    expect((await server.app.services.templates.get('inviteUserNotificationMessage')).subject).toBe('Changed elsewhere');
  });

  it('resets a template to its default after a confirmation page, audited', async () => {
    const edit = await admin.get(INVITE);
    expect(edit.text).toContain(`href="${INVITE}/reset"`);
    const confirm = await admin.get(`${INVITE}/reset`);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('class="button danger">Reset to default</button>');
    const res = await admin.submit(`${INVITE}/reset`, `${INVITE}/reset`);
    expect(res.status).toBe(303);
    const t = await server.app.services.templates.get('inviteUserNotificationMessage');
    expect(t.isDefault).toBe(true);
    expect(t.body).toBe(TEMPLATES.inviteUserNotificationMessage.body);
    const page = await admin.get(res.location!);
    expect(messages(page.text)).toContain('reset to the default');
    expect(page.text).not.toContain(`href="${INVITE}/reset"`);
    const [entry] = await auditOf('email-template.reset');
    expect(entry).toMatchObject({ actor: `user:${adminId}` });
    // Nothing left to reset: the confirmation page says so and offers no button.
    expect((await admin.get(`${INVITE}/reset`)).text).toContain('already');
  });

  it('sends a test message rendered with sample values through the outbox, audited', async () => {
    const welcome = '/admin/templates/newDeveloperNotificationMessage';
    const bad = await admin.submit(welcome, `${welcome}/test`, { to: 'not an address' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('value="not an address"');
    expect(bad.text).toMatch(/id="test-to-error"><p>This is not a valid email address\.<\/p>/);

    const to = `tester-${randomBytes(3).toString('hex')}@example.com`;
    const res = await admin.submit(welcome, `${welcome}/test`, { to });
    expect(res.status).toBe(303);
    expect(messages((await admin.get(res.location!)).text)).toContain(`on its way to ${to}`);
    const mail = await waitForEmail(smtp, to);
    expect(mail.subject).toBe('Welcome to the Contoso developer portal');
    expect(mail.html).toContain('Ada');
    const [entry] = await auditOf('email-template.test-sent');
    expect(entry).toMatchObject({ actor: `user:${adminId}` });
    expect(JSON.parse(entry!.detail!)).toEqual({ template: 'newDeveloperNotificationMessage', to });
  });

  it('sends a test message of a template with a link, with the sample link and no real token', async () => {
    const to = `tester-${randomBytes(3).toString('hex')}@example.com`;
    const res = await admin.submit(INVITE, `${INVITE}/test`, { to });
    expect(res.status).toBe(303);
    const mail = await waitForEmail(smtp, to);
    expect(mail.html).toContain('token=sample-token');
  });

  it('answers 404 for an unknown template', async () => {
    expect((await admin.get('/admin/templates/noSuchTemplate')).status).toBe(404);
  });

  it('keeps developers and visitors out', async () => {
    const visitor = new AdminBrowser(server);
    for (const path of ['/admin/templates', INVITE, `${INVITE}/reset`]) {
      const res = await visitor.get(path);
      expect(res.status).toBe(303);
      expect(res.location).toMatch(/^\/admin\/signin/);
    }
    const email = `dev-${randomBytes(3).toString('hex')}@example.com`;
    const password = `Violet tundra mosaic ${randomBytes(4).toString('hex')}`;
    await server.app.services.users.createOrUpdate(`dev-${randomBytes(3).toString('hex')}`, { email, firstName: 'Dee', lastName: 'Veloper', password }, {});
    const portal = new Browser(server);
    await portal.signIn(email, password);
    const forged = new AdminBrowser(server);
    forged.jar.set('tg_admin', portal.cookie('tg_session')!);
    expect((await forged.get('/admin/templates')).status).toBe(303);
    const signin = await forged.get('/admin/signin');
    const refused = await forged.post('/admin/signin', { ...hiddenFields(signin.text, '/admin/signin'), email, password });
    expect(refused.status).toBe(403);
    expect((await forged.get(INVITE)).status).toBe(303);
    const post = await forged.post(INVITE, { subject: 'x', body: CUSTOM_BODY });
    expect(post.status).toBe(303);
    expect((await server.app.services.templates.get('inviteUserNotificationMessage')).isDefault).toBe(true);
  });
});
