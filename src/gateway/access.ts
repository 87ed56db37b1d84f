/**
 * The key index and the access decision. Keys are known only by their lookup hash (HMAC-SHA256
 * under the instance's lookup key): a presented key is hashed once and looked up in a Map, so no
 * plaintext key is held in memory and no string comparison of secrets happens.
 */
import { givesAccess, parseScope, type SubscriptionState } from '../domain/subscription.js';
import { MESSAGES } from './responses.js';

export interface KeyEntry {
  subscriptionId: string;
  state: SubscriptionState;
  ownerId: string | null;
  /** The owner's state; 'active' for subscriptions without an owner, 'missing' when the owner row is gone. */
  ownerState: string;
  /** Which APIs the key opens. */
  apiIds: ReadonlySet<string> | 'all';
  /** Set when the scope is a product that is not published (or no longer exists). */
  productUnpublished: boolean;
  /** Epoch ms of expiration_date, if any. */
  expiresAt: number | undefined;
}

export interface SubscriptionInput {
  id: string;
  ownerId: string | null;
  ownerState: string | null;
  scope: string;
  state: SubscriptionState;
  expirationDate: string | null;
  primaryLookup: string;
  secondaryLookup: string;
}

export interface ProductInput {
  id: string;
  published: boolean;
  apiIds: ReadonlySet<string>;
}

const NONE: ReadonlySet<string> = new Set();

export function buildKeyIndex(subscriptions: readonly SubscriptionInput[], products: ReadonlyMap<string, ProductInput>): Map<string, KeyEntry> {
  const index = new Map<string, KeyEntry>();
  for (const s of subscriptions) {
    const scope = parseScope(s.scope);
    let apiIds: ReadonlySet<string> | 'all' = NONE;
    let productUnpublished = false;
    if (scope?.kind === 'service' || scope?.kind === 'all-apis') apiIds = 'all';
    else if (scope?.kind === 'api') apiIds = new Set([scope.apiId]);
    else if (scope?.kind === 'product') {
      const product = products.get(scope.productId);
      if (product?.published) apiIds = product.apiIds;
      else productUnpublished = true;
    }
    const expires = s.expirationDate ? Date.parse(s.expirationDate) : NaN;
    const entry: KeyEntry = {
      subscriptionId: s.id,
      state: s.state,
      ownerId: s.ownerId,
      ownerState: s.ownerId === null ? 'active' : (s.ownerState ?? 'missing'),
      apiIds,
      productUnpublished,
      expiresAt: Number.isNaN(expires) ? undefined : expires,
    };
    index.set(s.primaryLookup, entry);
    index.set(s.secondaryLookup, entry);
  }
  return index;
}

export type AccessDecision = { allowed: true; entry: KeyEntry } | { allowed: false; status: 401 | 403; message: string };

/** What a key (by its lookup hash) may do with an API, at `now` (epoch ms). */
export function decideAccess(index: ReadonlyMap<string, KeyEntry>, hash: string, apiId: string, now: number): AccessDecision {
  const entry = index.get(hash);
  if (!entry) return { allowed: false, status: 401, message: MESSAGES.invalidKey };
  if (!givesAccess(entry.state)) return { allowed: false, status: 403, message: MESSAGES.subscriptionInactive };
  if (entry.expiresAt !== undefined && entry.expiresAt <= now) return { allowed: false, status: 403, message: MESSAGES.subscriptionExpired };
  if (entry.ownerState !== 'active') return { allowed: false, status: 403, message: MESSAGES.ownerInactive };
  if (entry.productUnpublished) return { allowed: false, status: 403, message: MESSAGES.productUnpublished };
  if (entry.apiIds !== 'all' && !entry.apiIds.has(apiId)) return { allowed: false, status: 403, message: MESSAGES.outOfScope };
  return { allowed: true, entry };
}
