/**
 * Turns a parsed `$filter` into a Kysely boolean expression that means the same on SQLite and on
 * PostgreSQL. Columns come only from the field specs (`sql.ref`); every value is a bound parameter.
 *
 * Null semantics follow OData rather than SQL: each leaf is two-valued (a null column makes `eq`,
 * `gt`, ... and the functions false and `ne` true), so `not (note eq 'x')` matches rows without a
 * note, as `note ne 'x'` does.
 */
import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import type { CompareNode, FilterNode, FunctionNode } from '../domain/filter/ast.js';
import type { ComparisonOp, FilterFieldSpec } from '../domain/filter/fields.js';

type Bool = RawBuilder<SqlBool>;

/** Matches SQLite's lower() and PostgreSQL's lower() under COLLATE "C": A-Z only. */
export function asciiLower(value: string): string {
  return value.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

function foldLiteral(spec: FilterFieldSpec, value: string): string {
  switch (spec.fold) {
    case 'stored':
      return value.toLowerCase();
    case 'sql':
      return asciiLower(value);
    case 'none':
      return value;
  }
}

function compare(left: Expression<unknown>, op: ComparisonOp, right: unknown): Bool {
  // One template per operator so that no SQL text is ever spliced in, not even from a fixed map.
  switch (op) {
    case 'eq':
      return sql<SqlBool>`${left} = ${right}`;
    case 'ne':
      return sql<SqlBool>`${left} <> ${right}`;
    case 'gt':
      return sql<SqlBool>`${left} > ${right}`;
    case 'ge':
      return sql<SqlBool>`${left} >= ${right}`;
    case 'lt':
      return sql<SqlBool>`${left} < ${right}`;
    case 'le':
      return sql<SqlBool>`${left} <= ${right}`;
  }
}

/** Makes a leaf two-valued on a nullable column: null is false, or true for `ne`. */
function nullSafe(spec: FilterFieldSpec, column: Expression<unknown>, test: Bool, nullMatches: boolean): Bool {
  if (!spec.nullable) return test;
  return nullMatches ? sql<SqlBool>`(${column} IS NULL OR ${test})` : sql<SqlBool>`(${column} IS NOT NULL AND ${test})`;
}

function compileCompare(node: CompareNode): Bool {
  const { spec, op, value } = node;
  const column = sql.ref(spec.column);
  if (value === null) {
    return op === 'eq' ? sql<SqlBool>`${column} IS NULL` : sql<SqlBool>`${column} IS NOT NULL`;
  }
  const folded = spec.type === 'string' ? foldLiteral(spec, value) : value;
  const target = spec.type === 'string' && spec.fold === 'sql' ? sql`lower(${column})` : column;
  return nullSafe(spec, column, compare(target, op, folded), op === 'ne');
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * The least string greater than every string that starts with `prefix`, in code point order (= the
 * UTF-8 byte order of both databases), or undefined if the last code point is U+10FFFF.
 */
export function prefixSuccessor(prefix: string): string | undefined {
  if (prefix === '') return undefined;
  const end = prefix.length - 1;
  const low = prefix.charCodeAt(end);
  const high = prefix.charCodeAt(end - 1);
  const pair = low >= 0xdc00 && low <= 0xdfff && high >= 0xd800 && high <= 0xdbff;
  const start = pair ? end - 1 : end;
  const cp = prefix.codePointAt(start) ?? 0;
  // U+10FFFF has no successor; a lone surrogate has no UTF-8 form (and the parser refuses it).
  if (cp >= 0x10ffff || (!pair && cp >= 0xd800 && cp <= 0xdfff)) return undefined;
  const next = cp + 1 === 0xd800 ? 0xe000 : cp + 1;
  return prefix.slice(0, start) + String.fromCodePoint(next);
}

function compileFunction(node: FunctionNode): Bool {
  const { spec, fn } = node;
  const column = sql.ref(spec.column);
  // LIKE is case-sensitive on PostgreSQL and ASCII-case-insensitive on SQLite; lowering both
  // sides makes it the same on both. A 'stored' column is lowered already. For a 'none' field this
  // makes the functions ASCII-case-insensitive: no portable case-sensitive LIKE exists.
  const value = spec.fold === 'stored' ? node.value.toLowerCase() : asciiLower(node.value);
  const target = spec.fold === 'stored' ? column : sql`lower(${column})`;
  const successor = fn === 'startswith' && spec.fold === 'stored' ? prefixSuccessor(value) : undefined;
  let test: Bool;
  if (fn === 'startswith' && spec.fold === 'stored' && value === '') {
    test = sql<SqlBool>`${column} IS NOT NULL`;
  } else if (successor !== undefined) {
    // A range instead of LIKE, so the index on the column can be used.
    test = sql<SqlBool>`(${column} >= ${value} AND ${column} < ${successor})`;
  } else {
    const escaped = escapeLike(value);
    const pattern = fn === 'startswith' ? `${escaped}%` : fn === 'endswith' ? `%${escaped}` : `%${escaped}%`;
    test = sql<SqlBool>`${target} LIKE ${pattern} ESCAPE '\\'`;
  }
  test = nullSafe(spec, column, test, false);
  return node.negated ? sql<SqlBool>`NOT (${test})` : test;
}

function compile(node: FilterNode): Bool {
  switch (node.kind) {
    case 'and':
      return sql<SqlBool>`(${compile(node.left)} AND ${compile(node.right)})`;
    case 'or':
      return sql<SqlBool>`(${compile(node.left)} OR ${compile(node.right)})`;
    case 'not':
      return sql<SqlBool>`NOT (${compile(node.operand)})`;
    case 'compare':
      return compileCompare(node);
    case 'function':
      return compileFunction(node);
  }
}

/** Usage: `query.where(compileFilter(parseFilter(text, USER_FILTER_FIELDS)))`. */
export function compileFilter(node: FilterNode): Expression<SqlBool> {
  return compile(node);
}
