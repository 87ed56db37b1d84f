/** Use cases on apis. (Filled in with the products and gateway work.) */
import type { ServiceDeps } from './deps.js';

export function createApiService(deps: ServiceDeps) {
  void deps;
  return {};
}

export type ApiService = ReturnType<typeof createApiService>;
