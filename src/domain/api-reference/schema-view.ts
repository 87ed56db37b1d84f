/**
 * A JSON schema (OpenAPI 3.0/3.1, Swagger 2.0) as the rows of a table a developer reads: one row
 * per property (its path, type, whether it is required, description, format, enum values), nested
 * objects and array items indented under their parent. Internal `$ref`s are resolved against the
 * schema's document; a type that refers to itself is shown once and then named, not expanded
 * again, and depth and row count are capped, so a hostile or huge document cannot blow the page up.
 * Pure: no I/O, no HTML (src/http/portal/schema-html.ts draws the rows).
 */

type Json = Record<string, unknown>;

export interface SchemaRow {
  /** Dotted path from the top (`tags[].name`): unique within one view. */
  path: string;
  /** The last segment, as shown (`name`, `[]`, `*`, `option 1`). */
  name: string;
  depth: number;
  /** `string`, `integer`, `array of Pet`, `object (Pet)`, `string | null`, `one of` ... */
  type: string;
  format?: string | undefined;
  required: boolean;
  description?: string | undefined;
  enum?: string[] | undefined;
  defaultValue?: string | undefined;
  /** The schema's own example of the value (`example`, or the first of 3.1's `examples`). */
  example?: string | undefined;
  /** `read-only`, `write-only`, `deprecated`. */
  flags?: string[] | undefined;
  /** Something the reader must know about this row: a circular or unresolved reference. */
  note?: string | undefined;
}

export interface SchemaView {
  /** The top-level type (`object (Pet)`, `array of Pet`, `string`). */
  type: string;
  description?: string | undefined;
  rows: SchemaRow[];
  /** Rows were left out (depth or row limit). */
  truncated: boolean;
}

export interface SchemaViewLimits {
  maxDepth: number;
  maxRows: number;
}

export const SCHEMA_VIEW_LIMITS: SchemaViewLimits = { maxDepth: 8, maxRows: 400 };

/** How many `$ref` hops one reference may take (a chain of aliases), before it counts as broken. */
const MAX_REF_HOPS = 32;
const DESCRIPTION_MAX = 2000;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 6901: `~1` is `/`, `~0` is `~` (after percent-decoding, as a URI fragment). */
function pointerSegments(fragment: string): string[] | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(fragment);
  } catch {
    return undefined;
  }
  if (decoded === '') return [];
  if (!decoded.startsWith('/')) return undefined;
  return decoded
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The value at an internal reference (`#/components/schemas/Pet`), own keys only; undefined when there is none. */
export function resolvePointer(document: Json, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  const segments = pointerSegments(ref.slice(1));
  if (segments === undefined) return undefined;
  let at: unknown = document;
  for (const segment of segments) {
    if (Array.isArray(at) && /^\d+$/.test(segment)) at = at[Number(segment)];
    else if (isObject(at) && Object.prototype.hasOwnProperty.call(at, segment)) at = at[segment];
    else return undefined;
  }
  return at;
}

const refName = (ref: string) => ref.slice(ref.lastIndexOf('/') + 1).replace(/~1/g, '/').replace(/~0/g, '~');

interface Resolved {
  schema: Json;
  /** The name of the type the reference led to (`Pet`), when it was one. */
  name?: string | undefined;
  /** The references followed to get here (for the cycle guard). */
  refs: string[];
  /** Why it could not be followed. */
  problem?: string | undefined;
}

