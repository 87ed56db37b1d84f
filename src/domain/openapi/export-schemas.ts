/**
 * The named types of an export: the API's schemas (OpenAPI components or Swagger definitions) as
 * the exported document's `components.schemas` (OpenAPI 3.0.1) or `definitions` (Swagger 2.0), and
 * the `$ref` that stands for a representation's (schemaId, typeName). So an import, an export and
 * an import again keep the same types under the same names.
 *
 * Each schema object is rewritten for the version exported, so the document validates whatever
 * the types were written in: only the keywords of that version's Schema Object are kept (and
 * `x-` extensions); a 3.1 `type` list becomes one type and `nullable` (`x-nullable` in 2.0),
 * `const` an `enum`, numeric `exclusiveMaximum`/`exclusiveMinimum` the older boolean form, a list
 * of `examples` its first as `example`; Swagger 2.0 loses what it cannot say (`oneOf`, `anyOf`,
 * `not`, `writeOnly`, `deprecated`). A reference to a type the export does not hold becomes `{}`
 * (any value). Two schemas naming the same type: the later one's gets `1`, `2`, ... appended.
 */
import { namedTypes, type ApiSchema } from '../api-schema.js';
import type { ExportVersion } from './export.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const COMMON_KEYS = [
  'format', 'title', 'description', 'default', 'multipleOf', 'maximum', 'minimum', 'maxLength', 'minLength', 'pattern',
  'maxItems', 'minItems', 'uniqueItems', 'maxProperties', 'minProperties', 'readOnly', 'xml', 'externalDocs', 'example',
];
const PLAIN_KEYS: Readonly<Record<ExportVersion, ReadonlySet<string>>> = {
  swagger2: new Set(COMMON_KEYS),
  openapi3: new Set([...COMMON_KEYS, 'writeOnly', 'deprecated']),
};
const SUBSCHEMA_LISTS: Readonly<Record<ExportVersion, readonly string[]>> = { swagger2: ['allOf'], openapi3: ['allOf', 'oneOf', 'anyOf'] };
const MAX_DEPTH = 64;
/** components.schemas keys must match this (OpenAPI 3.0); Swagger's definitions take any, but one rule serves both. */
const NAME_CHARS = /[^A-Za-z0-9._-]/g;

const nonEmptyArray = (v: unknown): v is unknown[] => Array.isArray(v) && v.length > 0;

/** One schema object written for `version`; `ref` maps a `$ref` to its exported target (undefined: not held). */
function convert(value: unknown, version: ExportVersion, ref: (target: string) => string | undefined, depth = 0): Json {
  if (!isObject(value) || depth > MAX_DEPTH) return {};
  if (typeof value.$ref === 'string') {
    const to = ref(value.$ref);
    return to !== undefined ? { $ref: to } : {};
  }
  const sub = (v: unknown) => convert(v, version, ref, depth + 1);
  const out: Json = {};
  let nullable = value.nullable === true || value['x-nullable'] === true;
  for (const [key, v] of Object.entries(value)) {
    if (key.startsWith('x-')) {
      if (key !== 'x-nullable') out[key] = v;
    } else if (key === 'type') {
      const types = (Array.isArray(v) ? v : [v]).filter((t): t is string => typeof t === 'string');
      if (types.includes('null')) nullable = true;
      // `file` is a Swagger 2.0 parameter and response type, not a type a schema of either version can name.
      const first = types.find((t) => t !== 'null' && t !== 'file');
      if (first !== undefined) out.type = first;
    } else if (key === 'properties' && isObject(v)) {
      out.properties = Object.fromEntries(Object.entries(v).map(([name, p]) => [name, sub(p)]));
    } else if (key === 'items') {
      out.items = sub(Array.isArray(v) ? v[0] : v);
    } else if (key === 'additionalProperties') {
      out.additionalProperties = typeof v === 'boolean' ? v : sub(v);
    } else if (SUBSCHEMA_LISTS[version].includes(key) && nonEmptyArray(v)) {
      out[key] = v.map(sub);
    } else if (key === 'not' && version === 'openapi3') {
      out.not = sub(v);
    } else if ((key === 'exclusiveMaximum' || key === 'exclusiveMinimum') && (typeof v === 'number' || typeof v === 'boolean')) {
      // 3.1 says `exclusiveMaximum: 10`, 3.0 and 2.0 say `maximum: 10, exclusiveMaximum: true`.
      if (typeof v === 'number') out[key === 'exclusiveMaximum' ? 'maximum' : 'minimum'] = v;
      out[key] = typeof v === 'number' ? true : v;
    } else if (key === 'const') {
      out.enum = [v];
    } else if (key === 'examples' && nonEmptyArray(v) && value.example === undefined) {
      out.example = v[0];
    } else if (key === 'discriminator') {
      const property = isObject(v) ? v.propertyName : v;
      if (typeof property === 'string') out.discriminator = version === 'swagger2' ? property : { propertyName: property };
    } else if ((key === 'required' || key === 'enum') && nonEmptyArray(v)) {
      out[key] = key === 'required' ? [...new Set(v.filter((r) => typeof r === 'string'))] : v;
    } else if (PLAIN_KEYS[version].has(key)) {
      out[key] = v;
    }
  }
  if (nullable) out[version === 'swagger2' ? 'x-nullable' : 'nullable'] = true;
  return out;
}

