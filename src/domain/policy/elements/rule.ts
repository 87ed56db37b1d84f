/**
 * One row of the table of policies the gateway enforces: where Azure allows the element, and how
 * its XML becomes the element the gateway runs.
 */
import type { ElementReader } from '../reader.js';
import { SECTIONS, type PolicyElement, type PolicyKind, type PolicyScope, type SectionName } from '../types.js';

export interface ElementRule<K extends PolicyKind = PolicyKind> {
  /** The XML element name, which is also the element's kind. */
  name: K;
  sections: readonly SectionName[];
  scopes: readonly PolicyScope[];
  /** Attributes Azure defines on the element that Tollgate does not enforce, named as such when refused. */
  azureOnly?: readonly string[];
  read(r: ElementReader): Extract<PolicyElement, { kind: K }>;
}

/** A rule for any one element. */
export type AnyElementRule = { [K in PolicyKind]: ElementRule<K> }[PolicyKind];

export const ALL_SCOPES: readonly PolicyScope[] = ['global', 'product', 'api', 'operation'];
export const ALL_SECTIONS: readonly SectionName[] = SECTIONS;

/** Infers the element from the rule's name, so that each `read` is checked against its own element type. */
export function rule<K extends PolicyKind>(r: ElementRule<K>): ElementRule<K> {
  return r;
}
