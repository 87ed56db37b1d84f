/**
 * The portal's "Try it": a signed-in developer calls an operation through the real gateway with
 * one of their own subscriptions. The server looks the key up itself, only among the developer's
 * own active subscriptions whose scope covers the API (a product that bundles it, the API itself,
 * all APIs), so a subscription id from someone else, or one that is blocked or cancelled, is
 * refused. The request is built by src/domain/api-reference/try-it.ts (nothing but the gateway can
 * be reached), counted against the developer's per-minute limit, sent with a deadline, and its
 * answer read up to a size cap. Through the gateway: the call counts in analytics, policies apply.
 */
import { request } from 'undici';
import { AppError, validationError } from '../domain/errors.js';
import { parseScope } from '../domain/subscription.js';
import { tryItKey, tryItRequest, TRY_IT_LIMITS, TRY_IT_POLICY, type TryItValues } from '../domain/api-reference/try-it.js';
import type { ReferenceParameter } from '../domain/api-reference/operation.js';
import type { Clock } from '../domain/clock.js';
import type { AttemptLimiter } from './attempts.js';
import type { ProductService } from './products.js';
import type { PortalSubscriptionService } from './subscriptions/portal.js';
import type { OwnSubscriptionView } from './subscriptions/views.js';

export interface TryItDeps {
  subscriptions: Pick<PortalSubscriptionService, 'listOwn'>;
  products: Pick<ProductService, 'productsOfApi'>;
  attempts: Pick<AttemptLimiter, 'count'>;
  clock: Clock;
  /** Where the gateway answers (GATEWAY_PUBLIC_URL): the only place "Try it" sends anything. */
  gatewayUrl: string;
  limits?: Partial<typeof TRY_IT_LIMITS>;
}

/** A subscription the developer may choose, by name (the key never reaches the page). */
export interface UsableSubscription {
  id: string;
  name: string;
}

export interface TryItApi {
  id: string;
  path: string;
  keyHeader: string;
  subscriptionRequired: boolean;
}

export interface TryItOperation {
  method: string;
  urlTemplate: string;
  parameters: readonly ReferenceParameter[];
}

export interface TryItAnswer {
  method: string;
  url: string;
  status: number;
  headers: [string, string][];
  body: string;
  /** The body was longer than the cap and is cut. */
  truncated: boolean;
  durationMs: number;
}

const NO_KEY = 'none';

export function createTryItService(deps: TryItDeps) {
  const limits = { ...TRY_IT_LIMITS, ...deps.limits };

  /** The developer's active subscriptions whose scope covers the API, with their keys (server side only). */
  async function covering(userId: string, apiId: string): Promise<OwnSubscriptionView[]> {
    const [own, products] = await Promise.all([deps.subscriptions.listOwn(userId), deps.products.productsOfApi(apiId)]);
    const bundling = new Set(products.map((p) => p.id));
    return own.filter((s) => {
      if (s.state !== 'active' || !s.keys) return false;
      const scope = parseScope(s.scope);
      switch (scope?.kind) {
        case 'product':
          return bundling.has(scope.productId);
        case 'api':
          return scope.apiId === apiId;
        case 'all-apis':
        case 'service':
          return true;
        default:
          return false;
      }
    });
  }

  /** Reads the answer's body up to the cap; the rest is dropped (and the connection closed). */
  async function readCapped(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<{ text: string; truncated: boolean }> {
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    for await (const chunk of body) {
      const room = limits.maxResponseBytes - size;
      if (chunk.length > room) {
        chunks.push(chunk.subarray(0, room));
        truncated = true;
        body.destroy();
        break;
      }
      chunks.push(chunk);
      size += chunk.length;
    }
    // A cut may split a character: the decoder shows a replacement for it, not an error.
    return { text: new TextDecoder('utf-8').decode(Buffer.concat(chunks)), truncated };
  }

  return {
    async usableSubscriptions(userId: string, apiId: string): Promise<UsableSubscription[]> {
      return (await covering(userId, apiId)).map((s) => ({ id: s.id, name: s.displayName ?? s.productName ?? s.id }));
    },

    /**
     * Sends the call. `subscriptionId` is one of the developer's usable subscriptions, or `none`
     * for an API that needs no key. Wrong values, a subscription that may not be used, and the
     * per-minute limit are AppErrors; a gateway that does not answer in time is a validation error
     * on the form, said in words.
     */
    async send(userId: string, api: TryItApi, operation: TryItOperation, subscriptionId: string, input: TryItValues): Promise<TryItAnswer> {
      const built = tryItRequest({ url: deps.gatewayUrl, apiPath: api.path, keyHeader: api.keyHeader }, operation, input);
      if (subscriptionId !== NO_KEY || api.subscriptionRequired) {
        const chosen = (await covering(userId, api.id)).find((s) => s.id === subscriptionId);
        if (!chosen?.keys) {
          throw validationError('Choose one of your active subscriptions to this API.', [
            { code: 'ValidationError', target: 'subscription', message: 'Choose one of your active subscriptions to this API.' },
          ]);
        }
        built.headers[api.keyHeader.toLowerCase()] = chosen.keys.primary;
      }
      const admission = await deps.attempts.count([{ key: tryItKey(userId), policy: TRY_IT_POLICY }]);
      if (!admission.allowed) {
        throw new AppError('too-many-requests', 'TooManyRequests', `You have made many calls in a short time. Try again after ${admission.until.slice(11, 19)} UTC.`);
      }
      const started = deps.clock.now().getTime();
      const deadline = AbortSignal.timeout(limits.timeoutMs);
      try {
        const response = await request(built.url, {
          method: built.method as 'GET',
          headers: { 'user-agent': 'Tollgate portal (Try it)', ...built.headers },
          body: built.body,
          signal: deadline,
          headersTimeout: limits.timeoutMs,
          bodyTimeout: limits.timeoutMs,
        });
        response.body.on('error', () => undefined);
        const { text, truncated } = await readCapped(response.body);
        const headers: [string, string][] = Object.entries(response.headers).flatMap(([name, value]) =>
          value === undefined ? [] : Array.isArray(value) ? value.map((v): [string, string] => [name, v]) : [[name, String(value)]],
        );
        return { method: built.method, url: built.url, status: response.statusCode, headers, body: text, truncated, durationMs: deps.clock.now().getTime() - started };
      } catch (error) {
        if (error instanceof AppError) throw error;
        const timedOut = deadline.aborted || /timeout/i.test((error as { code?: string }).code ?? '');
        throw validationError(
          timedOut
            ? `The gateway gave no complete answer within ${limits.timeoutMs / 1000} seconds.`
            : 'The gateway could not be reached. Try again in a moment.',
        );
      }
    },
  };
}

export type TryItService = ReturnType<typeof createTryItService>;
export const TRY_IT_NO_KEY = NO_KEY;
