/**
 * The built-in `master` subscription, as every Azure instance has: all APIs of the service (scope
 * `/`), owned by the built-in administrator, active, with generated keys. Idempotent: it only adds
 * the subscription when it is missing. Called by src/services/seed.ts inside its transaction, after
 * the administrator exists.
 */
import { ADMIN_USER_ID } from '../domain/user.js';
import { lookupHash, newSubscriptionKey, seal } from '../domain/subscription-keys.js';
import type { Write } from './writes.js';
import { subscriptionKeyRing } from './signing-keys.js';
import { MASTER_SUBSCRIPTION_ID } from './subscriptions/views.js';

export const MASTER_SUBSCRIPTION_DISPLAY_NAME = 'Built-in all-access subscription';

export async function seedSubscriptions(w: Write): Promise<void> {
  const { tx, at: now } = w;
  if (await tx.subscriptions.findSubscription(MASTER_SUBSCRIPTION_ID)) return;
  const ring = await subscriptionKeyRing(tx);
  const primary = newSubscriptionKey();
  const secondary = newSubscriptionKey();
  await tx.subscriptions.insertSubscription({
    id: MASTER_SUBSCRIPTION_ID,
    owner_id: ADMIN_USER_ID,
    scope: '/',
    display_name: MASTER_SUBSCRIPTION_DISPLAY_NAME,
    state: 'active',
    state_comment: null,
    allow_tracing: 1,
    created_at: now,
    start_date: now,
    expiration_date: null,
    end_date: null,
    notification_date: null,
    primary_key_sealed: seal(ring, primary),
    primary_key_lookup: lookupHash(ring, primary),
    secondary_key_sealed: seal(ring, secondary),
    secondary_key_lookup: lookupHash(ring, secondary),
    etag: w.etag(),
  });
  await w.record({ change: { entity: 'subscription', id: MASTER_SUBSCRIPTION_ID } });
}
