/**
 * The admin UI's email templates, without JavaScript (and the preview frame's endpoint, as the
 * Preview button and the script post to it): editing a template changes the next email of its kind (delivered to a real
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

/** The edit page's policy: the admin UI's, plus frames from our own origin (the preview); no inline style, no fetch. */
const EDIT_PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; frame-src 'self'";
/** The preview frame's own policy: the email's inline styles, nothing else, framed by our own pages only. */
const PREVIEW_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; frame-ancestors 'self'; base-uri 'none'; sandbox";

/** The preview iframe's address (its src attribute). */
function previewSrcOf(page: string): string {
  const match = /<iframe[^>]*id="template-preview-frame"[^>]*src="([^"]*)"/.exec(page);
  if (!match) throw new Error(`no preview iframe in:\n${page}`);
  return unescapeHtml(match[1]!);
}

/** A preview frame's answer: the rendered email as a document of its own, with its own headers. */
function expectPreviewFrame(res: { status: number; headers: Headers; text: string }): void {
  expect(res.status, res.text).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  expect(res.headers.get('content-security-policy')).toBe(PREVIEW_CSP);
  expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(res.text).toMatch(/^<!DOCTYPE html>/);
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

  it('shows the edit page under the admin policy, the preview in a sandboxed iframe of our own', async () => {
    const page = await admin.get(INVITE);
    expect(page.status).toBe(200);
    // No inline style and no fetch on the edit page: the email is shown by a document of its own.
    expect(page.headers.get('content-security-policy')).toBe(EDIT_PAGE_CSP);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.text).toMatch(/<iframe id="template-preview-frame" name="template-preview"[^>]* sandbox src="[^"]+"><\/iframe>/);
    expect(page.text).not.toContain('srcdoc');
    expect(page.text).toContain(`formaction="${INVITE}/preview-frame" formtarget="template-preview">Preview</button>`);
    expect(textareaOf(page.text)).toBe(TEMPLATES.inviteUserNotificationMessage.body);
    expect(page.text).toContain('<code>$ConfirmUrl</code>');

    // The frame's document: the saved template rendered with sample values, under its own strict policy.
    const src = previewSrcOf(page.text);
    expect(src).toBe(`${INVITE}/preview-frame`);
    const frame = await admin.get(src);
    expectPreviewFrame(frame);
    expect(frame.text).toContain('You are invited to join the Contoso developer portal');
    expect(frame.text).toContain('Ada');
    expect(frame.text).toContain('token=sample-token');
    expect(frame.text).toMatch(/style="/);
  });

  it('previews what was typed without saving: the form posted to the preview frame (Preview button or script)', async () => {
    const typed = CUSTOM_BODY.replace('Custom invitation text', 'Unsaved preview text');
    const fields = await admin.formFields(INVITE, INVITE);
    const res = await admin.post(`${INVITE}/preview-frame`, { ...fields, subject: 'Hello $DevFirstName $DevLastName', body: typed.replace(/\n/g, '\r\n') });
    expectPreviewFrame(res);
    expect(res.text).toContain('Ahoy Ada! Unsaved preview text from Contoso.');
    expect(res.text).toContain('Hello Ada Lovelace');
    expect((await server.app.services.templates.get('inviteUserNotificationMessage')).isDefault).toBe(true);

    // A template that does not render yet: the frame says why, with line and column.
    const invalid = await admin.post(`${INVITE}/preview-frame`, { ...fields, subject: 'Hi', body: '<p>$Nope</p>' });
    expectPreviewFrame(invalid);
    expect(invalid.text).toContain('Preview not updated');
    expect(unescapeHtml(invalid.text)).toMatch(/Body: Line 1, column 4: unknown variable \$Nope/);

    // The plugin's CSRF check applies to the frame too.
    const forged = await admin.post(`${INVITE}/preview-frame`, { subject: 'Hi', body: typed });
    expect(forged.status).toBe(403);
    expect(forged.headers.get('content-security-policy')).not.toBe(PREVIEW_CSP);
    expect(forged.text).not.toContain('Ahoy Ada');
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
    expect(res.location).toBe(`${INVITE}?notice=template-saved`);
    const after = await admin.get(res.location!);
    expect(messages(after.text)).toContain('The template was saved.');
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
    expect(messages(page.text)).toContain('The template was reset to the default.');
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
    expect(messages((await admin.get(res.location!)).text)).toContain('A test message is on its way (see the outbox).');
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
    for (const path of ['/admin/templates', INVITE, `${INVITE}/reset`, `${INVITE}/preview-frame`]) {
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
    // The preview frame is for signed-in administrators only: a developer's session gets the sign-in redirect, no email.
    const frame = await forged.get(`${INVITE}/preview-frame`);
    expect(frame.status).toBe(303);
    expect(frame.location).toMatch(/^\/admin\/signin/);
    const framePost = await forged.post(`${INVITE}/preview-frame`, { subject: 'x', body: CUSTOM_BODY });
    expect(framePost.status).toBe(303);
    expect(framePost.text).not.toContain('Ahoy');
    expect((await server.app.services.templates.get('inviteUserNotificationMessage')).isDefault).toBe(true);
  });
});
