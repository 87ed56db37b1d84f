/**
 * Closing an account (state `deleted`), whoever closes it: an administrator, the management API or
 * the developer. What it could be used with goes (password, identities, group memberships,
 * sessions) and its subscriptions are cancelled, in the write that moves the state; the caller
 * moves the state and records the change in its own words (`user.state-changed`, `account.closed`).
 */
import type { SubscriptionCore } from './subscriptions/core.js';
import type { Write } from './writes.js';

export async function closeAccountIn(w: Write, subscriptions: SubscriptionCore, userId: string): Promise<void> {
  await w.tx.users.updateUser(userId, { password_hash: null });
  await w.tx.users.replaceIdentities(userId, []);
  await w.tx.groups.removeAllMemberships(userId);
  await w.tx.sessions.deleteUserSessions(userId);
  await subscriptions.releaseOwner(w, userId, false);
}
