/**
 * The policies of the snapshot: each stored document parsed once (with the named values it
 * references substituted), and per (product or none, API, operation) the composed policy compiled
 * into a pipeline the first time a call needs it, then kept until a change touches one of its
 * scopes. A call costs a cache lookup; nothing is parsed or composed per call.
 *
 * A stored document that does not parse (PUT validates, so only a named value deleted or changed
 * under it, or a document written around the management API, gets here) is logged, and the calls
 * under its scope are refused with 500 rather than run without their policy.
 */
import { composePolicy } from '../../domain/policy/compose.js';
import { parsePolicy } from '../../domain/policy/parse.js';
import { namedValueReferences } from '../../domain/policy/named-values.js';
import type { PolicyDocument, PolicyElement, PolicyScope } from '../../domain/policy/types.js';
import { parseServiceUrl, type RouteApi, type RouteOperation } from '../routing.js';
import { compilePipeline, FAILED_PIPELINE, type Pipeline } from './pipeline.js';
import type { PolicyEnv } from './types.js';

interface StoredPolicy {
  scope: PolicyScope;
  xml: string;
  /** The named values it references, lower-cased. */
  refs: readonly string[];
  /** undefined: it does not parse. */
  document: PolicyDocument | undefined;
}

interface OperationPipelines {
  route: RouteOperation;
  /** By product id ('' for a call without a product). */
  byProduct: Map<string, Pipeline>;
}

interface ApiPipelines {
  /** The route they were compiled for: an API's change makes new routes, and these are then stale. */
  route: RouteApi;
  byOperation: Map<string, OperationPipelines>;
}

/** The scope a policy's key names, or undefined for a key that names none. */
export function scopeOfKey(scopeKey: string): PolicyScope | undefined {
  if (scopeKey === '/') return 'global';
  if (/^\/products\/[^/]+$/.test(scopeKey)) return 'product';
  if (/^\/apis\/[^/]+$/.test(scopeKey)) return 'api';
  if (/^\/apis\/[^/]+\/operations\/[^/]+$/.test(scopeKey)) return 'operation';
  return undefined;
}

const apiOfKey = (scopeKey: string) => /^\/apis\/([^/]+)/.exec(scopeKey)?.[1];

export class PolicySet {
  private readonly documents = new Map<string, StoredPolicy>();
  private namedValues = new Map<string, string>();
  private readonly pipelines = new Map<string, ApiPipelines>();

  constructor(private readonly env: PolicyEnv) {}

  get size(): number {
    return this.documents.size;
  }

  /** Puts in (or replaces, or with `xml` undefined takes out) the document of one scope. */
  put(scopeKey: string, xml: string | undefined): void {
    const scope = scopeOfKey(scopeKey);
    if (xml === undefined || !scope) {
      if (scope === undefined && xml !== undefined) this.env.logger.warn({ scopeKey }, 'gateway: a stored policy names no scope the gateway knows; left out');
      this.documents.delete(scopeKey);
    } else {
      this.documents.set(scopeKey, this.parse(scopeKey, scope, xml));
    }
    this.invalidate(scopeKey);
  }

  /** Puts in the documents of an API and its operations as they are now (`rows`), taking out those gone with it. */
  replaceApi(apiId: string, rows: readonly { scope_key: string; xml: string }[]): void {
    for (const key of [...this.documents.keys()]) if (apiOfKey(key) === apiId) this.documents.delete(key);
    for (const row of rows) this.put(row.scope_key, row.xml);
    this.pipelines.delete(apiId);
  }

  /** Named values by display name (any case); re-parses the documents that use one that changed. */
  setNamedValues(values: ReadonlyMap<string, string>): void {
    const next = new Map([...values].map(([name, value]) => [name.toLowerCase(), value]));
    const changed = new Set<string>();
    for (const [name, value] of next) if (this.namedValues.get(name) !== value) changed.add(name);
    for (const name of this.namedValues.keys()) if (!next.has(name)) changed.add(name);
    this.namedValues = next;
    if (changed.size === 0) return;
    for (const [key, stored] of this.documents) {
      if (!stored.refs.some((r) => changed.has(r))) continue;
      this.documents.set(key, this.parse(key, stored.scope, stored.xml));
      this.invalidate(key);
    }
  }

