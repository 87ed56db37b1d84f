/** SQL for groups and group membership. */
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { FilterNode } from '../domain/filter/ast.js';
import { compileFilter } from './filter-sql.js';
import type { Executor } from './database.js';
import { findRowById, pageAndCount, toCount } from './database.js';
import type { GroupsTable } from './schema.js';

export type GroupRow = Selectable<GroupsTable>;

/** `lock` holds the row until the transaction ends (PostgreSQL), for a read that decides a write. */
export async function findGroup(ex: Executor, id: string, lock = false): Promise<GroupRow | undefined> {
  return findRowById(ex, 'groups', id, lock);
}

export async function insertGroup(ex: Executor, row: Insertable<GroupsTable>): Promise<void> {
  await ex.insertInto('groups').values(row).execute();
}

export async function updateGroup(ex: Executor, id: string, changes: Updateable<GroupsTable>): Promise<void> {
  await ex.updateTable('groups').set(changes).where('id', '=', id).execute();
}

/** Memberships go with the group (ON DELETE CASCADE, and explicitly, for SQLite files opened without foreign keys). */
export async function deleteGroup(ex: Executor, id: string): Promise<void> {
  await ex.deleteFrom('group_members').where('group_id', '=', id).execute();
  await ex.deleteFrom('groups').where('id', '=', id).execute();
}

export interface GroupPageQuery {
  filter?: FilterNode;
  /** Only groups this user belongs to. */
  userId?: string;
  top: number;
  skip: number;
}

export async function listGroups(ex: Executor, q: GroupPageQuery): Promise<{ rows: GroupRow[]; count: number }> {
  let base = ex.selectFrom('groups');
  if (q.userId !== undefined) {
    base = base.where((eb) =>
      eb.exists(
        eb
          .selectFrom('group_members')
          .select('group_members.group_id')
          .whereRef('group_members.group_id', '=', 'groups.id')
          .where('group_members.user_id', '=', q.userId!),
      ),
    );
  }
  if (q.filter) base = base.where(compileFilter(q.filter));
  return pageAndCount(base, base.selectAll('groups').orderBy('groups.id').limit(q.top).offset(q.skip));
}

/** The groups of each of `userIds`, in group id order. */
export async function groupsOfUsers(ex: Executor, userIds: readonly string[]): Promise<Map<string, GroupRow[]>> {
  const out = new Map<string, GroupRow[]>();
  if (userIds.length === 0) return out;
  const rows = await ex
    .selectFrom('group_members')
    .innerJoin('groups', 'groups.id', 'group_members.group_id')
    .selectAll('groups')
    .select('group_members.user_id as member_id')
    .where('group_members.user_id', 'in', userIds)
    .orderBy('groups.id')
    .execute();
  for (const { member_id, ...group } of rows) {
    const list = out.get(member_id) ?? [];
    list.push(group);
    out.set(member_id, list);
  }
  return out;
}

/** How many members each group has; groups without members are absent from the map. */
export async function countMembers(ex: Executor, groupIds: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (groupIds.length === 0) return out;
  const rows = await ex
    .selectFrom('group_members')
    .select((eb) => ['group_id', eb.fn.countAll().as('n')])
    .where('group_id', 'in', groupIds)
    .groupBy('group_id')
    .execute();
  for (const row of rows) out.set(row.group_id, toCount(row.n as string | number));
  return out;
}

export async function isMember(ex: Executor, groupId: string, userId: string): Promise<boolean> {
  const row = await ex
    .selectFrom('group_members')
    .select('user_id')
    .where('group_id', '=', groupId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Whether some active member of the group has a password (can sign in). */
export async function hasMemberWithPassword(ex: Executor, groupId: string): Promise<boolean> {
  const row = await ex
    .selectFrom('group_members')
    .innerJoin('users', 'users.id', 'group_members.user_id')
    .select('users.id')
    .where('group_members.group_id', '=', groupId)
    .where('users.state', '=', 'active')
    .where('users.password_hash', 'is not', null)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Returns whether the membership is new (adding an existing one is not an error). */
export async function addMember(ex: Executor, groupId: string, userId: string, at: string): Promise<boolean> {
  const result = await ex
    .insertInto('group_members')
    .values({ group_id: groupId, user_id: userId, created_at: at })
    .onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing())
    .executeTakeFirst();
  return toCount(result.numInsertedOrUpdatedRows) > 0;
}

/** Returns whether a membership was removed. */
export async function removeMember(ex: Executor, groupId: string, userId: string): Promise<boolean> {
  const result = await ex
    .deleteFrom('group_members')
    .where('group_id', '=', groupId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return toCount(result.numDeletedRows) > 0;
}

export async function removeAllMemberships(ex: Executor, userId: string): Promise<void> {
  await ex.deleteFrom('group_members').where('user_id', '=', userId).execute();
}
