/**
 * Use cases on products: the product itself, the APIs it bundles, and the groups that see it
 * (visibility). Every write that changes a product, its APIs or its groups records a change for
 * the gateways and an audit entry. Also what the portal reads: visibleTo, productsOfApi, apisOf.
 */
import { conflict, invalidField, notFound, validationError } from '../domain/errors.js';
import { parseFilter } from '../domain/filter/parser.js';
import type { FilterNode } from '../domain/filter/ast.js';
import {
  PRODUCT_API_FILTER_FIELDS,
  PRODUCT_API_LINK_FILTER_FIELDS,
  PRODUCT_FILTER_FIELDS,
  PRODUCT_GROUP_FILTER_FIELDS,
  PRODUCT_GROUP_LINK_FILTER_FIELDS,
} from '../domain/filter/product-fields.js';
import { GUESTS_GROUP_ID } from '../domain/group.js';
import {
  type ProductCreateInput,
  type ProductUpdateInput,
} from '../domain/product-input.js';
import { formatScope } from '../domain/subscription.js';
import { entityIdOf } from '../domain/arm-id.js';
import type { Store } from '../store/index.js';
import type { ProductRow } from '../store/products-repo.js';
import type { ApiRow } from '../store/apis-repo.js';
import type { GroupRow } from '../store/groups-repo.js';
import type { ServiceDeps } from './deps.js';
import { SYSTEM, type ActorContext } from './audit.js';
import { createWithNewId } from './entity-ids.js';
import type { SubscriptionCore } from './subscriptions/core.js';
import { deleteInWrite, inWrite, patchInWrite, putInWrite, type Write, type WriteEvent } from './writes.js';
import { apiView, groupView, productView, type ApiView, type GroupView, type Page, type PageRequest, type ProductView } from './views.js';

/** A product-API or product-group link; our tables have no link id, so `linkId` is the linked entity's id unless a PUT named another. */
export interface ProductLinkView {
  linkId: string;
  targetId: string;
}

export interface ProductPageRequest extends PageRequest {
  expandGroups?: boolean | undefined;
}

/** Rewrites the literal of each `apiId eq` / `groupId eq` leaf from a full ARM id to the bare id the column holds. */
function bareIdsInFilter(node: FilterNode, collection: 'apis' | 'groups'): FilterNode {
  switch (node.kind) {
    case 'and':
    case 'or':
      return { ...node, left: bareIdsInFilter(node.left, collection), right: bareIdsInFilter(node.right, collection) };
    case 'not':
      return { ...node, operand: bareIdsInFilter(node.operand, collection) };
    case 'compare':
      return node.value === null ? node : { ...node, value: entityIdOf(node.value, collection, { bare: true }) ?? node.value };
    case 'function':
      return node;
  }
}

