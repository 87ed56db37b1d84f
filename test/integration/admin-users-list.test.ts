/**
 * The admin UI's Users list (search, state filter, sorting, paging), + Add, + Invite and the bulk
 * actions, through a browser without JavaScript, checked through their real effects: the
 * management API, the user service, and emails received by a real SMTP server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { ManualClock } from '../../src/domain/clock.js';
import { BACKENDS, type TestServer } from '../helpers/server.js';
import { startSmtpServer, type ReceivedEmail, type TestSmtpServer } from '../helpers/smtp.js';
import { Browser, hiddenFields, messageText, messages, unescapeHtml } from '../helpers/portal-browser.js';
import { ADMIN_EMAIL, AdminBrowser, adminBrowser, startAdminServer } from '../helpers/admin.js';
import { runOutbox } from '../helpers/mail.js';

const ORGANIZATION = 'Contoso';

/** The ids of the users listed on a page, in order (from their `pick.<id>` checkboxes). */
function listedIds(page: string): string[] {
  return [...page.matchAll(/name="pick\.([^"]+)" value="yes"/g)].map((m) => unescapeHtml(m[1]!));
}

/** The names listed (the row headers' links), in order. */
function listedNames(page: string): string[] {
  return [...page.matchAll(/<th scope="row"><a href="\/admin\/users\/[^"]+">([^<]*)<\/a><\/th>/g)].map((m) => unescapeHtml(m[1]!));
}

/** The code of the notice a redirect asks its page to show. */
function noticeCode(location: string | null): string {
  expect(location).toBeTruthy();
  return new URL(location!, 'http://x').searchParams.get('notice') ?? '';
}

describe.each(BACKENDS)('admin users list, add, invite and bulk actions (%s)', (backend) => {
  let server: TestServer;
  let smtp: TestSmtpServer;
  let admin: AdminBrowser;
  const clock = new ManualClock('2026-03-02T10:00:00.000Z');

  /** A user created through the service, registered one second after the previous one. */
  async function user(id: string, firstName: string, lastName: string, email: string, extra: { state?: 'active' | 'blocked' | 'pending'; password?: string } = {}) {
    clock.advance(1000);
    const { user: created } = await server.app.services.users.createOrUpdate(id, { email, firstName, lastName, ...extra }, {});
    return created;
  }

  async function stateOf(id: string): Promise<string> {
    const res = await server.request('GET', `/users/${id}`);
    expect(res.status, res.text).toBe(200);
    return res.json.properties.state as string;
  }

  /** Runs the outbox worker until it is idle; the emails received for `to`. */
  async function emailsTo(to: string): Promise<ReceivedEmail[]> {
    await runOutbox(server);
    return smtp.received.filter((m) => m.envelopeTo.includes(to));
  }

  beforeAll(async () => {
    smtp = await startSmtpServer();
    server = await startAdminServer(backend, { clock, env: { SMTP_URL: smtp.url, TOLLGATE_ORGANIZATION_NAME: ORGANIZATION } });
    // 60 users to page through, registered in order.
    for (let i = 1; i <= 60; i++) {
      const n = String(i).padStart(3, '0');
      await user(`page-${n}`, 'Paging', `Person ${n}`, `paging${n}@paging.example`);
    }
    // A small set to sort, search and filter.
    await user('sort-b', 'bella', 'Byron', 'zeta@sorting.example');
    await user('sort-a', 'Ada', 'Lovelace', 'yotta@sorting.example');
    await user('sort-c', 'Charles', 'Babbage', 'alpha@sorting.example', { state: 'blocked' });
    await user('sort-d', 'Dorothy', 'Vaughan', 'beta@sorting.example', { state: 'pending' });
    admin = await adminBrowser(server);
  });
  afterAll(async () => {
    await server?.close();
    await smtp?.stop();
  });

  describe('the list', () => {
    it('shows 50 users a page, with the page links, columns and a link to each user', async () => {
      const first = await admin.get('/admin/users?q=paging.example');
      expect(first.status, first.text).toBe(200);
      expect(first.text).toContain('1–50 of 60');
      const ids = listedIds(first.text);
      expect(ids).toHaveLength(50);
      expect(ids[0]).toBe('page-001');
      expect(first.text).toContain('<a href="/admin/users/page-001">Paging Person 001</a>');
      expect(first.text).toContain('paging001@paging.example');
      expect(first.text).toMatch(/<span class="state active">Active<\/span>/);
      expect(first.text).toContain('<time datetime="2026-03-02T10:00:01.000Z">');
      expect(first.text).toContain('Developers');
      expect(first.text).toContain('href="/admin/users?q=paging.example&amp;skip=50" rel="next"');
      expect(first.text).not.toContain('rel="prev"');
      expect(first.text).not.toMatch(/ style="/);

      const second = await admin.get('/admin/users?q=paging.example&skip=50');
      expect(second.text).toContain('51–60 of 60');
      expect(listedIds(second.text)).toEqual(Array.from({ length: 10 }, (_, i) => `page-${String(51 + i).padStart(3, '0')}`));
      expect(second.text).toContain('href="/admin/users?q=paging.example" rel="prev"');

      // Every user: the 64 above and the built-in administrator, also 50 to a page.
      const all = await admin.get('/admin/users');
      expect(all.text).toContain('1–50 of 65');
      expect(listedIds(all.text)).toHaveLength(50);
    });

    it('searches by name and by email, without regard to case, taking % and _ literally', async () => {
      const byName = await admin.get('/admin/users?q=lovelace');
      expect(listedIds(byName.text)).toEqual(['sort-a']);
      expect(byName.text).toContain('value="lovelace"');
      const fullName = await admin.get(`/admin/users?q=${encodeURIComponent('ADA LOVE')}`);
      expect(listedIds(fullName.text)).toEqual(['sort-a']);
      const firstName = await admin.get('/admin/users?q=Bella');
      expect(listedIds(firstName.text)).toEqual(['sort-b']);

      const byEmail = await admin.get(`/admin/users?q=${encodeURIComponent('ZETA@Sorting')}`);
      expect(listedIds(byEmail.text)).toEqual(['sort-b']);
      const byDomain = await admin.get('/admin/users?q=sorting.example');
      expect(listedIds(byDomain.text).sort()).toEqual(['sort-a', 'sort-b', 'sort-c', 'sort-d']);

      for (const wildcard of ['%', '_', 'a%a']) {
        const res = await admin.get(`/admin/users?q=${encodeURIComponent(wildcard)}`);
        expect(res.status).toBe(200);
        expect(listedIds(res.text), wildcard).toEqual([]);
        expect(res.text).toContain('No user matches this search.');
      }
      // Quotes and markup are just text.
      const odd = await admin.get(`/admin/users?q=${encodeURIComponent(`'"><b>x`)}`);
      expect(odd.status).toBe(200);
      expect(odd.text).not.toContain('<b>x');
    });

    it('filters by state, as the overview links do', async () => {
      const blocked = await admin.get('/admin/users?state=blocked');
      expect(listedIds(blocked.text)).toEqual(['sort-c']);
      expect(blocked.text).toMatch(/<option value="blocked" selected>/);
      const pending = await admin.get('/admin/users?state=pending');
      expect(listedIds(pending.text)).toEqual(['sort-d']);
      const both = await admin.get('/admin/users?state=active&q=sorting.example');
      expect(listedIds(both.text).sort()).toEqual(['sort-a', 'sort-b']);
      // An unknown state lists everyone rather than failing.
      const unknown = await admin.get('/admin/users?state=nope&q=sorting.example');
      expect(listedIds(unknown.text)).toHaveLength(4);
    });

    it('sorts by name, email, registration date and state, either way, with sort links in the headers', async () => {
      const q = 'q=sorting.example';
      const ids = async (sort: string) => listedIds((await admin.get(`/admin/users?${q}&sort=${sort}`)).text);
      expect(await ids('name')).toEqual(['sort-a', 'sort-b', 'sort-c', 'sort-d']); // Ada, bella, Charles, Dorothy (case ignored)
      expect(await ids('-name')).toEqual(['sort-d', 'sort-c', 'sort-b', 'sort-a']);
      expect(await ids('email')).toEqual(['sort-c', 'sort-d', 'sort-a', 'sort-b']); // alpha, beta, yotta, zeta
      expect(await ids('-email')).toEqual(['sort-b', 'sort-a', 'sort-d', 'sort-c']);
      expect(await ids('registered')).toEqual(['sort-b', 'sort-a', 'sort-c', 'sort-d']);
      expect(await ids('-registered')).toEqual(['sort-d', 'sort-c', 'sort-a', 'sort-b']);
      expect(await ids('state')).toEqual(['sort-a', 'sort-b', 'sort-c', 'sort-d']); // active (Ada, bella), blocked, pending
      expect(await ids('-state')).toEqual(['sort-d', 'sort-c', 'sort-b', 'sort-a']);

      const page = await admin.get(`/admin/users?${q}&sort=email`);
      expect(listedNames(page.text)).toEqual(['Charles Babbage', 'Dorothy Vaughan', 'Ada Lovelace', 'bella Byron']);
      expect(page.text).toContain('aria-sort="ascending"');
      // The current column's link turns the order round; the others sort ascending; the search is kept.
      expect(page.text).toContain('href="/admin/users?q=sorting.example&amp;sort=-email"');
      expect(page.text).toContain('href="/admin/users?q=sorting.example&amp;sort=registered"');
      // The search form keeps the order.
      expect(page.text).toContain('<input type="hidden" name="sort" value="email">');
    });
  });

  describe('+ Add', () => {
    it('creates an Active user in Developers, who can sign in with the password given, and opens their page', async () => {
      const page = await admin.get('/admin/users/new');
      expect(page.status).toBe(200);
      expect(page.text).toContain('<label for="add-password">Password');
      const password = `Cobalt meadow ${randomBytes(3).toString('hex')}`;
      const res = await admin.post('/admin/users/new', {
        ...hiddenFields(page.text, '/admin/users/new'),
        firstName: 'Grace',
        lastName: 'Hopper',
        email: 'grace@navy.example',
        password,
        note: 'Met at the conference.',
      });
      expect(res.status, res.text).toBe(303);
      const id = /^\/admin\/users\/([0-9a-f]{24})\?notice=user-added$/.exec(res.location ?? '')?.[1];
      expect(id, res.location ?? '').toBeTruthy();
      expect(messageText((await admin.get(res.location!)).text)).toContain('The user was added.');

      const api = await server.request('GET', `/users/${id}`);
      expect(api.status).toBe(200);
      expect(api.json.properties).toMatchObject({ firstName: 'Grace', lastName: 'Hopper', email: 'grace@navy.example', state: 'active', note: 'Met at the conference.' });
      const groups = await server.request('GET', `/users/${id}/groups`);
      expect(groups.json.value.map((g: { name: string }) => g.name)).toEqual(['developers']);
      await new Browser(server).signIn('grace@navy.example', password);
      // No email for a user an administrator adds.
      expect(await emailsTo('grace@navy.example')).toEqual([]);
      // The audit log names the administrator.
      const audit = await server.app.store.audit.listAudit({ userId: id!, action: 'user.created' });
      expect(audit.map((a) => a.actor)).toEqual(['user:1']);
    });

    it('shows the errors next to the fields, keeps what was typed (not the password) and creates nothing', async () => {
      const countOf = async (email: string) =>
        (await server.request('GET', '/users', { query: { $filter: `email eq '${email}'` } })).json.count as number;

      const duplicate = await admin.submit('/admin/users/new', '/admin/users/new', {
        firstName: 'Second',
        lastName: 'Ada',
        email: 'YOTTA@sorting.example',
        password: '',
        note: 'a note',
      });
      expect(duplicate.status).toBe(400);
      expect(duplicate.text).toMatch(/<p class="field-error" id="add-email-error">A user with this email address already exists\.<\/p>/);
      expect(duplicate.text).toContain('value="Second"');
      expect(duplicate.text).toContain('value="YOTTA@sorting.example"');
      expect(duplicate.text).toContain('>a note</textarea>');
      expect(messages(duplicate.text)).toContain('A user with this email address already exists.');
      expect(await countOf('yotta@sorting.example')).toBe(1);

      const weak = await admin.submit('/admin/users/new', '/admin/users/new', {
        firstName: 'Weak',
        lastName: 'Password',
        email: 'weak@example.com',
        password: 'password',
      });
      expect(weak.status).toBe(400);
      expect(weak.text).toMatch(/<p class="field-error" id="add-password-error">[^<]+<\/p>/);
      expect(weak.text).toContain('value="weak@example.com"');
      expect(weak.text).not.toContain('value="password"');
      expect(await countOf('weak@example.com')).toBe(0);

      const invalid = await admin.submit('/admin/users/new', '/admin/users/new', { firstName: '', lastName: 'X', email: 'not-an-email' });
      expect(invalid.status).toBe(400);
      expect(invalid.text).toContain('id="add-first-name-error"');
      expect(invalid.text).toContain('id="add-email-error"');
      expect(invalid.text).toContain('value="not-an-email"');
    });
  });

  describe('+ Invite', () => {
    it('sends the invitation email and lists the user as Pending', async () => {
      const res = await admin.submit('/admin/users/invite', '/admin/users/invite', {
        email: 'katherine@nasa.example',
        firstName: 'Katherine',
        lastName: 'Johnson',
      });
      expect(res.status, res.text).toBe(303);
      const id = /^\/admin\/users\/([0-9a-f]{24})\?notice=user-invited$/.exec(res.location ?? '')?.[1];
      expect(id).toBeTruthy();
      expect(await stateOf(id!)).toBe('pending');

      const mails = await emailsTo('katherine@nasa.example');
      expect(mails).toHaveLength(1);
      expect(mails[0]!.subject).toBe(`You are invited to join the ${ORGANIZATION} developer portal`);
      expect(mails[0]!.text).toContain(`${server.url}/invitation?token=`);

      const pending = await admin.get('/admin/users?state=pending&q=katherine');
      expect(listedIds(pending.text)).toEqual([id]);
      expect(pending.text).toContain('<span class="state pending">Pending</span>');

      // The same address again: the error is next to the field, and no second email goes out.
      const again = await admin.submit('/admin/users/invite', '/admin/users/invite', { email: 'katherine@nasa.example', firstName: 'K', lastName: 'J' });
      expect(again.status).toBe(400);
      expect(again.text).toContain('id="invite-email-error"');
      expect(await emailsTo('katherine@nasa.example')).toHaveLength(1);
    });
  });

  describe('bulk actions', () => {
    it('blocks, then activates the selected users, reporting the ones that cannot be changed', async () => {
      await user('bulk-1', 'Bulk', 'One', 'bulk1@bulk.example');
      await user('bulk-2', 'Bulk', 'Two', 'bulk2@bulk.example');
      await user('bulk-3', 'Bulk', 'Three', 'bulk3@bulk.example');
      const list = '/admin/users?q=bulk.example&sort=-name';
      const page = await admin.get(list);
      const fields = hiddenFields(page.text, '/admin/users/bulk');
      expect(fields.returnTo).toBe('/admin/users?q=bulk.example&sort=-name');
      expect(page.text).toContain('data-select-all="users-form"');

      const blocked = await admin.post('/admin/users/bulk', { ...fields, action: 'block', 'pick.bulk-1': 'yes', 'pick.bulk-2': 'yes', 'pick.1': 'yes' });
      // The answer is the result page: what was done, to whom, and the way back to the list as it was.
      expect(blocked.status).toBe(200);
      const me = await server.app.services.users.get('1');
      expect(messageText(blocked.text)).toBe(
        `Blocked 2 users. Could not block ${`${me.firstName} ${me.lastName}`.trim()} (${ADMIN_EMAIL}): The built-in administrator cannot be blocked or closed.`,
      );
      expect(blocked.text).toContain('href="/admin/users?q=bulk.example&amp;sort=-name"');
      expect(await stateOf('bulk-1')).toBe('blocked');
      expect(await stateOf('bulk-2')).toBe('blocked');
      expect(await stateOf('bulk-3')).toBe('active');
      expect(await stateOf('1')).toBe('active');
      const audit = await server.app.store.audit.listAudit({ userId: 'bulk-1', action: 'user.state-changed' });
      expect(audit.map((a) => a.actor)).toEqual(['user:1']);

      const activated = await admin.post('/admin/users/bulk', { ...fields, action: 'activate', 'pick.bulk-1': 'yes', 'pick.bulk-2': 'yes' });
      expect(messageText(activated.text)).toBe('Activated 2 users.');
      expect(await stateOf('bulk-1')).toBe('active');
      expect(await stateOf('bulk-2')).toBe('active');

      // Nothing ticked, or no action chosen: nothing happens, and the notice says why.
      const none = await admin.post('/admin/users/bulk', { ...fields, action: 'block' });
      expect(noticeCode(none.location)).toBe('bulk-nothing-selected');
      expect(messageText((await admin.get(none.location!)).text)).toContain('No user was selected');
      const noAction = await admin.post('/admin/users/bulk', { ...fields, action: '', 'pick.bulk-3': 'yes' });
      expect(noticeCode(noAction.location)).toBe('bulk-no-action');
      expect(await stateOf('bulk-3')).toBe('active');
      // A returnTo outside the users list is not followed.
      const away = await admin.post('/admin/users/bulk', { ...fields, returnTo: 'https://evil.example/', action: 'activate', 'pick.bulk-3': 'yes' });
      expect(away.status).toBe(200);
      expect(away.text).toContain('href="/admin/users"');
      expect(away.text).not.toContain('evil.example');
    });

    it('deletes the selected users after a confirmation page, with their subscriptions, notifying them', async () => {
      await user('del-1', 'Delete', 'One', 'del1@delete.example');
      await user('del-2', 'Delete', 'Two', 'del2@delete.example');
      await user('del-keep', 'Delete', 'Kept', 'keep@delete.example');
      for (const [sid, owner] of [['sub-del-1', 'del-1'], ['sub-del-2', 'del-2'], ['sub-keep', 'del-keep']] as const) {
        const put = await server.request('PUT', `/subscriptions/${sid}`, {
          body: { properties: { ownerId: `/users/${owner}`, scope: '/products/starter', displayName: `Sub of ${owner}` } },
        });
        expect(put.status, put.text).toBe(201);
      }

      const page = await admin.get('/admin/users?q=delete.example');
      const fields = hiddenFields(page.text, '/admin/users/bulk');
      const asked = await admin.post('/admin/users/bulk', { ...fields, action: 'delete', 'pick.del-1': 'yes', 'pick.del-2': 'yes' });
      expect(asked.status).toBe(303);
      expect(asked.location).toMatch(/^\/admin\/users\/bulk-delete\?/);
      // Asking deletes nothing.
      expect(await stateOf('del-1')).toBe('active');

      const confirm = await admin.get(asked.location!);
      expect(confirm.status, confirm.text).toBe(200);
      expect(confirm.text).toContain('Delete 2 users?');
      expect(confirm.text).toContain('del1@delete.example');
      expect(confirm.text).toContain('del2@delete.example');
      expect(confirm.text).not.toContain('keep@delete.example');
      expect(confirm.text).toContain('<label for="bulk-delete-subscriptions">Also delete their subscriptions');
      expect(confirm.text).toContain('<label for="bulk-delete-notify">Notify them');
      const hidden = hiddenFields(confirm.text, '/admin/users/bulk-delete');
      expect(Object.keys(hidden).filter((k) => k.startsWith('pick.')).sort()).toEqual(['pick.del-1', 'pick.del-2']);

      const done = await admin.post('/admin/users/bulk-delete', { ...hidden, deleteSubscriptions: 'yes', notify: 'yes' });
      expect(done.status).toBe(200);
      expect(messageText(done.text)).toBe('Deleted 2 users.');
      expect(done.text).toContain('href="/admin/users?q=delete.example"');
      expect((await server.request('GET', '/users/del-1')).status).toBe(404);
      expect((await server.request('GET', '/users/del-2')).status).toBe(404);
      expect((await server.request('GET', '/subscriptions/sub-del-1')).status).toBe(404);
      expect((await server.request('GET', '/subscriptions/sub-del-2')).status).toBe(404);
      expect((await server.request('GET', '/subscriptions/sub-keep')).status).toBe(200);
      expect(await stateOf('del-keep')).toBe('active');
      expect(await emailsTo('del1@delete.example')).toHaveLength(1);
      expect(await emailsTo('del2@delete.example')).toHaveLength(1);
      expect(await emailsTo('keep@delete.example')).toHaveLength(0);
    });

    it('without the options cancels their subscriptions and sends nothing; the built-in administrator stays', async () => {
      await user('del-3', 'Delete', 'Three', 'del3@delete3.example');
      const put = await server.request('PUT', '/subscriptions/sub-del-3', {
        body: { properties: { ownerId: '/users/del-3', scope: '/products/starter', displayName: 'Sub of del-3' } },
      });
      expect(put.status).toBe(201);
      const confirm = await admin.get('/admin/users/bulk-delete?pick.del-3=yes&pick.1=yes&pick.nobody=yes');
      expect(confirm.text).toContain('Delete 2 users?');
      expect(confirm.text).toContain('1 user of the selection no longer exists.');
      const done = await admin.post('/admin/users/bulk-delete', hiddenFields(confirm.text, '/admin/users/bulk-delete'));
      const text = messageText(done.text);
      expect(text).toMatch(/^Deleted 1 user\. Could not delete .*: The built-in administrator cannot be deleted\.$/);
      expect((await server.request('GET', '/users/del-3')).status).toBe(404);
      expect((await server.request('GET', '/users/1')).status).toBe(200);
      expect((await server.request('GET', '/subscriptions/sub-del-3')).json.properties.state).toBe('cancelled');
      expect(await emailsTo('del3@delete3.example')).toHaveLength(0);
    });
  });

  describe('access', () => {
    it('is for administrators only: anonymous visitors and developers are sent to sign in, and nothing changes', async () => {
      const password = `Violet tundra mosaic ${randomBytes(3).toString('hex')}`;
      await user('dev-x', 'Dev', 'Eloper', 'dev-x@example.com', { password });
      const portal = new Browser(server);
      await portal.signIn('dev-x@example.com', password);
      const asDeveloper = new AdminBrowser(server);
      asDeveloper.jar.set('tg_admin', portal.cookie('tg_session')!);
      const anonymous = new AdminBrowser(server);
      for (const browser of [anonymous, asDeveloper]) {
        for (const path of ['/admin/users', '/admin/users?state=blocked', '/admin/users/new', '/admin/users/invite', '/admin/users/bulk-delete?pick.dev-x=yes']) {
          const res = await browser.get(path);
          expect(res.status, path).toBe(303);
          expect(res.location).toMatch(/^\/admin\/signin(\?|$)/);
        }
        const posted = await browser.post('/admin/users/bulk', { action: 'block', 'pick.dev-x': 'yes' });
        expect(posted.status).toBe(303);
        expect(posted.location).toMatch(/^\/admin\/signin(\?|$)/);
        const created = await browser.post('/admin/users/new', { firstName: 'X', lastName: 'Y', email: 'sneaky@example.com' });
        expect(created.location).toMatch(/^\/admin\/signin(\?|$)/);
      }
      // The developer cannot sign in to the admin UI either.
      const signIn = await new AdminBrowser(server).submit('/admin/signin', '/admin/signin', { email: 'dev-x@example.com', password });
      expect(signIn.status).toBe(403);
      expect(await stateOf('dev-x')).toBe('active');
      expect((await server.request('GET', '/users', { query: { $filter: "email eq 'sneaky@example.com'" } })).json.count).toBe(0);

      // A signed-in administrator's form without its token is refused.
      const forged = await admin.post('/admin/users/bulk', { action: 'block', 'pick.dev-x': 'yes' });
      expect(forged.status).toBe(403);
      expect(await stateOf('dev-x')).toBe('active');
    });
  });
});

/**
 * Paging, search, state filter and sorting over a few thousand users, so that every page is a
 * query with LIMIT/OFFSET and the counts are the database's. How fast these pages are at 100,000
 * users is measured by `npm run bench:admin` (bench/admin, docs/benchmarks.md), not here.
 */
describe.each(BACKENDS)('admin users list with 5,000 users (%s)', (backend) => {
  let server: TestServer;
  let admin: AdminBrowser;
  const TOTAL = 5_000;
  const pad = (i: number) => String(i).padStart(6, '0');

  beforeAll(async () => {
    server = await startAdminServer(backend);
    const db = server.app.database.db;
    const start = Date.UTC(2020, 0, 1);
    await db.transaction().execute(async (trx) => {
      for (let from = 0; from < TOTAL; from += 1000) {
        const rows = Array.from({ length: 1000 }, (_, k) => {
          const i = from + k;
          const n = pad(i);
          const email = `user${n}@scale.example`;
          return {
            id: `scale-${n}`,
            first_name: `First${n}`,
            last_name: `Last${pad((i * 7919) % TOTAL)}`,
            email,
            email_lc: email,
            state: i % 10 === 0 ? ('blocked' as const) : ('active' as const),
            note: null,
            registration_date: new Date(start + i * 60_000).toISOString(),
            password_hash: null,
            etag: 'e',
            updated_at: new Date(start).toISOString(),
          };
        });
        await trx.insertInto('users').values(rows).execute();
      }
    });
    admin = await adminBrowser(server);
  }, 60_000);
  afterAll(async () => server?.close());

  it('searches, filters, sorts and pages in the database', async () => {
    const page = async (path: string) => {
      const res = await admin.get(path);
      expect(res.status, path).toBe(200);
      return res.text;
    };
    const all = await page('/admin/users');
    expect(all).toContain(`1–50 of ${TOTAL + 1}`);
    expect(listedIds(all)).toHaveLength(50);

    // The oldest last, on the last page (the built-in administrator registered last, at startup).
    const deep = await page(`/admin/users?sort=-registered&skip=${TOTAL - 49}`);
    expect(deep).toContain(`${TOTAL - 48}–${TOTAL + 1} of ${TOTAL + 1}`);
    expect(listedIds(deep)).toHaveLength(50);
    expect(listedIds(deep).slice(-2)).toEqual(['scale-000001', 'scale-000000']);

    const newest = await page('/admin/users?sort=-registered');
    expect(listedIds(newest).slice(0, 2)).toEqual(['1', `scale-${pad(TOTAL - 1)}`]);

    const byEmail = await page('/admin/users?q=user001234%40scale');
    expect(listedIds(byEmail)).toEqual(['scale-001234']);

    // Last00001x: ten last names (i * 7919 mod TOTAL takes every value once), in name order.
    const byName = await page('/admin/users?q=last00001&sort=name');
    expect(byName).toContain('1–10 of 10');
    expect(listedIds(byName)).toHaveLength(10);
    const names = listedNames(byName);
    expect(names.every((n) => /^First\d{6} Last00001\d$/.test(n)), names.join(', ')).toBe(true);
    expect(names).toEqual([...names].sort());

    const blocked = await page('/admin/users?state=blocked&sort=-name');
    expect(blocked).toContain(`1–50 of ${TOTAL / 10}`);
    expect(listedIds(blocked)[0]).toBe(`scale-${pad(TOTAL - 10)}`);
  }, 60_000);
});
