/**
 * Use cases on subscriptions: the management API's (any owner, any scope, any legal state) and the
 * developer portal's (subscribe to a published product the developer can see, cancel, regenerate,
 * list one's own with the keys). Every write runs in one transaction and appends to the change
 * feed, which the gateway reloads on.
 *
 * Keys are kept only sealed and as lookup hashes (src/domain/subscription-keys.ts); nothing here
 * returns a key except `listSecrets` and the portal's own-subscription views.
 *
 * Deviation from Azure: a subscription created without `state` is `submitted` only when its product
 * requires approval, and `active` otherwise (Azure's text says `submitted` whatever the product).
 */
import { audit, SYSTEM, type ActorContext } from './audit.js';
import { enqueueUserEmail, type EmailTemplateName } from './emails.js';
import { conflict, invalidField, notFound, operationNotAllowed } from '../domain/errors.js';
import { checkIfMatch, requireIfMatch } from '../domain/etag.js';
import { newEtag } from '../domain/ids.js';
import { normalizeEmail } from '../domain/user.js';
import type { FilterNode } from '../domain/filter/ast.js';
import { parseFilter } from '../domain/filter/parser.js';
import { SUBSCRIPTION_FILTER_FIELDS } from '../domain/filter/subscription-fields.js';
import {
  assertSubscriptionTransition,
  formatScope,
  parseScope,
  type SubscriptionState,
} from '../domain/subscription.js';
import { lookupHash, newSubscriptionKey, seal, unseal, type KeyRing } from '../domain/subscription-keys.js';
import {
  SUBSCRIPTION_DISPLAY_NAME_MAX,
  SUBSCRIPTION_STATE_COMMENT_MAX,
  type SubscriptionCreateInput,
  type SubscriptionUpdateInput,
} from '../domain/subscription-input.js';
import { retryOnceOnUniqueViolation, type Store } from '../store/index.js';
import { FINISHED_STATES, type ProductRow, type SubscriptionOwner, type SubscriptionRow } from '../store/subscriptions-repo.js';
import type { ServiceDeps } from './deps.js';
import { subscriptionKeyRing } from './signing-keys.js';
import type { Page, PageRequest } from './views.js';

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

/** What the developer sees of their own subscription in the portal: with the keys and the product's name. */
export interface OwnSubscriptionView extends SubscriptionView {
  primaryKey: string;
  secondaryKey: string;
  /** The product's display name when the scope is a product (null if it is gone or the scope is not a product). */
  productName: string | null;
}

export interface SubscriptionSecrets {
  primaryKey: string;
  secondaryKey: string;
  etag: string;
}

export interface SubscriptionWriteOptions {
  ifMatch?: string | undefined;
  /** Email the owner about the new state (submitted, active or rejected). */
  notify?: boolean | undefined;
  appType?: string | undefined;
  /** Who asks, for the audit log. */
  ctx?: ActorContext;
}

/**
 * What an administrator does to a subscription in the admin UI, and from which states: each is a
 * legal transition of src/domain/subscription.ts, narrowed to what the action means (approving
 * answers a request; reactivating lifts a suspension). Approving and rejecting email the owner,
 * as the management API does with `notify=true`; a rejection's reason is the `stateComment`, which
 * the email shows as $SubDeclineReason.
 */
export const ADMIN_SUBSCRIPTION_ACTIONS = {
  approve: { from: ['submitted'], to: 'active', notify: true },
  reject: { from: ['submitted'], to: 'rejected', notify: true },
  suspend: { from: ['active'], to: 'suspended', notify: false },
  reactivate: { from: ['suspended'], to: 'active', notify: false },
  cancel: { from: ['submitted', 'active', 'suspended', 'expired'], to: 'cancelled', notify: false },
} as const satisfies Record<string, { from: readonly SubscriptionState[]; to: SubscriptionState; notify: boolean }>;

export type AdminSubscriptionAction = keyof typeof ADMIN_SUBSCRIPTION_ACTIONS;

/** The actions an administrator may take on a subscription in `state`, in a stable order. */
export function adminActionsFrom(state: SubscriptionState): AdminSubscriptionAction[] {
  return (Object.keys(ADMIN_SUBSCRIPTION_ACTIONS) as AdminSubscriptionAction[]).filter((a) =>
    (ADMIN_SUBSCRIPTION_ACTIONS[a].from as readonly SubscriptionState[]).includes(state),
  );
}

