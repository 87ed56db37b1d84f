/** What the use cases return: plain data, rendered by each face (management API, admin UI, portal). */
import type { GroupType } from '../domain/group.js';
import type { UserIdentity, UserState } from '../domain/user.js';
import type { GroupRow } from '../store/groups-repo.js';
import type { UserRow } from '../store/users-repo.js';

export interface GroupView {
  id: string;
  displayName: string;
  description: string | null;
  builtIn: boolean;
  type: GroupType;
  externalId: string | null;
  etag: string;
}

export interface UserView {
  id: string;
  firstName: string;
  lastName: string;
  email: string;
  state: UserState;
  note: string | null;
  registrationDate: string;
  identities: UserIdentity[];
  /** Present when asked for (GET, writes, or lists with expandGroups). */
  groups?: GroupView[];
  etag: string;
}

export interface Page<T> {
  items: T[];
  /** Matches across all pages. */
  count: number;
}

export interface PageRequest {
  filter?: string | undefined;
  top: number;
  skip: number;
}

export function groupView(row: GroupRow): GroupView {
  return {
    id: row.id,
    displayName: row.display_name,
    description: row.description,
    builtIn: row.built_in === 1,
    type: row.type,
    externalId: row.external_id,
    etag: row.etag,
  };
}

export function userView(row: UserRow, identities: UserIdentity[], groups?: GroupRow[]): UserView {
  return {
    id: row.id,
    firstName: row.first_name,
    lastName: row.last_name,
    email: row.email,
    state: row.state,
    note: row.note,
    registrationDate: row.registration_date,
    identities,
    ...(groups ? { groups: groups.map(groupView) } : {}),
    etag: row.etag,
  };
}
