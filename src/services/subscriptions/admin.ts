/**
 * Subscriptions as the admin UI works with them: a list with owners and scope names, filtered on
 * state, product and owner, and the actions an administrator takes on one (its state, or one of
 * its keys).
 */
import { operationNotAllowed } from '../../domain/errors.js';
import { requireIfMatch } from '../../domain/etag.js';
import { CANCELLABLE_STATES, isFinal, type SubscriptionState } from '../../domain/subscription.js';
import { rejectionInput, type SubscriptionUpdateInput } from '../../domain/subscription-input.js';
import { normalizeEmail } from '../../domain/user.js';
import { parseInput } from '../../domain/validate.js';
import type { ActorContext } from '../audit.js';
import type { ServiceDeps } from '../deps.js';
import type { Page } from '../views.js';
import { patchInWrite } from '../writes.js';
import type { SubscriptionCore } from './core.js';
import { subscriptionView, type AdminSubscriptionView, type KeyKind, type SubscriptionView } from './views.js';

/**
 * What an administrator does to a subscription, and from which states: each is a legal transition
 * of src/domain/subscription.ts, narrowed to what the action means (approving answers a request;
 * reactivating lifts a suspension; cancelling is possible wherever the lifecycle allows it).
 * Approving and rejecting email the owner, as the management API does with `notify=true`; a
 * rejection's reason is the `stateComment`, which the email shows as $SubDeclineReason.
 */
export const ADMIN_SUBSCRIPTION_ACTIONS = {
  approve: { from: ['submitted'], to: 'active', notify: true },
  reject: { from: ['submitted'], to: 'rejected', notify: true },
  suspend: { from: ['active'], to: 'suspended', notify: false },
  reactivate: { from: ['suspended'], to: 'active', notify: false },
  cancel: { from: CANCELLABLE_STATES, to: 'cancelled', notify: false },
} as const satisfies Record<string, { from: readonly SubscriptionState[]; to: SubscriptionState; notify: boolean }>;

export type AdminSubscriptionAction = keyof typeof ADMIN_SUBSCRIPTION_ACTIONS;

/** The actions an administrator may take on a subscription in `state`, in a stable order. */
export function adminActionsFrom(state: SubscriptionState): AdminSubscriptionAction[] {
  return (Object.keys(ADMIN_SUBSCRIPTION_ACTIONS) as AdminSubscriptionAction[]).filter((a) =>
    (ADMIN_SUBSCRIPTION_ACTIONS[a].from as readonly SubscriptionState[]).includes(state),
  );
}

const PAST: Readonly<Record<AdminSubscriptionAction, string>> = {
  approve: 'approved',
  reject: 'rejected',
  suspend: 'suspended',
  reactivate: 'reactivated',
  cancel: 'cancelled',
};

export interface AdminSubscriptionFilter {
  state?: SubscriptionState | undefined;
  productId?: string | undefined;
  /** A user id or an email address. */
  owner?: string | undefined;
  top: number;
  skip: number;
}

export function createAdminSubscriptionService(deps: ServiceDeps, core: SubscriptionCore) {
  const { store } = deps;

  return {
    /** Newest first, filtered on state, product and owner (a user id or an email address). */
    async list(q: AdminSubscriptionFilter): Promise<Page<AdminSubscriptionView>> {
      const owner = q.owner?.trim();
      const { rows, count } = await store.subscriptions.listForAdmin({
        state: q.state,
        productId: q.productId,
        owner: owner ? { id: owner, emailLc: normalizeEmail(owner) } : undefined,
        top: q.top,
        skip: q.skip,
      });
      return { items: await core.adminViews(store, rows), count };
    },

    async get(id: string): Promise<AdminSubscriptionView> {
      const [view] = await core.adminViews(store, [await core.load(store, id)]);
      return view!;
    },

    /** The products to filter the list on (by name, at most `limit`). */
    async productChoices(limit = 500): Promise<{ id: string; displayName: string }[]> {
      return (await store.subscriptions.productChoices(limit)).map((p) => ({ id: p.id, displayName: p.display_name }));
    },

    /** One page of a user's subscriptions, newest first (a user's page). */
    async ofUser(userId: string, page: { top: number; skip: number }): Promise<Page<AdminSubscriptionView>> {
      const { rows, count } = await store.subscriptions.listForAdmin({ ownerId: userId, top: page.top, skip: page.skip });
      return { items: await core.adminViews(store, rows), count };
    },

    /**
     * An administrator approves, rejects (with a reason, emailed to the owner), suspends,
     * reactivates or cancels a subscription. Only from the states the action allows (else
     * OperationNotAllowed), and only the version the administrator saw (If-Match, else 412).
     */
    async act(
      id: string,
      action: AdminSubscriptionAction,
      options: { ifMatch: string | undefined; reason?: string | undefined; ctx: ActorContext },
    ): Promise<SubscriptionView> {
      const spec = ADMIN_SUBSCRIPTION_ACTIONS[action];
      const input: SubscriptionUpdateInput = { state: spec.to };
      if (action === 'reject') input.stateComment = parseInput(rejectionInput, { reason: options.reason ?? '' }).reason;
      requireIfMatch(options.ifMatch);
      const ring = await core.ring();
      return patchInWrite(deps, options.ctx, options.ifMatch, {
        load: (tx) => core.load(tx, id, true),
        update: async (w, existing) => {
          if (!(spec.from as readonly SubscriptionState[]).includes(existing.state)) {
            throw operationNotAllowed(`A subscription in state '${existing.state}' cannot be ${PAST[action]}.`);
          }
          return subscriptionView(await core.change(w, ring, existing, input, { notify: spec.notify, appType: 'developerPortal' }));
        },
      });
    },

    /**
     * An administrator replaces one of a subscription's keys (one leaked, say): the old key stops
     * working at once. Refused where the portal refuses it too, on a subscription that is over for
     * good: its keys can never work again, so a new one would only be a secret to keep. Like `act`,
     * only on the version the administrator saw (If-Match, else 412).
     */
    async regenerate(id: string, which: KeyKind, options: { ifMatch: string | undefined; ctx: ActorContext }): Promise<SubscriptionView> {
      requireIfMatch(options.ifMatch);
      const ring = await core.ring();
      return patchInWrite(deps, options.ctx, options.ifMatch, {
        load: (tx) => core.load(tx, id, true),
        update: async (w, existing) => {
          if (isFinal(existing.state)) throw operationNotAllowed(`The keys of a ${existing.state} subscription cannot be regenerated.`);
          await core.replaceKey(w, ring, existing, which);
          return subscriptionView(await core.load(w.tx, id));
        },
      });
    },
  };
}

export type AdminSubscriptionService = ReturnType<typeof createAdminSubscriptionService>;
