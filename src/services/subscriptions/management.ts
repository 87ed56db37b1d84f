/**
 * Subscriptions as the management API offers them (apimsubscriptions.json): any owner, any scope,
 * any legal state, keys given or generated; lists with `$filter`. Keys are returned only by
 * `listSecrets`.
 */
import { serviceRelativeId, isFullArmId } from '../../domain/arm-id.js';
import { notFound, operationNotAllowed } from '../../domain/errors.js';
import { checkIfMatch, requireIfMatch } from '../../domain/etag.js';
import type { FilterNode } from '../../domain/filter/ast.js';
import { parseFilter } from '../../domain/filter/parser.js';
import { SUBSCRIPTION_FILTER_FIELDS } from '../../domain/filter/subscription-fields.js';
import { unseal } from '../../domain/subscription-keys.js';
import type { SubscriptionCreateInput, SubscriptionUpdateInput } from '../../domain/subscription-input.js';
import { retryOnceOnUniqueViolation } from '../../store/index.js';
import { SYSTEM, type ActorContext } from '../audit.js';
import type { ServiceDeps } from '../deps.js';
import type { Page, PageRequest } from '../views.js';
import { deleteInWrite, inWrite, patchInWrite } from '../writes.js';
import type { EmailChoice, SubscriptionCore } from './core.js';
import { MASTER_SUBSCRIPTION_ID, subscriptionView, type KeyKind, type SubscriptionSecrets, type SubscriptionView } from './views.js';

export interface SubscriptionWriteOptions extends EmailChoice {
  ifMatch?: string | undefined;
  /** Who asks, for the audit log. */
  ctx?: ActorContext;
}

/** Filter literals of `ownerId` and `scope` may be full ARM ids; the stored (and compared) form is relative. */
function relativeLiterals(node: FilterNode): FilterNode {
  switch (node.kind) {
    case 'and':
    case 'or':
      return { ...node, left: relativeLiterals(node.left), right: relativeLiterals(node.right) };
    case 'not':
      return { ...node, operand: relativeLiterals(node.operand) };
    case 'compare':
    case 'function': {
      if ((node.field !== 'ownerId' && node.field !== 'scope') || node.value === null || !isFullArmId(node.value)) return node;
      const value = serviceRelativeId(node.value);
      return { ...node, value: value === '/' && node.kind === 'function' ? '' : value } as FilterNode;
    }
  }
}

export function createSubscriptionService(deps: ServiceDeps, core: SubscriptionCore) {
  const { store } = deps;

  async function updateExisting(
    id: string,
    ifMatchHeader: string | undefined,
    options: SubscriptionWriteOptions,
    input: SubscriptionUpdateInput,
  ): Promise<SubscriptionView> {
    requireIfMatch(ifMatchHeader);
    const ring = await core.ring();
    return patchInWrite(deps, options.ctx ?? SYSTEM, ifMatchHeader, {
      load: (tx) => core.load(tx, id, true),
      update: async (w, existing) => subscriptionView(await core.change(w, ring, existing, input, options)),
    });
  }

  return {
    /** Subscription_List; with `productId` ProductSubscriptions_List, with `userId` UserSubscription_List. */
    async list(page: PageRequest & { productId?: string; userId?: string }): Promise<Page<SubscriptionView>> {
      const filter = page.filter ? relativeLiterals(parseFilter(page.filter, SUBSCRIPTION_FILTER_FIELDS)) : undefined;
      if (page.productId !== undefined && !(await store.subscriptions.findProduct(page.productId))) throw notFound('Product');
      if (page.userId !== undefined && !(await store.users.findUser(page.userId))) throw notFound('User');
      const { rows, count } = await store.subscriptions.listSubscriptions({
        filter,
        userId: page.userId,
        productId: page.productId,
        top: page.top,
        skip: page.skip,
      });
      return { items: rows.map(subscriptionView), count };
    },

    async get(id: string): Promise<SubscriptionView> {
      return subscriptionView(await core.load(store, id));
    },

    /** UserSubscription_Get: a subscription of another owner is not found. */
    async getOfUser(userId: string, id: string): Promise<SubscriptionView> {
      if (!(await store.users.findUser(userId))) throw notFound('User');
      const row = await store.subscriptions.findSubscription(id);
      if (!row || row.owner_id !== userId) throw notFound('Subscription');
      return subscriptionView(row);
    },

    /** PUT: creates the subscription (true) or changes the given fields (false). */
    async createOrUpdate(
      id: string,
      input: SubscriptionCreateInput,
      options: SubscriptionWriteOptions = {},
    ): Promise<{ subscription: SubscriptionView; created: boolean }> {
      const ring = await core.ring();
      return retryOnceOnUniqueViolation(() =>
        inWrite(deps, options.ctx ?? SYSTEM, async (w) => {
          const existing = await w.tx.subscriptions.findSubscription(id, true);
          checkIfMatch(options.ifMatch, existing?.etag);
          if (existing) return { subscription: subscriptionView(await core.change(w, ring, existing, input, options)), created: false };
          const ownerId = input.ownerId ? await core.resolveOwner(w.tx, input.ownerId) : null;
          const target = await core.resolveScope(w.tx, input.scope);
          const state = input.state ?? (target.product?.approval_required === 1 ? 'submitted' : 'active');
          const row = await core.create(
            w,
            ring,
            {
              id,
              ownerId,
              scope: target.scope,
              product: target.product,
              displayName: input.displayName,
              state,
              allowTracing: input.allowTracing ?? false,
              primaryKey: input.primaryKey,
              secondaryKey: input.secondaryKey,
            },
            options,
          );
          return { subscription: subscriptionView(row), created: true };
        }),
      );
    },

    /** PATCH: changes only the given fields; the state moves only along legal transitions. */
    async update(id: string, input: SubscriptionUpdateInput, options: SubscriptionWriteOptions = {}): Promise<SubscriptionView> {
      return updateExisting(id, options.ifMatch, options, input);
    },

    /** False when there was nothing to delete. The built-in `master` subscription cannot be deleted. */
    async remove(id: string, ifMatchHeader: string | undefined, ctx: ActorContext = SYSTEM): Promise<boolean> {
      return deleteInWrite(deps, ctx, ifMatchHeader, {
        find: (tx) => tx.subscriptions.findSubscription(id, true),
        guard: () => {
          if (id === MASTER_SUBSCRIPTION_ID) {
            throw operationNotAllowed('The built-in all-access subscription cannot be deleted; suspend it or regenerate its keys instead.');
          }
        },
        remove: (w, existing) => core.remove(w, existing),
      });
    },

    async listSecrets(id: string): Promise<SubscriptionSecrets> {
      const ring = await core.ring();
      const row = await core.load(store, id);
      return { primaryKey: unseal(ring, row.primary_key_sealed), secondaryKey: unseal(ring, row.secondary_key_sealed), etag: row.etag };
    },

    /** A new random key replaces the old one, whose lookup hash is gone at once. */
    async regenerate(id: string, which: KeyKind, ctx: ActorContext = SYSTEM): Promise<void> {
      const ring = await core.ring();
      await retryOnceOnUniqueViolation(() =>
        inWrite(deps, ctx, async (w) => {
          await core.replaceKey(w, ring, await core.load(w.tx, id, true), which);
        }),
      );
    },
  };
}

export type SubscriptionService = ReturnType<typeof createSubscriptionService>;
