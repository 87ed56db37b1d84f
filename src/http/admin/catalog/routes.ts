/** Products and APIs: list and edit products, their APIs and visible groups; publish and unpublish. */
import type { FastifyInstance } from 'fastify';
import type { AdminContext } from '../context.js';

export function registerCatalogPages(_app: FastifyInstance, _ctx: AdminContext): void {
  // Not built yet.
}
