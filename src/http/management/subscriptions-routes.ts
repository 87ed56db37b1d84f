/** Operations on subscriptions. (Filled in with the products and gateway work.) */
import type { FastifyInstance } from 'fastify';
import type { ManagementDeps } from './plugin.js';

export function registerSubscriptionRoutes(app: FastifyInstance, deps: ManagementDeps): void {
  void app;
  void deps;
}
