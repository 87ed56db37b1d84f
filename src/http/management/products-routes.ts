/** Operations on products. (Filled in with the products and gateway work.) */
import type { FastifyInstance } from 'fastify';
import type { ManagementDeps } from './plugin.js';

export function registerProductRoutes(app: FastifyInstance, deps: ManagementDeps): void {
  void app;
  void deps;
}
