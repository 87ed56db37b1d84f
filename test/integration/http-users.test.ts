/**
 * Users over raw HTTP: status codes, headers, concurrency (If-Match/ETag), paging, filters, that
 * nothing is half-written, and the side operations (emails, tokens, identities, subscriptions).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startServer, type RequestOptions, type TestResponse, type TestServer } from '../helpers/server.js';
import { allKeys, expectAzureError, expectValidationError } from '../helpers/shape.js';
import { expectedUserToken, storedSigningKey, tokenExpiry } from '../helpers/access-token.js';

const USER_TYPE = 'Microsoft.ApiManagement/service/users';
const DAY = 24 * 60 * 60 * 1000;
/** Passwords this file sends; none may ever come back. */
const GOOD_PASSWORD = 'Quartz-Lantern-Harbor-97';
const SENT_PASSWORDS = [GOOD_PASSWORD, 'Another-Fine-Passphrase-42', 'short1', 'qwerty123', 'Password123'];

describe.each(BACKENDS)('users over HTTP (%s)', (backend) => {
  let server: TestServer;
  const seen: TestResponse[] = [];

  /** Every response is kept, to prove at the end that no password ever left the server. */
  async function req(method: string, path: string, options?: RequestOptions): Promise<TestResponse> {
    const res = await server.request(method, path, options);
    seen.push(res);
    return res;
  }

  function body(id: string, extra: Record<string, unknown> = {}) {
    return { properties: { email: `${id}@example.com`, firstName: 'Grace', lastName: 'Hopper', ...extra } };
  }

  async function create(id: string, extra: Record<string, unknown> = {}, query?: RequestOptions['query']): Promise<TestResponse> {
    const res = await req('PUT', `/users/${id}`, { body: body(id, extra), ...(query ? { query } : {}) });
    expect(res.status, res.text).toBe(201);
    return res;
  }

  async function outbox(userId: string) {
    return server.app.store.outbox.listOutbox(userId);
  }

  beforeAll(async () => {
    server = await startServer(backend);
  });

  afterAll(async () => {
    await server?.close();
  });

  describe('create, read and headers', () => {
    it('PUT creates (201) and then replaces (200), with an ETag each time', async () => {
      const first = await req('PUT', '/users/u-put', { body: body('u-put') });
      expect(first.status, first.text).toBe(201);
      expect(first.headers.get('etag')).toMatch(/^"[^"]+"$/);
      expect(first.json).toMatchObject({
        id: `${new URL(server.base).pathname}/users/u-put`,
        type: USER_TYPE,
        name: 'u-put',
        properties: { email: 'u-put@example.com', firstName: 'Grace', lastName: 'Hopper', state: 'active' },
      });
      expect(typeof first.json.properties.registrationDate).toBe('string');
      expect(first.json.properties.identities).toEqual([{ provider: 'Basic', id: 'u-put@example.com' }]);

      const second = await req('PUT', '/users/u-put', { body: body('u-put', { firstName: 'Amazing' }) });
      expect(second.status, second.text).toBe(200);
      expect(second.json.properties.firstName).toBe('Amazing');
      expect(second.json.properties.registrationDate).toBe(first.json.properties.registrationDate);
      expect(second.headers.get('etag')).toMatch(/^"[^"]+"$/);
      expect(second.headers.get('etag')).not.toBe(first.headers.get('etag'));
    });

    it('GET returns the user with its ETag; HEAD returns 200, the same ETag and no body', async () => {
      const put = await create('u-get');
      const get = await req('GET', '/users/u-get');
      expect(get.status).toBe(200);
      expect(get.headers.get('etag')).toBe(put.headers.get('etag'));
      expect(get.json.name).toBe('u-get');
      expect(get.json.type).toBe(USER_TYPE);

      const head = await req('HEAD', '/users/u-get');
      expect(head.status).toBe(200);
      expect(head.text).toBe('');
      expect(head.headers.get('etag')).toBe(put.headers.get('etag'));
    });

    it('HEAD and GET on a missing user answer 404', async () => {
      const head = await req('HEAD', '/users/u-missing');
      expect(head.status).toBe(404);
      expect(head.text).toBe('');
      expectAzureError(await req('GET', '/users/u-missing'), 404, 'ResourceNotFound');
    });

    it('PUT with a stale If-Match is refused with 412 and changes nothing', async () => {
      const put = await create('u-put-ifmatch');
      const stale = await req('PUT', '/users/u-put-ifmatch', {
        body: body('u-put-ifmatch', { firstName: 'Changed' }),
        headers: { 'if-match': '"stale-etag"' },
      });
      expectAzureError(stale, 412);
      const get = await req('GET', '/users/u-put-ifmatch');
      expect(get.json.properties.firstName).toBe('Grace');
      expect(get.headers.get('etag')).toBe(put.headers.get('etag'));
      const ok = await req('PUT', '/users/u-put-ifmatch', {
        body: body('u-put-ifmatch', { firstName: 'Changed' }),
        headers: { 'if-match': put.headers.get('etag')! },
      });
      expect(ok.status, ok.text).toBe(200);
    });
  });

  describe('PATCH and If-Match', () => {
    it('refuses a PATCH without If-Match (400)', async () => {
      await create('u-patch-none');
      const res = await req('PATCH', '/users/u-patch-none', { body: { properties: { firstName: 'X' } } });
      expectAzureError(res, 400);
      expect((await req('GET', '/users/u-patch-none')).json.properties.firstName).toBe('Grace');
    });

    it('refuses a PATCH with a stale ETag (412) and leaves the user unchanged', async () => {
      const put = await create('u-patch-stale');
      const before = await req('GET', '/users/u-patch-stale');
      const res = await req('PATCH', '/users/u-patch-stale', {
        body: { properties: { firstName: 'Changed', note: 'changed' } },
        headers: { 'if-match': '"AAAAAAAAAAA="' },
      });
      expectAzureError(res, 412);
      const after = await req('GET', '/users/u-patch-stale');
      expect(after.json).toEqual(before.json);
      expect(after.headers.get('etag')).toBe(put.headers.get('etag'));
    });

    it('accepts the current ETag quoted, unquoted, and *, each time with a new ETag', async () => {
      const put = await create('u-patch-ok');
      let etag = put.headers.get('etag')!;

      const quoted = await req('PATCH', '/users/u-patch-ok', { body: { properties: { firstName: 'One' } }, headers: { 'if-match': etag } });
      expect(quoted.status, quoted.text).toBe(200);
      expect(quoted.json.properties.firstName).toBe('One');
      expect(quoted.json.properties.lastName).toBe('Hopper');
      const etag2 = quoted.headers.get('etag')!;
      expect(etag2).toMatch(/^"[^"]+"$/);
      expect(etag2).not.toBe(etag);
      etag = etag2;

      const bare = etag.slice(1, -1);
      const unquoted = await req('PATCH', '/users/u-patch-ok', { body: { properties: { firstName: 'Two' } }, headers: { 'if-match': bare } });
      expect(unquoted.status, unquoted.text).toBe(200);
      expect(unquoted.json.properties.firstName).toBe('Two');
      expect(unquoted.headers.get('etag')).not.toBe(etag);
      etag = unquoted.headers.get('etag')!;

      const star = await req('PATCH', '/users/u-patch-ok', { body: { properties: { note: 'hello' } }, headers: { 'if-match': '*' } });
      expect(star.status, star.text).toBe(200);
      expect(star.json.properties.note).toBe('hello');
      expect(star.json.properties.firstName).toBe('Two');
      expect(star.headers.get('etag')).not.toBe(etag);

      const get = await req('GET', '/users/u-patch-ok');
      expect(get.headers.get('etag')).toBe(star.headers.get('etag'));
      // The old ETag is stale now.
      expectAzureError(
        await req('PATCH', '/users/u-patch-ok', { body: { properties: { firstName: 'Three' } }, headers: { 'if-match': put.headers.get('etag')! } }),
        412,
      );
    });

    it('PATCH on a missing user answers 404', async () => {
      expectAzureError(await req('PATCH', '/users/u-patch-missing', { body: { properties: { firstName: 'X' } }, headers: { 'if-match': '*' } }), 404);
    });
  });

  describe('DELETE', () => {
    it('needs If-Match, refuses a stale one, deletes with *, and is idempotent', async () => {
      const put = await create('u-del');
      expectAzureError(await req('DELETE', '/users/u-del'), 400);
      expect((await req('GET', '/users/u-del')).status).toBe(200);

      expectAzureError(await req('DELETE', '/users/u-del', { headers: { 'if-match': '"stale"' } }), 412);
      const still = await req('GET', '/users/u-del');
      expect(still.status).toBe(200);
      expect(still.headers.get('etag')).toBe(put.headers.get('etag'));

      const del = await req('DELETE', '/users/u-del', { headers: { 'if-match': '*' } });
      expect(del.status, del.text).toBe(204);
      expect(del.text).toBe('');

      const again = await req('DELETE', '/users/u-del', { headers: { 'if-match': '*' } });
      expect(again.status, again.text).toBe(204);

      expectAzureError(await req('GET', '/users/u-del'), 404);
      expect((await req('HEAD', '/users/u-del')).status).toBe(404);
    });

    it('deletes with the current ETag', async () => {
      const put = await create('u-del-etag');
      const del = await req('DELETE', '/users/u-del-etag', { headers: { 'if-match': put.headers.get('etag')! } });
      expect(del.status, del.text).toBe(204);
      expect((await req('GET', '/users/u-del-etag')).status).toBe(404);
    });

    it('a deleted user frees its email and id', async () => {
      await create('u-del-reuse');
      await req('DELETE', '/users/u-del-reuse', { headers: { 'if-match': '*' } });
      const again = await req('PUT', '/users/u-del-reuse', { body: body('u-del-reuse') });
      expect(again.status, again.text).toBe(201);
    });

    it('refuses to delete the built-in administrator (user 1)', async () => {
      const before = await req('GET', '/users/1');
      const res = await req('DELETE', '/users/1', { headers: { 'if-match': '*' } });
      // The spec gives no status for a refused operation (only `default` → ErrorResponse); by ARM
      // convention it is a 400, with Tollgate's code for an operation the entity does not allow.
      expectAzureError(res, 400, 'OperationNotAllowed');
      expect(res.json.error.details).toEqual([]);
      const after = await req('GET', '/users/1');
      expect(after.status).toBe(200);
      expect(after.json).toEqual(before.json);
    });

    it('notify=true on DELETE records the account-closed email', async () => {
      await create('u-del-notify');
      const res = await req('DELETE', '/users/u-del-notify', { headers: { 'if-match': '*' }, query: { notify: true } });
      expect(res.status, res.text).toBe(204);
      const rows = await outbox('u-del-notify');
      expect(rows.map((r) => r.template)).toEqual(['accountClosedDeveloper']);
    });
  });

  describe('lists', () => {
    beforeAll(async () => {
      for (let i = 1; i <= 5; i++) await create(`page-${i}`, { lastName: `Pager${i}` });
    });

    it('pages with $top/$skip, counts all matches, and links to the next page', async () => {
      const filter = "startswith(name,'page-')";
      const first = await req('GET', '/users', { query: { $filter: filter, $top: 2 } });
      expect(first.status, first.text).toBe(200);
      expect(first.json.count).toBe(5);
      expect(first.json.value.map((u: { name: string }) => u.name)).toEqual(['page-1', 'page-2']);
      expect(first.json.nextLink).toMatch(new RegExp(`^${server.url.replace(/[.]/g, '\\.')}/subscriptions/`));
      const link = new URL(first.json.nextLink);
      expect(link.searchParams.get('$top')).toBe('2');
      expect(link.searchParams.get('$skip')).toBe('2');
      expect(link.searchParams.get('$filter')).toBe(filter);
      expect(link.searchParams.get('api-version')).toBe('2024-05-01');

      const second = await req('GET', first.json.nextLink);
      expect(second.status, second.text).toBe(200);
      expect(second.json.count).toBe(5);
      expect(second.json.value.map((u: { name: string }) => u.name)).toEqual(['page-3', 'page-4']);

      const third = await req('GET', second.json.nextLink);
      expect(third.status, third.text).toBe(200);
      expect(third.json.value.map((u: { name: string }) => u.name)).toEqual(['page-5']);
      expect(third.json.count).toBe(5);
      expect(third.json.nextLink).toBe('');
    });

    it('$skip past the end gives an empty page with the full count', async () => {
      const res = await req('GET', '/users', { query: { $filter: "startswith(name,'page-')", $skip: 10 } });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ value: [], count: 5, nextLink: '' });
    });

    it('$skip alone skips', async () => {
      const res = await req('GET', '/users', { query: { $filter: "startswith(name,'page-')", $skip: 3 } });
      expect(res.json.value.map((u: { name: string }) => u.name)).toEqual(['page-4', 'page-5']);
      expect(res.json.nextLink).toBe('');
    });

    it('a list without paging has count and an empty nextLink', async () => {
      const res = await req('GET', '/users');
      expect(res.status).toBe(200);
      expect(res.json.count).toBe(res.json.value.length);
      expect(res.json.nextLink).toBe('');
      expect(res.json.value.every((u: { properties: object }) => !('groups' in u.properties))).toBe(true);
    });

    it('expandGroups=true adds properties.groups, each without an id', async () => {
      const res = await req('GET', '/users', { query: { $filter: "name eq 'page-1' or name eq '1'", expandGroups: true } });
      expect(res.status, res.text).toBe(200);
      expect(res.json.value).toHaveLength(2);
      for (const u of res.json.value as { name: string; properties: { groups?: Record<string, unknown>[] } }[]) {
        expect(Array.isArray(u.properties.groups), u.name).toBe(true);
        expect(u.properties.groups!.length).toBeGreaterThan(0);
        for (const g of u.properties.groups!) {
          expect(g).not.toHaveProperty('id');
          expect(g).not.toHaveProperty('name');
          expect(typeof g.displayName).toBe('string');
          expect(typeof g.builtIn).toBe('boolean');
          expect(typeof g.type).toBe('string');
        }
      }
      const admin = (res.json.value as { name: string; properties: { groups: { displayName: string }[] } }[]).find((u) => u.name === '1');
      expect(admin?.properties.groups.map((g) => g.displayName)).toContain('Administrators');
      const page1 = (res.json.value as { name: string; properties: { groups: { displayName: string }[] } }[]).find((u) => u.name === 'page-1');
      expect(page1?.properties.groups.map((g) => g.displayName)).toEqual(['Developers']);

      const off = await req('GET', '/users', { query: { $filter: "name eq 'page-1'", expandGroups: false } });
      expect(off.json.value[0].properties).not.toHaveProperty('groups');
    });

    it('$filter on email is case-insensitive', async () => {
      await create('u-filter-case', { email: 'foo@x.com' });
      const res = await req('GET', '/users', { query: { $filter: "email eq 'FOO@X.COM'" } });
      expect(res.status, res.text).toBe(200);
      expect(res.json.value.map((u: { name: string }) => u.name)).toEqual(['u-filter-case']);
      expect(res.json.value[0].properties.email).toBe('foo@x.com');
      expect(res.json.count).toBe(1);
    });

    it("$filter with a quote escaped as ''", async () => {
      await create('u-filter-quote', { lastName: "O'Brien" });
      const res = await req('GET', '/users', { query: { $filter: "lastName eq 'O''Brien'" } });
      expect(res.status, res.text).toBe(200);
      expect(res.json.value.map((u: { name: string }) => u.name)).toEqual(['u-filter-quote']);
      const contains = await req('GET', '/users', { query: { $filter: "contains(lastName,'''b')" } });
      expect(contains.status, contains.text).toBe(200);
      expect(contains.json.value.map((u: { name: string }) => u.name)).toEqual(['u-filter-quote']);
    });

    it('$filter on state', async () => {
      const res = await req('GET', '/users', { query: { $filter: "state eq 'active' and startswith(name,'page-')" } });
      expect(res.status, res.text).toBe(200);
      expect(res.json.count).toBe(5);
    });
  });

  describe('no partial writes', () => {
    /**
     * An email taken by another account (email must be "unique within the service instance"): the
     * spec lists no status for it (only `default`); Tollgate answers 409 Conflict on `email`, as the
     * SDK tests expect for racing writers.
     */
    function expectEmailConflict(res: TestResponse): void {
      expectAzureError(res, 409, 'Conflict');
      expect(res.json.error.details, res.text).toEqual([expect.objectContaining({ code: 'Conflict', target: 'email' })]);
    }

    it('a PUT that fails validation leaves no user and no outbox row', async () => {
      const res = await req('PUT', '/users/u-bad', {
        body: { properties: { email: 'not-an-email', firstName: 'A', lastName: 'B' } },
        query: { notify: true },
      });
      expectValidationError(res, 'email');
      expect(await server.app.store.users.findUser('u-bad')).toBeUndefined();
      expect(await outbox('u-bad')).toEqual([]);
      expect((await req('GET', '/users/u-bad')).status).toBe(404);
    });

    it('a PUT with a duplicate email (any case) conflicts and leaves no user and no outbox row', async () => {
      await create('u-dup-a', { email: 'dup@example.com' });
      for (const email of ['dup@example.com', 'DUP@Example.com']) {
        const res = await req('PUT', '/users/u-dup-b', {
          body: { properties: { email, firstName: 'A', lastName: 'B' } },
          query: { notify: true },
        });
        expectEmailConflict(res);
      }
      expect(await server.app.store.users.findUser('u-dup-b')).toBeUndefined();
      expect(await outbox('u-dup-b')).toEqual([]);
    });

    it('a PUT that would take another user’s email leaves the user unchanged', async () => {
      await create('u-dup-c', { email: 'dup-c@example.com' });
      const before = await req('GET', '/users/u-dup-c');
      const res = await req('PUT', '/users/u-dup-c', { body: { properties: { email: 'dup@example.com', firstName: 'New', lastName: 'Name' } } });
      expectEmailConflict(res);
      const after = await req('GET', '/users/u-dup-c');
      expect(after.json).toEqual(before.json);
      expect(after.headers.get('etag')).toBe(before.headers.get('etag'));
    });

    it('a PATCH with one valid and one invalid field changes nothing', async () => {
      await create('u-patch-mixed');
      const before = await req('GET', '/users/u-patch-mixed');
      const res = await req('PATCH', '/users/u-patch-mixed', {
        body: { properties: { firstName: 'Valid', email: 'invalid' } },
        headers: { 'if-match': '*' },
      });
      expectValidationError(res, 'email');
      const after = await req('GET', '/users/u-patch-mixed');
      expect(after.json).toEqual(before.json);
      expect(after.headers.get('etag')).toBe(before.headers.get('etag'));
    });

    it('a PATCH to a taken email changes nothing', async () => {
      await create('u-patch-dup');
      const before = await req('GET', '/users/u-patch-dup');
      const res = await req('PATCH', '/users/u-patch-dup', {
        body: { properties: { firstName: 'Valid', email: 'DUP@example.com' } },
        headers: { 'if-match': '*' },
      });
      expectEmailConflict(res);
      const after = await req('GET', '/users/u-patch-dup');
      expect(after.json).toEqual(before.json);
    });

    it.each([
      ['too short', 'short1'],
      ['common', 'qwerty123'],
      ['common, any case', 'Password123'],
      ['the email', 'u-pw-bad@example.com'],
    ])('a PUT with a password that is %s is refused and creates nothing', async (_label, password) => {
      const res = await req('PUT', '/users/u-pw-bad', { body: body('u-pw-bad', { password }), query: { notify: true } });
      expectAzureError(res, 400);
      const targets = (res.json.error.details as { target?: string }[]).map((d) => d.target);
      expect(targets, res.text).toContain('password');
      expect(res.text).not.toContain(password);
      expect(await server.app.store.users.findUser('u-pw-bad')).toBeUndefined();
      expect(await outbox('u-pw-bad')).toEqual([]);
    });

    it('a PATCH with a bad password changes nothing', async () => {
      await create('u-pw-patch');
      const before = await req('GET', '/users/u-pw-patch');
      const res = await req('PATCH', '/users/u-pw-patch', {
        body: { properties: { firstName: 'Changed', password: 'short1' } },
        headers: { 'if-match': '*' },
      });
      expectAzureError(res, 400);
      const after = await req('GET', '/users/u-pw-patch');
      expect(after.json).toEqual(before.json);
    });

    it('a good password is accepted and never returned', async () => {
      const res = await req('PUT', '/users/u-pw-good', { body: body('u-pw-good', { password: GOOD_PASSWORD }) });
      expect(res.status, res.text).toBe(201);
      const patch = await req('PATCH', '/users/u-pw-good', {
        body: { properties: { password: 'Another-Fine-Passphrase-42' } },
        headers: { 'if-match': '*' },
      });
      expect(patch.status, patch.text).toBe(200);
      const row = await server.app.store.users.findUser('u-pw-good');
      expect(row?.password_hash).toBeTruthy();
      expect(row?.password_hash).not.toContain(GOOD_PASSWORD);
    });
  });

  describe('emails, tokens, identities, subscriptions', () => {
    it('notify=true on PUT records an email; notify=false and no notify record none', async () => {
      await create('u-notify-yes', {}, { notify: true });
      const rows = await outbox('u-notify-yes');
      expect(rows).toHaveLength(1);
      expect(rows[0]?.recipient).toBe('u-notify-yes@example.com');

      await create('u-notify-no', {}, { notify: false });
      expect(await outbox('u-notify-no')).toEqual([]);

      await create('u-notify-default');
      expect(await outbox('u-notify-default')).toEqual([]);
    });

    it('notify=true on a PUT that updates records nothing more', async () => {
      await create('u-notify-upd');
      const res = await req('PUT', '/users/u-notify-upd', { body: body('u-notify-upd'), query: { notify: true } });
      expect(res.status, res.text).toBe(200);
      expect(await outbox('u-notify-upd')).toEqual([]);
    });

    it('POST confirmations/password/send answers 204 and records an email', async () => {
      await create('u-confirm');
      const res = await req('POST', '/users/u-confirm/confirmations/password/send');
      expect(res.status, res.text).toBe(204);
      expect(res.text).toBe('');
      const rows = await outbox('u-confirm');
      expect(rows).toHaveLength(1);
      expect(rows[0]?.template).toBe('passwordResetIdentityDefault');

      const portal = await req('POST', '/users/u-confirm/confirmations/password/send', { query: { appType: 'developerPortal' } });
      expect(portal.status, portal.text).toBe(204);
      expect(await outbox('u-confirm')).toHaveLength(2);

      expectValidationError(await req('POST', '/users/u-confirm/confirmations/password/send', { query: { appType: 'mobile' } }), 'appType');
      expect(await outbox('u-confirm')).toHaveLength(2);
      expectAzureError(await req('POST', '/users/u-nobody/confirmations/password/send'), 404);
    });

    it('POST token: past expiry and expiry over 30 days are refused; a valid one gives a token', async () => {
      await create('u-token');
      const past = await req('POST', '/users/u-token/token', {
        body: { properties: { keyType: 'primary', expiry: new Date(Date.now() - 60_000).toISOString() } },
      });
      expectValidationError(past, 'expiry');

      const far = await req('POST', '/users/u-token/token', {
        body: { properties: { keyType: 'primary', expiry: new Date(Date.now() + 31 * DAY).toISOString() } },
      });
      expectValidationError(far, 'expiry');

      const expiry = new Date(Date.now() + DAY);
      const ok = await req('POST', '/users/u-token/token', { body: { properties: { keyType: 'secondary', expiry: expiry.toISOString() } } });
      expect(ok.status, ok.text).toBe(200);
      expect(ok.json.value).toMatch(/^u-token&\d{12}&[A-Za-z0-9+/]+=*$/);
      expect(ok.json).toEqual({ value: expectedUserToken(await storedSigningKey(server, 'secondary'), 'u-token', expiry) });

      // The token Azure defines, computed here with node:crypto: both key types, and an expiry
      // at HH:37:45.678 (the token holds the minute HH37: seconds dropped, not rounded to HH38).
      const at = new Date(Date.now() + DAY);
      at.setUTCMinutes(37, 45, 678);
      const minute = tokenExpiry(at);
      expect(minute.slice(-2)).toBe('37');
      // The helper's format against Azure's example (ApiManagementUserToken.json): 00:44:24 → 0044.
      expect(tokenExpiry(new Date('2019-04-21T00:44:24.2845269Z'))).toBe('201904210044');
      const primaryKey = await storedSigningKey(server, 'primary');
      const secondaryKey = await storedSigningKey(server, 'secondary');
      expect(primaryKey.equals(secondaryKey)).toBe(false);
      const tokens: Record<string, string> = {};
      for (const [keyType, key] of [['primary', primaryKey], ['secondary', secondaryKey]] as const) {
        const res = await req('POST', '/users/u-token/token', { body: { properties: { keyType, expiry: at.toISOString() } } });
        expect(res.status, res.text).toBe(200);
        expect(res.json, keyType).toEqual({ value: expectedUserToken(key, 'u-token', at) });
        expect(res.json.value.startsWith(`u-token&${minute}&`)).toBe(true);
        tokens[keyType] = res.json.value;
      }
      expect(tokens.primary).not.toBe(tokens.secondary);
      // keyType defaults to primary (the spec's default).
      const byDefault = await req('POST', '/users/u-token/token', { body: { properties: { expiry: at.toISOString() } } });
      expect(byDefault.status, byDefault.text).toBe(200);
      expect(byDefault.json).toEqual({ value: expectedUserToken(primaryKey, 'u-token', at) });

      expectValidationError(
        await req('POST', '/users/u-token/token', { body: { properties: { keyType: 'tertiary', expiry: expiry.toISOString() } } }),
        'keyType',
      );
      expectValidationError(await req('POST', '/users/u-token/token', { body: { properties: { keyType: 'primary' } } }), 'expiry');
      expectAzureError(await req('POST', '/users/u-nobody/token', { body: { properties: { expiry: expiry.toISOString() } } }), 404);
    });

    it('POST generateSsoUrl gives a URL on the server', async () => {
      await create('u-sso');
      const res = await req('POST', '/users/u-sso/generateSsoUrl');
      expect(res.status, res.text).toBe(200);
      expect(res.json.value.startsWith(`${server.url}/`)).toBe(true);
    });

    it('identities list', async () => {
      await create('u-ids');
      const res = await req('GET', '/users/u-ids/identities');
      expect(res.status, res.text).toBe(200);
      expect(res.json).toEqual({ value: [{ provider: 'Basic', id: 'u-ids@example.com' }], count: 1, nextLink: '' });
      expectAzureError(await req('GET', '/users/u-nobody/identities'), 404);
    });

    it('subscriptions list is empty; a subscription GET is 404', async () => {
      await create('u-subs');
      const list = await req('GET', '/users/u-subs/subscriptions');
      expect(list.status, list.text).toBe(200);
      expect(list.json).toEqual({ value: [], count: 0, nextLink: '' });
      expectAzureError(await req('GET', '/users/u-subs/subscriptions/5fa9b096f3df14003c070001'), 404);
      expectAzureError(await req('GET', '/users/u-nobody/subscriptions'), 404);
    });

    it("a user's groups list", async () => {
      await create('u-groups');
      const res = await req('GET', '/users/u-groups/groups');
      expect(res.status, res.text).toBe(200);
      expect(res.json.count).toBe(1);
      expect(res.json.value[0]).toMatchObject({
        id: `${new URL(server.base).pathname}/users/u-groups/groups/developers`,
        type: 'Microsoft.ApiManagement/service/users/groups',
        name: 'developers',
        properties: { displayName: 'Developers', builtIn: true, type: 'system' },
      });
    });
  });

  // Runs last: every response of this file, successes and failures alike.
  it('no response ever carried a password', () => {
    expect(seen.length).toBeGreaterThan(50);
    for (const res of seen) {
      const keys = allKeys(res.json);
      expect([...keys].filter((k) => /password|hash/i.test(k)), res.text).toEqual([]);
      for (const p of SENT_PASSWORDS) expect(res.text.includes(p), res.text).toBe(false);
      expect(res.text).not.toMatch(/\$argon2/);
    }
  });
});
