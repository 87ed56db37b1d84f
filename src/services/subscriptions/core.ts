/**
 * The rules every face of subscriptions shares: resolving owners and scopes, a product's limit,
 * keys sealed and hashed, and the one way a subscription is created, changed, moved between
 * states, re-keyed and deleted, with the emails its states send. Each function takes its caller's
 * open Write (src/services/writes.ts), so what it changes is dated, tagged, fed to the gateways
 * and audited as part of that write.
 *
 * Not a face of its own: the management API, the admin UI and the portal use management.ts,
 * admin.ts and portal.ts; the user, product and API services call `releaseOwner` and
 * `endInScope` inside their own writes.
 *
 * Deviation from Azure: a subscription created without `state` is `submitted` only when its product
 * requires approval, and `active` otherwise (Azure's text says `submitted` whatever the product).
 */
import { conflict, invalidField, notFound } from '../../domain/errors.js';
import {
  assertSubscriptionTransition,
  datesForMove,
  formatScope,
  givesAccess,
  isCancellable,
  isLive,
  LIVE_STATES,
  parseOwner,
  parseScope,
  type SubscriptionState,
} from '../../domain/subscription.js';
import { lookupHash, newSubscriptionKey, seal, unseal, type KeyRing } from '../../domain/subscription-keys.js';
import type { SubscriptionUpdateInput } from '../../domain/subscription-input.js';
import type { Store } from '../../store/index.js';
import type { ProductRow, SubscriptionOwner, SubscriptionRow } from '../../store/subscriptions-repo.js';
import type { ServiceDeps } from '../deps.js';
import { enqueueUserEmail, type EmailTemplateName } from '../emails.js';
import { subscriptionKeyRing } from '../signing-keys.js';
import type { Write, WriteEvent } from '../writes.js';
import { subscriptionView, type AdminSubscriptionView, type KeyKind, type OwnSubscriptionView } from './views.js';

/** A subscription about to be created, its owner and scope resolved. */
export interface NewSubscription {
  id: string;
  ownerId: string | null;
  scope: string;
  /** The scope's product, locked by `resolveScope` (it decides the limit). */
  product: ProductRow | undefined;
  displayName: string;
  state: SubscriptionState;
  allowTracing: boolean | null;
  primaryKey?: string | undefined;
  secondaryKey?: string | undefined;
}

export interface EmailChoice {
  /** Email the owner about the new state (submitted, active or rejected). */
  notify?: boolean | undefined;
  appType?: string | undefined;
}

const STATE_EMAILS: Partial<Record<SubscriptionState, EmailTemplateName>> = {
  submitted: 'requestDeveloperNotificationMessage',
  active: 'purchaseDeveloperNotificationMessage',
  rejected: 'rejectDeveloperNotificationMessage',
};

type KeyColumns = Partial<Pick<SubscriptionRow, 'primary_key_sealed' | 'primary_key_lookup' | 'secondary_key_sealed' | 'secondary_key_lookup'>>;

const changed = (id: string): WriteEvent['change'] => ({ entity: 'subscription', id });