/** Follows `$ref`s from `schema` (the last one names the type); a reference already on `chain` is a cycle. */
function resolve(document: Json, schema: unknown, chain: readonly string[]): Resolved & { cycle?: string } {
  let at: unknown = schema;
  let name: string | undefined;
  const refs: string[] = [];
  for (let hops = 0; isObject(at) && typeof at.$ref === 'string'; hops++) {
    const ref = at.$ref;
    if (hops >= MAX_REF_HOPS) return { schema: {}, name, refs, problem: `too many references in a row at ${ref}` };
    if (!ref.startsWith('#')) return { schema: {}, name: refName(ref), refs, problem: `external reference ${ref} (not resolved)` };
    name = refName(ref);
    if (chain.includes(ref) || refs.includes(ref)) return { schema: {}, name, refs, cycle: ref };
    refs.push(ref);
    const target = resolvePointer(document, ref);
    if (target === undefined) return { schema: {}, name, refs, problem: `${ref} does not exist in the document` };
    at = target;
  }
  if (typeof at === 'boolean') return { schema: at ? {} : { not: {} }, name, refs };
  return { schema: isObject(at) ? at : {}, name, refs };
}

function typeList(s: Json): string[] {
  const t = s.type;
  const types = Array.isArray(t) ? t.filter((x): x is string => typeof x === 'string') : typeof t === 'string' ? [t] : [];
  if (types.length === 0) {
    if (isObject(s.properties) || s.additionalProperties !== undefined) types.push('object');
    else if (s.items !== undefined) types.push('array');
  }
  // 3.0's `nullable` and Swagger's `x-nullable`: 3.1 writes the same as a type list with null.
  if ((s.nullable === true || s['x-nullable'] === true) && !types.includes('null')) types.push('null');
  return types;
}

/** What a schema is, in a few words: its types (the array's item type, the named type), or its composition. */
function typeLabel(document: Json, s: Json, name: string | undefined, chain: readonly string[], depth = 0): string {
  const types = typeList(s);
  const words = types.map((t) => {
    if (t === 'array') {
      if (depth > 3) return 'array';
      const items = resolve(document, s.items, chain);
      const inner = items.cycle !== undefined || items.problem !== undefined ? (items.name ?? 'any') : typeLabel(document, items.schema, items.name, [...chain, ...items.refs], depth + 1);
      return `array of ${items.name && items.cycle === undefined && items.problem === undefined && typeList(items.schema).includes('object') ? items.name : inner}`;
    }
    if (t === 'object' && name) return `object (${name})`;
    return t;
  });
  if (words.length > 0) return words.join(' | ');
  if (Array.isArray(s.allOf)) return name ? `object (${name})` : 'all of';
  if (Array.isArray(s.oneOf)) return name ? `one of (${name})` : 'one of';
  if (Array.isArray(s.anyOf)) return name ? `any of (${name})` : 'any of';
  if (s.const !== undefined) return `constant ${JSON.stringify(s.const)}`;
  if (Array.isArray(s.enum)) return 'enum';
  return name ?? 'any';
}

function scalarText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
}

const FLAGS = [['readOnly', 'read-only'], ['writeOnly', 'write-only'], ['deprecated', 'deprecated']] as const;

function describe(s: Json): Pick<SchemaRow, 'description' | 'format' | 'enum' | 'defaultValue' | 'example' | 'flags'> {
  const text = typeof s.description === 'string' ? s.description : typeof s.title === 'string' ? s.title : undefined;
  const example = s.example !== undefined ? s.example : Array.isArray(s.examples) ? s.examples[0] : undefined;
  const flags = FLAGS.filter(([key]) => s[key] === true).map(([, word]) => word);
  return {
    example: example !== undefined && (typeof example !== 'object' || example === null) ? scalarText(example) : undefined,
    flags: flags.length > 0 ? flags : undefined,
    description: text && text.length > DESCRIPTION_MAX ? `${text.slice(0, DESCRIPTION_MAX)}…` : text,
    format: typeof s.format === 'string' ? s.format : undefined,
    enum: Array.isArray(s.enum) ? s.enum.slice(0, 50).map(scalarText) : s.const !== undefined ? [scalarText(s.const)] : undefined,
    defaultValue: s.default !== undefined ? scalarText(s.default) : undefined,
  };
}

const join = (prefix: string, segment: string) => (prefix === '' ? segment : segment === '[]' ? `${prefix}[]` : `${prefix}.${segment}`);

