/** What the subscription use cases return to each face: plain data, rendered by the face. */
import type { SubscriptionScope, SubscriptionState } from '../../domain/subscription.js';
import type { SubscriptionRow } from '../../store/subscriptions-repo.js';

/** The built-in all-access subscription (src/services/subscriptions-seed.ts); it cannot be deleted. */
export const MASTER_SUBSCRIPTION_ID = 'master';

export type KeyKind = 'primary' | 'secondary';

export interface SubscriptionView {
  id: string;
  /** The owner's user id (bare), or null for a subscription without an owner. */
  ownerId: string | null;
  /** Relative: '/products/{id}', '/apis/{id}', '/apis' or '/'. */
  scope: string;
  displayName: string | null;
  state: SubscriptionState;
  createdDate: string;
  startDate: string | null;
  expirationDate: string | null;
  endDate: string | null;
  notificationDate: string | null;
  stateComment: string | null;
  allowTracing: boolean | null;
  etag: string;
}

/** What the developer sees of their own subscription in the portal: the product's name, and the keys while they open something. */
export interface OwnSubscriptionView extends SubscriptionView {
  /** Only while the subscription gives access (its keys work); never decrypted otherwise. */
  keys: { primary: string; secondary: string } | null;
  /** The product's display name when the scope is a product (null if it is gone or the scope is not a product). */
  productName: string | null;
}

export interface SubscriptionSecrets {
  primaryKey: string;
  secondaryKey: string;
  etag: string;
}

/** A subscription as the admin UI lists it: with its owner and the name of what its scope is. */
export interface AdminSubscriptionView extends SubscriptionView {
  owner: { id: string; email: string; firstName: string; lastName: string; state: string } | null;
  scopeKind: SubscriptionScope['kind'] | null;
  /** The product's or API's id when the scope is one, else null. */
  scopeTargetId: string | null;
  /** Its display name (null when it is gone or the scope is all APIs or the whole service). */
  scopeName: string | null;
}

export function subscriptionView(row: SubscriptionRow): SubscriptionView {
  return {
    id: row.id,
    ownerId: row.owner_id,
    scope: row.scope,
    displayName: row.display_name,
    state: row.state,
    createdDate: row.created_at,
    startDate: row.start_date,
    expirationDate: row.expiration_date,
    endDate: row.end_date,
    notificationDate: row.notification_date,
    stateComment: row.state_comment,
    allowTracing: row.allow_tracing === null ? null : row.allow_tracing === 1,
    etag: row.etag,
  };
}
