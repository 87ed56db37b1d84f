/**
 * What the catalogue and subscription pages need from the product, API and subscription services,
 * in the portal's own words. The pages only see this; `portalCatalogue` is the one place that knows
 * the services' signatures and the shapes they return.
 */
import type { FastifyRequest } from 'fastify';
import { parseScope, type SubscriptionState } from '../../domain/subscription.js';
import type { ProductView } from '../../services/views.js';
import type { Developer } from '../../services/subscriptions/portal.js';
import type { OwnSubscriptionView } from '../../services/subscriptions/views.js';
import type { QuotaStatus } from '../../services/product-limits.js';
import type { UsageSeries } from '../../services/usage.js';
import { sessionOf } from '../web/request-state.js';
import type { PortalDeps } from './plugin.js';

export interface CatalogueProduct {
  id: string;
  name: string;
  /** Plain text (Azure allows HTML here: the pages escape it like anything else). */
  description: string;
  terms: string;
  /** False: the product is open, there is nothing to subscribe to. */
  subscriptionRequired: boolean;
  approvalRequired: boolean;
  /** How many live subscriptions one developer may hold (null: no limit). */
  subscriptionsLimit: number | null;
}

export interface CatalogueOperation {
  id: string;
  name: string;
  method: string;
  urlTemplate: string;
}

export interface CatalogueApi {
  id: string;
  name: string;
  description: string;
  /** Where the API lives on the gateway ('' for the root). */
  path: string;
  /** The header that carries the subscription key. */
  keyHeader: string;
  subscriptionRequired: boolean;
  operations: CatalogueOperation[];
}

export interface OwnSubscription {
  id: string;
  displayName: string;
  productId: string | undefined;
  /** The product's name (or what the subscription covers, when it is not a product). */
  scopeName: string;
  state: SubscriptionState;
  createdDate: string;
  /** Only while the subscription gives access (the service unseals them only then). */
  keys: { primary: string; secondary: string } | undefined;
  /**
   * While it is active: where it stands against its product's call quotas (none when the product
   * sets none); the failure when the counters could not be read (Redis down), so that the page
   * still shows the subscription and its keys.
   */
  quotas: QuotaStatus[] | { failure: unknown };
  /** Its product's rate limits and quotas in words (none when it sets none, or for a subscription that is not to a product). */
  limits: string[];
  /** Its calls per day over the last 30 days. */
  usage: UsageSeries;
}

export type KeyKind = 'primary' | 'secondary';

export interface PortalCatalogue {
  /** The published products the user's groups see (`guests`' when signed out), in display order. */
  visibleProducts(userId: string | undefined): Promise<CatalogueProduct[]>;
  /** The product when the user (or a guest) may see it; undefined otherwise, as if it did not exist. */
  visibleProduct(userId: string | undefined, productId: string): Promise<CatalogueProduct | undefined>;
  apisOf(productId: string): Promise<CatalogueApi[]>;
  /** The product's rate limits and quotas in words ("5 calls per minute"); none when it sets none. */
  limitsOf(productId: string): Promise<string[]>;
  subscribe(who: Developer, productId: string, displayName: string): Promise<{ state: SubscriptionState }>;
  cancel(who: Developer, subscriptionId: string): Promise<void>;
  regenerate(who: Developer, subscriptionId: string, key: KeyKind): Promise<void>;
  listOwn(userId: string): Promise<OwnSubscription[]>;
}

const byName = <T extends { name: string; id: string }>(a: T, b: T) =>
  a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function productOf(view: ProductView): CatalogueProduct {
  return {
    id: view.id,
    name: view.displayName,
    description: view.description ?? '',
    terms: view.terms ?? '',
    subscriptionRequired: view.subscriptionRequired,
    approvalRequired: view.approvalRequired,
    subscriptionsLimit: view.subscriptionsLimit,
  };
}

/** What a subscription that is not to a product covers, in words. */
function scopeName(scope: string): string {
  const parsed = parseScope(scope);
  switch (parsed?.kind) {
    case 'api':
      return `API ${parsed.apiId}`;
    case 'all-apis':
      return 'All APIs';
    case 'service':
      return 'All APIs of the service';
    default:
      return scope;
  }
}

