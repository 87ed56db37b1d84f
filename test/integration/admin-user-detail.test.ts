/**
 * The admin UI's page of one user and its actions, used like a browser without JavaScript: each
 * action's effect is checked through the management API or the portal (state, groups,
 * subscriptions, the new password on the portal's sign-in), emails arrive at a real SMTP server
 * and their links work on the portal, a blocked developer loses the portal session and the
 * gateway's answer, the built-in administrator is protected, stale forms give 412, and validation
 * errors keep the form.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, type TestServer } from '../helpers/server.js';
import { startSmtpServer, type ReceivedEmail, type TestSmtpServer } from '../helpers/smtp.js';
import { Browser, hiddenFields, messages } from '../helpers/portal-browser.js';
import { adminBrowser, startAdminServer, type AdminBrowser } from '../helpers/admin.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { activeSubscription, putApi, putProduct } from '../helpers/gateway.js';
import { waitForEmail } from '../helpers/mail.js';

const PASSWORD = 'a sturdy passphrase for tests';
const NEW_PASSWORD = 'quartz lantern over the meadow';

describe.each(BACKENDS)('admin UI: one user and its actions (%s)', (backend) => {
  let server: TestServer;
  let smtp: TestSmtpServer;
  let upstream: Upstream;
  let admin: AdminBrowser;
  let counter = 0;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    upstream = await startUpstream();
    server = await startAdminServer(backend, { outboxPollMs: 50, env: { SMTP_URL: smtp.url, TOLLGATE_ORGANIZATION_NAME: 'Contoso' } });
    admin = await adminBrowser(server);
    await putApi(server, 'orders', { displayName: 'Orders', path: 'orders', serviceUrl: `${upstream.url}/v1`, protocols: ['http', 'https'] }, [
      { id: 'get-order', displayName: 'Get an order', method: 'GET', urlTemplate: '/orders/{id}', templateParameters: [{ name: 'id', type: 'string', required: true }] },
    ]);
    await putProduct(server, 'shop', { displayName: 'Shop', subscriptionRequired: true, state: 'published' }, { apis: ['orders'] });
    const partners = await server.request('PUT', '/groups/partners', { body: { properties: { displayName: 'Partners' } } });
    expect(partners.status, partners.text).toBeLessThan(300);
  });
  afterAll(async () => {
    await server?.close();
    await smtp?.stop();
    await upstream?.close();
  });

  async function developer(state: 'active' | 'blocked' = 'active'): Promise<{ id: string; email: string; page: string }> {
    const id = `dev-${++counter}`;
    const email = `${id}@example.com`;
    await server.app.services.users.createOrUpdate(id, { email, firstName: 'Ada', lastName: `Lovelace ${counter}`, password: PASSWORD, state }, {});
    return { id, email, page: `/admin/users/${id}` };
  }

  function subscribe(userId: string, sid: string): Promise<string> {
    return activeSubscription(server, sid, userId, 'shop', `Sub ${sid}`);
  }

  const apiUser = async (id: string) => server.request('GET', `/users/${id}`);
  const audit = (userId: string, action: string) => server.app.store.audit.listAudit({ userId, action });

  function linkIn(mail: ReceivedEmail, path: string): string {
    const match = new RegExp(`${server.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(${path}\\?token=[A-Za-z0-9_%-]+)`).exec(mail.text);
    if (!match) throw new Error(`no ${path} link in:\n${mail.text}`);
    return match[1]!;
  }

  it('shows the details, groups, subscriptions and audit trail; 404 for an unknown user', async () => {
    const dev = await developer();
    await server.request('PATCH', `/users/${dev.id}`, { body: { properties: { note: 'Key account <VIP>' } }, headers: { 'if-match': '*' } });
    await subscribe(dev.id, `${dev.id}-s1`);
    const page = await admin.get(dev.page);
    expect(page.status, page.text).toBe(200);
    expect(page.text).toContain('<h1 id="page-heading">Ada Lovelace');
    expect(page.text).toContain(dev.email);
    expect(page.text).toContain('<span class="state active">Active</span>');
    expect(page.text).toContain('Key account &lt;VIP&gt;');
    expect(page.text).toContain(`Basic: ${dev.email}`);
    expect(page.text).toMatch(/<time datetime="\d{4}-/);
    expect(page.text).toContain('href="/admin/groups/developers">Developers</a>');
    expect(page.text).toContain(`href="/admin/subscriptions/${dev.id}-s1">Sub ${dev.id}-s1</a>`);
    expect(page.text).toContain('Product: Shop');
    expect(page.text).toContain('<code>user.updated</code>');
    expect(page.text).toContain('<code>subscription.created</code>');
    // Block is offered to an active user, Activate is not; Resend invitation is not (never invited).
    expect(page.text).toContain(`action="${dev.page}/block"`);
    expect(page.text).not.toContain(`action="${dev.page}/activate"`);
    expect(page.text).not.toContain('Resend invitation');
    expect((await admin.get('/admin/users/nobody-here')).status).toBe(404);
    // Administrators only.
    const anonymous = await new Browser(server).get(dev.page);
    expect(anonymous.status).toBe(303);
  });

  it('adds the user to a group and removes them, audited with the administrator as actor; an empty choice keeps the page', async () => {
    const dev = await developer();
    const empty = await admin.submit(dev.page, `${dev.page}/groups/add`, { groupId: '' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('Choose a group.');
    expect(empty.text).toContain('aria-invalid="true"');

    const added = await admin.submit(dev.page, `${dev.page}/groups/add`, { groupId: 'partners' });
    expect(added.status).toBe(303);
    expect(added.location).toBe(`${dev.page}?notice=member-added`);
    expect(messages((await admin.get(added.location!)).text)).toContain('The user was added to the group.');
    const groups = (await server.request('GET', `/users/${dev.id}/groups`)).json.value.map((g: { name: string }) => g.name);
    expect(groups).toContain('partners');
    expect((await audit(dev.id, 'group.member-added'))[0]?.actor).toBe('user:1');

    const removed = await admin.submit(dev.page, `${dev.page}/groups/partners/remove`);
    expect(removed.status).toBe(303);
    const after = (await server.request('GET', `/users/${dev.id}/groups`)).json.value.map((g: { name: string }) => g.name);
    expect(after).not.toContain('partners');
    expect((await audit(dev.id, 'group.member-removed'))[0]?.actor).toBe('user:1');
  });

  it('blocks a developer: the portal session ends and the gateway refuses the key; activating restores access', async () => {
    const dev = await developer();
    const key = await subscribe(dev.id, `${dev.id}-gw`);
    const call = async () => {
      const res = await fetch(`${server.gatewayUrl}/orders/orders/1`, { headers: { 'Ocp-Apim-Subscription-Key': key } });
      await res.arrayBuffer();
      return res.status;
    };
    expect(await call()).toBe(200);
    const portal = new Browser(server);
    await portal.signIn(dev.email, PASSWORD);
    expect((await portal.get('/profile')).status).toBe(200);

    const blocked = await admin.submit(dev.page, `${dev.page}/block`);
    expect(blocked.status).toBe(303);
    const shown = await admin.get(blocked.location!);
    expect(messages(shown.text)).toContain('is blocked');
    expect(shown.text).toContain('<span class="state blocked">Blocked</span>');
    expect(shown.text).toContain(`action="${dev.page}/activate"`);
    expect((await apiUser(dev.id)).json.properties.state).toBe('blocked');
    expect((await portal.get('/profile')).status).toBe(303);
    expect(await call()).toBe(403);
    const change = (await audit(dev.id, 'user.state-changed'))[0]!;
    expect(change.actor).toBe('user:1');
    expect(JSON.parse(change.detail!)).toEqual({ from: 'active', to: 'blocked' });
    // A blocked developer cannot sign in again.
    expect((await new Browser(server).submit('/signin', '/signin', { email: dev.email, password: PASSWORD })).status).toBe(403);

    const activated = await admin.submit(dev.page, `${dev.page}/activate`);
    expect(activated.status).toBe(303);
    expect((await apiUser(dev.id)).json.properties.state).toBe('active');
    expect(await call()).toBe(200);
    await new Browser(server).signIn(dev.email, PASSWORD);
  });

  it('refuses a form opened before a concurrent change (412), without overwriting it', async () => {
    const dev = await developer();
    const fields = await admin.formFields(dev.page, `${dev.page}/block`);
    expect(fields.etag).toBeTruthy();
    const etag = (await apiUser(dev.id)).headers.get('etag')!;
    const patched = await server.request('PATCH', `/users/${dev.id}`, { body: { properties: { note: 'changed' } }, headers: { 'if-match': etag } });
    expect(patched.status).toBe(200);
    const stale = await admin.post(`${dev.page}/block`, fields);
    expect(stale.status).toBe(412);
    expect(stale.text).toContain('Changed in the meantime');
    expect((await apiUser(dev.id)).json.properties.state).toBe('active');

    const deleteFields = await admin.formFields(`${dev.page}/delete`, `${dev.page}/delete`);
    await server.request('PATCH', `/users/${dev.id}`, { body: { properties: { note: 'again' } }, headers: { 'if-match': '*' } });
    expect((await admin.post(`${dev.page}/delete`, deleteFields)).status).toBe(412);
    expect((await apiUser(dev.id)).status).toBe(200);
  });

  it('protects the built-in administrator: it cannot be blocked or deleted, and the page says why', async () => {
    const blocked = await admin.submit('/admin/users/1', '/admin/users/1/block');
    expect(blocked.status).toBe(403);
    expect(messages(blocked.text)).toContain('The built-in administrator cannot be blocked or closed.');
    const deleted = await admin.submit('/admin/users/1/delete', '/admin/users/1/delete', { deleteSubscriptions: 'yes' });
    expect(deleted.status).toBe(403);
    expect(messages(deleted.text)).toContain('The built-in administrator cannot be deleted.');
    expect((await apiUser('1')).json.properties.state).toBe('active');
    // Still signed in.
    expect((await admin.get('/admin/users/1')).status).toBe(200);
  });

  it('sets a password: policy errors next to the field and nothing written; then the new password works on the portal and sessions end', async () => {
    const dev = await developer();
    const portal = new Browser(server);
    await portal.signIn(dev.email, PASSWORD);
    const page = `${dev.page}/set-password`;

    const weak = await admin.submit(page, page, { password: 'password' });
    expect(weak.status).toBe(400);
    expect(weak.text).toMatch(/<p class="field-error" id="new-password-error">[^<]+<\/p>/);
    expect(weak.text).toContain('aria-invalid="true"');
    expect(weak.text).not.toContain('value="password"');
    // The form is shown again, ready to be sent again.
    expect(hiddenFields(weak.text, page).etag).toBeTruthy();
    const empty = await admin.submit(page, page, { password: '' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('Enter the new password.');
    expect((await portal.get('/profile')).status).toBe(200);

    const set = await admin.submit(page, page, { password: NEW_PASSWORD });
    expect(set.status).toBe(303);
    expect(set.location).toBe(`${dev.page}?notice=password-set`);
    expect((await portal.get('/profile')).status).toBe(303);
    expect((await new Browser(server).signIn(dev.email, NEW_PASSWORD)).location).toBe('/profile');
    expect((await new Browser(server).submit('/signin', '/signin', { email: dev.email, password: PASSWORD })).status).toBe(401);
    expect((await audit(dev.id, 'user.password-set'))[0]?.actor).toBe('user:1');
  });

  it('resets a password: Yes/No page, the email arrives and its link works on the portal', async () => {
    const dev = await developer();
    const confirm = await admin.get(`${dev.page}/reset-password`);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('Yes, send the email');
    expect(confirm.text).toContain(`href="${dev.page}">No</a>`);
    const before = smtp.received.length;
    const sent = await admin.submit(`${dev.page}/reset-password`, `${dev.page}/reset-password`);
    expect(sent.status).toBe(303);
    expect(messages((await admin.get(sent.location!)).text)).toContain('A password reset email is on its way to the user.');
    expect((await audit(dev.id, 'user.password-reset-sent'))[0]?.actor).toBe('user:1');

    const mail = await waitForEmail(smtp, dev.email, { after: before });
    const portal = new Browser(server);
    const done = await portal.submit(linkIn(mail, '/reset-password'), '/reset-password', { password: NEW_PASSWORD, passwordConfirm: NEW_PASSWORD });
    expect(done.status).toBe(303);
    expect((await new Browser(server).signIn(dev.email, NEW_PASSWORD)).location).toBe('/profile');

    // Not for a blocked user (the link would not work): the page says so, and nothing is sent.
    const blocked = await developer('blocked');
    expect((await admin.get(`${blocked.page}/reset-password`)).status).toBe(409);
    const csrf = await admin.formFields(blocked.page, `${blocked.page}/activate`);
    const refused = await admin.post(`${blocked.page}/reset-password`, csrf);
    expect(refused.status).toBe(409);
  });

  it('resends an invitation to a pending invited user: the new link works, the older one does not', async () => {
    const id = `invited-${++counter}`;
    const email = `${id}@example.com`;
    const before = smtp.received.length;
    const created = await server.request('PUT', `/users/${id}`, {
      query: { notify: true },
      body: { properties: { email, firstName: 'Ivy', lastName: 'Invited', confirmation: 'invite' } },
    });
    expect(created.status, created.text).toBe(201);
    const first = await waitForEmail(smtp, email, { after: before });
    const oldLink = linkIn(first, '/invitation');

    const page = `/admin/users/${id}`;
    const shown = await admin.get(page);
    expect(shown.text).toContain('<span class="state pending">Pending</span>');
    expect(shown.text).toContain('Resend invitation');
    const between = smtp.received.length;
    const resent = await admin.submit(page, `${page}/resend-invitation`);
    expect(resent.status).toBe(303);
    expect((await audit(id, 'invitation.resent'))[0]?.actor).toBe('user:1');
    expect((await new Browser(server).get(oldLink)).status).toBe(410);
    const second = await waitForEmail(smtp, email, { after: between });
    const newLink = linkIn(second, '/invitation');
    expect(newLink).not.toBe(oldLink);
    const portal = new Browser(server);
    const accepted = await portal.submit(newLink, '/invitation', { password: PASSWORD, passwordConfirm: PASSWORD });
    expect(accepted.status).toBe(303);
    expect((await apiUser(id)).json.properties.state).toBe('active');

    // Hidden for other states, and refused if posted anyway.
    const active = await admin.get(page);
    expect(active.text).not.toContain('Resend invitation');
    const fields = await admin.formFields(page, `${page}/block`);
    expect((await admin.post(`${page}/resend-invitation`, fields)).status).toBe(409);
  });

  it('deletes a user with their subscriptions and notifies them, after a confirmation page', async () => {
    const dev = await developer();
    await subscribe(dev.id, `${dev.id}-a`);
    await subscribe(dev.id, `${dev.id}-b`);
    const confirm = await admin.get(`${dev.page}/delete`);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('They have 2 subscriptions.');
    expect(confirm.text).toContain('Also delete the user’s subscriptions');
    expect(confirm.text).toContain('Notify the user by email');
    const before = smtp.received.length;
    const done = await admin.submit(`${dev.page}/delete`, `${dev.page}/delete`, { deleteSubscriptions: 'yes', notify: 'yes' });
    expect(done.status).toBe(303);
    expect(done.location).toBe('/admin/users?notice=user-deleted-notified');
    expect((await apiUser(dev.id)).status).toBe(404);
    expect((await server.request('GET', `/subscriptions/${dev.id}-a`)).status).toBe(404);
    expect((await server.request('GET', `/subscriptions/${dev.id}-b`)).status).toBe(404);
    expect((await audit(dev.id, 'user.deleted'))[0]?.actor).toBe('user:1');
    expect((await server.app.store.outbox.listOutbox(dev.id)).map((m) => m.template)).toContain('accountClosedDeveloper');
    await waitForEmail(smtp, dev.email, { after: before });
    expect((await admin.get(dev.page)).status).toBe(404);
  });

  it('deletes a user without their subscriptions: they are cancelled; no email unless asked', async () => {
    const dev = await developer();
    await subscribe(dev.id, `${dev.id}-c`);
    const done = await admin.submit(`${dev.page}/delete`, `${dev.page}/delete`);
    expect(done.status).toBe(303);
    expect(done.location).toBe('/admin/users?notice=user-deleted');
    expect((await apiUser(dev.id)).status).toBe(404);
    const sub = await server.request('GET', `/subscriptions/${dev.id}-c`);
    expect(sub.status).toBe(200);
    expect(sub.json.properties.state).toBe('cancelled');
    expect((await server.app.store.outbox.listOutbox(dev.id)).map((m) => m.template)).not.toContain('accountClosedDeveloper');
  });
});
