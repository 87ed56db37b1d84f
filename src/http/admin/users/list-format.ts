/** How the users pages name a user and their state. */
import type { UserState } from '../../../domain/user.js';

export const USER_STATE_LABELS: Readonly<Record<UserState, string>> = {
  active: 'Active',
  pending: 'Pending',
  blocked: 'Blocked',
  deleted: 'Closed',
};

/** "First Last", or the email address when both names are empty. */
export function displayName(user: { firstName: string; lastName: string; email: string }): string {
  return `${user.firstName} ${user.lastName}`.trim() || user.email;
}