  /** The pipeline of a call to `operation` of `api`, with a subscription to `productId` (or none). */
  pipeline(productId: string | undefined, api: RouteApi, operation: RouteOperation): Pipeline {
    let forApi = this.pipelines.get(api.id);
    if (!forApi || forApi.route !== api) {
      forApi = { route: api, byOperation: new Map() };
      this.pipelines.set(api.id, forApi);
    }
    let forOperation = forApi.byOperation.get(operation.id);
    if (!forOperation || forOperation.route !== operation) {
      forOperation = { route: operation, byProduct: new Map() };
      forApi.byOperation.set(operation.id, forOperation);
    }
    const key = productId ?? '';
    let p = forOperation.byProduct.get(key);
    if (!p) {
      p = this.compile(productId, api, operation);
      forOperation.byProduct.set(key, p);
    }
    return p;
  }

  /** The origins set-backend-service sends calls to (their connection pools are kept). */
  origins(): Set<string> {
    const out = new Set<string>();
    const visit = (elements: readonly PolicyElement[]) => {
      for (const e of elements) {
        if (e.kind !== 'set-backend-service') continue;
        const target = parseServiceUrl(e.baseUrl);
        if (target) out.add(target.origin);
      }
    };
    for (const stored of this.documents.values()) {
      if (!stored.document) continue;
      for (const section of Object.values(stored.document.sections)) visit(section);
    }
    return out;
  }

  private parse(scopeKey: string, scope: PolicyScope, xml: string): StoredPolicy {
    const refs = namedValueReferences(xml).map((r) => r.toLowerCase());
    const result = parsePolicy(xml, scope, (name) => this.namedValues.get(name.toLowerCase()));
    if (!result.ok) {
      this.env.logger.error(
        { scopeKey, problems: result.problems },
        'gateway: a stored policy does not parse; calls under its scope are refused with 500 until it is fixed',
      );
    }
    return { scope, xml, refs, document: result.ok ? result.document : undefined };
  }

  /** Drops the pipelines a change of `scopeKey` touches. */
  private invalidate(scopeKey: string): void {
    const scope = scopeOfKey(scopeKey);
    if (scope === 'global' || scope === undefined) {
      this.pipelines.clear();
      return;
    }
    if (scope === 'product') {
      const productId = scopeKey.slice('/products/'.length);
      for (const forApi of this.pipelines.values()) for (const forOperation of forApi.byOperation.values()) forOperation.byProduct.delete(productId);
      return;
    }
    const apiId = apiOfKey(scopeKey)!;
    if (scope === 'api') this.pipelines.delete(apiId);
    else this.pipelines.get(apiId)?.byOperation.delete(scopeKey.slice(`/apis/${apiId}/operations/`.length));
  }

  private compile(productId: string | undefined, api: RouteApi, operation: RouteOperation): Pipeline {
    const scopes = {
      global: this.documents.get('/'),
      product: productId === undefined ? undefined : this.documents.get(`/products/${productId}`),
      api: this.documents.get(`/apis/${api.id}`),
      operation: this.documents.get(`/apis/${api.id}/operations/${operation.id}`),
    };
    const docs: Parameters<typeof composePolicy>[0] = {};
    for (const [name, stored] of Object.entries(scopes) as [keyof typeof scopes, StoredPolicy | undefined][]) {
      if (!stored) continue;
      if (!stored.document) return FAILED_PIPELINE;
      docs[name] = stored.document;
    }
    try {
      const effective = composePolicy(docs, { ...(productId !== undefined ? { productId } : {}), apiId: api.id, operationId: operation.id });
      return compilePipeline(effective, { api, operation, productId }, this.env);
    } catch (error) {
      this.env.logger.error(
        { err: error, api: api.id, operation: operation.id, product: productId },
        'gateway: the effective policy cannot be compiled; its calls are refused with 500',
      );
      return FAILED_PIPELINE;
    }
  }
}
