/**
 * Every user operation of apimusers.json, driven through Microsoft's own management SDK
 * (`@azure/arm-apimanagement`), against a real server on each backend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ApiManagementClient,
  UserContract,
  UserCreateOrUpdateOptionalParams,
  UserCreateParameters,
} from '@azure/arm-apimanagement';
import { isRestError } from '@azure/core-rest-pipeline';
import { BACKENDS, RESOURCE_GROUP as RG, SERVICE_NAME as SVC, SUBSCRIPTION_ID, startServer, type TestServer } from '../helpers/server.js';
import { captureResponse, collect, createAzureClient, expectStatus, recordResponses } from '../helpers/azure-client.js';
import { verifyUserToken } from '../../src/domain/access-token.js';
import { verifySsoToken } from '../../src/domain/sso-token.js';
import { expectedUserToken, storedSigningKey, tokenExpiry } from '../helpers/access-token.js';
import { signingKeys } from '../../src/services/signing-keys.js';

/** Passwords that pass the policy, and one that does not; none may ever come back in a response. */
const GOOD_PASSWORD = 'Violet-Kettle-Harbor-93';
const OTHER_GOOD_PASSWORD = 'quiet lantern over seven hills';
const COMMON_PASSWORD = 'password1';

describe.each(BACKENDS)('Azure SDK: users (%s)', (backend) => {
  let server: TestServer;
  let client: ApiManagementClient;
  let recorded: { bodies: string[]; headers: string[] };

  beforeAll(async () => {
    server = await startServer(backend);
    client = createAzureClient(server);
    recorded = recordResponses(client);
  });

  afterAll(async () => {
    await server?.close();
  });

  /** PUT a user; `extra` holds body fields and the call's options (notify, ifMatch, onResponse) alike. */
  const create = (id: string, email: string, extra: UserCreateParameters & UserCreateOrUpdateOptionalParams = {}) => {
    const { notify, ifMatch, onResponse, ...body } = extra;
    return client.user.createOrUpdate(RG, SVC, id, { email, firstName: 'First', lastName: 'Last', ...body }, { notify, ifMatch, onResponse });
  };

  const outbox = (userId: string) => server.app.store.outbox.listOutbox(userId);

  it('ships the built-in administrator: user 1, in Administrators', async () => {
    const admin = await client.user.get(RG, SVC, '1');
    expect(admin.name).toBe('1');
    expect(admin.type).toBe('Microsoft.ApiManagement/service/users');
    expect(admin.id).toBe(`/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${RG}/providers/Microsoft.ApiManagement/service/${SVC}/users/1`);
    expect(admin.firstName).toBe('Administrator');
    expect(admin.state).toBe('active');
    expect(admin.identities?.[0]?.provider).toBe('Azure');
    expect(admin.groups?.map((g) => g.displayName)).toEqual(['Administrators']);
    const adminGroup = admin.groups?.find((g) => g.displayName === 'Administrators');
    expect(adminGroup).toMatchObject({ builtIn: true, type: 'system' });
    const groups = await collect(client.userGroup.list(RG, SVC, '1'));
    expect(groups.map((g) => g.name)).toEqual(['administrators']);
  });

  it('refuses a client with a wrong key (401) and names a missing user ResourceNotFound (404)', async () => {
    const wrong = createAzureClient(server, { key: 'not-a-key' });
    await expectStatus(wrong.user.get(RG, SVC, '1'), 401);
    const missing = await expectStatus(client.user.get(RG, SVC, 'no-such-user'), 404);
    expect(missing.code).toBe('ResourceNotFound');
    await expectStatus(client.user.get(RG, 'otherService', '1'), 404);
  });

  it('answers the older api-version 2022-08-01 and refuses an unknown one (the SDK rewrites api-version when asked)', async () => {
    const older = createAzureClient(server, { apiVersion: '2022-08-01' });
    expect((await older.user.get(RG, SVC, '1')).name).toBe('1');
    const unknown = createAzureClient(server, { apiVersion: '2099-01-01' });
    const error = await expectStatus(unknown.user.get(RG, SVC, '1'), 400);
    expect(error.code).toBe('InvalidApiVersionParameter');
  });

  describe('createOrUpdate', () => {
    it('creates (201) an active developer in the Developers group with a Basic identity, then updates (200)', async () => {
      const first = captureResponse();
      const created = await create('u-create', 'Create.Me@Example.com', {
        firstName: 'Ada',
        lastName: 'Lovelace',
        note: 'first note',
        password: GOOD_PASSWORD,
        onResponse: first.onResponse,
      });
      expect(first.captured.status).toBe(201);
      expect(created.name).toBe('u-create');
      expect(created.type).toBe('Microsoft.ApiManagement/service/users');
      expect(created.state).toBe('active');
      expect(created.email).toBe('Create.Me@Example.com');
      expect(created.firstName).toBe('Ada');
      expect(created.lastName).toBe('Lovelace');
      expect(created.note).toBe('first note');
      expect(created.registrationDate).toBeInstanceOf(Date);
      expect(Math.abs(created.registrationDate!.getTime() - Date.now())).toBeLessThan(60_000);
      expect(created.identities).toEqual([{ provider: 'Basic', id: 'Create.Me@Example.com' }]);
      expect(created.groups).toEqual([expect.objectContaining({ displayName: 'Developers', builtIn: true, type: 'system' })]);
      expect(created.eTag).toBeTruthy();
      expect(await outbox('u-create')).toEqual([]); // no notify, no email

      const second = captureResponse();
      const updated = await create('u-create', 'create.me@example.com', {
        firstName: 'Augusta',
        lastName: 'King',
        onResponse: second.onResponse,
      });
      expect(second.captured.status).toBe(200);
      expect(updated.firstName).toBe('Augusta');
      expect(updated.lastName).toBe('King');
      expect(updated.email).toBe('create.me@example.com');
      expect(updated.state).toBe('active');
      expect(updated.identities).toEqual([{ provider: 'Basic', id: 'create.me@example.com' }]);
      expect(updated.registrationDate?.getTime()).toBe(created.registrationDate?.getTime());
      expect(updated.eTag).toBeTruthy();
      expect(updated.eTag).not.toBe(created.eTag);

      const groups = await collect(client.userGroup.list(RG, SVC, 'u-create'));
      expect(groups.map((g) => g.name)).toEqual(['developers']);
    });

    it('honours If-Match on PUT: a stale ETag is 412 and changes nothing', async () => {
      const created = await create('u-put-etag', 'put-etag@example.com');
      await create('u-put-etag', 'put-etag@example.com', { firstName: 'Changed' });
      const error = await expectStatus(create('u-put-etag', 'put-etag@example.com', { firstName: 'Stale', ifMatch: created.eTag! }), 412);
      expect(error.code).toBe('PreconditionFailed');
      expect((await client.user.get(RG, SVC, 'u-put-etag')).firstName).toBe('Changed');
      const current = await client.user.get(RG, SVC, 'u-put-etag');
      const ok = await create('u-put-etag', 'put-etag@example.com', { firstName: 'Fresh', ifMatch: current.eTag! });
      expect(ok.firstName).toBe('Fresh');
    });

    it("confirmation 'invite' and 'signup' create pending users; notify records the matching email", async () => {
      const invited = await create('u-invite', 'invite@example.com', { confirmation: 'invite', notify: true });
      expect(invited.state).toBe('pending');
      const signup = await create('u-signup', 'signup@example.com', { confirmation: 'signup', notify: true, appType: 'developerPortal' });
      expect(signup.state).toBe('pending');
      const welcomed = await create('u-welcome', 'welcome@example.com', { notify: true });
      expect(welcomed.state).toBe('active');
      const quiet = await create('u-quiet-invite', 'quiet-invite@example.com', { confirmation: 'invite' });
      expect(quiet.state).toBe('pending');

      const inviteMail = await outbox('u-invite');
      expect(inviteMail.map((m) => m.template)).toEqual(['inviteUserNotificationMessage']);
      expect(inviteMail[0]?.recipient).toBe('invite@example.com');
      const signupMail = await outbox('u-signup');
      expect(signupMail.map((m) => m.template)).toEqual(['confirmSignUpIdentityDefault']);
      expect(JSON.parse(signupMail[0]!.params)).toMatchObject({ AppType: 'developerPortal', DevEmail: 'signup@example.com' });
      expect((await outbox('u-welcome')).map((m) => m.template)).toEqual(['newDeveloperNotificationMessage']);
      expect(await outbox('u-quiet-invite')).toEqual([]);
    });

    it('refuses a missing required field (400)', async () => {
      await expectStatus(client.user.createOrUpdate(RG, SVC, 'u-bad', { email: 'bad@example.com', firstName: 'No last name' }), 400);
      await expectStatus(client.user.createOrUpdate(RG, SVC, 'u-bad', { email: 'not an email', firstName: 'A', lastName: 'B' }), 400);
      await expectStatus(client.user.get(RG, SVC, 'u-bad'), 404);
    });
  });

  describe('emails are unique without regard to case', () => {
    it('refuses FOO@x.com when foo@x.com exists (409), on create and on update', async () => {
      await create('u-foo', 'foo@x.com');
      const error = await expectStatus(create('u-foo-2', 'FOO@x.com'), 409);
      expect(error.code).toBe('Conflict');
      await expectStatus(client.user.get(RG, SVC, 'u-foo-2'), 404);

      const other = await create('u-foo-3', 'other-foo@x.com');
      await expectStatus(client.user.update(RG, SVC, 'u-foo-3', other.eTag!, { email: 'Foo@X.com' }), 409);
      expect((await client.user.get(RG, SVC, 'u-foo-3')).email).toBe('other-foo@x.com');
      // Changing the case of one's own email is not a conflict.
      const self = await create('u-foo', 'FOO@X.COM');
      expect(self.email).toBe('FOO@X.COM');
    });
  });

  describe('get, getEntityTag, update', () => {
    it('returns the ETag on GET and HEAD, and they agree', async () => {
      const created = await create('u-etag', 'etag@example.com');
      const got = await client.user.get(RG, SVC, 'u-etag');
      expect(got.eTag).toBeTruthy();
      expect(got.eTag).toBe(created.eTag);
      const head = captureResponse();
      const tag = await client.user.getEntityTag(RG, SVC, 'u-etag', { onResponse: head.onResponse });
      expect(head.captured.status).toBe(200);
      expect(tag.eTag).toBe(got.eTag);
      await expectStatus(client.user.getEntityTag(RG, SVC, 'no-such-user'), 404);
    });

    it('updates with the current ETag; a stale ETag is 412 and leaves the user unchanged', async () => {
      const created = await create('u-patch', 'patch@example.com', { firstName: 'Before', note: 'n1' });
      const updated = await client.user.update(RG, SVC, 'u-patch', created.eTag!, { firstName: 'After', note: 'n2' });
      expect(updated.firstName).toBe('After');
      expect(updated.note).toBe('n2');
      expect(updated.lastName).toBe('Last'); // PATCH merges
      expect(updated.email).toBe('patch@example.com');
      expect(updated.eTag).toBeTruthy();
      expect(updated.eTag).not.toBe(created.eTag);

      const error = await expectStatus(client.user.update(RG, SVC, 'u-patch', created.eTag!, { firstName: 'Stale' }), 412);
      expect(error.code).toBe('PreconditionFailed');
      const after = await client.user.get(RG, SVC, 'u-patch');
      expect(after.firstName).toBe('After');
      expect(after.note).toBe('n2');
      expect(after.eTag).toBe(updated.eTag);

      // If-Match is required on PATCH: an empty one is refused.
      await expectStatus(client.user.update(RG, SVC, 'u-patch', '', { firstName: 'NoTag' }), 400);
      const star = await client.user.update(RG, SVC, 'u-patch', '*', { lastName: 'Star' });
      expect(star.lastName).toBe('Star');
      await expectStatus(client.user.update(RG, SVC, 'no-such-user', '*', { lastName: 'X' }), 404);
    });

    it('keeps identities of other providers given on create', async () => {
      const created = await create('u-aad', 'aad-user@example.com', { identities: [{ provider: 'Aad', id: 'object-id-1' }] });
      expect(created.identities).toContainEqual({ provider: 'Aad', id: 'object-id-1' });
      expect(await collect(client.userIdentities.list(RG, SVC, 'u-aad'))).toContainEqual({ provider: 'Aad', id: 'object-id-1' });
    });

    it('changing the email moves the Basic identity', async () => {
      const created = await create('u-move', 'move-old@example.com');
      const updated = await client.user.update(RG, SVC, 'u-move', created.eTag!, { email: 'move-new@example.com' });
      expect(updated.identities).toEqual([{ provider: 'Basic', id: 'move-new@example.com' }]);
      expect(await collect(client.userIdentities.list(RG, SVC, 'u-move'))).toEqual([{ provider: 'Basic', id: 'move-new@example.com' }]);
    });
  });

  describe('state transitions through update', () => {
    it('active → blocked → active', async () => {
      const u = await create('u-state-1', 'state-1@example.com');
      const blocked = await client.user.update(RG, SVC, 'u-state-1', u.eTag!, { state: 'blocked' });
      expect(blocked.state).toBe('blocked');
      const active = await client.user.update(RG, SVC, 'u-state-1', blocked.eTag!, { state: 'active' });
      expect(active.state).toBe('active');
    });

    it('pending → active', async () => {
      const u = await create('u-state-2', 'state-2@example.com', { confirmation: 'invite' });
      expect(u.state).toBe('pending');
      const active = await client.user.update(RG, SVC, 'u-state-2', u.eTag!, { state: 'active' });
      expect(active.state).toBe('active');
    });

    it('deleted is final: the account is closed and cannot be revived', async () => {
      const u = await create('u-state-3', 'state-3@example.com', { password: OTHER_GOOD_PASSWORD });
      const deleted = await client.user.update(RG, SVC, 'u-state-3', u.eTag!, { state: 'deleted' });
      expect(deleted.state).toBe('deleted');
      expect(deleted.identities ?? []).toEqual([]);
      expect(deleted.groups ?? []).toEqual([]);
      await expectStatus(client.user.update(RG, SVC, 'u-state-3', '*', { state: 'active' }), 400, 409);
      await expectStatus(client.user.update(RG, SVC, 'u-state-3', '*', { firstName: 'Zombie' }), 400, 409);
      await expectStatus(create('u-state-3', 'state-3@example.com', { state: 'active' }), 400, 409);
      const still = await client.user.get(RG, SVC, 'u-state-3');
      expect(still.state).toBe('deleted');
      expect(still.firstName).toBe('First');
    });

    it('the built-in administrator cannot be blocked', async () => {
      await expectStatus(client.user.update(RG, SVC, '1', '*', { state: 'blocked' }), 400, 409);
      expect((await client.user.get(RG, SVC, '1')).state).toBe('active');
    });
  });

  describe('listByService', () => {
    let before: Date;
    const ids = (users: UserContract[]) => users.map((u) => u.name);

    beforeAll(async () => {
      before = new Date(Date.now() - 1);
      await create('flt-1', 'flt-alice@x.com', { firstName: 'Alice', lastName: 'Anders', note: 'vip customer' });
      await create('flt-2', 'flt-bob@x.com', { firstName: 'Bob', lastName: 'Brown', state: 'blocked' });
      await create('flt-3', 'flt-carol@y.org', { firstName: 'Carol', lastName: 'Clark' });
      await create('flt-4', 'FLT-Dave@y.org', { firstName: 'Dave', lastName: 'Anders', state: 'blocked' });
    });

    const list = (filter: string, more: { top?: number; skip?: number; expandGroups?: boolean } = {}) =>
      collect(client.user.listByService(RG, SVC, { filter, ...more }));

    it('filters with startswith, case-insensitively on email', async () => {
      expect(ids(await list("startswith(email,'flt-')"))).toEqual(['flt-1', 'flt-2', 'flt-3', 'flt-4']);
      expect(ids(await list("startswith(email,'FLT-')"))).toEqual(['flt-1', 'flt-2', 'flt-3', 'flt-4']);
      expect(ids(await list("startswith(name,'flt-')"))).toEqual(['flt-1', 'flt-2', 'flt-3', 'flt-4']);
    });

    it("filters with state eq 'blocked'", async () => {
      expect(ids(await list("state eq 'blocked' and startswith(name,'flt-')"))).toEqual(['flt-2', 'flt-4']);
      expect(ids(await list("state eq 'blocked'"))).toEqual(expect.arrayContaining(['flt-2', 'flt-4']));
      expect((await list("state eq 'blocked'")).every((u) => u.state === 'blocked')).toBe(true);
    });

    it('filters with registrationDate comparisons', async () => {
      const iso = before.toISOString();
      expect(ids(await list(`registrationDate ge '${iso}' and startswith(name,'flt-')`))).toEqual(['flt-1', 'flt-2', 'flt-3', 'flt-4']);
      expect(ids(await list(`registrationDate ge datetime'${iso}' and startswith(name,'flt-')`))).toEqual(['flt-1', 'flt-2', 'flt-3', 'flt-4']);
      expect(ids(await list(`registrationDate lt ${iso} and startswith(name,'flt-')`))).toEqual([]);
      expect(ids(await list(`registrationDate lt ${iso}`))).toContain('1');
      const future = new Date(Date.now() + 24 * 3600 * 1000).toISOString();
      expect(await list(`registrationDate ge '${future}'`)).toEqual([]);
    });

    it('filters with contains, substringof, endswith and eq', async () => {
      expect(ids(await list("contains(lastName,'nder') and startswith(name,'flt-')"))).toEqual(['flt-1', 'flt-4']);
      expect(ids(await list("substringof('y.org',email)"))).toEqual(['flt-3', 'flt-4']);
      expect(ids(await list("endswith(email,'@Y.ORG')"))).toEqual(['flt-3', 'flt-4']);
      expect(ids(await list("note eq 'vip customer'"))).toEqual(['flt-1']);
      expect(ids(await list("firstName eq 'carol'"))).toEqual(['flt-3']);
      expect(ids(await list("email eq 'flt-dave@y.org'"))).toEqual(['flt-4']);
    });

    it('combines with and, or, not and parentheses', async () => {
      expect(ids(await list("(firstName eq 'Alice' or firstName eq 'Bob') and startswith(name,'flt-')"))).toEqual(['flt-1', 'flt-2']);
      expect(ids(await list("not (state eq 'blocked') and startswith(name,'flt-')"))).toEqual(['flt-1', 'flt-3']);
      expect(ids(await list("startswith(name,'flt-') and not contains(lastName,'nder')"))).toEqual(['flt-2', 'flt-3']);
      expect(ids(await list("startswith(name,'flt-') and (note ne 'vip customer')"))).toEqual(['flt-2', 'flt-3', 'flt-4']);
    });

    it('refuses a filter it cannot honour (400)', async () => {
      await expectStatus(list("password eq 'x'"), 400);
      await expectStatus(list("state gt 'active'"), 400);
      await expectStatus(list("startswith(email,'x'"), 400);
      await expectStatus(list("registrationDate eq 'yesterday'"), 400);
    });

    it('pages with top and skip; the pager follows nextLink', async () => {
      const pages: UserContract[][] = [];
      for await (const page of client.user.listByService(RG, SVC, { filter: "startswith(name,'flt-')", top: 3 }).byPage()) pages.push(page);
      expect(pages.map(ids)).toEqual([['flt-1', 'flt-2', 'flt-3'], ['flt-4']]);
      expect(ids(await list("startswith(name,'flt-')", { top: 2, skip: 1 }))).toEqual(['flt-2', 'flt-3', 'flt-4']);
      expect(ids(await list("startswith(name,'flt-')", { skip: 4 }))).toEqual([]);
      await expectStatus(list("startswith(name,'flt-')", { top: 0 }), 400);
    });

    it('keeps a filter with +, &, quotes and non-ASCII intact across nextLink pages', async () => {
      await create('enc-1', 'a+b&c@enc.test', { lastName: "O'Brien-Ünal" });
      await create('enc-2', 'a+b&d@enc.test', { lastName: "O'Brien-Ünal" });
      await create('enc-3', 'a+b&e@enc.test', { lastName: "O'Brien-Ünal" });
      await create('enc-4', 'ab@enc.test', { lastName: 'Other' });
      const filter = "contains(email,'+b&') and lastName eq 'O''Brien-Ünal'";
      expect(ids(await list(filter, { top: 1 }))).toEqual(['enc-1', 'enc-2', 'enc-3']);
      const sizes: number[] = [];
      for await (const page of client.user.listByService(RG, SVC, { filter, top: 2 }).byPage()) sizes.push(page.length);
      expect(sizes).toEqual([2, 1]);
    });

    it('includes groups only with expandGroups', async () => {
      const plain = await list("startswith(name,'flt-')");
      expect(plain.every((u) => u.groups === undefined)).toBe(true);
      const expanded = await list("startswith(name,'flt-')", { expandGroups: true });
      expect(expanded).toHaveLength(4);
      for (const u of expanded) expect(u.groups?.map((g) => g.displayName)).toEqual(['Developers']);
      const admin = await list("name eq '1'", { expandGroups: true });
      expect(admin[0]?.groups?.map((g) => g.displayName)).toEqual(['Administrators']);
    });

    it('follows nextLink through 25 users with top 10 (pages of 10, 10, 5)', async () => {
      const made: string[] = [];
      for (let i = 0; i < 25; i++) {
        const id = `page-${String(i).padStart(2, '0')}`;
        made.push(id);
        await create(id, `${id}@paging.test`);
      }
      const requests: string[] = [];
      const counting = createAzureClient(server);
      counting.pipeline.addPolicy({
        name: 'countRequests',
        sendRequest(request, next) {
          requests.push(request.url);
          return next(request);
        },
      });
      const all = await collect(counting.user.listByService(RG, SVC, { filter: "startswith(name,'page-')", top: 10 }));
      expect(ids(all)).toEqual(made);
      expect(requests).toHaveLength(3);
      expect(requests[1]).toContain('$skip=10');
      expect(requests[2]).toContain('$skip=20');
      expect(requests.every((u) => u.startsWith(server.url) && u.includes('api-version=2024-05-01'))).toBe(true);

      const sizes: number[] = [];
      for await (const page of client.user.listByService(RG, SVC, { filter: "startswith(name,'page-')", top: 10 }).byPage()) {
        sizes.push(page.length);
      }
      expect(sizes).toEqual([10, 10, 5]);

      // Without a filter the pager still returns every user exactly once.
      const everyone = await collect(client.user.listByService(RG, SVC, { top: 10 }));
      const names = ids(everyone);
      expect(new Set(names).size).toBe(names.length);
      expect(names).toEqual(expect.arrayContaining(['1', ...made, 'flt-1', 'flt-4']));
    });
  });

  describe('user ids', () => {
    it('round-trip ids with &, dots, spaces and non-ASCII characters', async () => {
      const keys = await signingKeys(server.app.store);
      const primaryKey = await storedSigningKey(server, 'primary');
      for (const [i, id] of ['a&b', 'dot.ted.id', 'with space', 'ümlaut-ß', 'x=1;y'].entries()) {
        const created = await create(id, `odd-id-${i}@example.com`);
        expect(created.name).toBe(id);
        const got = await client.user.get(RG, SVC, id);
        expect(got.name).toBe(id);
        expect(got.email).toBe(`odd-id-${i}@example.com`);
        expect((await client.user.getEntityTag(RG, SVC, id)).eTag).toBe(got.eTag);
        const expiry = new Date(Date.now() + 3600_000);
        const sas = await client.user.getSharedAccessToken(RG, SVC, id, { keyType: 'primary', expiry });
        expect(sas.value).toBe(expectedUserToken(primaryKey, id, expiry)); // the id as given, signed as UTF-8
        expect(verifyUserToken(sas.value!, [keys.primary], new Date())).toBe(id);
        const updated = await client.user.update(RG, SVC, id, got.eTag!, { note: 'odd' });
        expect(updated.note).toBe('odd');
        expect(await collect(client.userGroup.list(RG, SVC, id))).toHaveLength(1);
        await client.user.beginDeleteAndWait(RG, SVC, id, '*');
        await expectStatus(client.user.get(RG, SVC, id), 404);
      }
    });

    it('refuses an id longer than 80 characters (400 from the server: the SDK does not check maxLength)', async () => {
      await expectStatus(create('x'.repeat(81), 'long-id@example.com'), 400);
      await expectStatus(client.user.get(RG, SVC, 'x'.repeat(81)), 400);
      const max = await create('y'.repeat(80), 'max-id@example.com');
      expect(max.name).toBe('y'.repeat(80));
    });
  });

  describe('concurrent writes', () => {
    it('PATCHes racing with the same ETag: exactly one wins, the others get 412', async () => {
      const u = await create('u-race-patch', 'race-patch@example.com');
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => client.user.update(RG, SVC, 'u-race-patch', u.eTag!, { note: `writer ${i}` })),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(lost.map((r) => (isRestError(r.reason) ? r.reason.statusCode : String(r.reason)))).toEqual(Array(lost.length).fill(412));
      expect(won, 'more than one PATCH with the same If-Match succeeded (lost update)').toHaveLength(1);
    });

    it('DELETE racing with a PATCH on the same ETag: only one of them succeeds', async () => {
      const outcomes: string[] = [];
      for (let round = 0; round < 8; round++) {
        const id = `u-race-del-${round}`;
        const u = await create(id, `race-del-${round}@example.com`);
        const [patch, del] = await Promise.allSettled([
          client.user.update(RG, SVC, id, u.eTag!, { note: 'patched' }),
          client.user.beginDeleteAndWait(RG, SVC, id, u.eTag!),
        ]);
        outcomes.push(`patch ${patch.status}, delete ${del.status}`);
      }
      expect(outcomes.filter((o) => o === 'patch fulfilled, delete fulfilled'), outcomes.join('; ')).toEqual([]);
    });

    it('creates racing for one email: exactly one succeeds, the others get 409', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => create(`u-race-email-${i}`, `Race-Email@example.com`)),
      );
      const statuses = results.map((r) => (r.status === 'fulfilled' ? 'ok' : isRestError(r.reason) ? r.reason.statusCode : String(r.reason)));
      expect(statuses.filter((s) => s === 'ok')).toHaveLength(1);
      expect(statuses.filter((s) => s !== 'ok')).toEqual(Array(5).fill(409));
      const live = await collect(client.user.listByService(RG, SVC, { filter: "email eq 'race-email@example.com'" }));
      expect(live).toHaveLength(1);
    });

    it('PUTs racing for one new id: one creates (201), the others update (200)', async () => {
      const statuses = await Promise.all(
        Array.from({ length: 6 }, async (_, i) => {
          const raw = captureResponse();
          try {
            await create('u-race-id', 'race-id@example.com', { note: `writer ${i}`, onResponse: raw.onResponse });
            return raw.captured.status;
          } catch (error) {
            return isRestError(error) ? `${error.statusCode} ${error.message}` : String(error);
          }
        }),
      );
      expect(statuses.filter((s) => s === 201), JSON.stringify(statuses)).toHaveLength(1);
      expect(statuses.filter((s) => s === 200), JSON.stringify(statuses)).toHaveLength(5);
    });
  });

  describe('beginDeleteAndWait', () => {
    it('deletes with the ETag; the user is then 404 and its memberships are gone', async () => {
      const u = await create('u-del-1', 'del-1@example.com');
      const raw = captureResponse();
      const result = await client.user.beginDeleteAndWait(RG, SVC, 'u-del-1', u.eTag!, { onResponse: raw.onResponse });
      expect([200, 202, 204]).toContain(raw.captured.status);
      expect(result).toBeDefined();
      await expectStatus(client.user.get(RG, SVC, 'u-del-1'), 404);
      await expectStatus(client.user.getEntityTag(RG, SVC, 'u-del-1'), 404);
      const members = await collect(client.groupUser.list(RG, SVC, 'developers', { filter: "name eq 'u-del-1'" }));
      expect(members).toEqual([]);
    });

    it("refuses a stale ETag (412) and keeps the user; '*' deletes unconditionally", async () => {
      const u = await create('u-del-2', 'del-2@example.com');
      await client.user.update(RG, SVC, 'u-del-2', u.eTag!, { note: 'changed' });
      await expectStatus(client.user.beginDeleteAndWait(RG, SVC, 'u-del-2', u.eTag!), 412);
      expect((await client.user.get(RG, SVC, 'u-del-2')).note).toBe('changed');
      await client.user.beginDeleteAndWait(RG, SVC, 'u-del-2', '*');
      await expectStatus(client.user.get(RG, SVC, 'u-del-2'), 404);
    });

    it('accepts deleteSubscriptions, and notify records the account-closed email', async () => {
      await create('u-del-3', 'del-3@example.com', { firstName: 'Closing' });
      await client.user.beginDeleteAndWait(RG, SVC, 'u-del-3', '*', { deleteSubscriptions: true, notify: true, appType: 'developerPortal' });
      await expectStatus(client.user.get(RG, SVC, 'u-del-3'), 404);
      const mail = await outbox('u-del-3');
      expect(mail.map((m) => m.template)).toEqual(['accountClosedDeveloper']);
      expect(mail[0]?.recipient).toBe('del-3@example.com');
      expect(JSON.parse(mail[0]!.params)).toMatchObject({ DevFirstName: 'Closing', AppType: 'developerPortal' });

      await create('u-del-4', 'del-4@example.com');
      await client.user.beginDeleteAndWait(RG, SVC, 'u-del-4', '*', { deleteSubscriptions: false });
      await expectStatus(client.user.get(RG, SVC, 'u-del-4'), 404);
      expect(await outbox('u-del-4')).toEqual([]);
    });

    it('frees the email for a new account', async () => {
      await create('u-del-5', 'del-5@example.com');
      await client.user.beginDeleteAndWait(RG, SVC, 'u-del-5', '*');
      const again = await create('u-del-5b', 'DEL-5@example.com');
      expect(again.state).toBe('active');
    });

    it('refuses to delete the built-in administrator', async () => {
      await expectStatus(client.user.beginDeleteAndWait(RG, SVC, '1', '*'), 400, 409);
      expect((await client.user.get(RG, SVC, '1')).state).toBe('active');
    });
  });

  describe('sign-in links and tokens', () => {
    it('generateSsoUrl gives a signed /signin-sso link on the public URL', async () => {
      await create('u-sso', 'sso@example.com');
      const { value } = await client.user.generateSsoUrl(RG, SVC, 'u-sso');
      expect(value?.startsWith(`${server.url}/signin-sso?token=`)).toBe(true);
      const token = new URL(value!).searchParams.get('token')!;
      const keys = await signingKeys(server.app.store);
      expect(verifySsoToken(token, [keys.primary, keys.secondary], new Date())).toBe('u-sso');
      expect(verifySsoToken(token, [keys.primary], new Date(Date.now() + 11 * 60 * 1000))).toBeUndefined();
      // A sign-in link is not a shared-access token, nor the other way round.
      expect(verifyUserToken(token, [keys.primary, keys.secondary], new Date())).toBeUndefined();
      // Each call gives a fresh link: two within the same minute differ.
      const again = await client.user.generateSsoUrl(RG, SVC, 'u-sso');
      expect(again.value).not.toBe(value);
      await expectStatus(client.user.generateSsoUrl(RG, SVC, 'no-such-user'), 404);
    });

    it('getSharedAccessToken gives {userId}&{yyyyMMddHHmm}&{base64}, signed by the chosen key', async () => {
      await create('u-sas', 'sas@example.com');
      const keys = await signingKeys(server.app.store);
      // Minutes and seconds that are not zero: the token holds the minute (…37), seconds dropped.
      const expiry = new Date(Date.now() + 7 * 24 * 3600 * 1000);
      expiry.setUTCMinutes(37, 45, 678);
      const primary = await client.user.getSharedAccessToken(RG, SVC, 'u-sas', { keyType: 'primary', expiry });
      const match = /^u-sas&(\d{12})&([A-Za-z0-9+/]+=*)$/.exec(primary.value ?? '');
      expect(match, primary.value).not.toBeNull();
      expect(match![1]).toBe(tokenExpiry(expiry));
      expect(match![1]!.slice(-2)).toBe('37');
      // The token Azure defines, computed with node:crypto from the stored key, for each keyType.
      expect(primary.value).toBe(expectedUserToken(await storedSigningKey(server, 'primary'), 'u-sas', expiry));
      expect(Buffer.from(match![2]!, 'base64')).toHaveLength(64); // HMAC-SHA512
      expect(verifyUserToken(primary.value!, [keys.primary], new Date())).toBe('u-sas');
      expect(verifyUserToken(primary.value!, [keys.secondary], new Date())).toBeUndefined();

      const secondary = await client.user.getSharedAccessToken(RG, SVC, 'u-sas', { keyType: 'secondary', expiry });
      expect(secondary.value).toBe(expectedUserToken(await storedSigningKey(server, 'secondary'), 'u-sas', expiry));
      expect(verifyUserToken(secondary.value!, [keys.secondary], new Date())).toBe('u-sas');
      expect(verifyUserToken(secondary.value!, [keys.primary], new Date())).toBeUndefined();

      const almost30 = new Date(Date.now() + 29 * 24 * 3600 * 1000);
      const long = await client.user.getSharedAccessToken(RG, SVC, 'u-sas', { keyType: 'primary', expiry: almost30 });
      expect(verifyUserToken(long.value!, [keys.primary], new Date())).toBe('u-sas');
    });

    it('refuses an expiry more than 30 days out, or in the past (400)', async () => {
      const tooFar = new Date(Date.now() + 31 * 24 * 3600 * 1000);
      await expectStatus(client.user.getSharedAccessToken(RG, SVC, '1', { keyType: 'primary', expiry: tooFar }), 400);
      const past = new Date(Date.now() - 60 * 1000);
      await expectStatus(client.user.getSharedAccessToken(RG, SVC, '1', { keyType: 'primary', expiry: past }), 400);
      await expectStatus(
        client.user.getSharedAccessToken(RG, SVC, 'no-such-user', { keyType: 'primary', expiry: new Date(Date.now() + 3600_000) }),
        404,
      );
    });
  });

  describe('sub-resources', () => {
    it('userGroup.list lists the groups (with $filter)', async () => {
      await create('u-groups', 'groups@example.com');
      const groups = await collect(client.userGroup.list(RG, SVC, 'u-groups'));
      expect(groups.map((g) => g.name)).toEqual(['developers']);
      expect(groups[0]).toMatchObject({ displayName: 'Developers', builtIn: true, typePropertiesType: 'system' });
      expect(groups[0]?.type).toBe('Microsoft.ApiManagement/service/users/groups');
      expect(await collect(client.userGroup.list(RG, SVC, 'u-groups', { filter: "name eq 'administrators'" }))).toEqual([]);
      expect(await collect(client.userGroup.list(RG, SVC, 'u-groups', { filter: "displayName eq 'developers'" }))).toHaveLength(1);
      await expectStatus(collect(client.userGroup.list(RG, SVC, 'no-such-user')), 404);
    });

    it('userSubscription.list is empty', async () => {
      await create('u-subs', 'subs@example.com');
      expect(await collect(client.userSubscription.list(RG, SVC, 'u-subs'))).toEqual([]);
      await expectStatus(client.userSubscription.get(RG, SVC, 'u-subs', 'none'), 404);
    });

    it('userIdentities.list gives the Basic identity with the email', async () => {
      await create('u-ident', 'Ident@Example.com');
      expect(await collect(client.userIdentities.list(RG, SVC, 'u-ident'))).toEqual([{ provider: 'Basic', id: 'Ident@Example.com' }]);
      await expectStatus(collect(client.userIdentities.list(RG, SVC, 'no-such-user')), 404);
    });

    it('userConfirmationPassword.send records the password-reset email (204)', async () => {
      await create('u-reset', 'reset@example.com');
      const raw = captureResponse();
      await client.userConfirmationPassword.send(RG, SVC, 'u-reset', { appType: 'developerPortal', onResponse: raw.onResponse });
      expect(raw.captured.status).toBe(204);
      const mail = await outbox('u-reset');
      expect(mail.map((m) => m.template)).toEqual(['passwordResetIdentityDefault']);
      expect(mail[0]?.recipient).toBe('reset@example.com');
      await expectStatus(client.userConfirmationPassword.send(RG, SVC, 'no-such-user'), 404);
    });
  });

  describe('passwords', () => {
    it('refuses a common password (400) on create and on update; accepts a good one', async () => {
      const error = await expectStatus(create('u-pw', 'pw@example.com', { password: COMMON_PASSWORD }), 400);
      expect(JSON.stringify(error.details ?? {})).not.toContain(COMMON_PASSWORD);
      await expectStatus(client.user.get(RG, SVC, 'u-pw'), 404);

      const created = await create('u-pw', 'pw@example.com', { password: GOOD_PASSWORD });
      expect(created.state).toBe('active');
      await expectStatus(client.user.update(RG, SVC, 'u-pw', created.eTag!, { password: COMMON_PASSWORD }), 400);
      await expectStatus(client.user.update(RG, SVC, 'u-pw', created.eTag!, { password: 'short' }), 400);
      await expectStatus(client.user.update(RG, SVC, 'u-pw', created.eTag!, { password: 'pw@example.com' }), 400);
      const changed = await client.user.update(RG, SVC, 'u-pw', created.eTag!, { password: OTHER_GOOD_PASSWORD });
      expect(changed.eTag).not.toBe(created.eTag);
    });

    it('no response of this suite carried a password or a password hash', () => {
      expect(recorded.bodies.length).toBeGreaterThan(50);
      // Error bodies are recorded too (the policy sits before deserialization).
      expect(recorded.bodies.some((b) => b.includes('"PreconditionFailed"'))).toBe(true);
      expect(recorded.bodies.some((b) => b.includes('"target":"password"'))).toBe(true);
      for (const text of [...recorded.bodies, ...recorded.headers]) {
        for (const secret of [GOOD_PASSWORD, OTHER_GOOD_PASSWORD, COMMON_PASSWORD]) expect(text).not.toContain(secret);
        expect(text).not.toMatch(/argon2|password_hash|passwordHash/i);
        expect(text).not.toMatch(/"password"\s*:/);
      }
    });
  });
});
