/**
 * Evaluates a parsed `$filter` against an in-memory record, with the same meaning as the SQL
 * compiler (src/store/filter-sql.ts): case folding per field, two-valued nulls. Used for lists that
 * are not tables, such as email templates (built-in defaults merged with edits).
 */
import type { FilterNode } from './ast.js';
import type { ComparisonOp, FilterFieldSpec } from './fields.js';

const asciiLower = (s: string) => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());

function fold(spec: FilterFieldSpec, value: string): string {
  return spec.fold === 'stored' ? value.toLowerCase() : spec.fold === 'sql' ? asciiLower(value) : value;
}

/** Code point order, as both databases compare our text columns. */
function compareText(a: string, b: string): number {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return Buffer.compare(x, y);
}

function holds(op: ComparisonOp, order: number): boolean {
  switch (op) {
    case 'eq':
      return order === 0;
    case 'ne':
      return order !== 0;
    case 'gt':
      return order > 0;
    case 'ge':
      return order >= 0;
    case 'lt':
      return order < 0;
    case 'le':
      return order <= 0;
  }
}

/** `column` values of the record, by the spec's column name. */
export type RecordReader = (column: string) => string | null;

export function matchesFilter(node: FilterNode, read: RecordReader): boolean {
  switch (node.kind) {
    case 'and':
      return matchesFilter(node.left, read) && matchesFilter(node.right, read);
    case 'or':
      return matchesFilter(node.left, read) || matchesFilter(node.right, read);
    case 'not':
      return !matchesFilter(node.operand, read);
    case 'compare': {
      const actual = read(node.spec.column);
      if (node.value === null) return node.op === 'eq' ? actual === null : actual !== null;
      if (actual === null) return node.op === 'ne';
      const string = node.spec.type === 'string';
      return holds(node.op, compareText(string ? fold(node.spec, actual) : actual, string ? fold(node.spec, node.value) : node.value));
    }
    case 'function': {
      const actual = read(node.spec.column);
      let result = false;
      if (actual !== null) {
        // As in the SQL compiler: a 'stored' column is lowercased already and its argument is
        // lowercased in full; any other column and its argument are folded A-Z only (as LIKE).
        const lower = node.spec.fold === 'stored' ? (s: string) => s.toLowerCase() : asciiLower;
        const a = lower(actual);
        const v = lower(node.value);
        result =
          node.fn === 'startswith' ? a.startsWith(v) : node.fn === 'endswith' ? a.endsWith(v) : a.includes(v);
      }
      return node.negated ? !result : result;
    }
  }
}
