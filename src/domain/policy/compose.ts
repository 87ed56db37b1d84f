/**
 * The policy one call runs: global -> product -> API -> operation, section by section. `<base />`
 * stands for the enclosing scope's composed section, where it is written; a section without it
 * inherits nothing. A scope without a document behaves as all-`<base />`, the global scope as
 * Azure's default global policy. Each element keeps the scope it came from: limits count per origin.
 */
import { DEFAULT_GLOBAL_POLICY_XML } from './defaults.js';
import { parsePolicy } from './parse.js';
import { SECTIONS, type EffectivePolicy, type PlacedElement, type PolicyDocument, type PolicyOrigin, type SectionName } from './types.js';

export interface ScopeDocuments {
  global?: PolicyDocument;
  product?: PolicyDocument;
  api?: PolicyDocument;
  operation?: PolicyDocument;
}

export interface CallScopes {
  /** Absent for a call made without a subscription to a product. */
  productId?: string;
  apiId: string;
  operationId: string;
}

let defaultGlobal: PolicyDocument | undefined;

/** Azure's default global policy, parsed once. */
export function defaultGlobalPolicy(): PolicyDocument {
  if (defaultGlobal === undefined) {
    const parsed = parsePolicy(DEFAULT_GLOBAL_POLICY_XML, 'global', () => undefined);
    if (!parsed.ok) throw new Error(`the default global policy does not parse: ${parsed.problems[0]?.message}`);
    defaultGlobal = parsed.document;
  }
  return defaultGlobal;
}

export function composePolicy(docs: ScopeDocuments, ids: CallScopes): EffectivePolicy {
  const levels: { doc: PolicyDocument | undefined; origin: PolicyOrigin }[] = [
    { doc: docs.global ?? defaultGlobalPolicy(), origin: { scope: 'global', id: '' } },
    { doc: docs.product, origin: { scope: 'product', id: ids.productId ?? '' } },
    { doc: docs.api, origin: { scope: 'api', id: ids.apiId } },
    { doc: docs.operation, origin: { scope: 'operation', id: `${ids.apiId}/${ids.operationId}` } },
  ];
  const compose = (section: SectionName): PlacedElement[] => {
    // At global scope there is nothing enclosing: its <base /> inlines the empty list.
    let enclosing: PlacedElement[] = [];
    for (const { doc, origin } of levels) {
      if (doc === undefined) continue;
      enclosing = doc.sections[section].flatMap((element): PlacedElement[] =>
        element.kind === 'base' ? enclosing : [{ ...element, origin } as PlacedElement],
      );
    }
    return enclosing;
  };
  return { sections: Object.fromEntries(SECTIONS.map((s) => [s, compose(s)])) as Record<SectionName, PlacedElement[]> };
}
