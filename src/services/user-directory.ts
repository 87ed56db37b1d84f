/**
 * The admin UI's user directory: a search by name or email, a state filter and a sort order over
 * every user, paged by the database (never all users in memory), each user with their groups.
 */
import type { UserState } from '../domain/user.js';
import type { Store } from '../store/index.js';
import type { UserSortKey } from '../store/users-repo.js';
import { groupView, userView, type GroupView, type Page, type UserView } from './views.js';

export { USER_SORT_KEYS, type UserSortKey } from '../store/users-repo.js';

export interface UserDirectoryQuery {
  text?: string | undefined;
  state?: UserState | undefined;
  sort: UserSortKey;
  descending: boolean;
  top: number;
  skip: number;
}

/** A user as the list shows them: always with their groups. */
export type DirectoryUser = UserView & { groups: GroupView[] };

export function createUserDirectory(store: Store) {
  return {
    /** One page of users with their identities and groups, and the number of matches. */
    async search(query: UserDirectoryQuery): Promise<Page<DirectoryUser>> {
      const { rows, count } = await store.users.searchUsers(query);
      const ids = rows.map((r) => r.id);
      const [identities, groups] = await Promise.all([store.users.listIdentities(ids), store.groups.groupsOfUsers(ids)]);
      const items = rows.map((r) => {
        const memberOf = groups.get(r.id) ?? [];
        return { ...userView(r, identities.get(r.id) ?? []), groups: memberOf.map(groupView) };
      });
      return { items, count };
    },
  };
}

export type UserDirectory = ReturnType<typeof createUserDirectory>;
