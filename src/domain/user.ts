/**
 * Developer accounts: their states and the rules for moving between them.
 *
 * A user's state is a closed union, and every change of state goes through `assertTransition`, so
 * that no code path can, say, revive a deleted account.
 */
import { invalidField } from './errors.js';

export const USER_STATES = ['active', 'blocked', 'pending', 'deleted'] as const;
export type UserState = (typeof USER_STATES)[number];

/**
 * Legal moves. `pending` is left by confirming (active), by an administrator blocking or closing the
 * account; `deleted` is final. Staying in the same state is always allowed (a no-op).
 */
const TRANSITIONS: Readonly<Record<UserState, readonly UserState[]>> = {
  pending: ['active', 'blocked', 'deleted'],
  active: ['blocked', 'deleted'],
  blocked: ['active', 'deleted'],
  deleted: [],
};

export function isUserState(value: string): value is UserState {
  return (USER_STATES as readonly string[]).includes(value);
}

export function canTransition(from: UserState, to: UserState): boolean {
  return from === to || TRANSITIONS[from].includes(to);
}

export function assertTransition(from: UserState, to: UserState): void {
  if (!canTransition(from, to)) {
    throw invalidField('state', `A user cannot move from state '${from}' to '${to}'.`);
  }
}

export interface UserIdentity {
  provider: string;
  id: string;
}

/** The built-in administrator that every instance ships with, as Azure does (user id `1`). */
export const ADMIN_USER_ID = '1';

export const USER_ID_MAX = 80;
export const NAME_MAX = 100;
export const EMAIL_MAX = 254;
/** Azure sets no limit on a note; this one keeps a single row from growing without bound. */
export const NOTE_MAX = 4000;

/** Emails are unique without regard to case; this is the key they are compared by. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
