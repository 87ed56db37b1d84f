/**
 * Groups and memberships over raw HTTP: status codes, If-Match rules, the immutable system groups,
 * type rules, and membership semantics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startServer, type TestResponse, type TestServer } from '../helpers/server.js';
import { expectAzureError, expectValidationError } from '../helpers/shape.js';

const GROUP_TYPE = 'Microsoft.ApiManagement/service/groups';
const GROUP_USER_TYPE = 'Microsoft.ApiManagement/service/groups/users';
const EXTERNAL_ID = 'aad://contoso.onmicrosoft.com/groups/83cf2753-5831-4675-bc0e-2f8dc067c58d';

describe.each(BACKENDS)('groups over HTTP (%s)', (backend) => {
  let server: TestServer;
  let svcPath: string;

  async function createGroup(id: string, properties: Record<string, unknown> = {}): Promise<TestResponse> {
    const res = await server.request('PUT', `/groups/${id}`, { body: { properties: { displayName: `Group ${id}`, ...properties } } });
    expect(res.status, res.text).toBe(201);
    return res;
  }

  async function createUser(id: string): Promise<void> {
    const res = await server.request('PUT', `/users/${id}`, {
      body: { properties: { email: `${id}@example.com`, firstName: 'Member', lastName: id } },
    });
    expect(res.status, res.text).toBe(201);
  }

  async function groupsOf(userId: string): Promise<string[]> {
    const res = await server.request('GET', `/users/${userId}/groups`);
    expect(res.status, res.text).toBe(200);
    return (res.json.value as { name: string }[]).map((g) => g.name);
  }

  beforeAll(async () => {
    server = await startServer(backend);
    svcPath = new URL(server.base).pathname;
  });

  afterAll(async () => {
    await server?.close();
  });

  describe('group CRUD', () => {
    it('PUT creates (201) and then updates (200), with an ETag', async () => {
      const first = await server.request('PUT', '/groups/g-put', { body: { properties: { displayName: 'First', description: 'd1' } } });
      expect(first.status, first.text).toBe(201);
      expect(first.headers.get('etag')).toMatch(/^"[^"]+"$/);
      expect(first.json).toEqual({
        id: `${svcPath}/groups/g-put`,
        type: GROUP_TYPE,
        name: 'g-put',
        properties: { displayName: 'First', description: 'd1', builtIn: false, type: 'custom' },
      });

      const second = await server.request('PUT', '/groups/g-put', { body: { properties: { displayName: 'Second' } } });
      expect(second.status, second.text).toBe(200);
      expect(second.json.properties.displayName).toBe('Second');
      expect(second.headers.get('etag')).not.toBe(first.headers.get('etag'));

      const get = await server.request('GET', '/groups/g-put');
      expect(get.status).toBe(200);
      expect(get.headers.get('etag')).toBe(second.headers.get('etag'));
      const head = await server.request('HEAD', '/groups/g-put');
      expect(head.status).toBe(200);
      expect(head.text).toBe('');
      expect(head.headers.get('etag')).toBe(second.headers.get('etag'));
    });

    it('HEAD and GET on a missing group answer 404', async () => {
      expect((await server.request('HEAD', '/groups/g-missing')).status).toBe(404);
      expectAzureError(await server.request('GET', '/groups/g-missing'), 404, 'ResourceNotFound');
    });

    it('creates an external group with its externalId', async () => {
      const res = await createGroup('g-ext', { type: 'external', externalId: EXTERNAL_ID, description: 'from AAD' });
      expect(res.json.properties).toEqual({
        displayName: 'Group g-ext',
        description: 'from AAD',
        builtIn: false,
        type: 'external',
        externalId: EXTERNAL_ID,
      });
    });

    it('PATCH needs If-Match, refuses a stale one (unchanged), accepts current (quoted, unquoted) and *', async () => {
      const put = await createGroup('g-patch');
      expectAzureError(await server.request('PATCH', '/groups/g-patch', { body: { properties: { displayName: 'X' } } }), 400);

      const before = await server.request('GET', '/groups/g-patch');
      expectAzureError(
        await server.request('PATCH', '/groups/g-patch', { body: { properties: { displayName: 'X' } }, headers: { 'if-match': '"stale"' } }),
        412,
      );
      const after = await server.request('GET', '/groups/g-patch');
      expect(after.json).toEqual(before.json);
      expect(after.headers.get('etag')).toBe(put.headers.get('etag'));

      const quoted = await server.request('PATCH', '/groups/g-patch', {
        body: { properties: { displayName: 'Quoted' } },
        headers: { 'if-match': put.headers.get('etag')! },
      });
      expect(quoted.status, quoted.text).toBe(200);
      expect(quoted.json.properties.displayName).toBe('Quoted');
      expect(quoted.headers.get('etag')).not.toBe(put.headers.get('etag'));

      const unquoted = await server.request('PATCH', '/groups/g-patch', {
        body: { properties: { description: 'now described' } },
        headers: { 'if-match': quoted.headers.get('etag')!.slice(1, -1) },
      });
      expect(unquoted.status, unquoted.text).toBe(200);
      expect(unquoted.json.properties).toMatchObject({ displayName: 'Quoted', description: 'now described' });

      const star = await server.request('PATCH', '/groups/g-patch', { body: { properties: { displayName: 'Star' } }, headers: { 'if-match': '*' } });
      expect(star.status, star.text).toBe(200);
      expect(star.json.properties).toMatchObject({ displayName: 'Star', description: 'now described', type: 'custom' });
      expect(star.headers.get('etag')).not.toBe(unquoted.headers.get('etag'));
    });

    it('PATCH on a missing group answers 404', async () => {
      expectAzureError(
        await server.request('PATCH', '/groups/g-nothing', { body: { properties: { displayName: 'X' } }, headers: { 'if-match': '*' } }),
        404,
      );
    });

    it('DELETE needs If-Match, refuses a stale one, answers 200 and then 204', async () => {
      const put = await createGroup('g-del');
      expectAzureError(await server.request('DELETE', '/groups/g-del'), 400);
      expectAzureError(await server.request('DELETE', '/groups/g-del', { headers: { 'if-match': '"stale"' } }), 412);
      expect((await server.request('GET', '/groups/g-del')).status).toBe(200);

      const del = await server.request('DELETE', '/groups/g-del', { headers: { 'if-match': put.headers.get('etag')! } });
      expect(del.status, del.text).toBe(200);
      const again = await server.request('DELETE', '/groups/g-del', { headers: { 'if-match': '*' } });
      expect(again.status, again.text).toBe(204);
      expectAzureError(await server.request('GET', '/groups/g-del'), 404);
    });

    it('DELETE with * answers 200', async () => {
      await createGroup('g-del-star');
      const del = await server.request('DELETE', '/groups/g-del-star', { headers: { 'if-match': '*' } });
      expect(del.status, del.text).toBe(200);
    });

    it('refuses type system on create, and creates nothing', async () => {
      const res = await server.request('PUT', '/groups/g-sys', { body: { properties: { displayName: 'Sys', type: 'system' } } });
      expectValidationError(res, 'type');
      expectAzureError(await server.request('GET', '/groups/g-sys'), 404);
    });

    it('refuses type system on update', async () => {
      const put = await createGroup('g-to-sys');
      const res = await server.request('PATCH', '/groups/g-to-sys', { body: { properties: { type: 'system' } }, headers: { 'if-match': '*' } });
      expectAzureError(res, 400);
      const get = await server.request('GET', '/groups/g-to-sys');
      expect(get.json.properties.type).toBe('custom');
      expect(get.headers.get('etag')).toBe(put.headers.get('etag'));
    });

    it('refuses external without externalId, and creates nothing', async () => {
      const res = await server.request('PUT', '/groups/g-ext-bad', { body: { properties: { displayName: 'Ext', type: 'external' } } });
      expectValidationError(res, 'externalId');
      expectAzureError(await server.request('GET', '/groups/g-ext-bad'), 404);
    });

    it('refuses an externalId on a custom group', async () => {
      const res = await server.request('PUT', '/groups/g-custom-ext', { body: { properties: { displayName: 'C', externalId: EXTERNAL_ID } } });
      expectValidationError(res, 'externalId');
      expectAzureError(await server.request('GET', '/groups/g-custom-ext'), 404);
    });

    it('lists groups with the system groups, count and nextLink', async () => {
      const res = await server.request('GET', '/groups', { query: { $filter: 'builtIn eq true' } });
      // builtIn is not a filter field in the spec: refused.
      expectValidationError(res, '$filter');
      const all = await server.request('GET', '/groups');
      expect(all.status).toBe(200);
      const names = (all.json.value as { name: string }[]).map((g) => g.name);
      expect(names).toEqual(expect.arrayContaining(['administrators', 'developers', 'guests']));
      expect(all.json.count).toBe(names.length);
      expect(all.json.nextLink).toBe('');
      const paged = await server.request('GET', '/groups', { query: { $top: 1 } });
      expect(paged.json.value).toHaveLength(1);
      expect(paged.json.nextLink).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/subscriptions\//);
      const byName = await server.request('GET', '/groups', { query: { $filter: "displayName eq 'DEVELOPERS'" } });
      expect((byName.json.value as { name: string }[]).map((g) => g.name)).toEqual(['developers']);
    });
  });

  describe('system groups', () => {
    for (const id of ['developers', 'administrators', 'guests']) {
      it(`PUT, PATCH and DELETE on ${id} are refused in Azure shape, and it is unchanged`, async () => {
        const before = await server.request('GET', `/groups/${id}`);
        expect(before.status).toBe(200);
        expect(before.json.properties).toMatchObject({ builtIn: true, type: 'system' });

        const attempts = [
          await server.request('PUT', `/groups/${id}`, { body: { properties: { displayName: 'Hijacked' } } }),
          await server.request('PUT', `/groups/${id}`, { body: { properties: { displayName: 'Hijacked' } }, headers: { 'if-match': '*' } }),
          await server.request('PATCH', `/groups/${id}`, { body: { properties: { displayName: 'Hijacked' } }, headers: { 'if-match': '*' } }),
          await server.request('PATCH', `/groups/${id}`, {
            body: { properties: { description: 'x' } },
            headers: { 'if-match': before.headers.get('etag')! },
          }),
          await server.request('DELETE', `/groups/${id}`, { headers: { 'if-match': '*' } }),
          await server.request('DELETE', `/groups/${id}`, { headers: { 'if-match': before.headers.get('etag')! } }),
        ];
        // "Immutable system groups" (apimgroups.json); the spec gives no status for the refusal (only
        // `default` → ErrorResponse): by ARM convention a 400, with Tollgate's code for it.
        for (const res of attempts) expectAzureError(res, 400, 'OperationNotAllowed');

        const after = await server.request('GET', `/groups/${id}`);
        expect(after.status).toBe(200);
        expect(after.json).toEqual(before.json);
        expect(after.headers.get('etag')).toBe(before.headers.get('etag'));
      });
    }
  });

  describe('membership', () => {
    it('PUT adds (201) then confirms (200); the body is a user contract of type groups/users', async () => {
      await createGroup('m-put');
      await createUser('m-user1');
      const first = await server.request('PUT', '/groups/m-put/users/m-user1');
      expect(first.status, first.text).toBe(201);
      expect(first.json).toMatchObject({
        id: `${svcPath}/users/m-user1`,
        type: GROUP_USER_TYPE,
        name: 'm-user1',
        properties: { firstName: 'Member', lastName: 'm-user1', email: 'm-user1@example.com', state: 'active' },
      });
      expect(typeof first.json.properties.registrationDate).toBe('string');
      expect(Array.isArray(first.json.properties.identities)).toBe(true);

      const second = await server.request('PUT', '/groups/m-put/users/m-user1');
      expect(second.status, second.text).toBe(200);
      expect(second.json.type).toBe(GROUP_USER_TYPE);
      expect(second.json.name).toBe('m-user1');

      // A bodiless PUT that still says application/json is fine too.
      const withHeader = await server.request('PUT', '/groups/m-put/users/m-user1', { headers: { 'content-type': 'application/json' }, rawBody: '' });
      expect(withHeader.status, withHeader.text).toBe(200);

      expect(await groupsOf('m-user1')).toEqual(expect.arrayContaining(['developers', 'm-put']));
      const members = await server.request('GET', '/groups/m-put/users');
      expect(members.status).toBe(200);
      expect(members.json.count).toBe(1);
      expect(members.json.value[0]).toMatchObject({ id: `${svcPath}/users/m-user1`, type: GROUP_USER_TYPE, name: 'm-user1' });
    });

    it('HEAD answers 204 for a member and 404 otherwise', async () => {
      await createGroup('m-head');
      await createUser('m-user2');
      await createUser('m-user3');
      expect((await server.request('PUT', '/groups/m-head/users/m-user2')).status).toBe(201);

      const yes = await server.request('HEAD', '/groups/m-head/users/m-user2');
      expect(yes.status).toBe(204);
      expect(yes.text).toBe('');
      expect((await server.request('HEAD', '/groups/m-head/users/m-user3')).status).toBe(404);
      expect((await server.request('HEAD', '/groups/m-head/users/m-nobody')).status).toBe(404);
      expect((await server.request('HEAD', '/groups/m-nogroup/users/m-user2')).status).toBe(404);
    });

    it('DELETE removes (200) then answers 204', async () => {
      await createGroup('m-del');
      await createUser('m-user4');
      expect((await server.request('PUT', '/groups/m-del/users/m-user4')).status).toBe(201);
      const del = await server.request('DELETE', '/groups/m-del/users/m-user4');
      expect(del.status, del.text).toBe(200);
      expect((await server.request('HEAD', '/groups/m-del/users/m-user4')).status).toBe(404);
      const again = await server.request('DELETE', '/groups/m-del/users/m-user4');
      expect(again.status, again.text).toBe(204);
      // The example sends If-Match although the spec declares none: accepted.
      expect((await server.request('PUT', '/groups/m-del/users/m-user4')).status).toBe(201);
      const withIfMatch = await server.request('DELETE', '/groups/m-del/users/m-user4', { headers: { 'if-match': '*' } });
      expect(withIfMatch.status, withIfMatch.text).toBe(200);
      expect(await groupsOf('m-user4')).toEqual(['developers']);
    });

    it('deleting a group removes its memberships', async () => {
      await createGroup('m-gone');
      await createUser('m-user5');
      expect((await server.request('PUT', '/groups/m-gone/users/m-user5')).status).toBe(201);
      expect(await groupsOf('m-user5')).toContain('m-gone');

      expect((await server.request('DELETE', '/groups/m-gone', { headers: { 'if-match': '*' } })).status).toBe(200);
      expect(await groupsOf('m-user5')).not.toContain('m-gone');
      expectAzureError(await server.request('GET', '/groups/m-gone/users'), 404);

      // A new group with the same id starts empty.
      await createGroup('m-gone');
      expect((await server.request('HEAD', '/groups/m-gone/users/m-user5')).status).toBe(404);
      const members = await server.request('GET', '/groups/m-gone/users');
      expect(members.json).toEqual({ value: [], count: 0, nextLink: '' });
    });

    it('deleting a user removes its memberships', async () => {
      await createGroup('m-user-gone');
      await createUser('m-user6');
      expect((await server.request('PUT', '/groups/m-user-gone/users/m-user6')).status).toBe(201);
      expect((await server.request('DELETE', '/users/m-user6', { headers: { 'if-match': '*' } })).status).toBe(204);
      const members = await server.request('GET', '/groups/m-user-gone/users');
      expect(members.json.count).toBe(0);
    });

    it('refuses to add a user to guests, in Azure shape', async () => {
      await createUser('m-user7');
      const res = await server.request('PUT', '/groups/guests/users/m-user7');
      // APIM manages the system groups' membership (Guests: anonymous visitors); refused as above.
      expectAzureError(res, 400, 'OperationNotAllowed');
      expect((await server.request('HEAD', '/groups/guests/users/m-user7')).status).toBe(404);
      expect(await groupsOf('m-user7')).not.toContain('guests');
    });

    it('membership with an unknown user or group answers 404', async () => {
      await createGroup('m-known');
      await createUser('m-user8');
      expectAzureError(await server.request('PUT', '/groups/m-known/users/m-nobody'), 404);
      expectAzureError(await server.request('PUT', '/groups/m-unknown/users/m-user8'), 404);
      expectAzureError(await server.request('DELETE', '/groups/m-unknown/users/m-user8'), 404);
      expectAzureError(await server.request('GET', '/groups/m-unknown/users'), 404);
      expect(await groupsOf('m-user8')).toEqual(['developers']);
    });

    it("lists a user's groups with type users/groups and ids under the user", async () => {
      await createGroup('m-list');
      await createUser('m-user9');
      expect((await server.request('PUT', '/groups/m-list/users/m-user9')).status).toBe(201);
      const res = await server.request('GET', '/users/m-user9/groups', { query: { $filter: "name eq 'm-list'" } });
      expect(res.status, res.text).toBe(200);
      expect(res.json).toEqual({
        value: [
          {
            id: `${svcPath}/users/m-user9/groups/m-list`,
            type: 'Microsoft.ApiManagement/service/users/groups',
            name: 'm-list',
            properties: { displayName: 'Group m-list', builtIn: false, type: 'custom' },
          },
        ],
        count: 1,
        nextLink: '',
      });
    });
  });
});
