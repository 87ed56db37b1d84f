/**
 * An active subscription row (no expiry, no end) as a bulk import writes it straight into the
 * table, for the benchmarks and tests that seed subscriptions at size without the services.
 */
import type { Insertable } from 'kysely';
import type { SubscriptionsTable } from '../../src/store/schema.js';

export interface SeededSubscription {
  id: string;
  ownerId: string;
  scope: string;
  /** When it was created and started (ISO-8601). */
  at: string;
  primaryLookup: string;
  secondaryLookup: string;
  /** The sealed keys; '' when nobody will list them. */
  primarySealed?: string;
  secondarySealed?: string;
  displayName?: string | null;
  etag?: string;
}

export function activeSubscriptionRow(s: SeededSubscription): Insertable<SubscriptionsTable> {
  return {
    id: s.id,
    owner_id: s.ownerId,
    scope: s.scope,
    display_name: s.displayName ?? null,
    state: 'active',
    state_comment: null,
    allow_tracing: null,
    created_at: s.at,
    start_date: s.at,
    expiration_date: null,
    end_date: null,
    notification_date: null,
    primary_key_sealed: s.primarySealed ?? '',
    secondary_key_sealed: s.secondarySealed ?? '',
    primary_key_lookup: s.primaryLookup,
    secondary_key_lookup: s.secondaryLookup,
    etag: s.etag ?? 'seeded',
  };
}
