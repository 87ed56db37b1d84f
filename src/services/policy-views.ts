/**
 * Policies as the admin UI and the portal show them: the composed (effective) policy of an
 * operation, for a product or none, as read-only XML; and the documents of a product and the
 * global scope composed, for the limits a product page states.
 *
 * The XML shown is parsed against the named values with every secret one left as its `{{name}}`:
 * it never holds a secret's value (only `listValue` reveals one). A document that uses a secret
 * where a value of a particular form is needed (a number, a signing key) then does not pass, and
 * the view says so rather than show the secret.
 */
import { composePolicy } from '../domain/policy/compose.js';
import { parsePolicy } from '../domain/policy/parse.js';
import { renderEffectivePolicy } from '../domain/policy/render.js';
import type { EffectivePolicy, NamedValueLookup, PolicyDocument, PolicyProblem } from '../domain/policy/types.js';
import type { NamedValueService } from './named-values.js';
import type { PolicyService, PolicyTarget } from './policies.js';

/** What composes, named by the ids of the call. */
export interface CompositionIds {
  /** The product of the subscription the call is made with; none for a call without one. */
  productId?: string | undefined;
  apiId: string;
  operationId: string;
}

export type EffectiveView =
  | { ok: true; policy: EffectivePolicy; xml: string }
  /** A stored document did not pass with the secrets masked (see the file's comment). */
  | { ok: false; scopeKey: string; problems: readonly PolicyProblem[] };

type Docs = Parameters<typeof composePolicy>[0];
type Slot = 'global' | 'product' | 'api' | 'operation';

const NAMED_VALUES_PAGE = 100;

export function createPolicyViews(services: { policies: PolicyService; namedValues: NamedValueService }) {
  const { policies, namedValues } = services;

  /** Named values by display name (ignoring case), a secret one as its own `{{name}}`. */
  async function maskedLookup(): Promise<NamedValueLookup> {
    const byName = new Map<string, string>();
    for (let skip = 0; ; skip += NAMED_VALUES_PAGE) {
      const page = await namedValues.list({ top: NAMED_VALUES_PAGE, skip });
      for (const v of page.items) byName.set(v.displayName.toLowerCase(), v.secret || v.value === undefined ? `{{${v.displayName}}}` : v.value);
      if (page.items.length < NAMED_VALUES_PAGE || skip + page.items.length >= page.count) break;
    }
    return (displayName) => byName.get(displayName.toLowerCase());
  }

  /** The stored documents of `targets`, parsed; a scope without one is left out (compose treats it as Azure does). */
  async function documents(targets: Partial<Record<Slot, PolicyTarget>>): Promise<{ ok: true; docs: Docs } | { ok: false; scopeKey: string; problems: readonly PolicyProblem[] }> {
    const entries = Object.entries(targets) as [Slot, PolicyTarget][];
    const [lookup, views] = await Promise.all([maskedLookup(), Promise.all(entries.map(([, target]) => policies.find(target)))]);
    const docs: Partial<Record<Slot, PolicyDocument>> = {};
    for (const [i, [slot, target]] of entries.entries()) {
      const view = views[i];
      if (!view) continue;
      const parsed = parsePolicy(view.xml, target.scope, lookup);
      if (!parsed.ok) return { ok: false, scopeKey: view.scopeKey, problems: parsed.problems };
      docs[slot] = parsed.document;
    }
    return { ok: true, docs: docs as Docs };
  }

  async function composed(targets: Partial<Record<Slot, PolicyTarget>>, ids: Parameters<typeof composePolicy>[1]): Promise<EffectiveView> {
    const loaded = await documents(targets);
    if (!loaded.ok) return loaded;
    const policy = composePolicy(loaded.docs, ids);
    return { ok: true, policy, xml: renderEffectivePolicy(policy) };
  }

  return {
    /** What a call of the operation runs (404 when the API, operation or product does not exist). */
    effective(ids: CompositionIds): Promise<EffectiveView> {
      return composed(
        {
          global: { scope: 'global' },
          ...(ids.productId !== undefined ? { product: { scope: 'product', productId: ids.productId } } : {}),
          api: { scope: 'api', apiId: ids.apiId },
          operation: { scope: 'operation', apiId: ids.apiId, operationId: ids.operationId },
        },
        ids,
      );
    },

    /**
     * The global and the product's documents composed, as for a call of an API and operation that
     * have no policy of their own: what every call made with a subscription to the product runs.
     * Parsed with the named values as they are (nothing of it is shown but its limits, in words).
     */
    async product(productId: string): Promise<EffectivePolicy> {
      const [global, product] = await Promise.all([policies.document({ scope: 'global' }), policies.document({ scope: 'product', productId })]);
      return composePolicy({ ...(global ? { global } : {}), ...(product ? { product } : {}) }, { productId, apiId: '', operationId: '' });
    },
  };
}

export type PolicyViews = ReturnType<typeof createPolicyViews>;