function ownOf(view: OwnSubscriptionView, extra: Pick<OwnSubscription, 'quotas' | 'limits' | 'usage'>): OwnSubscription {
  const parsed = parseScope(view.scope);
  const productId = parsed?.kind === 'product' ? parsed.productId : undefined;
  return {
    id: view.id,
    displayName: view.displayName ?? '',
    productId,
    scopeName: productId !== undefined ? (view.productName ?? productId) : scopeName(view.scope),
    state: view.state,
    createdDate: view.createdDate,
    keys: view.keys ?? undefined,
    ...extra,
  };
}

export function portalCatalogue(deps: Pick<PortalDeps, 'products' | 'apis' | 'subscriptions' | 'productLimits' | 'usage'>): PortalCatalogue {
  const { products, apis, subscriptions, productLimits, usage } = deps;

  /** An active subscription to a product: its quotas; any other: none (it makes no calls). */
  function quotasOf(view: OwnSubscriptionView): Promise<OwnSubscription['quotas']> {
    const parsed = parseScope(view.scope);
    if (view.state !== 'active' || parsed?.kind !== 'product') return Promise.resolve([]);
    return productLimits
      .quotaStatus({ id: view.id, productId: parsed.productId, startedAt: view.startDate ?? view.createdDate })
      .catch((failure: unknown) => ({ failure }));
  }

  return {
    async visibleProducts(userId) {
      return (await products.visibleTo(userId)).map(productOf).sort(byName);
    },

    async visibleProduct(userId, productId) {
      const visible = await products.visibleTo(userId);
      const found = visible.find((p) => p.id === productId);
      return found ? productOf(found) : undefined;
    },

    async apisOf(productId) {
      const list = await products.apisOf(productId);
      const withOperations = await Promise.all(
        list.map(async (api): Promise<CatalogueApi> => {
          const operations = await apis.listOperations(api.id);
          return {
            id: api.id,
            name: api.displayName,
            description: api.description ?? '',
            path: api.path,
            keyHeader: api.subscriptionKeyParameterNames.header,
            subscriptionRequired: api.subscriptionRequired,
            operations: operations
              .map((op) => ({ id: op.id, name: op.displayName, method: op.method, urlTemplate: op.urlTemplate }))
              .sort((a, b) => (a.urlTemplate < b.urlTemplate ? -1 : a.urlTemplate > b.urlTemplate ? 1 : a.method < b.method ? -1 : a.method > b.method ? 1 : 0)),
          };
        }),
      );
      return withOperations.sort(byName);
    },

    limitsOf(productId) {
      return productLimits.describe(productId);
    },

    async subscribe(who, productId, displayName) {
      const view = await subscriptions.subscribe(who, productId, displayName);
      return { state: view.state };
    },

    async cancel(who, subscriptionId) {
      await subscriptions.cancel(who, subscriptionId);
    },

    async regenerate(who, subscriptionId, key) {
      await subscriptions.regenerate(who, subscriptionId, key);
    },

    async listOwn(userId) {
      const views = await subscriptions.listOwn(userId);
      // Only the user's own subscriptions are read: their ids come from the user's own list.
      const productIds = [...new Set(views.map((v) => parseScope(v.scope)).flatMap((p) => (p?.kind === 'product' ? [p.productId] : [])))];
      const [quotas, daily, limits] = await Promise.all([
        Promise.all(views.map(quotasOf)),
        usage.subscriptionsDaily(views.map((v) => v.id)),
        Promise.all(productIds.map(async (id) => [id, await productLimits.describe(id)] as const)).then((l) => new Map(l)),
      ]);
      return views.map((view, i) => {
        const own = ownOf(view, { quotas: quotas[i]!, limits: [], usage: daily.get(view.id)! });
        return own.productId === undefined ? own : { ...own, limits: limits.get(own.productId) ?? [] };
      });
    },
  };
}

/** The signed-in developer acting on their subscriptions, and where from (for the audit log). */
export function developerOf(request: FastifyRequest): Developer {
  return { userId: sessionOf(request).user.id, ip: request.ip };
}
