/**
 * The routing table: APIs by path (longest prefix on path segments, case-insensitive) and, per API,
 * its operations (method + compiled URL template). An API without operations matches nothing.
 */
import { compileTemplate, type CompiledTemplate } from './url-template.js';

export interface UpstreamTarget {
  /** `http://host:port`: the key of the connection pool. */
  origin: string;
  /** The service URL's path without a trailing slash ('' for none). */
  basePath: string;
}

export interface RouteApi {
  id: string;
  subscriptionRequired: boolean;
  /** Lower-case, as node:http names incoming headers. */
  keyHeader: string;
  keyQuery: string;
  /** undefined when the API has no (usable) service URL. */
  upstream: UpstreamTarget | undefined;
  operations: RouteOperation[];
}

export interface RouteOperation {
  id: string;
  /** Upper-case; '*' matches any method. */
  method: string;
  template: CompiledTemplate;
}

export interface RouteMatch {
  api: RouteApi;
  operation: RouteOperation;
  /** The request path after the API's path, as received ('' or starting with '/'). */
  rest: string;
}

export interface RoutingTable {
  /** Finds the API and operation for a raw request path (no query). undefined: 404. */
  match(method: string, path: string): RouteMatch | undefined;
  /** Origins of every upstream in the table. */
  origins(): Set<string>;
}

export interface ApiInput {
  id: string;
  path: string;
  serviceUrl: string | null;
  subscriptionRequired: boolean;
  keyHeader: string;
  keyQuery: string;
}

export interface OperationInput {
  apiId: string;
  id: string;
  method: string;
  urlTemplate: string;
}

export function normalizeApiPath(path: string): string {
  return path
    .split('/')
    .filter((s) => s !== '')
    .join('/')
    .toLowerCase();
}

export function parseServiceUrl(serviceUrl: string | null): UpstreamTarget | undefined {
  if (!serviceUrl) return undefined;
  try {
    const url = new URL(serviceUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return { origin: url.origin, basePath: url.pathname.replace(/\/+$/, '') };
  } catch {
    return undefined;
  }
}

export function buildRoutingTable(apis: readonly ApiInput[], operations: readonly OperationInput[]): RoutingTable {
  const byPath = new Map<string, RouteApi>();
  const byId = new Map<string, RouteApi>();
  let maxDepth = 0;
  for (const a of apis) {
    const route: RouteApi = {
      id: a.id,
      subscriptionRequired: a.subscriptionRequired,
      keyHeader: (a.keyHeader || 'Ocp-Apim-Subscription-Key').toLowerCase(),
      keyQuery: a.keyQuery || 'subscription-key',
      upstream: parseServiceUrl(a.serviceUrl),
      operations: [],
    };
    const key = normalizeApiPath(a.path);
    byPath.set(key, route);
    byId.set(a.id, route);
    maxDepth = Math.max(maxDepth, key === '' ? 0 : key.split('/').length);
  }
  for (const o of operations) {
    byId.get(o.apiId)?.operations.push({ id: o.id, method: o.method.toUpperCase(), template: compileTemplate(o.urlTemplate) });
  }
  for (const route of byId.values()) route.operations.sort((x, y) => x.template.rank - y.template.rank);

  return {
    match(method, path) {
      // Dot segments and encoded slashes never get here: the handler refuses them (path-safety.ts).
      const segments = path.split('/').slice(1);
      // Longest prefix first: try the deepest candidate the table can hold, then shorter ones.
      for (let depth = Math.min(maxDepth, segments.length); depth >= 0; depth--) {
        if (depth > 0 && segments[depth - 1] === '') continue;
        const api = byPath.get(segments.slice(0, depth).join('/').toLowerCase());
        if (!api) continue;
        const rest = depth < segments.length ? '/' + segments.slice(depth).join('/') : '';
        for (const operation of api.operations) {
          if ((operation.method === method || operation.method === '*') && operation.template.matches(rest)) {
            return { api, operation, rest };
          }
        }
        // The longest matching API path owns the request: no fall-back to a shorter API path.
        return undefined;
      }
      return undefined;
    },
    origins() {
      const out = new Set<string>();
      for (const route of byId.values()) if (route.upstream) out.add(route.upstream.origin);
      return out;
    },
  };
}
