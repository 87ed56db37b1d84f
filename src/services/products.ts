/** Use cases on products. (Filled in with the products and gateway work.) */
import type { ServiceDeps } from './deps.js';

export function createProductService(deps: ServiceDeps) {
  void deps;
  return {};
}

export type ProductService = ReturnType<typeof createProductService>;
