/**
 * The admin UI's outbox and audit log, without JavaScript: an email the SMTP server keeps refusing
 * (550) runs out of attempts and is listed as dead (with `?status=dead`, the overview's link),
 * without any token or link; retrying it makes it pending, then sent once SMTP accepts, audited;
 * the audit log is searched by user, actor, action and time; developers cannot reach the pages.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, type TestServer } from '../helpers/server.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { Browser, messages } from '../helpers/portal-browser.js';
import { ADMIN_EMAIL, AdminBrowser, adminBrowser, startAdminServer } from '../helpers/admin.js';
import { ManualClock } from '../../src/domain/clock.js';
import { DEFAULT_MAX_ATTEMPTS } from '../../src/mail/outbox-worker.js';

const START = '2026-05-04T09:00:00.000Z';

/** The rows of the page's data table, each as its text with tags removed. */
function rowsOf(page: string): string[] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(page)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim());
}

describe.each(BACKENDS)('admin UI: outbox and audit log (%s)', (backend) => {
  const clock = new ManualClock(START);
  let smtp: TestSmtpServer;
  let server: TestServer;
  let admin: AdminBrowser;
  let adminId: string;
  let deadId: string;
  let inviteeId: string;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    server = await startAdminServer(backend, { clock, outboxPollMs: 60_000, env: { SMTP_URL: smtp.url, TOLLGATE_ORGANIZATION_NAME: 'Contoso' } });
    adminId = (await server.app.store.users.findLiveUserByEmail(ADMIN_EMAIL))!.id;

    // An invitation the SMTP server refuses with 550 until the attempts run out.
    smtp.refuse({ code: 550, message: 'Mailbox unavailable' });
    inviteeId = `invitee-${randomBytes(3).toString('hex')}`;
    const invited = await server.request('PUT', `/users/${inviteeId}`, {
      query: { notify: true },
      body: { properties: { email: 'refused@example.com', firstName: 'Rae', lastName: 'Refused', confirmation: 'invite' } },
    });
    expect(invited.status).toBeLessThan(300);
    for (let attempt = 0; attempt < DEFAULT_MAX_ATTEMPTS; attempt++) {
      await server.app.outbox!.runOnce();
      clock.advance(2 * 60 * 60 * 1000);
    }
    const [row] = await server.app.store.outbox.listOutbox(inviteeId);
    expect(row).toMatchObject({ state: 'dead', attempts: DEFAULT_MAX_ATTEMPTS });
    deadId = row!.id;
    // One email that is sent, one that is pending.
    smtp.refuse(null);
    await server.app.services.users.createOrUpdate('welcomed', { email: 'welcomed@example.com', firstName: 'Wes', lastName: 'Welcomed', password: 'Violet tundra mosaic 1234' }, {});
    await server.request('PUT', '/users/pending-one', {
      query: { notify: true },
      body: { properties: { email: 'pending@example.com', firstName: 'Pat', lastName: 'Pending', confirmation: 'invite' } },
    });

    admin = await adminBrowser(server);
  });
  afterAll(async () => {
    await server?.close();
    await smtp?.stop();
  });

  it('lists every email newest first, and the dead ones with ?status=dead, without tokens or links', async () => {
    const all = await admin.get('/admin/outbox');
    expect(all.status).toBe(200);
    expect(all.text).toContain('aria-current="page">Outbox');
    const rows = rowsOf(all.text);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(rows[0]).toContain('pending@example.com');
    expect(rows.at(-1)).toContain('refused@example.com');

    const dead = await admin.get('/admin/outbox?status=dead');
    expect(dead.status).toBe(200);
    expect(dead.text).toMatch(/<option value="dead" selected>/);
    const deadRows = rowsOf(dead.text);
    expect(deadRows).toHaveLength(1);
    expect(deadRows[0]).toContain('refused@example.com');
    expect(deadRows[0]).toContain('Invite user');
    expect(deadRows[0]).toContain('Dead');
    expect(deadRows[0]).toContain(String(DEFAULT_MAX_ATTEMPTS));
    expect(deadRows[0]).toMatch(/550/);
    expect(dead.text).toContain('class="state dead"');
    expect(dead.text).toContain(`action="/admin/outbox/${deadId}/retry"`);
    expect(dead.text).toContain(`href="/admin/users/${inviteeId}"`);
    for (const page of [all.text, dead.text]) {
      expect(page).not.toContain('token=');
      expect(page).not.toContain('/invitation');
    }

    const sent = rowsOf((await admin.get('/admin/outbox?status=sent')).text);
    expect(sent.every((r) => r.includes('Sent'))).toBe(true);
    // The overview's count links here.
    expect((await admin.get('/admin')).text).toContain('href="/admin/outbox?status=dead"');
  });

  it('retries a dead email: pending at once, sent once SMTP accepts, audited', async () => {
    const res = await admin.submit('/admin/outbox?status=dead', `/admin/outbox/${deadId}/retry`);
    expect(res.status).toBe(303);
    expect(res.location).toBe('/admin/outbox?status=dead&notice=email-requeued');
    expect(messages((await admin.get(res.location!)).text)).toContain('queued again');
    expect(await server.app.store.outbox.findMessage(deadId)).toMatchObject({ state: 'pending', attempts: 0 });
    const pending = rowsOf((await admin.get('/admin/outbox?status=pending')).text);
    expect(pending.some((r) => r.includes('refused@example.com'))).toBe(true);

    const [entry] = await server.app.store.audit.listAudit({ action: 'outbox.retried' });
    expect(entry).toMatchObject({ actor: `user:${adminId}`, user_id: inviteeId });
    expect(JSON.parse(entry!.detail!)).toEqual({ messageId: deadId, template: 'inviteUserNotificationMessage' });

    await server.app.outbox!.runOnce();
    expect(await server.app.store.outbox.findMessage(deadId)).toMatchObject({ state: 'sent' });
    expect(smtp.received.some((m) => m.to.includes('refused@example.com'))).toBe(true);

    // Only a dead email can be retried.
    const again = await admin.post(`/admin/outbox/${deadId}/retry`, await admin.formFields('/admin/outbox', '/admin/signout'));
    expect(again.status).toBe(409);
    expect(messages(again.text)).toContain('Only an email that could not be sent can be retried');
  });

  it('searches the audit log by action, user, actor and time, newest first', async () => {
    const all = await admin.get('/admin/audit');
    expect(all.status).toBe(200);
    expect(all.text).toContain('aria-current="page">Audit log');
    expect(all.text).toContain('<option value="outbox.retried">outbox.retried</option>');

    const retried = await admin.get('/admin/audit?action=outbox.retried');
    const rows = rowsOf(retried.text);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain('outbox.retried');
    expect(retried.text).toContain(`<a href="/admin/users/${adminId}">user:${adminId}</a>`);
    expect(retried.text).toContain(`<a href="/admin/users/${inviteeId}">${inviteeId}</a>`);
    expect(retried.text).toMatch(/<option value="outbox.retried" selected>/);

    // By user: id or email.
    for (const user of [inviteeId, 'refused@example.com']) {
      const byUser = rowsOf((await admin.get(`/admin/audit?user=${encodeURIComponent(user)}`)).text);
      expect(byUser.length).toBeGreaterThanOrEqual(2);
      expect(byUser.every((r) => r.includes(inviteeId))).toBe(true);
      expect(byUser.some((r) => r.includes('user.created'))).toBe(true);
    }
    // By actor: the administrator (by email, or user:<id>), or a management key.
    for (const actor of [ADMIN_EMAIL, `user:${adminId}`]) {
      const byActor = rowsOf((await admin.get(`/admin/audit?actor=${encodeURIComponent(actor)}`)).text);
      expect(byActor.length).toBeGreaterThanOrEqual(2);
      expect(byActor.every((r) => r.includes(`user:${adminId}`))).toBe(true);
    }
    const byKey = rowsOf((await admin.get('/admin/audit?actor=key%3Abootstrap&action=user.created')).text);
    expect(byKey.length).toBeGreaterThanOrEqual(2);
    // Newest first.
    const times = [...(await admin.get('/admin/audit')).text.matchAll(/<td><time datetime="([^"]+)">/g)].map((m) => m[1]!);
    expect(times.length).toBeGreaterThan(3);
    expect([...times].sort().reverse()).toEqual(times);

    // By time: the invitation was created at START; the sign-in hours later.
    const early = rowsOf((await admin.get('/admin/audit?from=2026-05-04T08:59&to=2026-05-04T09:00')).text);
    expect(early.some((r) => r.includes('user.created') && r.includes(inviteeId))).toBe(true);
    expect(early.some((r) => r.includes('signin.success'))).toBe(false);
    const late = rowsOf((await admin.get('/admin/audit?from=2026-05-04T09:01&action=signin.success')).text);
    expect(late).toHaveLength(1);
    const none = await admin.get('/admin/audit?from=2030-01-01T00:00');
    expect(rowsOf(none.text)).toHaveLength(0);
    expect(none.text).toContain('No entries match the search.');
    expect((await admin.get('/admin/audit?user=nobody%40example.com')).text).toContain('No entries match the search.');
  });

  it('shows what is wrong with a search next to the field', async () => {
    const res = await admin.get('/admin/audit?from=yesterday&action=made.up&to=2026-05-04T10:00');
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/id="audit-from"[^>]*value="yesterday"[^>]*aria-invalid="true"/);
    expect(res.text).toContain('id="audit-from-error">This is not a date and time');
    expect(res.text).toContain('id="audit-action-error">This is not a known action.');
    const reversed = await admin.get('/admin/audit?from=2026-05-04T10:00&to=2026-05-04T09:00');
    expect(reversed.status).toBe(400);
    expect(reversed.text).toContain('id="audit-to-error">This must be after the start of the range.');
  });

  it('keeps developers and visitors out', async () => {
    const visitor = new AdminBrowser(server);
    for (const path of ['/admin/outbox', '/admin/outbox?status=dead', '/admin/audit']) {
      const res = await visitor.get(path);
      expect(res.status).toBe(303);
      expect(res.location).toMatch(/^\/admin\/signin/);
    }
    const portal = new Browser(server);
    await portal.signIn('welcomed@example.com', 'Violet tundra mosaic 1234');
    const forged = new AdminBrowser(server);
    forged.jar.set('tg_admin', portal.cookie('tg_session')!);
    expect((await forged.get('/admin/audit')).status).toBe(303);
    expect((await forged.post(`/admin/outbox/${deadId}/retry`, {})).status).toBe(303);
  });
});
