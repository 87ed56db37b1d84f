/**
 * The two products a new Azure API Management instance ships with, `starter` and `unlimited`,
 * published and visible to the three system groups, and the policies Azure gives it: the default
 * global policy and Starter's limits. Idempotent: a product that exists is left as it is (with its
 * groups), and the policies are seeded once per instance (a marker in service_settings), so an
 * administrator's changes, a deleted policy included, survive restarts.
 */
import { ADMINISTRATORS_GROUP_ID, DEVELOPERS_GROUP_ID, GUESTS_GROUP_ID } from '../domain/group.js';
import { DEFAULT_GLOBAL_POLICY_XML, STARTER_POLICY_XML } from '../domain/policy/defaults.js';
import { policyScopeKey, type PolicyTarget } from './policies.js';
import type { Write } from './writes.js';

/** Azure's words for Starter, which its policy (STARTER_POLICY_XML) makes true. */
export const STARTER_DESCRIPTION = 'Subscribers will be able to run 5 calls/minute up to a maximum of 100 calls/week.';

/** What Starter said before Tollgate had policies: replaced once, unless an administrator had changed it. */
const STARTER_DESCRIPTION_WITHOUT_POLICIES =
  'Subscribers can call the APIs of this product as soon as they subscribe, with one subscription per developer. ' +
  'Tollgate applies no rate limits or quotas to it.';

/** Set once the policies below were seeded: from then on they are the administrator's. */
const POLICIES_SEEDED = 'seed.policies';

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
    description: STARTER_DESCRIPTION,
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

/** The documents a new instance has, by scope. */
const SEED_POLICIES: readonly { target: PolicyTarget; xml: string }[] = [
  { target: { scope: 'global' }, xml: DEFAULT_GLOBAL_POLICY_XML },
  { target: { scope: 'product', productId: 'starter' }, xml: STARTER_POLICY_XML },
];

/**
 * Once per instance (new, or one from before policies): the default global policy and Starter's,
 * where the scope exists and has none; Starter's old description gets Azure's words. Call after
 * seedProducts.
 */
export async function seedPolicies(w: Write): Promise<void> {
  const t = w.tx;
  if ((await t.settings.getSetting(POLICIES_SEEDED)) !== undefined) return;
  for (const { target, xml } of SEED_POLICIES) {
    if (target.scope === 'product' && !(await t.products.findProduct(target.productId))) continue;
    const scopeKey = policyScopeKey(target);
    if (await t.policies.findPolicy(scopeKey)) continue;
    await t.policies.insertPolicy({
      scope_key: scopeKey,
      scope: target.scope,
      product_id: target.scope === 'product' ? target.productId : null,
      api_id: null,
      operation_id: null,
      xml,
      etag: w.etag(),
      updated_at: w.at,
    });
    await w.record({ change: { entity: 'policy', id: scopeKey } });
  }
  const starter = await t.products.findProduct('starter');
  if (starter?.description === STARTER_DESCRIPTION_WITHOUT_POLICIES) {
    await t.products.updateProduct('starter', { description: STARTER_DESCRIPTION, etag: w.etag() });
    await w.record({ change: { entity: 'product', id: 'starter' } });
  }
  await t.settings.ensureSetting(POLICIES_SEEDED, w.at);
}