/** A subscription as the admin UI lists it: with its owner and the name of what its scope is. */
export interface AdminSubscriptionView extends SubscriptionView {
  owner: { id: string; email: string; firstName: string; lastName: string; state: string } | null;
  /** The product's or API's id when the scope is one, else null. */
  scopeKind: 'product' | 'api' | 'all-apis' | 'service' | null;
  scopeTargetId: string | null;
  /** Its display name (null when it is gone or the scope is all APIs or the whole service). */
  scopeName: string | null;
}

export interface AdminSubscriptionFilter {
  state?: SubscriptionState | undefined;
  productId?: string | undefined;
  /** A user id or an email address. */
  owner?: string | undefined;
  top: number;
  skip: number;
}

const LIVE = (state: SubscriptionState) => !FINISHED_STATES.includes(state);
const ARM_PREFIX = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.ApiManagement\/service\/[^/]+/i;

const PAST: Readonly<Record<AdminSubscriptionAction, string>> = {
  approve: 'approved',
  reject: 'rejected',
  suspend: 'suspended',
  reactivate: 'reactivated',
  cancel: 'cancelled',
};

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

/** Reads `/users/{id}` or a full ARM user id. */
function parseOwner(raw: string): string {
  const marker = /\/providers\/Microsoft\.ApiManagement\/service\/[^/]+/i.exec(raw);
  const rest = marker ? raw.slice(marker.index + marker[0].length) : raw;
  const m = /^\/users\/([^/]+)$/i.exec(rest);
  if (!m) throw invalidField('ownerId', "must be '/users/{userId}' or the user's full resource id.");
  return decodeURIComponent(m[1]!);
}

/** `ownerId` and `scope` literals may be full ARM ids; the stored (and compared) form is relative. */
function relativeLiterals(node: FilterNode): FilterNode {
  switch (node.kind) {
    case 'and':
    case 'or':
      return { ...node, left: relativeLiterals(node.left), right: relativeLiterals(node.right) };
    case 'not':
      return { ...node, operand: relativeLiterals(node.operand) };
    case 'compare':
    case 'function': {
      if ((node.field !== 'ownerId' && node.field !== 'scope') || node.value === null || !ARM_PREFIX.test(node.value)) return node;
      const value = node.value.replace(ARM_PREFIX, '');
      return { ...node, value: value === '' && node.kind === 'compare' ? '/' : value } as FilterNode;
    }
  }
}

/** The keys' columns: sealed and hashed; a key another subscription already has is refused. */
async function keyColumns(
  tx: Store,
  ring: KeyRing,
  which: KeyKind,
  key: string,
  selfId: string,
): Promise<Partial<Pick<SubscriptionRow, 'primary_key_sealed' | 'primary_key_lookup' | 'secondary_key_sealed' | 'secondary_key_lookup'>>> {
  const hash = lookupHash(ring, key);
  if (await tx.subscriptions.findKeyOwner(hash, selfId)) {
    throw conflict(`The ${which} key is already used by another subscription; choose another key.`, `${which}Key`);
  }
  return which === 'primary'
    ? { primary_key_sealed: seal(ring, key), primary_key_lookup: hash }
    : { secondary_key_sealed: seal(ring, key), secondary_key_lookup: hash };
}

/** Dates that follow a state change: startDate when it becomes active, endDate when it ends. */
function datesFor(from: SubscriptionState | undefined, to: SubscriptionState, startDate: string | null, now: string) {
  if (from === to) return {};
  if (to === 'active') return { ...(startDate === null || from === 'expired' ? { start_date: now } : {}), end_date: null };
  if (!LIVE(to)) return { end_date: now };
  return {};
}

