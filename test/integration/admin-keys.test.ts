/**
 * The admin UI's Management keys pages, through a browser without JavaScript: a key created on the
 * page works against the management API and is shown only on the page that answers the POST (never
 * in a redirect, the list, the audit log or any later page); a revoked key gets 401; both are
 * audited with the administrator as actor; developers cannot reach the pages.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, type TestServer } from '../helpers/server.js';
import { Browser, hiddenFields, messages, type Res } from '../helpers/portal-browser.js';
import { ADMIN_EMAIL, AdminBrowser, adminBrowser, startAdminServer } from '../helpers/admin.js';

const KEY = /tg_[0-9a-f]{24}\.[A-Za-z0-9_-]{43}/g;

function expectPage(res: Res, status = 200): void {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(res.headers.get('location')).toBeNull();
  expect(res.text).not.toMatch(/ style="| on[a-z]+="/i);
  for (const m of res.text.matchAll(/<(?:input|select|textarea) id="([^"]+)"/g)) expect(res.text).toContain(`<label for="${m[1]}">`);
}

describe.each(BACKENDS)('admin UI: management keys (%s)', (backend) => {
  let server: TestServer;
  let admin: AdminBrowser;
  let adminId: string;

  /** A management API call with `key`. */
  async function callWith(key: string, method = 'GET', path = '/users', body?: unknown): Promise<number> {
    const res = await server.request(method, path, { headers: { authorization: `Bearer ${key}` }, ...(body !== undefined ? { body } : {}) });
    return res.status;
  }

  async function create(name: string): Promise<{ res: Res; key: string; id: string }> {
    const res = await admin.submitAdmin('/admin/keys', '/admin/keys', { name });
    expectPage(res);
    const keys = res.text.match(KEY) ?? [];
    expect(keys).toHaveLength(1);
    const key = keys[0]!;
    return { res, key, id: key.slice(3, 27) };
  }

  beforeAll(async () => {
    server = await startAdminServer(backend);
    admin = await adminBrowser(server);
    adminId = (await server.app.services.users.list({ top: 1, skip: 0, filter: `email eq '${ADMIN_EMAIL}'` })).items[0]!.id;
  });
  afterAll(async () => server?.close());

  it('creates a key shown once, on the page that answers the POST, that works against the management API', async () => {
    const list = await admin.get('/admin/keys');
    expectPage(list);
    expect(list.text).toContain('aria-current="page">Management keys</a>');
    expect(list.text).toContain('<label for="key-name">Name</label>');

    const { res, key, id } = await create('CI deployments');
    expect(res.text).toContain('Copy the key now: it will not be shown again.');
    expect(res.text).toContain('CI deployments');
    expect(await callWith(key)).toBe(200);
    expect(await callWith(`${key}x`)).toBe(401);

    // Used for a change, the key shows when it was last used.
    expect(await callWith(key, 'PUT', '/users/made-by-key', { properties: { email: 'made-by-key@example.com', firstName: 'Kay', lastName: 'Made' } })).toBe(201);

    const after = await admin.get('/admin/keys');
    expectPage(after);
    expect(after.text).not.toContain(key);
    expect(after.text).not.toContain(key.slice(28));
    expect(after.text.match(KEY)).toBeNull();
    const row = new RegExp(`<th scope="row">CI deployments</th>\\s*<td><code>${id}</code></td>[\\s\\S]*?</tr>`).exec(after.text)?.[0];
    expect(row).toBeDefined();
    expect(row).toContain('<span class="state active">Active</span>');
    expect(row).not.toContain('Not recorded');
    expect(row).toContain(`href="/admin/keys/${id}/revoke"`);

    const audit = await server.app.store.audit.listAudit({ action: 'management-key.created' });
    const entry = audit.find((a) => a.detail?.includes(id));
    expect(entry?.actor).toBe(`user:${adminId}`);
    expect(JSON.parse(entry!.detail!)).toEqual({ keyId: id, name: 'CI deployments' });
    // The secret is nowhere else: not in the audit log, not in the database.
    const everything = JSON.stringify(await server.app.store.audit.listAudit({ limit: 1000 }));
    expect(everything).not.toContain(key.slice(28));
    const rows = JSON.stringify(await server.app.store.keys.listKeys());
    expect(rows).not.toContain(key.slice(28));
  });

  it('shows the form again with the error and the typed name when the name is missing or too long; nothing is created', async () => {
    const before = (await server.app.services.keys.list()).length;
    const page = await admin.get('/admin/keys');
    const fields = hiddenFields(page.text, '/admin/keys');
    const empty = await admin.post('/admin/keys', { ...fields, name: '   ' });
    expectPage(empty, 400);
    expect(messages(empty.text)).toContain('This is required.');
    expect(empty.text).toContain('aria-invalid="true"');
    const long = 'n'.repeat(201);
    const tooLong = await admin.post('/admin/keys', { ...fields, name: long });
    expectPage(tooLong, 400);
    expect(tooLong.text).toContain(`value="${long}"`);
    expect(tooLong.text.match(KEY)).toBeNull();
    expect((await server.app.services.keys.list()).length).toBe(before);
    // Without the form token nothing is created.
    expect((await admin.post('/admin/keys', { name: 'No token' })).status).toBe(403);
    expect((await server.app.services.keys.list()).length).toBe(before);
  });

  it('revokes a key after a confirmation page: the key then gets 401, audited with the administrator', async () => {
    const { key, id } = await create('Old laptop');
    expect(await callWith(key)).toBe(200);

    const confirm = await admin.get(`/admin/keys/${id}/revoke`);
    expectPage(confirm);
    expect(confirm.text).toContain('Revoke the key?');
    expect(confirm.text).toContain('Old laptop');
    expect(confirm.text).not.toContain(key);
    const revoked = await admin.submitAdmin(`/admin/keys/${id}/revoke`, `/admin/keys/${id}/revoke`);
    expect(revoked.status, revoked.text).toBe(303);
    expect(revoked.location).toBe('/admin/keys?notice=key-revoked');
    expect(revoked.location).not.toContain(key.slice(28));
    expect(await callWith(key)).toBe(401);

    const list = await admin.get(revoked.location!);
    expectPage(list);
    expect(messages(list.text)).toContain('The key was revoked: calls made with it are refused.');
    const row = new RegExp(`<th scope="row">Old laptop</th>[\\s\\S]*?</tr>`).exec(list.text)?.[0];
    expect(row).toContain('<span class="state revoked">Revoked</span>');
    expect(row).not.toContain('/revoke"');

    const audit = await server.app.store.audit.listAudit({ action: 'management-key.revoked' });
    const entry = audit.find((a) => a.detail?.includes(id));
    expect(entry?.actor).toBe(`user:${adminId}`);
    expect(JSON.parse(entry!.detail!)).toEqual({ keyId: id, name: 'Old laptop' });

    // Revoking again: not offered, and refused if forced.
    expect((await admin.get(`/admin/keys/${id}/revoke`)).status).toBe(409);
    const token = hiddenFields(list.text, '/admin/keys')._csrf!;
    expect((await admin.post(`/admin/keys/${id}/revoke`, { _csrf: token })).status).toBe(404);
    expect((await admin.get('/admin/keys/000000000000000000000000/revoke')).status).toBe(404);
  });

  it('is closed to developers', async () => {
    const id = `dev-${randomBytes(3).toString('hex')}`;
    const password = `Violet tundra mosaic ${randomBytes(4).toString('hex')}`;
    await server.app.services.users.createOrUpdate(id, { email: `${id}@example.com`, firstName: 'Ada', lastName: 'Lovelace', password }, {});
    const browser = new Browser(server);
    await browser.signIn(`${id}@example.com`, password);
    const before = (await server.app.services.keys.list()).length;
    for (const path of ['/admin/keys', '/admin/keys/x/revoke']) {
      const res = await browser.get(path);
      expect(res.status).toBe(303);
      expect(res.location).toMatch(/^\/admin\/signin(\?|$)/);
    }
    const profile = await browser.get('/profile');
    const posted = await browser.post('/admin/keys', { ...hiddenFields(profile.text, '/profile/close'), name: 'sneaky' });
    expect(posted.status).toBe(303);
    expect(posted.location).toMatch(/^\/admin\/signin(\?|$)/);
    expect((await server.app.services.keys.list()).length).toBe(before);

    const asAdmin = new AdminBrowser(server);
    const signin = await asAdmin.get('/admin/signin');
    const refused = await asAdmin.post('/admin/signin', { ...hiddenFields(signin.text, '/admin/signin'), email: `${id}@example.com`, password });
    expect(refused.status).not.toBe(303);
    expect((await asAdmin.get('/admin/keys')).status).toBe(303);
  });
});
