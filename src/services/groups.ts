/** Use cases on groups and their members. The three system groups cannot be changed or deleted. */
import { AppError, invalidField, notFound, operationNotAllowed } from '../domain/errors.js';
import { normalizeEmail } from '../domain/user.js';
import { parseFilter } from '../domain/filter/parser.js';
import { GROUP_FILTER_FIELDS } from '../domain/filter/fields.js';
import { ADMINISTRATORS_GROUP_ID, GUESTS_GROUP_ID, type GroupType } from '../domain/group.js';
import type { GroupCreateInput, GroupUpdateInput } from '../domain/group-input.js';
import type { Store } from '../store/index.js';
import type { GroupRow } from '../store/groups-repo.js';
import type { ServiceDeps } from './deps.js';
import { SYSTEM, type ActorContext } from './audit.js';
import { deleteInWrite, inWrite, patchInWrite, putInWrite, type Write } from './writes.js';
import { groupView, userView, type GroupView, type Page, type PageRequest, type UserView } from './views.js';
import { createWithNewId } from './entity-ids.js';

export function createGroupService(deps: ServiceDeps) {
  const { store } = deps;

  async function load(tx: Store, id: string, lock = false): Promise<GroupRow> {
    const row = await tx.groups.findGroup(id, lock);
    if (!row) throw notFound('Group');
    return row;
  }

  function assertMutable(row: GroupRow): void {
    if (row.built_in === 1) throw operationNotAllowed(`'${row.display_name}' is a system group and cannot be changed or deleted.`);
  }

  /** `system` is reserved for the built-in groups; `external` groups need the provider's id, others must not have one. */
  function checkType(type: GroupType, externalId: string | null): void {
    if (type === 'system') throw invalidField('type', 'Only the built-in groups are of type system; use custom or external.');
    if (type === 'external' && !externalId) throw invalidField('externalId', 'is required for an external group.');
    if (type !== 'external' && externalId) throw invalidField('externalId', 'applies only to groups of type external.');
  }

  /** The change shared by PUT on an existing group and PATCH: only the given fields move. */
  async function applyUpdate(w: Write, existing: GroupRow, input: GroupUpdateInput): Promise<GroupView> {
    const { tx } = w;
    assertMutable(existing);
    const type = input.type ?? existing.type;
    const externalId = input.externalId !== undefined ? input.externalId : existing.external_id;
    checkType(type, externalId);
    await tx.groups.updateGroup(existing.id, {
      ...(input.displayName !== undefined ? { display_name: input.displayName } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      type,
      external_id: externalId,
      etag: w.etag(),
    });
    const fields = Object.keys(input).filter((k) => input[k as keyof GroupUpdateInput] !== undefined);
    await w.record({ audit: { action: 'group.updated', detail: { group: existing.id, fields: fields.join(',') } } });
    return groupView(await load(tx, existing.id));
  }

  /** Adds the user to the group; `created` is false when it was a member already. */
  async function addMember(groupId: string, userId: string, ctx: ActorContext = SYSTEM): Promise<{ user: UserView; created: boolean }> {
    return inWrite(deps, ctx, async (w) => {
      const { tx } = w;
      const group = await load(tx, groupId, true);
      if (group.id === GUESTS_GROUP_ID) {
        throw operationNotAllowed('Guests are the anonymous visitors of the developer portal; users cannot be added to this group.');
      }
      // Locked so that a concurrent delete of the user cannot slip in between.
      const user = await tx.users.findUser(userId, true);
      if (!user || user.state === 'deleted') throw notFound('User');
      const created = await tx.groups.addMember(groupId, userId, w.at);
      if (created) await w.record({ audit: { action: 'group.member-added', userId, detail: { group: groupId } } });
      const [identities, groups] = await Promise.all([tx.users.listIdentities([userId]), tx.groups.groupsOfUsers([userId])]);
      return { user: userView(user, identities.get(userId) ?? [], groups.get(userId) ?? []), created };
    });
  }

  async function insertNew(w: Write, id: string, input: GroupCreateInput): Promise<GroupView> {
    const { tx } = w;
    const type = input.type ?? 'custom';
    const externalId = input.externalId ?? null;
    checkType(type, externalId);
    await tx.groups.insertGroup({
      id,
      display_name: input.displayName,
      description: input.description ?? null,
      type,
      external_id: externalId,
      built_in: 0,
      etag: w.etag(),
      created_at: w.at,
    });
    await w.record({ audit: { action: 'group.created', detail: { group: id } } });
    return groupView(await load(tx, id));
  }

  return {
    async list(page: PageRequest): Promise<Page<GroupView>> {
      const filter = page.filter ? parseFilter(page.filter, GROUP_FILTER_FIELDS) : undefined;
      const { rows, count } = await store.groups.listGroups({ filter, top: page.top, skip: page.skip });
      return { items: rows.map(groupView), count };
    },

    async get(id: string): Promise<GroupView> {
      return groupView(await load(store, id));
    },

    async createOrUpdate(id: string, input: GroupCreateInput, ifMatch?: string, ctx: ActorContext = SYSTEM): Promise<{ group: GroupView; created: boolean }> {
      const { value, created } = await putInWrite(deps, ctx, ifMatch, {
        find: (tx) => tx.groups.findGroup(id, true),
        update: (w, existing) => applyUpdate(w, existing, input),
        insert: (w) => insertNew(w, id, input),
      });
      return { group: value, created };
    },

    /** Creates a group under a new id (typed, or derived from its name; the admin UI's create): an existing group is never changed. */
    async create(typedId: string, input: GroupCreateInput, ctx: ActorContext = SYSTEM): Promise<GroupView> {
      return createWithNewId(deps, ctx, 'A group', { typed: typedId, displayName: input.displayName }, {
        exists: (tx, id) => tx.groups.findGroup(id, true),
        insert: (w, id) => insertNew(w, id, input),
      });
    },

    /** The number of members of each group (groups without members are left out). */
    async memberCounts(groupIds: readonly string[]): Promise<Map<string, number>> {
      return store.groups.countMembers(groupIds);
    },

    async update(id: string, input: GroupUpdateInput, ifMatchHeader: string | undefined, ctx: ActorContext = SYSTEM): Promise<GroupView> {
      return patchInWrite(deps, ctx, ifMatchHeader, { load: (tx) => load(tx, id, true), update: (w, existing) => applyUpdate(w, existing, input) });
    },

    /** Deletes a custom group and its memberships. False when there was nothing to delete. */
    async remove(id: string, ifMatchHeader: string | undefined, ctx: ActorContext = SYSTEM): Promise<boolean> {
      return deleteInWrite(deps, ctx, ifMatchHeader, {
        find: (tx) => tx.groups.findGroup(id, true),
        guard: assertMutable,
        remove: async (w) => {
          await w.tx.groups.deleteGroup(id);
          await w.record({ audit: { action: 'group.deleted', detail: { group: id } } });
        },
      });
    },

    async hasMember(groupId: string, userId: string): Promise<boolean> {
      await load(store, groupId);
      return store.groups.isMember(groupId, userId);
    },

    /** Adds the user to the group; `created` is false when it was a member already. */
    addMember,

    /** Adds the user with this email address (the admin UI's form); a validation error on `email` when there is none. */
    async addMemberByEmail(groupId: string, email: string, ctx: ActorContext = SYSTEM): Promise<{ user: UserView; created: boolean }> {
      const emailLc = normalizeEmail(email);
      if (emailLc === '') throw invalidField('email', 'is required.');
      const user = await store.users.findLiveUserByEmail(emailLc);
      if (!user) throw invalidField('email', 'is not the email address of any user.');
      return addMember(groupId, user.id, ctx);
    },

    /**
     * False when the user was not a member. Refuses to take the last administrator who can sign in
     * out of Administrators: nobody could sign in to the admin UI any more.
     */
    async removeMember(groupId: string, userId: string, ctx: ActorContext = SYSTEM): Promise<boolean> {
      return inWrite(deps, ctx, async (w) => {
        const { tx } = w;
        // Locking the group row serialises removals from it (PostgreSQL), so two administrators
        // removing each other at once cannot both succeed.
        await load(tx, groupId, groupId === ADMINISTRATORS_GROUP_ID);
        const guarded = groupId === ADMINISTRATORS_GROUP_ID && (await tx.groups.hasMemberWithPassword(ADMINISTRATORS_GROUP_ID));
        const removed = await tx.groups.removeMember(groupId, userId);
        if (removed && guarded && !(await tx.groups.hasMemberWithPassword(ADMINISTRATORS_GROUP_ID))) {
          throw new AppError('conflict', 'LastAdministrator', 'This is the last administrator who can sign in: add another administrator first.');
        }
        if (removed) await w.record({ audit: { action: 'group.member-removed', userId, detail: { group: groupId } } });
        return removed;
      });
    },
  };
}

export type GroupService = ReturnType<typeof createGroupService>;
