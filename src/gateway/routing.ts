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
  /** What `<api name="...">` of a limit policy matches. */
  displayName: string;
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
  displayName: string;
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
  /** Puts in (or replaces) an API with all its operations: what one API's change touches. */
  upsert(api: ApiInput, operations: readonly OperationInput[]): void;
  /** Takes an API and its operations out. */
  remove(apiId: string): void;
  readonly size: number;
}

export interface ApiInput {
  id: string;
  displayName?: string;
  path: string;
  serviceUrl: string | null;
  subscriptionRequired: boolean;
  keyHeader: string;
  keyQuery: string;
}

export interface OperationInput {
  apiId: string;
  id: string;
  displayName?: string;
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

function routeOf(a: ApiInput, operations: readonly OperationInput[]): RouteApi {
  return {
    id: a.id,
    displayName: a.displayName ?? a.id,
    subscriptionRequired: a.subscriptionRequired,
    keyHeader: (a.keyHeader || 'Ocp-Apim-Subscription-Key').toLowerCase(),
    keyQuery: a.keyQuery || 'subscription-key',
    upstream: parseServiceUrl(a.serviceUrl),
    operations: operations
      .map((o) => ({ id: o.id, displayName: o.displayName ?? o.id, method: o.method.toUpperCase(), template: compileTemplate(o.urlTemplate) }))
      .sort((x, y) => x.template.rank - y.template.rank),
  };
}

const depthOf = (key: string) => (key === '' ? 0 : key.split('/').length);

export function createRoutingTable(): RoutingTable {
  const byPath = new Map<string, RouteApi>();
  const byId = new Map<string, { route: RouteApi; key: string }>();
  // How many API paths have each depth: the deepest one bounds the prefix search.
  const depths = new Map<number, number>();
  let maxDepth = 0;

  const remove = (apiId: string) => {
    const old = byId.get(apiId);
    if (!old) return;
    byId.delete(apiId);
    if (byPath.get(old.key) === old.route) byPath.delete(old.key);
    const d = depthOf(old.key);
    const left = (depths.get(d) ?? 1) - 1;
    if (left > 0) depths.set(d, left);
    else {
      depths.delete(d);
      if (d === maxDepth) maxDepth = Math.max(0, ...depths.keys());
    }
  };

  return {
    get size() {
      return byId.size;
    },
    upsert(api, operations) {
      remove(api.id);
      const key = normalizeApiPath(api.path);
      const route = routeOf(api, operations);
      byPath.set(key, route);
      byId.set(api.id, { route, key });
      const d = depthOf(key);
      depths.set(d, (depths.get(d) ?? 0) + 1);
      maxDepth = Math.max(maxDepth, d);
    },
    remove,
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
      for (const { route } of byId.values()) if (route.upstream) out.add(route.upstream.origin);
      return out;
    },
  };
}
