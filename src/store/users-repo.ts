/** SQL for users and their identities. Callers pass the database or a transaction. */
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { FilterNode } from '../domain/filter/ast.js';
import { compileFilter } from './filter-sql.js';
import type { Executor } from './database.js';
import { canLockRows, toCount } from './database.js';
import type { UsersTable } from './schema.js';
import type { UserIdentity } from '../domain/user.js';

export type UserRow = Selectable<UsersTable>;

/** `lock` holds the row until the transaction ends (PostgreSQL), for a read that decides a write. */
export async function findUser(ex: Executor, id: string, lock = false): Promise<UserRow | undefined> {
  return ex
    .selectFrom('users')
    .selectAll()
    .where('id', '=', id)
    .$if(lock && canLockRows(ex), (q) => q.forUpdate())
    .executeTakeFirst();
}

export async function findLiveUserByEmail(ex: Executor, emailLc: string): Promise<UserRow | undefined> {
  return ex
    .selectFrom('users')
    .selectAll()
    .where('email_lc', '=', emailLc)
    .where('state', '<>', 'deleted')
    .executeTakeFirst();
}

export async function insertUser(ex: Executor, row: Insertable<UsersTable>): Promise<void> {
  await ex.insertInto('users').values(row).execute();
}

export async function updateUser(ex: Executor, id: string, changes: Updateable<UsersTable>): Promise<void> {
  await ex.updateTable('users').set(changes).where('id', '=', id).execute();
}

export async function deleteUser(ex: Executor, id: string): Promise<void> {
  await ex.deleteFrom('users').where('id', '=', id).execute();
}

export interface UserPageQuery {
  filter?: FilterNode;
  /** Only members of this group. */
  groupId?: string;
  top: number;
  skip: number;
}

/** One page of users in id order, and the number of matches across all pages. */
export async function listUsers(ex: Executor, q: UserPageQuery): Promise<{ rows: UserRow[]; count: number }> {
  let base = ex.selectFrom('users');
  if (q.groupId !== undefined) {
    base = base.where((eb) =>
      eb.exists(
        eb
          .selectFrom('group_members')
          .select('group_members.user_id')
          .whereRef('group_members.user_id', '=', 'users.id')
          .where('group_members.group_id', '=', q.groupId!),
      ),
    );
  }
  if (q.filter) base = base.where(compileFilter(q.filter));
  // The page's ids first (an index-only walk), then their rows: PostgreSQL otherwise fetches and
  // sorts every match for a deep $skip (measured: 15-45 ms instead of ~6 ms at 10,000 matches).
  const pageIds = base.select('users.id').orderBy('users.id').limit(q.top).offset(q.skip);
  const [rows, total] = await Promise.all([
    ex.selectFrom('users').selectAll().where('id', 'in', pageIds).orderBy('id').execute(),
    base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, count: toCount(total.n as string | number) };
}

export async function listIdentities(ex: Executor, userIds: readonly string[]): Promise<Map<string, UserIdentity[]>> {
  const out = new Map<string, UserIdentity[]>();
  if (userIds.length === 0) return out;
  const rows = await ex
    .selectFrom('user_identities')
    .select(['user_id', 'provider', 'provider_id'])
    .where('user_id', 'in', userIds)
    .orderBy('user_id')
    .orderBy('position')
    .execute();
  for (const r of rows) {
    const list = out.get(r.user_id) ?? [];
    list.push({ provider: r.provider, id: r.provider_id });
    out.set(r.user_id, list);
  }
  return out;
}

export async function replaceIdentities(ex: Executor, userId: string, identities: readonly UserIdentity[]): Promise<void> {
  await ex.deleteFrom('user_identities').where('user_id', '=', userId).execute();
  if (identities.length === 0) return;
  await ex
    .insertInto('user_identities')
    .values(identities.map((i, position) => ({ user_id: userId, provider: i.provider, provider_id: i.id, position })))
    .execute();
}