export interface ExportedTypes {
  /** `components.schemas` or `definitions`: empty when the API has no named types. */
  types: Json;
  /** The schema standing for a representation's type: a `$ref`, or undefined when it names none the export holds. */
  refOf(schemaId: string | undefined, typeName: string | undefined): Json | undefined;
}

const REF_PREFIXES = ['#/components/schemas/', '#/definitions/'];

function typeNameOfRef(target: string): string | undefined {
  const prefix = REF_PREFIXES.find((p) => target.startsWith(p));
  if (prefix === undefined) return undefined;
  const rest = target.slice(prefix.length);
  return rest.includes('/') ? undefined : decodeURIComponent(rest).replace(/~1/g, '/').replace(/~0/g, '~');
}

export function exportedTypes(schemas: readonly ApiSchema[], version: ExportVersion): ExportedTypes {
  const prefix = version === 'swagger2' ? '#/definitions/' : '#/components/schemas/';
  const taken = new Set<string>();
  // For each schema, its type names and the names they are exported under.
  const names = new Map<string, Map<string, string>>();
  for (const schema of schemas) {
    const own = new Map<string, string>();
    for (const typeName of Object.keys(namedTypes(schema.document))) {
      const base = typeName.replace(NAME_CHARS, '_') || 'Type';
      let name = base;
      for (let n = 1; taken.has(name); n++) name = `${base}${n}`;
      taken.add(name);
      own.set(typeName, name);
    }
    names.set(schema.id, own);
  }
  const types: Json = {};
  for (const schema of schemas) {
    const own = names.get(schema.id)!;
    const ref = (target: string) => {
      const typeName = typeNameOfRef(target);
      const name = typeName === undefined ? undefined : own.get(typeName);
      return name === undefined ? undefined : `${prefix}${encodeURIComponent(name)}`;
    };
    for (const [typeName, value] of Object.entries(namedTypes(schema.document))) {
      // A type may be called `__proto__`: defined, not assigned, so it stays a plain key.
      Object.defineProperty(types, own.get(typeName)!, { value: convert(value, version, ref), enumerable: true, writable: true, configurable: true });
    }
  }
  return {
    types,
    refOf(schemaId, typeName) {
      if (schemaId === undefined || typeName === undefined) return undefined;
      const name = names.get(schemaId)?.get(typeName);
      return name === undefined ? undefined : { $ref: `${prefix}${encodeURIComponent(name)}` };
    },
  };
}