export function createProductService(deps: ServiceDeps, subscriptions: SubscriptionCore) {
  const { store } = deps;

  async function load(tx: Store, id: string, lock = false): Promise<ProductRow> {
    const row = await tx.products.findProduct(id, lock);
    if (!row) throw notFound('Product');
    return row;
  }

  async function loadApi(tx: Store, id: string, lock = false): Promise<ApiRow> {
    const row = await tx.products.findApi(id, lock);
    if (!row) throw notFound('API');
    return row;
  }

  async function loadGroup(tx: Store, id: string, lock = false): Promise<GroupRow> {
    const row = await tx.groups.findGroup(id, lock);
    if (!row) throw notFound('Group');
    return row;
  }

  function filterOf(page: PageRequest, fields: Parameters<typeof parseFilter>[1]): FilterNode | undefined {
    return page.filter ? parseFilter(page.filter, fields) : undefined;
  }

  /**
   * Approval and a subscription limit only mean something for a product that needs subscriptions:
   * a request that asks for either on an open product is refused. Values inherited from before the
   * product became open are cleared instead.
   */
  function subscriptionRules(
    input: ProductUpdateInput,
    existing: ProductRow | undefined,
  ): { subscription_required: number; approval_required: number; subscriptions_limit: number | null } {
    const required = input.subscriptionRequired ?? (existing ? existing.subscription_required === 1 : true);
    if (!required) {
      const details = [];
      if (input.approvalRequired === true) {
        details.push({ code: 'ValidationError', target: 'approvalRequired', message: 'can be true only when subscriptionRequired is true.' });
      }
      if (input.subscriptionsLimit !== undefined && input.subscriptionsLimit !== null) {
        details.push({ code: 'ValidationError', target: 'subscriptionsLimit', message: 'can be set only when subscriptionRequired is true.' });
      }
      if (details.length > 0) {
        throw validationError('approvalRequired and subscriptionsLimit apply only to a product with subscriptionRequired true.', details);
      }
      return { subscription_required: 0, approval_required: 0, subscriptions_limit: null };
    }
    return {
      subscription_required: 1,
      approval_required: (input.approvalRequired ?? (existing ? existing.approval_required === 1 : false)) ? 1 : 0,
      subscriptions_limit:
        input.subscriptionsLimit !== undefined ? input.subscriptionsLimit : existing ? existing.subscriptions_limit : null,
    };
  }

  /** A change of the product (its fields, its APIs, its groups) for the gateways, and the audit log. */
  async function changed(w: Write, productId: string, audit: NonNullable<WriteEvent['audit']>): Promise<void> {
    await w.record({ change: { entity: 'product', id: productId }, audit });
  }

  /** The change shared by PUT on an existing product and PATCH: only the given fields move. */
  async function applyUpdate(w: Write, existing: ProductRow, input: ProductUpdateInput): Promise<ProductView> {
    const { tx } = w;
    await tx.products.updateProduct(existing.id, {
      ...(input.displayName !== undefined ? { display_name: input.displayName } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.terms !== undefined ? { terms: input.terms } : {}),
      ...(input.state !== undefined ? { state: input.state } : {}),
      ...subscriptionRules(input, existing),
      etag: w.etag(),
    });
    const fields = Object.keys(input).filter((k) => input[k as keyof ProductUpdateInput] !== undefined);
    await changed(w, existing.id, { action: 'product.updated', detail: { product: existing.id, fields: fields.join(',') } });
    return productView(await load(tx, existing.id));
  }

  async function insertNew(w: Write, id: string, input: ProductCreateInput): Promise<ProductView> {
    const { tx } = w;
    await tx.products.insertProduct({
      id,
      display_name: input.displayName,
      description: input.description ?? null,
      terms: input.terms ?? null,
      ...subscriptionRules(input, undefined),
      state: input.state ?? 'notPublished',
      etag: w.etag(),
      created_at: w.at,
    });
    await changed(w, id, { action: 'product.created', detail: { product: id } });
    return productView(await load(tx, id));
  }

  async function linkApi(productId: string, apiId: string, ctx: ActorContext): Promise<{ api: ApiView; created: boolean }> {
    return inWrite(deps, ctx, async (w) => {
      await load(w.tx, productId, true);
      const api = await loadApi(w.tx, apiId, true);
      const created = await w.tx.products.addProductApi(productId, apiId);
      if (created) await changed(w, productId, { action: 'product.api-added', detail: { product: productId, api: apiId } });
      return { api: apiView(api), created };
    });
  }

  async function unlinkApi(productId: string, apiId: string, ctx: ActorContext): Promise<boolean> {
    return inWrite(deps, ctx, async (w) => {
      await load(w.tx, productId, true);
      const removed = await w.tx.products.removeProductApi(productId, apiId);
      if (removed) await changed(w, productId, { action: 'product.api-removed', detail: { product: productId, api: apiId } });
      return removed;
    });
  }

  async function linkGroup(productId: string, groupId: string, ctx: ActorContext): Promise<{ group: GroupView; created: boolean }> {
    return inWrite(deps, ctx, async (w) => {
      await load(w.tx, productId, true);
      const group = await loadGroup(w.tx, groupId, true);
      const created = await w.tx.products.addProductGroup(productId, groupId);
      if (created) await changed(w, productId, { action: 'product.group-added', detail: { product: productId, group: groupId } });
      return { group: groupView(group), created };
    });
  }

  async function unlinkGroup(productId: string, groupId: string, ctx: ActorContext): Promise<boolean> {
    return inWrite(deps, ctx, async (w) => {
      await load(w.tx, productId, true);
      const removed = await w.tx.products.removeProductGroup(productId, groupId);
      if (removed) await changed(w, productId, { action: 'product.group-removed', detail: { product: productId, group: groupId } });
      return removed;
    });
  }

  return {
    async list(page: ProductPageRequest): Promise<Page<ProductView>> {
      const filter = filterOf(page, PRODUCT_FILTER_FIELDS);
      const { rows, count } = await store.products.listProducts({ filter, top: page.top, skip: page.skip });
      if (!page.expandGroups) return { items: rows.map((r) => productView(r)), count };
      const groups = await store.products.groupsOfProducts(rows.map((r) => r.id));
      return { items: rows.map((r) => productView(r, groups.get(r.id) ?? [])), count };
    },

    /** The product; 404 when it does not exist. */
    async get(id: string): Promise<ProductView> {
      return productView(await load(store, id));
    },

    async createOrUpdate(
      id: string,
      input: ProductCreateInput,
      ifMatch?: string,
      ctx: ActorContext = SYSTEM,
    ): Promise<{ product: ProductView; created: boolean }> {
      const { value, created } = await putInWrite(deps, ctx, ifMatch, {
        find: (tx) => tx.products.findProduct(id, true),
        update: (w, existing) => applyUpdate(w, existing, input),
        insert: (w) => insertNew(w, id, input),
      });
      return { product: value, created };
    },

    /** Creates a product under a new id (typed, or derived from its name; the admin UI's create): an existing product is never changed. */
    async create(typedId: string, input: ProductCreateInput, ctx: ActorContext = SYSTEM): Promise<ProductView> {
      return createWithNewId(deps, ctx, 'A product', { typed: typedId, displayName: input.displayName }, {
        exists: (tx, id) => tx.products.findProduct(id, true),
        insert: (w, id) => insertNew(w, id, input),
      });
    },

    async update(id: string, input: ProductUpdateInput, ifMatchHeader: string | undefined, ctx: ActorContext = SYSTEM): Promise<ProductView> {
      return patchInWrite(deps, ctx, ifMatchHeader, { load: (tx) => load(tx, id, true), update: (w, existing) => applyUpdate(w, existing, input) });
    },

    /**
     * Deletes the product with its API and group links. A product with live subscriptions (waiting
     * or active: LIVE_STATES of src/domain/subscription.ts) is refused unless `deleteSubscriptions`;
     * its ended ones go with it. False when there was nothing to delete.
     */
    async remove(id: string, ifMatchHeader: string | undefined, deleteSubscriptions = false, ctx: ActorContext = SYSTEM): Promise<boolean> {
      return deleteInWrite(deps, ctx, ifMatchHeader, {
        find: (tx) => tx.products.findProduct(id, true),
        remove: async (w) => {
          const { tx } = w;
          const scope = formatScope({ kind: 'product', productId: id });
          if (!deleteSubscriptions) {
            const live = await subscriptions.countLiveInScope(tx, scope);
            if (live > 0) {
              throw conflict(
                `The product '${id}' has ${live} subscription${live === 1 ? '' : 's'} that ${live === 1 ? 'is' : 'are'} not cancelled, rejected or expired. ` +
                  'Pass deleteSubscriptions=true to delete the product together with its subscriptions.',
              );
            }
          }
          // Its subscriptions go with it: the live ones because the caller said so, the ended ones anyway.
          await subscriptions.endInScope(w, scope, { delete: true });
          await tx.products.deleteProduct(id);
          await changed(w, id, { action: 'product.deleted', detail: { product: id, deleteSubscriptions } });
        },
      });
    },

    // -- Product ↔ API -------------------------------------------------------------------------

    async listApis(productId: string, page: PageRequest): Promise<Page<ApiView>> {
      const filter = filterOf(page, PRODUCT_API_FILTER_FIELDS);
      await load(store, productId);
      const { rows, count } = await store.products.listProductApis(productId, { filter, top: page.top, skip: page.skip });
      return { items: rows.map(apiView), count };
    },

    /** Whether the product bundles the API; 404 when the product does not exist. */
    async hasApi(productId: string, apiId: string): Promise<boolean> {
      await load(store, productId);
      return store.products.hasProductApi(productId, apiId);
    },

    /** Adds the API to the product; `created` is false when it was there already. */
    addApi: (productId: string, apiId: string, ctx: ActorContext = SYSTEM) => linkApi(productId, apiId, ctx),

    /** False when the product did not bundle the API. */
    removeApi: (productId: string, apiId: string, ctx: ActorContext = SYSTEM) => unlinkApi(productId, apiId, ctx),

    // -- Product ↔ group -----------------------------------------------------------------------

    async listGroups(productId: string, page: PageRequest): Promise<Page<GroupView>> {
      const filter = filterOf(page, PRODUCT_GROUP_FILTER_FIELDS);
      await load(store, productId);
      const { rows, count } = await store.products.listProductGroups(productId, { filter, top: page.top, skip: page.skip });
      return { items: rows.map(groupView), count };
    },

    async hasGroup(productId: string, groupId: string): Promise<boolean> {
      await load(store, productId);
      return store.products.hasProductGroup(productId, groupId);
    },

    /** Makes the product visible to the group; `created` is false when it was already. */
    addGroup: (productId: string, groupId: string, ctx: ActorContext = SYSTEM) => linkGroup(productId, groupId, ctx),

    removeGroup: (productId: string, groupId: string, ctx: ActorContext = SYSTEM) => unlinkGroup(productId, groupId, ctx),

    // -- Link resources (apiLinks, groupLinks) on the same rows ----------------------------------

    async listApiLinks(productId: string, page: PageRequest): Promise<Page<ProductLinkView>> {
      const parsed = filterOf(page, PRODUCT_API_LINK_FILTER_FIELDS);
      const filter = parsed ? bareIdsInFilter(parsed, 'apis') : undefined;
      await load(store, productId);
      const { rows, count } = await store.products.listProductApiIds(productId, { filter, top: page.top, skip: page.skip });
      return { items: rows.map((apiId) => ({ linkId: apiId, targetId: apiId })), count };
    },

    /** The link named `linkId`: found when an API of that id is linked to the product. */
    async getApiLink(productId: string, linkId: string): Promise<ProductLinkView> {
      await load(store, productId);
      if (!(await store.products.hasProductApi(productId, linkId))) throw notFound('Product API link');
      return { linkId, targetId: linkId };
    },

    /** `apiIdRef` is the API's ARM id (or bare id). The link id is echoed, not stored. */
    async putApiLink(productId: string, linkId: string, apiIdRef: string, ctx: ActorContext = SYSTEM): Promise<{ link: ProductLinkView; created: boolean }> {
      const apiId = entityIdOf(apiIdRef, 'apis', { bare: true });
      if (apiId === undefined) throw invalidField('apiId', 'must be the resource id of an API (…/apis/{apiId}).');
      const { created } = await linkApi(productId, apiId, ctx);
      return { link: { linkId, targetId: apiId }, created };
    },

    async removeApiLink(productId: string, linkId: string, ctx: ActorContext = SYSTEM): Promise<boolean> {
      return unlinkApi(productId, linkId, ctx);
    },

    async listGroupLinks(productId: string, page: PageRequest): Promise<Page<ProductLinkView>> {
      const parsed = filterOf(page, PRODUCT_GROUP_LINK_FILTER_FIELDS);
      const filter = parsed ? bareIdsInFilter(parsed, 'groups') : undefined;
      await load(store, productId);
      const { rows, count } = await store.products.listProductGroupIds(productId, { filter, top: page.top, skip: page.skip });
      return { items: rows.map((groupId) => ({ linkId: groupId, targetId: groupId })), count };
    },

    async getGroupLink(productId: string, linkId: string): Promise<ProductLinkView> {
      await load(store, productId);
      if (!(await store.products.hasProductGroup(productId, linkId))) throw notFound('Product group link');
      return { linkId, targetId: linkId };
    },

    async putGroupLink(productId: string, linkId: string, groupIdRef: string, ctx: ActorContext = SYSTEM): Promise<{ link: ProductLinkView; created: boolean }> {
      const groupId = entityIdOf(groupIdRef, 'groups', { bare: true });
      if (groupId === undefined) throw invalidField('groupId', 'must be the resource id of a group (…/groups/{groupId}).');
      const { created } = await linkGroup(productId, groupId, ctx);
      return { link: { linkId, targetId: groupId }, created };
    },

    async removeGroupLink(productId: string, linkId: string, ctx: ActorContext = SYSTEM): Promise<boolean> {
      return unlinkGroup(productId, linkId, ctx);
    },

    // -- For the portal and the gateway -----------------------------------------------------------

    /** Published products visible to one of the user's groups; to `guests` when there is no user. */
    async visibleTo(userId: string | undefined): Promise<ProductView[]> {
      let groupIds: string[];
      if (userId === undefined) {
        groupIds = [GUESTS_GROUP_ID];
      } else {
        const groups = await store.groups.groupsOfUsers([userId]);
        groupIds = (groups.get(userId) ?? []).map((g) => g.id);
      }
      const rows = await store.products.publishedProductsVisibleTo(groupIds);
      return rows.map((r) => productView(r));
    },

    /** Every product (published or not) that bundles the API. */
    async productsOfApi(apiId: string): Promise<ProductView[]> {
      return (await store.products.productsOfApi(apiId)).map((r) => productView(r));
    },

    /** Every API of the product; 404 when the product does not exist. */
    async apisOf(productId: string): Promise<ApiView[]> {
      await load(store, productId);
      return (await store.products.apisOfProduct(productId)).map(apiView);
    },
  };
}

export type ProductService = ReturnType<typeof createProductService>;