export function createSubscriptionCore(deps: ServiceDeps) {
  const { store } = deps;

  async function load(tx: Store, id: string, lock = false): Promise<SubscriptionRow> {
    const row = await tx.subscriptions.findSubscription(id, lock);
    if (!row) throw notFound('Subscription');
    return row;
  }

  async function resolveOwner(tx: Store, raw: string): Promise<string> {
    const id = parseOwner(raw);
    if (id === undefined) throw invalidField('ownerId', "must be '/users/{userId}' or the user's full resource id.");
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

  /** A product's `subscriptionsLimit` counts the owner's live subscriptions to it (src/domain/subscription.ts LIVE_STATES). */
  async function checkLimit(tx: Store, ownerId: string | null, product: ProductRow | undefined, selfId: string): Promise<void> {
    if (!product || product.subscriptions_limit === null || ownerId === null) return;
    const held = await tx.subscriptions.countLiveForOwnerAndScope(ownerId, formatScope({ kind: 'product', productId: product.id }), selfId);
    if (held >= product.subscriptions_limit) {
      throw conflict(
        `User '${ownerId}' already has ${held} subscription(s) to product '${product.id}', which allows at most ${product.subscriptions_limit} per user.`,
        'ownerId',
      );
    }
  }

  /** The keys' columns: sealed and hashed; a key another subscription already has is refused. */
  async function keyColumns(tx: Store, ring: KeyRing, which: KeyKind, key: string, selfId: string): Promise<KeyColumns> {
    const hash = lookupHash(ring, key);
    if (await tx.subscriptions.findKeyOwner(hash, selfId)) {
      throw conflict(`The ${which} key is already used by another subscription; choose another key.`, `${which}Key`);
    }
    return which === 'primary'
      ? { primary_key_sealed: seal(ring, key), primary_key_lookup: hash }
      : { secondary_key_sealed: seal(ring, key), secondary_key_lookup: hash };
  }

  /** Emails the owner about the subscription's (new) state, in the write's transaction. */
  async function notifyState(w: Write, row: SubscriptionRow, appType: string | undefined): Promise<void> {
    const template = STATE_EMAILS[row.state];
    if (!template || row.owner_id === null) return;
    const user = await w.tx.users.findUser(row.owner_id);
    if (!user || user.state === 'deleted') return;
    const parsed = parseScope(row.scope);
    let prodId = '';
    let prodName = row.display_name ?? '';
    if (parsed?.kind === 'product') {
      prodId = parsed.productId;
      prodName = (await w.tx.subscriptions.findProduct(parsed.productId))?.display_name ?? parsed.productId;
    } else if (parsed?.kind === 'api') {
      prodId = parsed.apiId;
      prodName = (await w.tx.subscriptions.findApi(parsed.apiId))?.display_name ?? parsed.apiId;
    }
    await enqueueUserEmail(deps, w.tx, template, user, {
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

  /** Moves rows of one write to `to` (each along a legal transition), in as few statements as their dates allow. */
  async function moveMany(w: Write, rows: readonly SubscriptionRow[], to: SubscriptionState, detail: { reason?: string; comment?: string } = {}): Promise<void> {
    const groups = new Map<string, { dates: ReturnType<typeof datesForMove>; ids: string[] }>();
    for (const row of rows) {
      assertSubscriptionTransition(row.state, to);
      const dates = datesForMove(row.state, to, row.start_date, w.at);
      const key = JSON.stringify(dates);
      const group = groups.get(key) ?? { dates, ids: [] };
      group.ids.push(row.id);
      groups.set(key, group);
    }
    const etag = w.etag();
    for (const { dates, ids } of groups.values()) {
      await w.tx.subscriptions.updateSubscriptions(ids, {
        state: to,
        ...dates,
        ...(detail.comment !== undefined ? { state_comment: detail.comment } : {}),
        etag,
      });
    }
    await w.record(
      ...rows.map((row) => ({
        change: changed(row.id),
        audit: {
          action: 'subscription.state-changed' as const,
          userId: row.owner_id,
          detail: { subscription: row.id, from: row.state, to, ...(detail.reason !== undefined ? { reason: detail.reason } : {}) },
        },
      })),
    );
  }

  async function deleteMany(w: Write, rows: readonly SubscriptionRow[], reason?: string): Promise<void> {
    await w.tx.subscriptions.deleteSubscriptions(rows.map((r) => r.id));
    await w.record(
      ...rows.map((row) => ({
        change: changed(row.id),
        audit: {
          action: 'subscription.deleted' as const,
          userId: row.owner_id,
          detail: { subscription: row.id, ...(reason !== undefined ? { reason } : {}) },
        },
      })),
    );
  }

  async function replaceKey(w: Write, ring: KeyRing, row: SubscriptionRow, which: KeyKind): Promise<void> {
    await w.tx.subscriptions.updateSubscription(row.id, {
      ...(await keyColumns(w.tx, ring, which, newSubscriptionKey(), row.id)),
      etag: w.etag(),
    });
    await w.record({
      change: changed(row.id),
      audit: { action: 'subscription.key-regenerated', userId: row.owner_id, detail: { subscription: row.id, key: which } },
    });
  }

  return {
    load,
    resolveOwner,
    resolveScope,
    ring: () => subscriptionKeyRing(store),

    /** Creates a subscription with generated (or given) keys; a live one must fit its product's limit. */
    async create(w: Write, ring: KeyRing, fields: NewSubscription, email: EmailChoice = {}): Promise<SubscriptionRow> {
      if (isLive(fields.state)) await checkLimit(w.tx, fields.ownerId, fields.product, fields.id);
      const row: SubscriptionRow = {
        id: fields.id,
        owner_id: fields.ownerId,
        scope: fields.scope,
        display_name: fields.displayName,
        state: fields.state,
        state_comment: null,
        allow_tracing: fields.allowTracing === null ? null : fields.allowTracing ? 1 : 0,
        created_at: w.at,
        start_date: null,
        expiration_date: null,
        end_date: null,
        notification_date: null,
        ...datesForMove(undefined, fields.state, null, w.at),
        primary_key_sealed: '',
        primary_key_lookup: '',
        secondary_key_sealed: '',
        secondary_key_lookup: '',
        ...(await keyColumns(w.tx, ring, 'primary', fields.primaryKey ?? newSubscriptionKey(), fields.id)),
        ...(await keyColumns(w.tx, ring, 'secondary', fields.secondaryKey ?? newSubscriptionKey(), fields.id)),
        etag: w.etag(),
      };
      await w.tx.subscriptions.insertSubscription(row);
      await w.record({
        change: changed(row.id),
        audit: { action: 'subscription.created', userId: row.owner_id, detail: { subscription: row.id, scope: row.scope, state: row.state } },
      });
      if (email.notify) await notifyState(w, row, email.appType);
      return row;
    },

    /** Changes the given fields of a subscription (PUT on an existing one, PATCH, an administrator's action). */
    async change(w: Write, ring: KeyRing, existing: SubscriptionRow, input: SubscriptionUpdateInput, email: EmailChoice = {}): Promise<SubscriptionRow> {
      const { tx } = w;
      const id = existing.id;
      const ownerId =
        input.ownerId === undefined ? existing.owner_id : input.ownerId === null ? null : await resolveOwner(tx, input.ownerId);
      const target = input.scope !== undefined ? await resolveScope(tx, input.scope) : undefined;
      const scope = target?.scope ?? existing.scope;
      const next = input.state ?? existing.state;
      assertSubscriptionTransition(existing.state, next);
      // A change that gives the subscription a place it did not hold in a limit must fit in it.
      const takesPlace = ownerId !== existing.owner_id || scope !== existing.scope || !isLive(existing.state);
      if (isLive(next) && takesPlace) {
        const parsed = parseScope(scope);
        const product =
          target?.product ?? (parsed?.kind === 'product' ? await tx.subscriptions.findProduct(parsed.productId, true) : undefined);
        await checkLimit(tx, ownerId, product, id);
      }
      await tx.subscriptions.updateSubscription(id, {
        owner_id: ownerId,
        scope,
        state: next,
        ...datesForMove(existing.state, next, existing.start_date, w.at),
        ...(input.displayName !== undefined ? { display_name: input.displayName } : {}),
        ...(input.expirationDate !== undefined ? { expiration_date: input.expirationDate } : {}),
        ...(input.stateComment !== undefined ? { state_comment: input.stateComment } : {}),
        ...(input.allowTracing !== undefined ? { allow_tracing: input.allowTracing === null ? null : input.allowTracing ? 1 : 0 } : {}),
        ...(input.primaryKey !== undefined ? await keyColumns(tx, ring, 'primary', input.primaryKey, id) : {}),
        ...(input.secondaryKey !== undefined ? await keyColumns(tx, ring, 'secondary', input.secondaryKey, id) : {}),
        etag: w.etag(),
      });
      const events: WriteEvent[] = [{ change: changed(id) }];
      if (next !== existing.state) {
        events.push({ audit: { action: 'subscription.state-changed', userId: ownerId, detail: { subscription: id, from: existing.state, to: next } } });
      }
      if (input.primaryKey !== undefined || input.secondaryKey !== undefined) {
        events.push({ audit: { action: 'subscription.key-regenerated', userId: ownerId, detail: { subscription: id } } });
      }
      const changedFields = (['ownerId', 'scope', 'displayName', 'expirationDate', 'stateComment', 'allowTracing'] as const).filter(
        (f) => input[f] !== undefined,
      );
      if (changedFields.length > 0) {
        events.push({ audit: { action: 'subscription.updated', userId: ownerId, detail: { subscription: id, fields: changedFields.join(',') } } });
      }
      await w.record(...events);
      const row = await load(tx, id);
      if (email.notify && next !== existing.state) await notifyState(w, row, email.appType);
      return row;
    },

    /** Moves one subscription to `to`; a subscription already there is left as it is. */
    async move(w: Write, row: SubscriptionRow, to: SubscriptionState): Promise<SubscriptionRow> {
      if (row.state !== to) await moveMany(w, [row], to);
      return load(w.tx, row.id);
    },

    replaceKey,

    async remove(w: Write, row: SubscriptionRow): Promise<void> {
      await deleteMany(w, [row]);
    },

    /**
     * The owner is being deleted, inside the deletion's write: their subscriptions are deleted, or
     * else cancelled (those that can be; final ones stay as they are).
     */
    async releaseOwner(w: Write, userId: string, deleteThem: boolean): Promise<void> {
      const rows = await w.tx.subscriptions.listByOwner(userId, true);
      if (deleteThem) await deleteMany(w, rows, 'owner-deleted');
      else await moveMany(w, rows.filter((r) => isCancellable(r.state)), 'cancelled', { reason: 'owner-deleted' });
    },

    /**
     * What a scope's product or API is going away does to its subscriptions, inside that deletion's
     * write: they are deleted with it, or cancelled with `comment` as their state comment.
     */
    async endInScope(w: Write, scope: string, how: { delete: true } | { cancel: string }): Promise<void> {
      const rows = await w.tx.subscriptions.listInScope(scope, true);
      if ('delete' in how) await deleteMany(w, rows, 'scope-deleted');
      else await moveMany(w, rows.filter((r) => isCancellable(r.state)), 'cancelled', { reason: 'scope-deleted', comment: how.cancel });
    },

    /** How many subscriptions of the scope still hold a place (LIVE_STATES). */
    countLiveInScope(tx: Store, scope: string): Promise<number> {
      return tx.subscriptions.countInScope(scope, LIVE_STATES);
    },

    /** The developer's view: keys are unsealed only while the subscription gives access. */
    async ownViews(tx: Store, ring: KeyRing, rows: readonly SubscriptionRow[]): Promise<OwnSubscriptionView[]> {
      const scopes = rows.map((r) => parseScope(r.scope));
      const names = await tx.subscriptions.productNames([...new Set(scopes.flatMap((p) => (p?.kind === 'product' ? [p.productId] : [])))]);
      return rows.map((r, i) => {
        const parsed = scopes[i];
        return {
          ...subscriptionView(r),
          keys: givesAccess(r.state) ? { primary: unseal(ring, r.primary_key_sealed), secondary: unseal(ring, r.secondary_key_sealed) } : null,
          productName: parsed?.kind === 'product' ? (names.get(parsed.productId) ?? null) : null,
        };
      });
    },

    async adminViews(tx: Store, rows: readonly SubscriptionRow[]): Promise<AdminSubscriptionView[]> {
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
    },
  };
}

export type SubscriptionCore = ReturnType<typeof createSubscriptionCore>;
