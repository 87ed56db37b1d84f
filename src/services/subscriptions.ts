/** Use cases on subscriptions. (Filled in with the products and gateway work.) */
import type { ServiceDeps } from './deps.js';

export function createSubscriptionService(deps: ServiceDeps) {
  void deps;
  return {};
}

export type SubscriptionService = ReturnType<typeof createSubscriptionService>;
