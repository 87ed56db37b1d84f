/**
 * Every group and group-membership operation of apimgroups.json, driven through Microsoft's own
 * management SDK (`@azure/arm-apimanagement`), against a real server on each backend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiManagementClient, GroupContract, GroupCreateParameters, UserContract } from '@azure/arm-apimanagement';
import { isRestError } from '@azure/core-rest-pipeline';
import { BACKENDS, RESOURCE_GROUP as RG, SERVICE_NAME as SVC, SUBSCRIPTION_ID, startServer, type TestServer } from '../helpers/server.js';
import { captureResponse, collect, createAzureClient, expectStatus, type RawResponse } from '../helpers/azure-client.js';

const SYSTEM_GROUPS = [
  ['administrators', 'Administrators'],
  ['developers', 'Developers'],
  ['guests', 'Guests'],
] as const;

describe.each(BACKENDS)('Azure SDK: groups (%s)', (backend) => {
  let server: TestServer;
  let client: ApiManagementClient;

  beforeAll(async () => {
    server = await startServer(backend);
    client = createAzureClient(server);
  });

  afterAll(async () => {
    await server?.close();
  });

  const names = (items: (GroupContract | UserContract)[]) => items.map((g) => g.name);
  const serviceId = () => `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${RG}/providers/Microsoft.ApiManagement/service/${SVC}`;

  const createGroup = (id: string, body: GroupCreateParameters, onResponse?: (raw: RawResponse) => void) =>
    client.group.createOrUpdate(RG, SVC, id, body, { onResponse });

  const createUser = (id: string, email: string) =>
    client.user.createOrUpdate(RG, SVC, id, { email, firstName: 'Member', lastName: id });

  describe('system groups', () => {
    it.each(SYSTEM_GROUPS)('%s exists, built in, of type system', async (id, displayName) => {
      const group = await client.group.get(RG, SVC, id);
      expect(group.name).toBe(id);
      expect(group.id).toBe(`${serviceId()}/groups/${id}`);
      expect(group.type).toBe('Microsoft.ApiManagement/service/groups');
      expect(group.displayName).toBe(displayName);
      expect(group.builtIn).toBe(true);
      expect(group.typePropertiesType).toBe('system');
      expect(group.externalId).toBeUndefined();
      expect(group.eTag).toBeTruthy();
      expect((await client.group.getEntityTag(RG, SVC, id)).eTag).toBe(group.eTag);
    });

    it.each(SYSTEM_GROUPS)('%s cannot be updated, replaced or deleted', async (id, displayName) => {
      const before = await client.group.get(RG, SVC, id);
      await expectStatus(client.group.update(RG, SVC, id, before.eTag!, { displayName: 'Renamed' }), 400, 403, 405, 409);
      await expectStatus(client.group.update(RG, SVC, id, '*', { description: 'changed' }), 400, 403, 405, 409);
      await expectStatus(createGroup(id, { displayName: 'Replaced' }), 400, 403, 405, 409);
      await expectStatus(client.group.delete(RG, SVC, id, '*'), 400, 403, 405, 409);
      await expectStatus(client.group.delete(RG, SVC, id, before.eTag!), 400, 403, 405, 409);
      const after = await client.group.get(RG, SVC, id);
      expect(after.displayName).toBe(displayName);
      expect(after.description).toBe(before.description);
      expect(after.eTag).toBe(before.eTag);
    });

    it('the seeded administrator (user 1) is a member of administrators only', async () => {
      expect(names(await collect(client.groupUser.list(RG, SVC, 'administrators')))).toEqual(['1']);
      expect((await client.groupUser.checkEntityExists(RG, SVC, 'administrators', '1')).body).toBe(true);
      expect((await client.groupUser.checkEntityExists(RG, SVC, 'developers', '1')).body).toBe(false);
      expect(names(await collect(client.userGroup.list(RG, SVC, '1')))).toEqual(['administrators']);
    });

    it('lists the three system groups', async () => {
      const all = await collect(client.group.listByService(RG, SVC));
      for (const [id] of SYSTEM_GROUPS) expect(names(all)).toContain(id);
      const system = all.filter((g) => g.typePropertiesType === 'system');
      expect(names(system).sort()).toEqual(['administrators', 'developers', 'guests']);
      expect(system.every((g) => g.builtIn === true)).toBe(true);
    });
  });

  describe('custom groups', () => {
    it('createOrUpdate creates (201), then updates (200)', async () => {
      const first = captureResponse();
      const created = await createGroup('sdkg-create', { displayName: 'Created Group', description: '<b>HTML</b> allowed' }, first.onResponse);
      expect(first.captured.status).toBe(201);
      expect(created.name).toBe('sdkg-create');
      expect(created.id).toBe(`${serviceId()}/groups/sdkg-create`);
      expect(created.type).toBe('Microsoft.ApiManagement/service/groups');
      expect(created.displayName).toBe('Created Group');
      expect(created.description).toBe('<b>HTML</b> allowed');
      expect(created.builtIn).toBe(false);
      expect(created.typePropertiesType).toBe('custom');
      expect(created.eTag).toBeTruthy();

      const second = captureResponse();
      const updated = await createGroup('sdkg-create', { displayName: 'Renamed Group' }, second.onResponse);
      expect(second.captured.status).toBe(200);
      expect(updated.displayName).toBe('Renamed Group');
      expect(updated.typePropertiesType).toBe('custom');
      expect(updated.eTag).not.toBe(created.eTag);
    });

    it('honours If-Match on PUT (stale ETag → 412)', async () => {
      const created = await createGroup('sdkg-put-etag', { displayName: 'One' });
      await createGroup('sdkg-put-etag', { displayName: 'Two' });
      await expectStatus(client.group.createOrUpdate(RG, SVC, 'sdkg-put-etag', { displayName: 'Stale' }, { ifMatch: created.eTag! }), 412);
      expect((await client.group.get(RG, SVC, 'sdkg-put-etag')).displayName).toBe('Two');
    });

    it('refuses a group without displayName (400)', async () => {
      await expectStatus(createGroup('sdkg-no-name', { description: 'no name' }), 400);
      await expectStatus(client.group.get(RG, SVC, 'sdkg-no-name'), 404);
    });

    it('get and getEntityTag agree on the ETag; a missing group is 404', async () => {
      const created = await createGroup('sdkg-get', { displayName: 'Get Me' });
      const got = await client.group.get(RG, SVC, 'sdkg-get');
      expect(got.eTag).toBe(created.eTag);
      const head = captureResponse();
      const tag = await client.group.getEntityTag(RG, SVC, 'sdkg-get', { onResponse: head.onResponse });
      expect(head.captured.status).toBe(200);
      expect(tag.eTag).toBe(got.eTag);
      const missing = await expectStatus(client.group.get(RG, SVC, 'sdkg-missing'), 404);
      expect(missing.code).toBe('ResourceNotFound');
      await expectStatus(client.group.getEntityTag(RG, SVC, 'sdkg-missing'), 404);
    });

    it('update needs the current ETag: 200 with it, 412 with a stale one (nothing changes)', async () => {
      const created = await createGroup('sdkg-patch', { displayName: 'Before', description: 'desc' });
      const updated = await client.group.update(RG, SVC, 'sdkg-patch', created.eTag!, { displayName: 'After' });
      expect(updated.displayName).toBe('After');
      expect(updated.description).toBe('desc'); // PATCH merges
      expect(updated.eTag).not.toBe(created.eTag);
      const error = await expectStatus(client.group.update(RG, SVC, 'sdkg-patch', created.eTag!, { displayName: 'Stale' }), 412);
      expect(error.code).toBe('PreconditionFailed');
      const after = await client.group.get(RG, SVC, 'sdkg-patch');
      expect(after.displayName).toBe('After');
      expect(after.eTag).toBe(updated.eTag);
      const star = await client.group.update(RG, SVC, 'sdkg-patch', '*', { description: 'star' });
      expect(star.description).toBe('star');
      await expectStatus(client.group.update(RG, SVC, 'sdkg-patch', '', { description: 'no tag' }), 400);
      await expectStatus(client.group.update(RG, SVC, 'sdkg-missing', '*', { description: 'x' }), 404);
    });

    it('external groups carry their externalId; the type rules are enforced', async () => {
      const externalId = 'aad://contoso.onmicrosoft.com/groups/8f6c3b2e-0000-4000-8000-000000000001';
      const first = captureResponse();
      const ext = await createGroup('sdkg-ext', { displayName: 'AAD Group', type: 'external', externalId }, first.onResponse);
      expect(first.captured.status).toBe(201);
      expect(ext.typePropertiesType).toBe('external');
      expect(ext.externalId).toBe(externalId);
      expect(ext.builtIn).toBe(false);
      const got = await client.group.get(RG, SVC, 'sdkg-ext');
      expect(got).toMatchObject({ typePropertiesType: 'external', externalId });

      await expectStatus(createGroup('sdkg-ext-bad', { displayName: 'No id', type: 'external' }), 400);
      await expectStatus(createGroup('sdkg-custom-bad', { displayName: 'Custom with id', type: 'custom', externalId }), 400);
      await expectStatus(createGroup('sdkg-system-bad', { displayName: 'Fake system', type: 'system' }), 400);
      for (const id of ['sdkg-ext-bad', 'sdkg-custom-bad', 'sdkg-system-bad']) await expectStatus(client.group.get(RG, SVC, id), 404);
    });

    it('delete with the ETag (then 404), with *, and a stale ETag is 412', async () => {
      const a = await createGroup('sdkg-del-a', { displayName: 'Delete A' });
      const raw = captureResponse();
      await client.group.delete(RG, SVC, 'sdkg-del-a', a.eTag!, { onResponse: raw.onResponse });
      expect([200, 204]).toContain(raw.captured.status);
      await expectStatus(client.group.get(RG, SVC, 'sdkg-del-a'), 404);
      await expectStatus(client.group.getEntityTag(RG, SVC, 'sdkg-del-a'), 404);

      const b = await createGroup('sdkg-del-b', { displayName: 'Delete B' });
      await client.group.update(RG, SVC, 'sdkg-del-b', b.eTag!, { description: 'moved on' });
      await expectStatus(client.group.delete(RG, SVC, 'sdkg-del-b', b.eTag!), 412);
      expect((await client.group.get(RG, SVC, 'sdkg-del-b')).description).toBe('moved on');
      await client.group.delete(RG, SVC, 'sdkg-del-b', '*');
      await expectStatus(client.group.get(RG, SVC, 'sdkg-del-b'), 404);

      // Deleting what is not there succeeds (204: "already removed or never existed").
      const again = captureResponse();
      await client.group.delete(RG, SVC, 'sdkg-del-b', '*', { onResponse: again.onResponse });
      expect(again.captured.status).toBe(204);
    });
  });

  describe('listByService', () => {
    const externalId = 'aad://fabrikam.onmicrosoft.com/groups/list-0001';

    beforeAll(async () => {
      await createGroup('lst-alpha', { displayName: 'List Alpha', description: 'first of the list' });
      await createGroup('lst-beta', { displayName: 'List Beta', description: 'second' });
      await createGroup('lst-gamma', { displayName: "O'Gamma", type: 'external', externalId });
      await createGroup('lst-delta', { displayName: 'Delta' });
    });

    const list = (filter?: string, more: { top?: number; skip?: number } = {}) =>
      collect(client.group.listByService(RG, SVC, { ...(filter !== undefined ? { filter } : {}), ...more }));

    it("filters with displayName eq '...'", async () => {
      expect(names(await list("displayName eq 'List Beta'"))).toEqual(['lst-beta']);
      expect(names(await list("displayName eq 'list beta'"))).toEqual(['lst-beta']);
      expect(names(await list("displayName eq 'O''Gamma'"))).toEqual(['lst-gamma']);
      expect(names(await list("displayName eq 'Developers'"))).toEqual(['developers']);
    });

    it("filters with startswith(name,'...') and other functions", async () => {
      expect(names(await list("startswith(name,'lst-')"))).toEqual(['lst-alpha', 'lst-beta', 'lst-delta', 'lst-gamma']);
      expect(names(await list("startswith(displayName,'list ')"))).toEqual(['lst-alpha', 'lst-beta']);
      expect(names(await list("contains(description,'list') and startswith(name,'lst-')"))).toEqual(['lst-alpha']);
      expect(names(await list("endswith(name,'a') and startswith(name,'lst-')"))).toEqual(['lst-alpha', 'lst-beta', 'lst-delta', 'lst-gamma']);
      expect(names(await list("substringof('elt',name)"))).toEqual(['lst-delta']);
      expect(names(await list("startswith(name,'lst-') and not (displayName eq 'Delta')"))).toEqual(['lst-alpha', 'lst-beta', 'lst-gamma']);
      expect(names(await list("name eq 'lst-alpha' or name eq 'guests'"))).toEqual(['guests', 'lst-alpha']);
    });

    it("filters with externalId eq '...'", async () => {
      const found = await list(`externalId eq '${externalId}'`);
      expect(names(found)).toEqual(['lst-gamma']);
      expect(found[0]).toMatchObject({ typePropertiesType: 'external', externalId });
      await expectStatus(list(`startswith(externalId,'aad')`), 400); // externalId takes eq only
    });

    it('pages with top and skip, following nextLink', async () => {
      const pages: string[][] = [];
      for await (const page of client.group.listByService(RG, SVC, { filter: "startswith(name,'lst-')", top: 3 }).byPage()) {
        pages.push(names(page) as string[]);
      }
      expect(pages).toEqual([['lst-alpha', 'lst-beta', 'lst-delta'], ['lst-gamma']]);
      expect(names(await list("startswith(name,'lst-')", { top: 1, skip: 2 }))).toEqual(['lst-delta', 'lst-gamma']);
      const all = await list(undefined, { top: 2 });
      expect(new Set(names(all)).size).toBe(all.length);
      expect(names(all)).toEqual(expect.arrayContaining(['administrators', 'developers', 'guests', 'lst-alpha', 'lst-gamma']));
    });

    it('refuses a field it does not know (400)', async () => {
      await expectStatus(list("email eq 'x'"), 400);
      await expectStatus(list("builtIn eq 'true'"), 400);
    });
  });

  describe('membership', () => {
    it('groupUser.create adds (201), then answers 200; checkEntityExists, list and delete follow', async () => {
      await createUser('gm-1', 'gm-1@example.com');
      await createUser('gm-2', 'gm-2@example.com');
      await createGroup('sdkg-members', { displayName: 'Members' });

      const first = captureResponse();
      const added = await client.groupUser.create(RG, SVC, 'sdkg-members', 'gm-1', { onResponse: first.onResponse });
      expect(first.captured.status).toBe(201);
      expect(added.name).toBe('gm-1');
      expect(added.email).toBe('gm-1@example.com');
      expect(added.type).toBe('Microsoft.ApiManagement/service/groups/users');
      const second = captureResponse();
      const again = await client.groupUser.create(RG, SVC, 'sdkg-members', 'gm-1', { onResponse: second.onResponse });
      expect(second.captured.status).toBe(200);
      expect(again.name).toBe('gm-1');

      const head = captureResponse();
      const exists = await client.groupUser.checkEntityExists(RG, SVC, 'sdkg-members', 'gm-1', { onResponse: head.onResponse });
      expect(head.captured.status).toBe(204);
      expect(exists.body).toBe(true);
      const notMember = captureResponse();
      expect((await client.groupUser.checkEntityExists(RG, SVC, 'sdkg-members', 'gm-2', { onResponse: notMember.onResponse })).body).toBe(false);
      expect(notMember.captured.status).toBe(404);
      expect((await client.groupUser.checkEntityExists(RG, SVC, 'sdkg-members', 'gm-nobody')).body).toBe(false);

      await client.groupUser.create(RG, SVC, 'sdkg-members', 'gm-2');
      const members = await collect(client.groupUser.list(RG, SVC, 'sdkg-members'));
      expect(names(members)).toEqual(['gm-1', 'gm-2']);
      expect(members.every((m) => m.type === 'Microsoft.ApiManagement/service/groups/users')).toBe(true);
      expect(names(await collect(client.groupUser.list(RG, SVC, 'sdkg-members', { filter: "email eq 'GM-2@example.com'" })))).toEqual(['gm-2']);
      expect(names(await collect(client.groupUser.list(RG, SVC, 'sdkg-members', { filter: "startswith(name,'gm-')", top: 1 })))).toEqual([
        'gm-1',
        'gm-2',
      ]);
      await expectStatus(collect(client.groupUser.list(RG, SVC, 'sdkg-members', { filter: "state eq 'active'" })), 400);

      expect(names(await collect(client.userGroup.list(RG, SVC, 'gm-1')))).toEqual(['developers', 'sdkg-members']);
      const user = await client.user.get(RG, SVC, 'gm-1');
      expect(user.groups?.map((g) => g.displayName).sort()).toEqual(['Developers', 'Members']);

      const del = captureResponse();
      await client.groupUser.delete(RG, SVC, 'sdkg-members', 'gm-1', { onResponse: del.onResponse });
      expect([200, 204]).toContain(del.captured.status);
      expect((await client.groupUser.checkEntityExists(RG, SVC, 'sdkg-members', 'gm-1')).body).toBe(false);
      expect(names(await collect(client.groupUser.list(RG, SVC, 'sdkg-members')))).toEqual(['gm-2']);
      expect(names(await collect(client.userGroup.list(RG, SVC, 'gm-1')))).toEqual(['developers']);
      // Removing a non-member succeeds.
      await client.groupUser.delete(RG, SVC, 'sdkg-members', 'gm-1');
    });

    it('new users are in developers; system-group membership can be read through the SDK', async () => {
      await createUser('gm-dev', 'gm-dev@example.com');
      expect((await client.groupUser.checkEntityExists(RG, SVC, 'developers', 'gm-dev')).body).toBe(true);
      expect(names(await collect(client.groupUser.list(RG, SVC, 'developers', { filter: "name eq 'gm-dev'" })))).toEqual(['gm-dev']);
      const again = captureResponse();
      await client.groupUser.create(RG, SVC, 'developers', 'gm-dev', { onResponse: again.onResponse });
      expect(again.captured.status).toBe(200);
    });

    it('refuses members of guests, unknown users and unknown groups', async () => {
      await createUser('gm-3', 'gm-3@example.com');
      await expectStatus(client.groupUser.create(RG, SVC, 'guests', 'gm-3'), 400, 403, 405, 409);
      expect((await client.groupUser.checkEntityExists(RG, SVC, 'guests', 'gm-3')).body).toBe(false);
      await expectStatus(client.groupUser.create(RG, SVC, 'developers', 'gm-nobody'), 404);
      await expectStatus(client.groupUser.create(RG, SVC, 'sdkg-nowhere', 'gm-3'), 404);
      await expectStatus(collect(client.groupUser.list(RG, SVC, 'sdkg-nowhere')), 404);
      await expectStatus(client.groupUser.delete(RG, SVC, 'sdkg-nowhere', 'gm-3'), 404);
    });

    it('deleting a custom group removes its memberships', async () => {
      await createUser('gm-4', 'gm-4@example.com');
      const group = await createGroup('sdkg-doomed', { displayName: 'Doomed' });
      await client.groupUser.create(RG, SVC, 'sdkg-doomed', 'gm-4');
      expect(names(await collect(client.userGroup.list(RG, SVC, 'gm-4')))).toEqual(['developers', 'sdkg-doomed']);
      await client.group.delete(RG, SVC, 'sdkg-doomed', group.eTag!);
      expect(names(await collect(client.userGroup.list(RG, SVC, 'gm-4')))).toEqual(['developers']);
      expect((await client.user.get(RG, SVC, 'gm-4')).groups?.map((g) => g.displayName)).toEqual(['Developers']);
      // A new group with the same id starts empty.
      await createGroup('sdkg-doomed', { displayName: 'Reborn' });
      expect(await collect(client.groupUser.list(RG, SVC, 'sdkg-doomed'))).toEqual([]);
      expect((await client.groupUser.checkEntityExists(RG, SVC, 'sdkg-doomed', 'gm-4')).body).toBe(false);
    });

    it('deleting a user removes it from its groups', async () => {
      await createUser('gm-5', 'gm-5@example.com');
      await createGroup('sdkg-keeps', { displayName: 'Keeps' });
      await client.groupUser.create(RG, SVC, 'sdkg-keeps', 'gm-5');
      await client.user.beginDeleteAndWait(RG, SVC, 'gm-5', '*');
      expect(await collect(client.groupUser.list(RG, SVC, 'sdkg-keeps'))).toEqual([]);
      expect((await client.groupUser.checkEntityExists(RG, SVC, 'sdkg-keeps', 'gm-5')).body).toBe(false);
    });

    it('a closed (state deleted) user cannot be added to a group', async () => {
      const u = await createUser('gm-6', 'gm-6@example.com');
      await client.user.update(RG, SVC, 'gm-6', u.eTag!, { state: 'deleted' });
      await expectStatus(client.groupUser.create(RG, SVC, 'developers', 'gm-6'), 400, 404, 409);
      expect((await client.groupUser.checkEntityExists(RG, SVC, 'developers', 'gm-6')).body).toBe(false);
    });
  });

  describe('concurrent writes', () => {
    it('the same member added concurrently: one 201, the rest 200, never a 500', async () => {
      await createUser('gm-race', 'gm-race@example.com');
      const statuses: (number | string)[] = [];
      for (let round = 0; round < 5; round++) {
        const groupId = `sdkg-race-${round}`;
        await createGroup(groupId, { displayName: `Race ${round}` });
        const results = await Promise.all(
          Array.from({ length: 4 }, async () => {
            const raw = captureResponse();
            try {
              await client.groupUser.create(RG, SVC, groupId, 'gm-race', { onResponse: raw.onResponse });
              return raw.captured.status;
            } catch (error) {
              return isRestError(error) ? `${error.statusCode} ${error.code}` : String(error);
            }
          }),
        );
        statuses.push(...results);
        expect(results.filter((s) => s === 201), JSON.stringify(results)).toHaveLength(1);
      }
      expect(statuses.filter((s) => s !== 200 && s !== 201), JSON.stringify(statuses)).toEqual([]);
    });

    it('PATCHes racing with the same ETag: exactly one wins, the others get 412', async () => {
      const g = await createGroup('sdkg-race-patch', { displayName: 'Race patch' });
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => client.group.update(RG, SVC, 'sdkg-race-patch', g.eTag!, { description: `writer ${i}` })),
      );
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(lost.map((r) => (isRestError(r.reason) ? r.reason.statusCode : String(r.reason)))).toEqual(Array(lost.length).fill(412));
      expect(results.filter((r) => r.status === 'fulfilled'), 'more than one PATCH with the same If-Match succeeded').toHaveLength(1);
    });

    it('PUTs racing for one new group id: one creates (201), the others update (200)', async () => {
      const statuses = await Promise.all(
        Array.from({ length: 6 }, async (_, i) => {
          const raw = captureResponse();
          try {
            await createGroup('sdkg-race-put', { displayName: `Writer ${i}` }, raw.onResponse);
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
});
