/**
 * Subscriptions as a developer has them on the portal: subscribe to a published product they can
 * see, cancel, regenerate a key, and list their own. A developer only ever reaches their own
 * subscriptions (another id is simply not found), and sees keys only while they open something.
 */
import { notFound, operationNotAllowed } from '../../domain/errors.js';
import { isFinal, type SubscriptionState } from '../../domain/subscription.js';
import { subscribeInput } from '../../domain/subscription-input.js';
import { parseInput } from '../../domain/validate.js';
import { retryOnceOnUniqueViolation, type Store } from '../../store/index.js';
import type { SubscriptionRow } from '../../store/subscriptions-repo.js';
import type { ActorContext } from '../audit.js';
import type { ServiceDeps } from '../deps.js';
import { inWrite } from '../writes.js';
import type { SubscriptionCore } from './core.js';
import { subscriptionView, type KeyKind, type OwnSubscriptionView, type SubscriptionView } from './views.js';

/** A developer acting on the portal: their user id, and the address they act from. */
export interface Developer {
  userId: string;
  ip?: string | null;
}

const actorOf = (who: Developer): ActorContext => ({ actor: `user:${who.userId}`, ip: who.ip ?? null });

export function createPortalSubscriptionService(deps: ServiceDeps, core: SubscriptionCore) {
  const { store } = deps;

  /** The developer's own subscription, locked; someone else's is not found. */
  async function loadOwn(tx: Store, userId: string, sid: string): Promise<SubscriptionRow> {
    const row = await tx.subscriptions.findSubscription(sid, true);
    if (!row || row.owner_id !== userId) throw notFound('Subscription');
    return row;
  }

  return {
    /**
     * Subscribes the developer to a published product they can see (through one of their groups).
     * Products that need approval start `submitted`, others `active`; the owner is emailed either way.
     */
    async subscribe(who: Developer, productId: string, displayName: string): Promise<OwnSubscriptionView> {
      const input = parseInput(subscribeInput, { displayName });
      const ring = await core.ring();
      const id = deps.ids.next();
      return inWrite(deps, actorOf(who), async (w) => {
        const user = await w.tx.users.findUser(who.userId, true);
        if (!user || user.state !== 'active') throw operationNotAllowed('Only an active account can subscribe to products.');
        const product = await w.tx.subscriptions.findProduct(productId, true);
        if (!product || product.state !== 'published' || !(await w.tx.subscriptions.productVisibleTo(productId, who.userId))) {
          throw notFound('Product');
        }
        if (product.subscription_required === 0) {
          throw operationNotAllowed('This product is open to everyone: it needs no subscription.');
        }
        const state: SubscriptionState = product.approval_required === 1 ? 'submitted' : 'active';
        const row = await core.create(
          w,
          ring,
          { id, ownerId: who.userId, scope: `/products/${productId}`, product, displayName: input.displayName, state, allowTracing: false },
          { notify: true, appType: 'developerPortal' },
        );
        const [view] = await core.ownViews(w.tx, ring, [row]);
        return view!;
      });
    },

    /** The developer cancels their own subscription (cancelling a cancelled one changes nothing). */
    async cancel(who: Developer, sid: string): Promise<SubscriptionView> {
      return inWrite(deps, actorOf(who), async (w) => subscriptionView(await core.move(w, await loadOwn(w.tx, who.userId, sid), 'cancelled')));
    },

    /** The developer replaces one of their own keys; not on a subscription that is over for good. */
    async regenerate(who: Developer, sid: string, which: KeyKind): Promise<OwnSubscriptionView> {
      const ring = await core.ring();
      return retryOnceOnUniqueViolation(() =>
        inWrite(deps, actorOf(who), async (w) => {
          const row = await loadOwn(w.tx, who.userId, sid);
          if (isFinal(row.state)) throw operationNotAllowed(`The keys of a ${row.state} subscription cannot be regenerated.`);
          await core.replaceKey(w, ring, row, which);
          const [view] = await core.ownViews(w.tx, ring, [await core.load(w.tx, sid)]);
          return view!;
        }),
      );
    },

    /** The developer's subscriptions, oldest first, with the keys of those that give access. */
    async listOwn(userId: string): Promise<OwnSubscriptionView[]> {
      return core.ownViews(store, await core.ring(), await store.subscriptions.listByOwner(userId));
    },
  };
}

export type PortalSubscriptionService = ReturnType<typeof createPortalSubscriptionService>;
