/**
 * What the developer portal says about a product's limits: its policy composed with the global
 * one, in words ("5 calls per minute", "100 calls per week"), and for a subscription to it the
 * calls left in the current quota period and when that period renews.
 *
 * A subscription's `quota` is counted under the subscription's id (the counter key the gateway
 * uses for a product's quota, src/gateway/policy/limits.ts), in fixed windows of the renewal period from the subscription's start. The period
 * the counters hold for that key is what counts; before the first call of a period nothing is
 * held, and the window is worked out from the start the same way.
 */
import { windowAt } from '../domain/policy/quota-window.js';
import type { Clock } from '../domain/clock.js';
import { composePolicy } from '../domain/policy/compose.js';
import { describeLimits } from '../domain/policy/describe.js';
import type { EffectivePolicy, PlacedElement } from '../domain/policy/types.js';
import type { PolicyService } from './policies.js';
import type { QuotaService } from './quotas.js';

type PlacedQuota = Extract<PlacedElement, { kind: 'quota' }>;

/** The counter key of a subscription's `quota` policy. */
export function subscriptionQuotaKey(subscriptionId: string): string {
  return subscriptionId;
}

export interface QuotaStatus {
  /** The calls a period allows. */
  calls: number;
  /** What is left of them now (0 when used up). */
  callsLeft: number;
  /** When the current period ends and a new one starts (ISO); undefined for a quota that never renews. */
  renewsAt: string | undefined;
}

export interface SubscriptionOfProduct {
  id: string;
  productId: string;
  /** When its quota windows count from: its start date, else its creation. */
  startedAt: string;
}

export function createProductLimits(deps: { clock: Clock }, services: { policies: PolicyService; quotas: QuotaService }) {
  const { policies, quotas } = services;

  /**
   * The global and the product's documents composed, as for a call of an API and operation that
   * have no policy of their own: what every call made with a subscription to the product runs.
   */
  async function productPolicy(productId: string): Promise<EffectivePolicy> {
    const [global, product] = await Promise.all([policies.document({ scope: 'global' }), policies.document({ scope: 'product', productId })]);
    return composePolicy({ ...(global ? { global } : {}), ...(product ? { product } : {}) }, { productId, apiId: '', operationId: '' });
  }

  /** The calls-per-period quotas of the product's composed policy (not those of one API or operation inside them). */
  async function callQuotas(productId: string): Promise<PlacedQuota[]> {
    const policy = await productPolicy(productId);
    return policy.sections.inbound.filter((e): e is PlacedQuota => e.kind === 'quota' && e.calls !== undefined);
  }

  return {
    /** The product's limits in words; none when its policy (with the global one) sets none. */
    async describe(productId: string): Promise<string[]> {
      return describeLimits(await productPolicy(productId));
    },

    /** Where the subscription stands against each of its product's call quotas, now. */
    async quotaStatus(subscription: SubscriptionOfProduct): Promise<QuotaStatus[]> {
      const elements = await callQuotas(subscription.productId);
      if (elements.length === 0) return [];
      const now = deps.clock.now().getTime();
      const periods = await quotas.list(subscriptionQuotaKey(subscription.id));
      return elements.map((quota) => {
        const calls = quota.calls!;
        const expected = windowAt(Date.parse(subscription.startedAt), quota.renewalPeriodSeconds, now);
        const held = periods.find((p) => {
          const start = Date.parse(p.periodStartTime);
          const end = quota.renewalPeriodSeconds <= 0 ? Infinity : Date.parse(p.periodEndTime);
          return start <= now && now < end && (quota.renewalPeriodSeconds <= 0 || end - start === quota.renewalPeriodSeconds * 1000);
        });
        const used = held?.callsCount ?? 0;
        const end = held ? (quota.renewalPeriodSeconds <= 0 ? Infinity : Date.parse(held.periodEndTime)) : expected.end;
        return { calls, callsLeft: Math.max(0, calls - used), renewsAt: Number.isFinite(end) ? new Date(end).toISOString() : undefined };
      });
    },
  };
}

export type ProductLimits = ReturnType<typeof createProductLimits>;
