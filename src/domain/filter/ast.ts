/**
 * The parsed form of a `$filter`. Every leaf carries the field's spec, so the SQL compiler needs no
 * second lookup and cannot be handed a column that the parser did not whitelist.
 */
import type { ComparisonOp, FilterFieldSpec, FilterFunction } from './fields.js';

export interface AndNode {
  kind: 'and';
  left: FilterNode;
  right: FilterNode;
}

export interface OrNode {
  kind: 'or';
  left: FilterNode;
  right: FilterNode;
}

export interface NotNode {
  kind: 'not';
  operand: FilterNode;
}

/**
 * `<field> <op> <value>`. `value` is the literal as written for string fields (folding is the
 * compiler's job, because it depends on the column), the canonical spelling for enum fields, a
 * `toISOString()` string for date fields, and null for `eq null` / `ne null`.
 */
export interface CompareNode {
  kind: 'compare';
  /** The canonical key in the field table, whatever case the filter used. */
  field: string;
  spec: FilterFieldSpec;
  op: ComparisonOp;
  value: string | null;
}

/** `startswith(field,'x')` and friends; `negated` comes from `... eq false` / `... ne true`. */
export interface FunctionNode {
  kind: 'function';
  fn: FilterFunction;
  field: string;
  spec: FilterFieldSpec;
  value: string;
  negated: boolean;
}

export type FilterNode = AndNode | OrNode | NotNode | CompareNode | FunctionNode;
