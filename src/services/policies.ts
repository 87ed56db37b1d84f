/**
 * Use cases on policy documents at the four scopes: global, product, API and operation. A document
 * is validated when it is written (src/domain/policy/parse.ts, against the named values as they
 * are) and refused with every problem at its line and column: what is stored is what the gateway
 * enforces, never a document it would ignore. It is stored as written (`{{named values}}` left in
 * place); each write records a 'policy' change under the scope key, which the gateways follow.
 *
 * `xml-link` and `rawxml-link` are refused (400 FeatureNotSupported): fetching a document from a
 * URL the caller names would let the management API be used to reach internal addresses (SSRF),
 * and a document that changes behind its URL would not be the one validated.
 */
import { AppError, notFound, validationError, type ErrorDetail } from '../domain/errors.js';
import { namedValueReferences } from '../domain/policy/named-values.js';
import { composePolicy } from '../domain/policy/compose.js';
import { parsePolicy } from '../domain/policy/parse.js';
import { renderEffectivePolicy } from '../domain/policy/render.js';
import { rawXmlToXml, xmlToRawXml } from '../domain/policy/raw-xml.js';
import type { KeyRing } from '../domain/subscription-keys.js';
import type { EffectivePolicy, NamedValueLookup, PolicyDocument, PolicyProblem, PolicyScope } from '../domain/policy/types.js';
import type { PolicyInput } from '../domain/policy-input.js';
import type { Store } from '../store/index.js';
import type { PolicyRow } from '../store/policies-repo.js';
import { SYSTEM, type ActorContext } from './audit.js';
import type { ServiceDeps } from './deps.js';
import { namedValueLookup, type PolicyReferences } from './named-values.js';
import { subscriptionKeyRing } from './signing-keys.js';
import { deleteInWrite, putInWrite, type Write } from './writes.js';

/** Where a document applies. */
export type PolicyTarget =
  | { scope: 'global' }
  | { scope: 'product'; productId: string }
  | { scope: 'api'; apiId: string }
  | { scope: 'operation'; apiId: string; operationId: string };

/** The key a document is stored and announced under: '/', '/products/{id}', '/apis/{id}', '/apis/{id}/operations/{op}'. */
export function policyScopeKey(target: PolicyTarget): string {
  switch (target.scope) {
    case 'global':
      return '/';
    case 'product':
      return `/products/${target.productId}`;
    case 'api':
      return `/apis/${target.apiId}`;
    case 'operation':
      return `/apis/${target.apiId}/operations/${target.operationId}`;
  }
}

export interface PolicyView {
  target: PolicyTarget;
  scopeKey: string;
  /** The document as stored (format xml), `{{named values}}` unresolved. */
  xml: string;
  etag: string;
  updatedAt: string;
}

function targetOf(row: PolicyRow): PolicyTarget {
  switch (row.scope) {
    case 'global':
      return { scope: 'global' };
    case 'product':
      return { scope: 'product', productId: row.product_id! };
    case 'api':
      return { scope: 'api', apiId: row.api_id! };
    case 'operation':
      return { scope: 'operation', apiId: row.api_id!, operationId: row.operation_id! };
  }
}

export function policyView(row: PolicyRow): PolicyView {
  return { target: targetOf(row), scopeKey: row.scope_key, xml: row.xml, etag: row.etag, updatedAt: row.updated_at };
}

/** The document in the format a GET asks for: as stored, or with its expressions decoded (`rawxml`). */
export function policyValue(view: PolicyView, format: 'xml' | 'rawxml'): string {
  return format === 'rawxml' ? xmlToRawXml(view.xml) : view.xml;
}

/** One error detail per problem, as Azure words them: "Error in element 'x' on line 3, column 5: ...". */
export function problemDetails(problems: readonly PolicyProblem[]): ErrorDetail[] {
  return problems.map((p) => ({
    code: 'ValidationError',
    target: p.element,
    message: `Error in element '${p.element}' on line ${p.line}, column ${p.column}: ${p.message}`,
  }));
}

/** The XML a PUT stores: the inline formats only (see the file's comment for the `-link` ones). */
function documentOf(input: PolicyInput): string {
  switch (input.format) {
    case 'xml':
      return input.value;
    case 'rawxml':
      return rawXmlToXml(input.value);
    case 'xml-link':
    case 'rawxml-link':
      throw new AppError(
        'validation',
        'FeatureNotSupported',
        `The policy format '${input.format}' is not supported by Tollgate: it does not fetch policy documents from URLs ` +
          '(the management API makes no outbound requests a caller could aim at internal addresses). Send the document inline with format xml or rawxml.',
      );
  }
}