export function createSubscriptionService(deps: ServiceDeps) {
  const { store, clock } = deps;

  async function load(tx: Store, id: string, lock = false): Promise<SubscriptionRow> {
    const row = await tx.subscriptions.findSubscription(id, lock);
    if (!row) throw notFound('Subscription');
    return row;
  }

  async function resolveOwner(tx: Store, raw: string): Promise<string> {
    const id = parseOwner(raw);
    const user = await tx.users.findUser(id, true);
    if (!user || user.state === 'deleted') throw invalidField('ownerId', `User '${id}' not found.`);
    return id;
  }

  /** The stored scope, and its product when it is one (locked: it decides the limit). */
  async function resolveScope(tx: Store, raw: string): Promise<{ scope: string; product?: ProductRow }> {
    const parsed = parseScope(raw);
    if (!parsed) throw invalidField('scope', "must be '/products/{productId}', '/apis/{apiId}', '/apis', '/' or a full resource id of one.");
    if (parsed.kind === 'product') {
      const product = await tx.subscriptions.findProduct(parsed.productId, true);
      if (!product) throw invalidField('scope', `Product '${parsed.productId}' not found.`);
      return { scope: formatScope(parsed), product };
    }
    if (parsed.kind === 'api' && !(await tx.subscriptions.findApi(parsed.apiId))) {
      throw invalidField('scope', `API '${parsed.apiId}' not found.`);
    }
    return { scope: formatScope(parsed) };
  }

  /** A product's `subscriptionsLimit` counts the owner's subscriptions that are not cancelled, rejected or expired. */
  async function checkLimit(tx: Store, ownerId: string | null, product: ProductRow | undefined, selfId: string): Promise<void> {
    if (!product || product.subscriptions_limit === null || ownerId === null) return;
    const held = await tx.subscriptions.countLiveForOwnerAndScope(ownerId, `/products/${product.id}`, selfId);
    if (held >= product.subscriptions_limit) {
      throw conflict(
        `User '${ownerId}' already has ${held} subscription(s) to product '${product.id}', which allows at most ${product.subscriptions_limit} per user.`,
        'ownerId',
      );
    }
  }

  const TEMPLATES: Partial<Record<SubscriptionState, EmailTemplateName>> = {
    submitted: 'requestDeveloperNotificationMessage',
    active: 'purchaseDeveloperNotificationMessage',
    rejected: 'rejectDeveloperNotificationMessage',
  };

  /** Emails the owner about the subscription's (new) state, in the same transaction. */
  async function notifyState(tx: Store, row: SubscriptionRow, appType: string | undefined): Promise<void> {
    const template = TEMPLATES[row.state];
    if (!template || row.owner_id === null) return;
    const user = await tx.users.findUser(row.owner_id);
    if (!user || user.state === 'deleted') return;
    const parsed = parseScope(row.scope);
    let prodId = '';
    let prodName = row.display_name ?? '';
    if (parsed?.kind === 'product') {
      prodId = parsed.productId;
      prodName = (await tx.subscriptions.findProduct(parsed.productId))?.display_name ?? parsed.productId;
    } else if (parsed?.kind === 'api') {
      prodId = parsed.apiId;
      prodName = (await tx.subscriptions.findApi(parsed.apiId))?.display_name ?? parsed.apiId;
    }
    await enqueueUserEmail(deps, tx, template, user, {
      appType,
      extra: {
        ProdId: prodId,
        ProdName: prodName,
        SubStartDate: row.start_date ?? '',
        SubTerm: row.expiration_date ? `until ${row.expiration_date}` : 'no end date',
        SubDeclineReason: row.state_comment ?? '',
      },
    });
  }

  /**
   * PATCH and the administrator's actions: the subscription as it is now (locked, and as the
   * required If-Match says), `change` says what moves (or refuses), applyUpdate moves it.
   */
  async function updateExisting(
    id: string,
    ifMatchHeader: string | undefined,
    options: SubscriptionWriteOptions,
    change: (existing: SubscriptionRow) => SubscriptionUpdateInput,
  ): Promise<SubscriptionView> {
    const ifMatch = requireIfMatch(ifMatchHeader);
    const ring = await subscriptionKeyRing(store);
    const now = clock.now().toISOString();
    return retryOnceOnUniqueViolation(() =>
      store.transaction(async (tx) => {
        const existing = await load(tx, id, true);
        checkIfMatch(ifMatch, existing.etag);
        return applyUpdate(tx, ring, existing, change(existing), now, options);
      }),
    );
  }

  /** The change shared by PUT on an existing subscription and PATCH: only the given fields move. */
  async function applyUpdate(
    tx: Store,
    ring: KeyRing,
    existing: SubscriptionRow,
    input: SubscriptionUpdateInput,
    now: string,
    options: SubscriptionWriteOptions,
  ): Promise<SubscriptionView> {
    const id = existing.id;
    const ownerId =
      input.ownerId === undefined ? existing.owner_id : input.ownerId === null ? null : await resolveOwner(tx, input.ownerId);
    const target = input.scope !== undefined ? await resolveScope(tx, input.scope) : undefined;
    const scope = target?.scope ?? existing.scope;
    const next = input.state ?? existing.state;
    assertSubscriptionTransition(existing.state, next);
    const takesPlace = ownerId !== existing.owner_id || scope !== existing.scope || !LIVE(existing.state);
    if (LIVE(next) && takesPlace) {
      const parsed = parseScope(scope);
      const product =
        target?.product ?? (parsed?.kind === 'product' ? await tx.subscriptions.findProduct(parsed.productId, true) : undefined);
      await checkLimit(tx, ownerId, product, id);
    }
    await tx.subscriptions.updateSubscription(id, {
      owner_id: ownerId,
      scope,
      state: next,
      ...datesFor(existing.state, next, existing.start_date, now),
      ...(input.displayName !== undefined ? { display_name: input.displayName } : {}),
      ...(input.expirationDate !== undefined ? { expiration_date: input.expirationDate } : {}),
      ...(input.stateComment !== undefined ? { state_comment: input.stateComment } : {}),
      ...(input.allowTracing !== undefined ? { allow_tracing: input.allowTracing === null ? null : input.allowTracing ? 1 : 0 } : {}),
      ...(input.primaryKey !== undefined ? await keyColumns(tx, ring, 'primary', input.primaryKey, id) : {}),
      ...(input.secondaryKey !== undefined ? await keyColumns(tx, ring, 'secondary', input.secondaryKey, id) : {}),
      etag: newEtag(),
    });
    await tx.changes.recordChange('subscription', id, now);
    const ctx = options.ctx ?? SYSTEM;
    if (next !== existing.state) {
      await audit(deps, tx, ctx, 'subscription.state-changed', ownerId, { subscription: id, from: existing.state, to: next });
    }
    if (input.primaryKey !== undefined || input.secondaryKey !== undefined) {
      await audit(deps, tx, ctx, 'subscription.key-regenerated', ownerId, { subscription: id });
    }
    const row = await load(tx, id);
    if (options.notify && next !== existing.state) await notifyState(tx, row, options.appType);
    return subscriptionView(row);
  }

  /** Inserts a new subscription with generated (or given) keys. */
  async function insert(
    tx: Store,
    ring: KeyRing,
    fields: {
      id: string;
      ownerId: string | null;
      scope: string;
      displayName: string;
      state: SubscriptionState;
      allowTracing: boolean | null;
      primaryKey?: string | undefined;
      secondaryKey?: string | undefined;
    },
    now: string,
  ): Promise<SubscriptionRow> {
    const row: SubscriptionRow = {
      id: fields.id,
      owner_id: fields.ownerId,
      scope: fields.scope,
      display_name: fields.displayName,
      state: fields.state,
      state_comment: null,
      allow_tracing: fields.allowTracing === null ? null : fields.allowTracing ? 1 : 0,
      created_at: now,
      start_date: fields.state === 'active' ? now : null,
      expiration_date: null,
      end_date: LIVE(fields.state) ? null : now,
      notification_date: null,
      primary_key_sealed: '',
      primary_key_lookup: '',
      secondary_key_sealed: '',
      secondary_key_lookup: '',
      ...(await keyColumns(tx, ring, 'primary', fields.primaryKey ?? newSubscriptionKey(), fields.id)),
      ...(await keyColumns(tx, ring, 'secondary', fields.secondaryKey ?? newSubscriptionKey(), fields.id)),
      etag: newEtag(),
    };
    await tx.subscriptions.insertSubscription(row);
    await tx.changes.recordChange('subscription', row.id, now);
    return row;
  }

  async function replaceKey(tx: Store, ring: KeyRing, row: SubscriptionRow, which: KeyKind, now: string): Promise<void> {
    await tx.subscriptions.updateSubscription(row.id, {
      ...(await keyColumns(tx, ring, which, newSubscriptionKey(), row.id)),
      etag: newEtag(),
    });
    await tx.changes.recordChange('subscription', row.id, now);
  }

  async function ownView(tx: Store, ring: KeyRing, rows: SubscriptionRow[]): Promise<OwnSubscriptionView[]> {
    const productIds = rows.flatMap((r) => {
      const parsed = parseScope(r.scope);
      return parsed?.kind === 'product' ? [parsed.productId] : [];
    });
    const names = await tx.subscriptions.productNames([...new Set(productIds)]);
    return rows.map((r) => {
      const parsed = parseScope(r.scope);
      return {
        ...subscriptionView(r),
        primaryKey: unseal(ring, r.primary_key_sealed),
        secondaryKey: unseal(ring, r.secondary_key_sealed),
        productName: parsed?.kind === 'product' ? (names.get(parsed.productId) ?? null) : null,
      };
    });
  }

  /** The developer's own subscription, locked; someone else's is not found. */
  async function loadOwn(tx: Store, userId: string, sid: string): Promise<SubscriptionRow> {
    const row = await tx.subscriptions.findSubscription(sid, true);
    if (!row || row.owner_id !== userId) throw notFound('Subscription');
    return row;
  }

  async function adminViews(tx: Store, rows: SubscriptionRow[]): Promise<AdminSubscriptionView[]> {
    const scopes = rows.map((r) => parseScope(r.scope));
    const productIds = [...new Set(scopes.flatMap((p) => (p?.kind === 'product' ? [p.productId] : [])))];
    const apiIds = [...new Set(scopes.flatMap((p) => (p?.kind === 'api' ? [p.apiId] : [])))];
    const ownerIds = [...new Set(rows.flatMap((r) => (r.owner_id !== null ? [r.owner_id] : [])))];
    const [products, apis, owners] = await Promise.all([
      tx.subscriptions.productNames(productIds),
      tx.subscriptions.apiNames(apiIds),
      tx.subscriptions.ownersByIds(ownerIds),
    ]);
    const ownerView = (o: SubscriptionOwner | undefined) =>
      o ? { id: o.id, email: o.email, firstName: o.first_name, lastName: o.last_name, state: o.state } : null;
    return rows.map((r, i) => {
      const parsed = scopes[i];
      const targetId = parsed?.kind === 'product' ? parsed.productId : parsed?.kind === 'api' ? parsed.apiId : null;
      return {
        ...subscriptionView(r),
        owner: r.owner_id !== null ? ownerView(owners.get(r.owner_id)) : null,
        scopeKind: parsed?.kind ?? null,
        scopeTargetId: targetId,
        scopeName:
          parsed?.kind === 'product' ? (products.get(parsed.productId) ?? null) : parsed?.kind === 'api' ? (apis.get(parsed.apiId) ?? null) : null,
      };
    });
  }

  return {
    /* The admin UI. */

    /** Newest first, filtered on state, product and owner (a user id or an email address). */
    async listForAdmin(q: AdminSubscriptionFilter): Promise<Page<AdminSubscriptionView>> {
      const owner = q.owner?.trim();
      const { rows, count } = await store.subscriptions.listForAdmin({
        state: q.state,
        productId: q.productId,
        owner: owner ? { id: owner, emailLc: normalizeEmail(owner) } : undefined,
        top: q.top,
        skip: q.skip,
      });
      return { items: await adminViews(store, rows), count };
    },

    async getForAdmin(id: string): Promise<AdminSubscriptionView> {
      const [view] = await adminViews(store, [await load(store, id)]);
      return view!;
    },

    /** The products to filter the admin list on (by name, at most `limit`). */
    async productChoices(limit = 500): Promise<{ id: string; displayName: string }[]> {
      return (await store.subscriptions.productChoices(limit)).map((p) => ({ id: p.id, displayName: p.display_name }));
    },

    /**
     * An administrator approves, rejects (with a reason, emailed to the owner), suspends,
     * reactivates or cancels a subscription. Only from the states the action allows (else
     * OperationNotAllowed), and only the version the administrator saw (If-Match, else 412).
     */
    async adminAction(
      id: string,
      action: AdminSubscriptionAction,
      options: { ifMatch: string | undefined; reason?: string | undefined; ctx: ActorContext },
    ): Promise<SubscriptionView> {
      const spec = ADMIN_SUBSCRIPTION_ACTIONS[action];
      let reason: string | undefined;
      if (action === 'reject') {
        reason = (options.reason ?? '').trim();
        if (reason.length === 0) throw invalidField('reason', 'is required: the owner reads it in the email');
        if (reason.length > SUBSCRIPTION_STATE_COMMENT_MAX) throw invalidField('reason', `must be at most ${SUBSCRIPTION_STATE_COMMENT_MAX} characters`);
        if (reason.includes('\u0000')) throw invalidField('reason', 'must not contain NUL characters');
      }
      return updateExisting(id, options.ifMatch, { notify: spec.notify, appType: 'developerPortal', ctx: options.ctx }, (existing) => {
        if (!(spec.from as readonly SubscriptionState[]).includes(existing.state)) {
          throw operationNotAllowed(`A subscription in state '${existing.state}' cannot be ${PAST[action]}.`);
        }
        return { state: spec.to, ...(reason !== undefined ? { stateComment: reason } : {}) };
      });
    },

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
      return subscriptionView(await load(store, id));
    },

    /** UserSubscription_Get: a subscription of another owner is not found. */
    async getOfUser(userId: string, id: string): Promise<SubscriptionView> {
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
      const ring = await subscriptionKeyRing(store);
      const now = clock.now().toISOString();
      return retryOnceOnUniqueViolation(() =>
        store.transaction(async (tx) => {
          const existing = await tx.subscriptions.findSubscription(id, true);
          checkIfMatch(options.ifMatch, existing?.etag);
          if (existing) return { subscription: await applyUpdate(tx, ring, existing, input, now, options), created: false };
          const ownerId = input.ownerId ? await resolveOwner(tx, input.ownerId) : null;
          const target = await resolveScope(tx, input.scope);
          const state = input.state ?? (target.product?.approval_required === 1 ? 'submitted' : 'active');
          if (LIVE(state)) await checkLimit(tx, ownerId, target.product, id);
          const row = await insert(
            tx,
            ring,
            {
              id,
              ownerId,
              scope: target.scope,
              displayName: input.displayName,
              state,
              allowTracing: input.allowTracing ?? false,
              primaryKey: input.primaryKey,
              secondaryKey: input.secondaryKey,
            },
            now,
          );
          await audit(deps, tx, options.ctx ?? SYSTEM, 'subscription.created', ownerId, { subscription: id, scope: target.scope, state });
          if (options.notify) await notifyState(tx, row, options.appType);
          return { subscription: subscriptionView(row), created: true };
        }),
      );
    },

    /** PATCH: changes only the given fields; the state moves only along legal transitions. */
    async update(id: string, input: SubscriptionUpdateInput, options: SubscriptionWriteOptions = {}): Promise<SubscriptionView> {
      return updateExisting(id, options.ifMatch, options, () => input);
    },

    /** False when there was nothing to delete. The built-in `master` subscription cannot be deleted. */
    async remove(id: string, ifMatchHeader: string | undefined, ctx: ActorContext = SYSTEM): Promise<boolean> {
      const ifMatch = requireIfMatch(ifMatchHeader);
      return store.transaction(async (tx) => {
        const existing = await tx.subscriptions.findSubscription(id, true);
        if (!existing) return false;
        checkIfMatch(ifMatch, existing.etag);
        if (id === MASTER_SUBSCRIPTION_ID) {
          throw operationNotAllowed('The built-in all-access subscription cannot be deleted; suspend it or regenerate its keys instead.');
        }
        await tx.subscriptions.deleteSubscription(id);
        await tx.changes.recordChange('subscription', id, clock.now().toISOString());
        await audit(deps, tx, ctx, 'subscription.deleted', existing.owner_id, { subscription: id });
        return true;
      });
    },

    async listSecrets(id: string): Promise<SubscriptionSecrets> {
      const ring = await subscriptionKeyRing(store);
      const row = await load(store, id);
      return { primaryKey: unseal(ring, row.primary_key_sealed), secondaryKey: unseal(ring, row.secondary_key_sealed), etag: row.etag };
    },

    /** A new random key replaces the old one, whose lookup hash is gone at once. */
    async regenerate(id: string, which: KeyKind, ctx: ActorContext = SYSTEM): Promise<void> {
      const ring = await subscriptionKeyRing(store);
      const now = clock.now().toISOString();
      await retryOnceOnUniqueViolation(() =>
        store.transaction(async (tx) => {
          const row = await load(tx, id, true);
          await replaceKey(tx, ring, row, which, now);
          await audit(deps, tx, ctx, 'subscription.key-regenerated', row.owner_id, { subscription: id, key: which });
        }),
      );
    },

    /**
     * The user is being deleted (inside `tx`, the user DELETE's transaction): their subscriptions
     * are deleted, or else cancelled (those that can be; rejected ones stay as they are).
     */
    async releaseOwnerSubscriptions(tx: Store, userId: string, deleteThem: boolean): Promise<void> {
      const now = clock.now().toISOString();
      const rows = await tx.subscriptions.listByOwner(userId, true);
      if (deleteThem) await tx.subscriptions.deleteByOwner(userId);
      for (const row of rows) {
        if (!deleteThem) {
          if (row.state === 'cancelled' || row.state === 'rejected') continue;
          await tx.subscriptions.updateSubscription(row.id, {
            state: 'cancelled',
            ...datesFor(row.state, 'cancelled', row.start_date, now),
            etag: newEtag(),
          });
        }
        await tx.changes.recordChange('subscription', row.id, now);
      }
    },

    /* The developer portal. */

    /**
     * Subscribes the developer to a published product they can see (through one of their groups).
     * Products that need approval start `submitted`, others `active`; the owner is emailed either way.
     */
    async subscribe(userId: string, productId: string, displayName: string): Promise<OwnSubscriptionView> {
      const name = displayName.trim();
      if (name.length < 1 || name.length > SUBSCRIPTION_DISPLAY_NAME_MAX || name.includes('\u0000')) {
        throw invalidField('displayName', `must be 1 to ${SUBSCRIPTION_DISPLAY_NAME_MAX} characters.`);
      }
      const ring = await subscriptionKeyRing(store);
      const now = clock.now().toISOString();
      const id = deps.ids.next();
      return store.transaction(async (tx) => {
        const user = await tx.users.findUser(userId, true);
        if (!user || user.state !== 'active') throw operationNotAllowed('Only an active account can subscribe to products.');
        const product = await tx.subscriptions.findProduct(productId, true);
        if (!product || product.state !== 'published' || !(await tx.subscriptions.productVisibleTo(productId, userId))) {
          throw notFound('Product');
        }
        if (product.subscription_required === 0) {
          throw operationNotAllowed('This product is open to everyone: it needs no subscription.');
        }
        const state: SubscriptionState = product.approval_required === 1 ? 'submitted' : 'active';
        await checkLimit(tx, userId, product, id);
        const row = await insert(
          tx,
          ring,
          { id, ownerId: userId, scope: `/products/${productId}`, displayName: name, state, allowTracing: false },
          now,
        );
        await notifyState(tx, row, 'developerPortal');
        await audit(deps, tx, { actor: `user:${userId}` }, 'subscription.created', userId, { subscription: id, scope: row.scope, state });
        const [view] = await ownView(tx, ring, [row]);
        return view!;
      });
    },

    /** The developer cancels their own subscription (cancelling a cancelled one changes nothing). */
    async cancel(userId: string, sid: string): Promise<SubscriptionView> {
      const now = clock.now().toISOString();
      return store.transaction(async (tx) => {
        const row = await loadOwn(tx, userId, sid);
        assertSubscriptionTransition(row.state, 'cancelled');
        if (row.state === 'cancelled') return subscriptionView(row);
        await tx.subscriptions.updateSubscription(sid, {
          state: 'cancelled',
          ...datesFor(row.state, 'cancelled', row.start_date, now),
          etag: newEtag(),
        });
        await tx.changes.recordChange('subscription', sid, now);
        await audit(deps, tx, { actor: `user:${userId}` }, 'subscription.state-changed', userId, { subscription: sid, from: row.state, to: 'cancelled' });
        return subscriptionView(await load(tx, sid));
      });
    },

    /** The developer replaces one of their own keys; not on a cancelled or rejected subscription. */
    async regenerateOwn(userId: string, sid: string, which: KeyKind): Promise<OwnSubscriptionView> {
      const ring = await subscriptionKeyRing(store);
      const now = clock.now().toISOString();
      return retryOnceOnUniqueViolation(() =>
        store.transaction(async (tx) => {
          const row = await loadOwn(tx, userId, sid);
          if (row.state === 'cancelled' || row.state === 'rejected') {
            throw operationNotAllowed(`The keys of a ${row.state} subscription cannot be regenerated.`);
          }
          await replaceKey(tx, ring, row, which, now);
          await audit(deps, tx, { actor: `user:${userId}` }, 'subscription.key-regenerated', userId, { subscription: sid, key: which });
          const [view] = await ownView(tx, ring, [await load(tx, sid)]);
          return view!;
        }),
      );
    },

    /** The developer's subscriptions, oldest first, with their keys. */
    async listOwn(userId: string): Promise<OwnSubscriptionView[]> {
      const ring = await subscriptionKeyRing(store);
      return ownView(store, ring, await store.subscriptions.listByOwner(userId));
    },
  };
}

export type SubscriptionService = ReturnType<typeof createSubscriptionService>;
