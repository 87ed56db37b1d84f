/**
 * What a new instance ships with, as Azure's does: the three system groups and the built-in
 * administrator (user `1`, in Administrators, without a password), the signing keys, the two
 * products and the default policies.
 * Idempotent: it runs at every start and only adds what is missing.
 */
import { createIdGenerator } from '../domain/ids.js';
import { ADMINISTRATORS_GROUP_ID, SYSTEM_GROUPS } from '../domain/group.js';
import { ADMIN_USER_ID, normalizeEmail } from '../domain/user.js';
import type { Clock } from '../domain/clock.js';
import type { Store } from '../store/index.js';
import { ensureSigningKeys } from './signing-keys.js';
import { seedPolicies, seedProducts } from './products-seed.js';
import { seedSubscriptions } from './subscriptions-seed.js';
import { SYSTEM } from './audit.js';
import { beginWrite } from './writes.js';

export const BUILT_IN_ADMIN_EMAIL = 'admin@tollgate.local';

export async function seed(store: Store, clock: Clock): Promise<void> {
  const ids = createIdGenerator(clock);
  await store.transaction(async (tx) => {
    // What a new instance is made of is nobody's action: recorded for the gateways, not audited.
    const w = beginWrite({ clock, ids }, tx, SYSTEM);
    const now = w.at;
    for (const group of SYSTEM_GROUPS) {
      if (await tx.groups.findGroup(group.id)) continue;
      await tx.groups.insertGroup({
        id: group.id,
        display_name: group.displayName,
        description: group.description,
        type: 'system',
        external_id: null,
        built_in: 1,
        etag: w.etag(),
        created_at: now,
      });
    }
    if (!(await tx.users.findUser(ADMIN_USER_ID))) {
      await tx.users.insertUser({
        id: ADMIN_USER_ID,
        first_name: 'Administrator',
        last_name: '',
        email: BUILT_IN_ADMIN_EMAIL,
        email_lc: normalizeEmail(BUILT_IN_ADMIN_EMAIL),
        state: 'active',
        note: null,
        registration_date: now,
        password_hash: null,
        etag: w.etag(),
        updated_at: now,
      });
      await tx.users.replaceIdentities(ADMIN_USER_ID, [{ provider: 'Azure', id: BUILT_IN_ADMIN_EMAIL }]);
      await tx.groups.addMember(ADMINISTRATORS_GROUP_ID, ADMIN_USER_ID, now);
    }
    await ensureSigningKeys(tx);
    await seedProducts(w);
    await seedPolicies(w);
    await seedSubscriptions(w);
  });
}
