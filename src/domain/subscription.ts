/**
 * Subscriptions: a user's access to a product, an API, or all APIs, through two keys. The state
 * is a closed union and moves only along legal transitions.
 *
 * Every rule about states (which give access, which hold a place in a product's limit, which can
 * be cancelled, which are final, which dates a move sets) is read from the one table below; the
 * rest of Tollgate uses the sets and functions derived from it and names no state list of its own.
 */
import { invalidField } from './errors.js';
import { entityIdOf, serviceRelativeId } from './arm-id.js';

export const SUBSCRIPTION_STATES = ['submitted', 'active', 'suspended', 'rejected', 'cancelled', 'expired'] as const;
export type SubscriptionState = (typeof SUBSCRIPTION_STATES)[number];

/**
 * Where a state stands in a subscription's life:
 * - `open`: its keys work;
 * - `waiting`: not open yet, or held by an administrator, but still the developer's (it counts
 *   against a product's `subscriptionsLimit`, and a product that has one is not deleted lightly);
 * - `ended`: gives nothing and holds no place (an expired one may still be renewed).
 */
type Phase = 'open' | 'waiting' | 'ended';

/**
 * submitted: waits for an administrator (approve → active, or rejected); active ⇄ suspended; a
 * developer or an administrator cancels; an administrator may renew an expired subscription.
 * A state with nowhere to go is final. Staying in the same state is always allowed.
 */
const LIFECYCLE: Readonly<Record<SubscriptionState, { phase: Phase; next: readonly SubscriptionState[] }>> = {
  submitted: { phase: 'waiting', next: ['active', 'rejected', 'cancelled'] },
  active: { phase: 'open', next: ['suspended', 'cancelled', 'expired'] },
  suspended: { phase: 'waiting', next: ['active', 'cancelled', 'expired'] },
  expired: { phase: 'ended', next: ['active', 'cancelled'] },
  rejected: { phase: 'ended', next: [] },
  cancelled: { phase: 'ended', next: [] },
};

const statesWhere = (test: (s: SubscriptionState) => boolean): readonly SubscriptionState[] =>
  Object.freeze(SUBSCRIPTION_STATES.filter(test));

/** States whose keys open APIs. */
export const ACCESS_STATES = statesWhere((s) => LIFECYCLE[s].phase === 'open');
/** States that hold a place in a product's `subscriptionsLimit` (and make deleting the product a decision). */
export const LIVE_STATES = statesWhere((s) => LIFECYCLE[s].phase !== 'ended');
/** States that are over: no access, no place in a limit. */
export const ENDED_STATES = statesWhere((s) => LIFECYCLE[s].phase === 'ended');
/** States from which a subscription can be cancelled (a cancelled one is not cancelled again). */
export const CANCELLABLE_STATES = statesWhere((s) => LIFECYCLE[s].next.includes('cancelled'));
/** States nothing can leave. */
export const FINAL_STATES = statesWhere((s) => LIFECYCLE[s].next.length === 0);

export function givesAccess(state: SubscriptionState): boolean {
  return ACCESS_STATES.includes(state);
}

export function isLive(state: SubscriptionState): boolean {
  return LIVE_STATES.includes(state);
}

export function isCancellable(state: SubscriptionState): boolean {
  return CANCELLABLE_STATES.includes(state);
}

export function isFinal(state: SubscriptionState): boolean {
  return FINAL_STATES.includes(state);
}

export function canMoveSubscription(from: SubscriptionState, to: SubscriptionState): boolean {
  return from === to || LIFECYCLE[from].next.includes(to);
}

export function assertSubscriptionTransition(from: SubscriptionState, to: SubscriptionState): void {
  if (!canMoveSubscription(from, to)) {
    throw invalidField('state', `A subscription cannot move from state '${from}' to '${to}'.`);
  }
}

/** The dates a subscription's row carries that a change of state moves. */
export interface SubscriptionDates {
  start_date?: string | null;
  end_date?: string | null;
}

/**
 * The dates a move from `from` (undefined: a new subscription) to `to` at `now` sets: becoming
 * active starts it (the first time, or again after it expired) and clears its end; ending it
 * records when. Nothing moves when the state stays.
 */
export function datesForMove(from: SubscriptionState | undefined, to: SubscriptionState, startDate: string | null, now: string): SubscriptionDates {
  if (from === to) return {};
  if (givesAccess(to)) return { ...(startDate === null || from === 'expired' ? { start_date: now } : {}), end_date: null };
  if (!isLive(to)) return { end_date: now };
  return {};
}

/** What a subscription gives access to. */
export type SubscriptionScope =
  | { kind: 'product'; productId: string }
  | { kind: 'api'; apiId: string }
  | { kind: 'all-apis' }
  | { kind: 'service' };

/**
 * Reads a scope as clients send it: relative (`/products/starter`, `/apis/echo`, `/apis`, `/`) or
 * as a full ARM id (`/subscriptions/.../service/{name}/products/starter`).
 */
export function parseScope(raw: string): SubscriptionScope | undefined {
  const path = serviceRelativeId(raw === '' ? '/' : raw);
  if (path === '/') return { kind: 'service' };
  if (/^\/apis\/?$/i.test(path)) return { kind: 'all-apis' };
  const productId = entityIdOf(path, 'products');
  if (productId !== undefined) return { kind: 'product', productId };
  const apiId = entityIdOf(path, 'apis');
  if (apiId !== undefined) return { kind: 'api', apiId };
  return undefined;
}

/** The stored, relative form of a scope. */
export function formatScope(scope: SubscriptionScope): string {
  switch (scope.kind) {
    case 'product':
      return `/products/${scope.productId}`;
    case 'api':
      return `/apis/${scope.apiId}`;
    case 'all-apis':
      return '/apis';
    case 'service':
      return '/';
  }
}

/** Reads an owner as clients send it: `/users/{id}` or the user's full ARM id. */
export function parseOwner(raw: string): string | undefined {
  return entityIdOf(raw, 'users');
}
