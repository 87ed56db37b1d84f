/**
 * The two products a new Azure API Management instance ships with, `starter` and `unlimited`,
 * published and visible to the three system groups. Idempotent: a product that exists is left as
 * it is (with its groups), so an administrator's changes survive restarts.
 */
import { ADMINISTRATORS_GROUP_ID, DEVELOPERS_GROUP_ID, GUESTS_GROUP_ID } from '../domain/group.js';
import type { Write } from './writes.js';

interface SeedProduct {
  id: string;
  displayName: string;
  description: string;
  approvalRequired: boolean;
}

export const SEED_PRODUCTS: readonly SeedProduct[] = [
  {
    id: 'starter',
    displayName: 'Starter',
    description:
      'Subscribers can call the APIs of this product as soon as they subscribe, with one subscription per developer. ' +
      'Tollgate applies no rate limits or quotas to it.',
    approvalRequired: false,
  },
  {
    id: 'unlimited',
    displayName: 'Unlimited',
    description: 'Subscribers have completely unlimited access to the API. Administrator approval is required.',
    approvalRequired: true,
  },
];

const SEED_GROUPS = [ADMINISTRATORS_GROUP_ID, DEVELOPERS_GROUP_ID, GUESTS_GROUP_ID] as const;

/** Call after the system groups exist (their links reference them). */
export async function seedProducts(w: Write): Promise<void> {
  const t = w.tx;
  for (const product of SEED_PRODUCTS) {
    if (await t.products.findProduct(product.id)) continue;
    await t.products.insertProduct({
      id: product.id,
      display_name: product.displayName,
      description: product.description,
      terms: null,
      subscription_required: 1,
      approval_required: product.approvalRequired ? 1 : 0,
      subscriptions_limit: 1,
      state: 'published',
      etag: w.etag(),
      created_at: w.at,
    });
    for (const groupId of SEED_GROUPS) {
      if (await t.groups.findGroup(groupId)) await t.products.addProductGroup(product.id, groupId);
    }
    await w.record({ change: { entity: 'product', id: product.id } });
  }
}