/** The rows of `schema` as the table shows them; see the module's comment. */
export function schemaView(schema: unknown, document: Json, limits: SchemaViewLimits = SCHEMA_VIEW_LIMITS): SchemaView {
  const rows: SchemaRow[] = [];
  let truncated = false;

  function push(row: SchemaRow): boolean {
    if (rows.length >= limits.maxRows) {
      truncated = true;
      return false;
    }
    rows.push(row);
    return true;
  }

  /** One row for a property (or item, or alternative), then what is inside it. */
  function member(raw: unknown, path: string, name: string, depth: number, required: boolean, chain: readonly string[]): void {
    const r = resolve(document, raw, chain);
    const extra = isObject(raw) ? describe(raw) : {};
    const own = describe(r.schema);
    const note = r.cycle !== undefined ? `refers back to ${r.name ?? 'its parent'} (shown above)` : r.problem;
    const row: SchemaRow = {
      path,
      name,
      depth,
      type: r.cycle !== undefined || r.problem !== undefined ? (r.name ?? 'any') : typeLabel(document, r.schema, r.name, [...chain, ...r.refs]),
      required,
      description: extra.description ?? own.description,
      format: own.format,
      enum: own.enum,
      defaultValue: extra.defaultValue ?? own.defaultValue,
      example: extra.example ?? own.example,
      flags: extra.flags ?? own.flags,
      note,
    };
    if (!push(row) || note !== undefined) return;
    children(r.schema, path, depth + 1, [...chain, ...r.refs]);
  }

  /** The properties, items, additional properties and alternatives of `s`, at `depth`. */
  function children(s: Json, prefix: string, depth: number, chain: readonly string[]): void {
    if (depth > limits.maxDepth) {
      if (isObject(s.properties) || s.items !== undefined || Array.isArray(s.allOf) || Array.isArray(s.oneOf) || Array.isArray(s.anyOf)) truncated = true;
      return;
    }
    // allOf: the members' properties together, as one object (each member's `required` for its own).
    if (Array.isArray(s.allOf)) {
      for (const part of s.allOf) {
        const r = resolve(document, part, chain);
        if (r.cycle !== undefined || r.problem !== undefined) continue;
        children(r.schema, prefix, depth, [...chain, ...r.refs]);
      }
    }
    const required = new Set(Array.isArray(s.required) ? s.required.filter((x): x is string => typeof x === 'string') : []);
    if (isObject(s.properties)) {
      for (const [name, prop] of Object.entries(s.properties)) member(prop, join(prefix, name), name, depth, required.has(name), chain);
    }
    if (isObject(s.additionalProperties)) member(s.additionalProperties, join(prefix, '*'), '*', depth, false, chain);
    if (typeList(s).includes('array') && s.items !== undefined) {
      const r = resolve(document, s.items, chain);
      // The items' own properties sit under the array (`tags[].name`); an array of arrays gets an item row.
      // An array of arrays, or items that cannot be expanded (a cycle), get an item row of their own.
      if (r.cycle !== undefined || r.problem !== undefined || typeList(r.schema).includes('array')) member(s.items, join(prefix, '[]'), '[]', depth, false, chain);
      else children(r.schema, join(prefix, '[]'), depth, [...chain, ...r.refs]);
    }
    for (const key of ['oneOf', 'anyOf'] as const) {
      const options = s[key];
      if (!Array.isArray(options)) continue;
      options.forEach((option, i) => member(option, `${join(prefix, key)}[${i}]`, `option ${i + 1}`, depth, false, chain));
    }
  }

  const top = resolve(document, schema, []);
  if (top.cycle !== undefined || top.problem !== undefined) return { type: top.name ?? 'any', rows: [], truncated: false };
  children(top.schema, '', 0, top.refs);
  return { type: typeLabel(document, top.schema, top.name, top.refs), description: describe(top.schema).description, rows, truncated };
}
