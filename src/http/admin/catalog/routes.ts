/** Products and APIs: list and edit products, their APIs and visible groups; publish and unpublish; APIs and their operations. */
import type { FastifyInstance } from 'fastify';
import type { AdminContext } from '../context.js';
import { registerApiPages } from './apis.js';
import { registerApiImportPages } from './api-import.js';
import { registerProductPages } from './products.js';

export function registerCatalogPages(app: FastifyInstance, ctx: AdminContext): void {
  registerProductPages(app, ctx);
  registerApiImportPages(app, ctx);
  registerApiPages(app, ctx);
}
