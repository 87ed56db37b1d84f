/**
 * Subscriptions: a user's access to a product, an API, or all APIs, through two keys. The state
 * is a closed union and moves only along legal transitions.
 */
import { invalidField } from './errors.js';

export const SUBSCRIPTION_STATES = ['submitted', 'active', 'suspended', 'rejected', 'cancelled', 'expired'] as const;
export type SubscriptionState = (typeof SUBSCRIPTION_STATES)[number];

/**
 * submitted: waits for an administrator (approve → active, or rejected); active ⇄ suspended; a
 * developer or an administrator cancels; an administrator may renew an expired subscription.
 * Rejected and cancelled are final. Staying in the same state is always allowed.
 */
const TRANSITIONS: Readonly<Record<SubscriptionState, readonly SubscriptionState[]>> = {
  submitted: ['active', 'rejected', 'cancelled'],
  active: ['suspended', 'cancelled', 'expired'],
  suspended: ['active', 'cancelled', 'expired'],
  expired: ['active', 'cancelled'],
  rejected: [],
  cancelled: [],
};

export function canMoveSubscription(from: SubscriptionState, to: SubscriptionState): boolean {
  return from === to || TRANSITIONS[from].includes(to);
}

export function assertSubscriptionTransition(from: SubscriptionState, to: SubscriptionState): void {
  if (!canMoveSubscription(from, to)) {
    throw invalidField('state', `A subscription cannot move from state '${from}' to '${to}'.`);
  }
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
  const marker = /\/providers\/Microsoft\.ApiManagement\/service\/[^/]+/i.exec(raw);
  const rest = marker ? raw.slice(marker.index + marker[0].length) : raw;
  const path = rest === '' ? '/' : rest;
  let m: RegExpExecArray | null;
  if (path === '/') return { kind: 'service' };
  if (/^\/apis\/?$/i.test(path)) return { kind: 'all-apis' };
  if ((m = /^\/products\/([^/]+)$/i.exec(path))) return { kind: 'product', productId: decodeURIComponent(m[1]!) };
  if ((m = /^\/apis\/([^/]+)$/i.exec(path))) return { kind: 'api', apiId: decodeURIComponent(m[1]!) };
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
