/** How the admin pages name states and people: one word for each state, wherever it is shown. */
import type { SubscriptionState } from '../../domain/subscription.js';
import type { UserState } from '../../domain/user.js';

export const USER_STATE_LABELS: Readonly<Record<UserState, string>> = {
  active: 'Active',
  pending: 'Pending',
  blocked: 'Blocked',
  deleted: 'Closed',
};

export const SUBSCRIPTION_STATE_LABELS: Readonly<Record<SubscriptionState, string>> = {
  submitted: 'Submitted',
  active: 'Active',
  suspended: 'Suspended',
  rejected: 'Rejected',
  cancelled: 'Cancelled',
  expired: 'Expired',
};

/** "First Last", or the email address when both names are empty. */
export function displayName(user: { firstName: string; lastName: string; email: string }): string {
  return `${user.firstName} ${user.lastName}`.trim() || user.email;
}
