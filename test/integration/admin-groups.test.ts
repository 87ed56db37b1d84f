/**
 * The admin UI's Groups pages without a browser: every action's effect seen through the management
 * API, system groups read-only (no controls, and the service refuses a forced change), validation
 * errors that keep the form and write nothing, stale forms answered 412, members added by email
 * with the administrator as the audit actor, and no way in for a developer.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, type TestServer } from '../helpers/server.js';
import { Browser, hiddenFields, messageText as messages } from '../helpers/portal-browser.js';
import { AdminBrowser, adminBrowser, startAdminServer } from '../helpers/admin.js';
import { activeDeveloper, type TestUser } from '../helpers/users.js';

function developer(server: TestServer): Promise<TestUser> {
  const id = `dev-${randomBytes(4).toString('hex')}`;
  return activeDeveloper(server, id, { lastName: id });
}

describe.each(BACKENDS)('admin UI: groups (%s)', (backend) => {
  let server: TestServer;
  let admin: AdminBrowser;

  beforeAll(async () => {
    server = await startAdminServer(backend);
    admin = await adminBrowser(server);
  });
  afterAll(async () => server?.close());

  it('lists the groups with their type and member count; system groups offer no edit or delete', async () => {
    const list = await admin.get('/admin/groups');
    expect(list.status, list.text).toBe(200);
    expect(list.text).toContain('aria-current="page">Groups</a>');
    for (const name of ['Administrators', 'Developers', 'Guests']) expect(list.text).toContain(`>${name}</a>`);
    expect(list.text).toContain('<span class="state system">System</span>');
    // The administrator is the one member of Administrators.
    expect(list.text).toMatch(/href="\/admin\/groups\/administrators">Administrators<\/a><\/th>[\s\S]*?<td class="num">1<\/td>/);

    for (const id of ['administrators', 'developers', 'guests']) {
      const page = await admin.get(`/admin/groups/${id}`);
      expect(page.status).toBe(200);
      expect(page.text).not.toContain(`/admin/groups/${id}/edit`);
      expect(page.text).not.toContain(`/admin/groups/${id}/delete`);
      expect(page.text).toContain('is a system group');
    }
    const guests = await admin.get('/admin/groups/guests');
    expect(guests.text).not.toContain('action="/admin/groups/guests/members"');
  });

  it('refuses a forced change or deletion of a system group, with the service\'s message', async () => {
    const editPage = await admin.get('/admin/groups/developers/edit');
    expect(editPage.status).toBe(400);
    expect(messages(editPage.text)).toContain('system group');
    const before = await server.request('GET', '/groups/developers');

    // Forge the posts with a valid form token (taken from another form of the page).
    const token = hiddenFields((await admin.get('/admin/groups/developers')).text, '/admin/groups/developers/members');
    const edit = await admin.post('/admin/groups/developers/edit', { ...token, etag: '*', displayName: 'Hacked' });
    expect(edit.status).toBe(400);
    expect(messages(edit.text)).toContain("'Developers' is a system group and cannot be changed or deleted.");
    const remove = await admin.post('/admin/groups/developers/delete', { ...token, etag: '*' });
    expect(remove.status).toBe(400);
    expect(messages(remove.text)).toContain("'Developers' is a system group");
    const after = await server.request('GET', '/groups/developers');
    expect(after.status).toBe(200);
    expect(after.json.properties.displayName).toBe('Developers');
    expect(after.headers.get('etag')).toBe(before.headers.get('etag'));
  });

  it('creates a custom group, edits it with its etag, and refuses a stale form with 412', async () => {
    const created = await admin.submit('/admin/groups/new', '/admin/groups/new', {
      id: '',
      displayName: 'Partners & Friends',
      description: 'External partners <b>only</b>',
    });
    expect(created.status, created.text).toBe(303);
    expect(created.location).toBe('/admin/groups/partners-friends?notice=group-created');
    const api = await server.request('GET', '/groups/partners-friends');
    expect(api.status).toBe(200);
    expect(api.json.properties).toMatchObject({ displayName: 'Partners & Friends', description: 'External partners <b>only</b>', type: 'custom' });

    const page = await admin.get(created.location!);
    expect(page.text).toContain('Partners &amp; Friends');
    expect(page.text).toContain('External partners &lt;b&gt;only&lt;/b&gt;');
    expect(messages(page.text)).toContain('was created');

    // Someone else changes the group between opening the form and sending it.
    const form = await admin.get('/admin/groups/partners-friends/edit');
    expect(form.status).toBe(200);
    const fields = hiddenFields(form.text, '/admin/groups/partners-friends/edit');
    expect(fields.etag).toBe(api.headers.get('etag')!.replace(/"/g, ''));
    const saved = await admin.post('/admin/groups/partners-friends/edit', { ...fields, displayName: 'Partners', description: '' });
    expect(saved.status, saved.text).toBe(303);
    const changed = await server.request('GET', '/groups/partners-friends');
    expect(changed.json.properties.displayName).toBe('Partners');
    expect(changed.json.properties.description).toBeUndefined();

    const stale = await admin.post('/admin/groups/partners-friends/edit', { ...fields, displayName: 'Overwritten' });
    expect(stale.status).toBe(412);
    expect(stale.text).toContain('Changed in the meantime');
    expect((await server.request('GET', '/groups/partners-friends')).json.properties.displayName).toBe('Partners');
  });

  it('keeps the form and writes nothing when the name is missing or the id is taken', async () => {
    const before = (await server.request('GET', '/groups')).json.count;
    const empty = await admin.submit('/admin/groups/new', '/admin/groups/new', { id: 'nameless', displayName: '   ', description: 'Kept text' });
    expect(empty.status).toBe(400);
    expect(empty.text).toMatch(/id="group-name"[^>]*aria-invalid="true"/);
    expect(empty.text).toContain('<p class="field-error" id="group-name-error">This is required.</p>');
    expect(empty.text).toContain('>Kept text</textarea>');
    expect(empty.text).toContain('value="nameless"');

    const taken = await admin.submit('/admin/groups/new', '/admin/groups/new', { id: 'developers', displayName: 'Mine' });
    expect(taken.status).toBe(400);
    expect(taken.text).toContain('id="group-id-error"');
    expect(messages(taken.text)).toContain("A group with the id 'developers' exists already");
    expect(taken.text).toContain('value="Mine"');

    const badId = await admin.submit('/admin/groups/new', '/admin/groups/new', { id: 'no spaces/allowed', displayName: 'Bad id' });
    expect(badId.status).toBe(400);
    expect(badId.text).toContain('id="group-id-error"');

    expect((await server.request('GET', '/groups')).json.count).toBe(before);
    expect((await server.request('GET', '/groups/developers')).json.properties.displayName).toBe('Developers');
  });

  it('adds members by email (the administrator as actor), pages them, links them and removes them', async () => {
    const done = await admin.submit('/admin/groups/new', '/admin/groups/new', { id: 'beta', displayName: 'Beta testers' });
    expect(done.status).toBe(303);
    const dev = await developer(server);

    const unknown = await admin.submit('/admin/groups/beta', '/admin/groups/beta/members', { email: 'nobody@example.com' });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('value="nobody@example.com"');
    expect(unknown.text).toContain('id="member-email-error"');
    expect(messages(unknown.text)).toContain('This is not the email address of any user.');

    const added = await admin.submit('/admin/groups/beta', '/admin/groups/beta/members', { email: dev.email.toUpperCase() });
    expect(added.status, added.text).toBe(303);
    expect((await server.request('HEAD', `/groups/beta/users/${dev.id}`)).status).toBe(204);
    const audit = await server.app.store.audit.listAudit({ userId: dev.id, action: 'group.member-added' });
    expect(audit.map((a) => a.actor)).toEqual(['user:1']);

    const page = await admin.get('/admin/groups/beta');
    expect(page.text).toContain(`href="/admin/users/${dev.id}"`);
    expect(page.text).toContain(dev.email);

    // 24 more members: 20 a page.
    for (let i = 0; i < 24; i++) {
      const id = `m${String(i).padStart(2, '0')}-${randomBytes(3).toString('hex')}`;
      await server.app.services.users.createOrUpdate(id, { email: `${id}@example.com`, firstName: 'Member', lastName: id }, {});
      await server.app.services.groups.addMember('beta', id);
    }
    const first = await admin.get('/admin/groups/beta');
    expect(first.text.match(/<tr>\s*<th scope="row"><a href="\/admin\/users\//g)).toHaveLength(20);
    expect(first.text).toContain('href="/admin/groups/beta?skip=20" rel="next"');
    const second = await admin.get('/admin/groups/beta?skip=20');
    expect(second.text.match(/<tr>\s*<th scope="row"><a href="\/admin\/users\//g)).toHaveLength(5);
    const list = await admin.get('/admin/groups');
    expect(list.text).toMatch(/href="\/admin\/groups\/beta">Beta testers<\/a><\/th>[\s\S]*?<td class="num">25<\/td>/);

    const pageWithDev = first.text.includes(`/admin/groups/beta/members/${dev.id}/remove`) ? '/admin/groups/beta' : '/admin/groups/beta?skip=20';
    const removed = await admin.submit(pageWithDev, `/admin/groups/beta/members/${dev.id}/remove`);
    expect(removed.status).toBe(303);
    expect((await server.request('HEAD', `/groups/beta/users/${dev.id}`)).status).toBe(404);
    const removal = await server.app.store.audit.listAudit({ userId: dev.id, action: 'group.member-removed' });
    expect(removal.map((a) => a.actor)).toEqual(['user:1']);
  });

  it('deletes a custom group after a confirmation page', async () => {
    await admin.submit('/admin/groups/new', '/admin/groups/new', { id: 'doomed', displayName: 'Doomed' });
    const page = await admin.get('/admin/groups/doomed');
    expect(page.text).toContain('href="/admin/groups/doomed/delete"');
    const confirm = await admin.get('/admin/groups/doomed/delete');
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('Delete Doomed?');
    expect(confirm.text).toContain('class="button danger"');
    const res = await admin.submit('/admin/groups/doomed/delete', '/admin/groups/doomed/delete');
    expect(res.status).toBe(303);
    expect(res.location).toBe('/admin/groups?notice=group-deleted');
    expect((await server.request('GET', '/groups/doomed')).status).toBe(404);
  });

  it('keeps developers and anonymous visitors out of the pages and their actions', async () => {
    const dev = await developer(server);
    const anonymous = new AdminBrowser(server);
    for (const path of ['/admin/groups', '/admin/groups/new', '/admin/groups/developers']) {
      const res = await anonymous.get(path);
      expect(res.status).toBe(303);
      expect(res.location).toMatch(/^\/admin\/signin/);
    }
    // A developer cannot sign in to the admin UI, and their portal session does not open it.
    const signin = await anonymous.get('/admin/signin');
    const refused = await anonymous.post('/admin/signin', { ...hiddenFields(signin.text, '/admin/signin'), email: dev.email, password: dev.password });
    expect(refused.status).toBe(403);
    expect((await anonymous.get('/admin/groups')).status).toBe(303);
    const portal = new Browser(server);
    await portal.signIn(dev.email, dev.password);
    const forged = new AdminBrowser(server);
    forged.jar.set('tg_admin', portal.cookie('tg_session')!);
    expect((await forged.get('/admin/groups')).status).toBe(303);
    const post = await forged.post('/admin/groups/new', { displayName: 'Sneaky', id: 'sneaky' });
    expect(post.status).toBe(303);
    expect((await server.request('GET', '/groups/sneaky')).status).toBe(404);
  });
});