export function createPolicyService(deps: ServiceDeps) {
  const { store } = deps;
  const ring = () => subscriptionKeyRing(store);

  /** The product, API or operation the document belongs to must exist (404 otherwise); locked for a write. */
  async function checkParent(tx: Store, target: PolicyTarget, lock = false): Promise<void> {
    switch (target.scope) {
      case 'global':
        return;
      case 'product':
        if (!(await tx.products.findProduct(target.productId, lock))) throw notFound('Product');
        return;
      case 'api':
        if (!(await tx.apis.findApi(target.apiId, lock))) throw notFound('API');
        return;
      case 'operation':
        if (!(await tx.apis.findApi(target.apiId, lock))) throw notFound('API');
        if (!(await tx.apis.findOperation(target.apiId, target.operationId, lock))) throw notFound('Operation');
        return;
    }
  }

  /** Refuses a document that does not pass, with every problem. */
  function mustPass(xml: string, scope: PolicyScope, lookup: NamedValueLookup): void {
    const result = parsePolicy(xml, scope, lookup);
    if (!result.ok) throw validationError('One or more fields contain incorrect values:', problemDetails(result.problems));
  }

  /**
   * Validation inside a write. The named values the document references are locked first, so that
   * a concurrent change or delete of one either waits for this write (and then sees the document)
   * or is seen by it: a stored document never references a value that no longer fits.
   */
  async function checkInWrite(tx: Store, xml: string, scope: PolicyScope, keys: KeyRing): Promise<void> {
    await tx.namedValues.lockNamedValuesByName(namedValueReferences(xml).map((n) => n.toLowerCase()));
    mustPass(xml, scope, await namedValueLookup(tx, keys));
  }

  async function find(tx: Store, target: PolicyTarget): Promise<PolicyView | undefined> {
    await checkParent(tx, target);
    const row = await tx.policies.findPolicy(policyScopeKey(target));
    return row ? policyView(row) : undefined;
  }

  async function parsedDocument(target: PolicyTarget, lookup: NamedValueLookup): Promise<PolicyDocument | undefined> {
    const view = await find(store, target);
    if (!view) return undefined;
    const result = parsePolicy(view.xml, target.scope, lookup);
    // Stored documents passed when written and are re-checked when a named value changes.
    if (!result.ok) throw new Error(`the stored policy ${view.scopeKey} no longer parses: ${result.problems[0]?.message ?? ''}`);
    return result.document;
  }

  async function written(w: Write, target: PolicyTarget, xml: string, existing: PolicyRow | undefined): Promise<PolicyView> {
    const { tx } = w;
    const scopeKey = policyScopeKey(target);
    if (existing) await tx.policies.updatePolicy(scopeKey, { xml, etag: w.etag(), updated_at: w.at });
    else {
      await tx.policies.insertPolicy({
        scope_key: scopeKey,
        scope: target.scope,
        product_id: target.scope === 'product' ? target.productId : null,
        api_id: target.scope === 'api' || target.scope === 'operation' ? target.apiId : null,
        operation_id: target.scope === 'operation' ? target.operationId : null,
        xml,
        etag: w.etag(),
        updated_at: w.at,
      });
    }
    await w.record({ change: { entity: 'policy', id: scopeKey }, audit: { action: 'policy.updated', detail: { scope: scopeKey, created: !existing } } });
    return policyView((await tx.policies.findPolicy(scopeKey))!);
  }

  /** The stored documents that reference `displayName` (compared ignoring case). */
  async function referencingRows(tx: Store, displayNames: readonly string[]): Promise<PolicyRow[]> {
    const wanted = new Set(displayNames.map((n) => n.toLowerCase()));
    const rows = await tx.policies.listAllPolicies();
    return rows.filter((row) => namedValueReferences(row.xml).some((name) => wanted.has(name.toLowerCase())));
  }

  const references: PolicyReferences = {
    async referencing(tx, displayName) {
      return (await referencingRows(tx, [displayName])).map((row) => row.scope_key);
    },
    async recheck(tx, displayNames) {
      const rows = await referencingRows(tx, displayNames);
      if (rows.length === 0) return;
      const lookup = await namedValueLookup(tx, await ring());
      for (const row of rows) {
        const result = parsePolicy(row.xml, row.scope, lookup);
        if (!result.ok) {
          throw validationError(
            `The change would make the policy ${row.scope_key} invalid, and a stored policy must stay enforceable. Change the policy first.`,
            problemDetails(result.problems).map((d) => ({ ...d, message: `${row.scope_key}: ${d.message}` })),
          );
        }
      }
    },
  };

  return {
    /** The document of the scope; 404 when its product, API or operation does not exist, or it has none. */
    async get(target: PolicyTarget): Promise<PolicyView> {
      const view = await find(store, target);
      if (!view) throw notFound('Policy');
      return view;
    },

    /** The document of the scope, or undefined when it has none (404 when its parent does not exist). */
    find: (target: PolicyTarget) => find(store, target),

    /** The `/policies` list of a scope: its one document, or none. */
    async list(target: PolicyTarget): Promise<PolicyView[]> {
      const view = await find(store, target);
      return view ? [view] : [];
    },

    /**
     * The stored document of the scope, parsed with the named values as they are (what the gateway
     * enforces: for a product page's limits in words); undefined when the scope has none.
     */
    async document(target: PolicyTarget): Promise<PolicyDocument | undefined> {
      return parsedDocument(target, await namedValueLookup(store, await ring()));
    },

    /**
     * What a call to the operation runs, composed from its four scopes (through the product's when
     * the call is made with a subscription to it), and that as XML for a read-only view: each
     * element as written, its scope named. 404 when the API, the operation or the product does not exist.
     */
    async effective(apiId: string, operationId: string, productId?: string): Promise<{ policy: EffectivePolicy; xml: string }> {
      const lookup = await namedValueLookup(store, await ring());
      const [global, product, api, operation] = await Promise.all([
        parsedDocument({ scope: 'global' }, lookup),
        productId === undefined ? undefined : parsedDocument({ scope: 'product', productId }, lookup),
        parsedDocument({ scope: 'api', apiId }, lookup),
        parsedDocument({ scope: 'operation', apiId, operationId }, lookup),
      ]);
      const policy = composePolicy(
        { ...(global ? { global } : {}), ...(product ? { product } : {}), ...(api ? { api } : {}), ...(operation ? { operation } : {}) },
        { apiId, operationId, ...(productId !== undefined ? { productId } : {}) },
      );
      return { policy, xml: renderEffectivePolicy(policy) };
    },

    /** The problems of a document at a scope, checked against the named values as they are; empty when it would be accepted. */
    async check(target: PolicyTarget, input: PolicyInput): Promise<readonly PolicyProblem[]> {
      await checkParent(store, target);
      const result = parsePolicy(documentOf(input), target.scope, await namedValueLookup(store, await ring()));
      return result.ok ? [] : result.problems;
    },

    /**
     * PUT: validated, then stored as written (a `rawxml` document in its `xml` form). `If-Match: *`
     * also creates: every scope has a policy in effect (all `<base />` when none is stored), and
     * Azure's own examples create with it.
     */
    async createOrUpdate(target: PolicyTarget, input: PolicyInput, ifMatchHeader?: string, ctx: ActorContext = SYSTEM): Promise<{ policy: PolicyView; created: boolean }> {
      const ifMatch = ifMatchHeader?.trim() === '*' ? undefined : ifMatchHeader;
      const xml = documentOf(input);
      const keys = await ring();
      const scopeKey = policyScopeKey(target);
      const { value, created } = await putInWrite(deps, ctx, ifMatch, {
        find: async (tx) => {
          await checkParent(tx, target, true);
          return tx.policies.findPolicy(scopeKey, true);
        },
        update: async (w, existing) => {
          await checkInWrite(w.tx, xml, target.scope, keys);
          return written(w, target, xml, existing);
        },
        insert: async (w) => {
          await checkInWrite(w.tx, xml, target.scope, keys);
          return written(w, target, xml, undefined);
        },
      });
      return { policy: value, created };
    },

    /** DELETE (If-Match required); false when the scope had no document. 404 when its parent does not exist. */
    async remove(target: PolicyTarget, ifMatchHeader: string | undefined, ctx: ActorContext = SYSTEM): Promise<boolean> {
      const scopeKey = policyScopeKey(target);
      return deleteInWrite(deps, ctx, ifMatchHeader, {
        find: async (tx) => {
          await checkParent(tx, target, true);
          return tx.policies.findPolicy(scopeKey, true);
        },
        remove: async (w) => {
          await w.tx.policies.deletePolicy(scopeKey);
          await w.record({ change: { entity: 'policy', id: scopeKey }, audit: { action: 'policy.deleted', detail: { scope: scopeKey } } });
        },
      });
    },

    /** What the named values ask of the policies (delete protection and re-validation). */
    references,
  };
}

export type PolicyService = ReturnType<typeof createPolicyService>;
