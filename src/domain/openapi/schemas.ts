/**
 * The schema an import keeps for an API (Azure's SchemaContract) and the type each representation
 * names in it. One schema per API: the document's own named types (`components.schemas` of 3.x,
 * `definitions` of 2.0), taken from the document as written, so that their internal `$ref`s stay
 * references, plus a generated named type for each body or response schema written inline.
 *
 * Which named type a representation's schema is comes from the parser's dereference, which puts
 * one object in every place a `$ref` to the same target was: the dereferenced named types, by
 * identity, name the schemas of the operations. A reference the parser left in place (a circular
 * one) names its type directly.
 *
 * Generated names, in Azure's style, from the operation's name in PascalCase (`list-pets` ->
 * `ListPets`) and the content type (`application/json` -> `ApplicationJson`):
 * `{Operation}Request` for a body (`{Operation}{ContentType}Request` for a second, different
 * schema of the same body), `{Operation}{Status}{ContentType}Response` for a response. A name
 * already taken gets `1`, `2`, ... appended. The same inline schema (one object, as a Swagger
 * body shared by its `consumes`) gets one type.
 */
import { OPENAPI_COMPONENTS, SCHEMA_DOCUMENT_MAX, SWAGGER_DEFINITIONS, type ApiSchemaInput } from '../api-schema-input.js';
import { validationError } from '../errors.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Azure's typeName is at most 256 characters; generated names stay well inside. */
const TYPE_NAME_MAX = 256;
const GENERATED_NAME_MAX = 200;
/** The most types one import keeps (named and generated): a bound on what one API's schema holds. */
export const SCHEMA_TYPES_MAX = 10_000;

const tooManyTypes = () =>
  validationError('The API definition has too many schemas to keep.', [
    { code: 'ValidationError', target: 'value', message: `has more than ${SCHEMA_TYPES_MAX} named and inline schemas.` },
  ]);

/** What the import needs to name the schemas of representations: see `schemaTypes`. */
export interface SchemaTypes {
  /** The type name of a body's schema (`status` undefined) or a response's, generating one for an inline schema. */
  typeOf(schema: unknown, operation: string, contentType: string, status?: number): string | undefined;
  /** The schema to keep, or undefined when the document has no types at all. */
  result(): ApiSchemaInput | undefined;
}

const pascal = (text: string) =>
  text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');

/** The value a JSON pointer (`#/a/b`) names in `doc`, or undefined. */
function pointerGet(doc: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  let at: unknown = doc;
  for (const raw of ref.slice(1).split('/').slice(1)) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof at !== 'object' || at === null || !Object.prototype.hasOwnProperty.call(at, key)) return undefined;
    at = (at as Json)[key];
  }
  return at;
}

/** Whether a `$ref` anywhere in `value` points somewhere other than under `prefix`. */
function refersOutside(value: unknown, prefix: string): boolean {
  const stack = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null) continue;
    if (isObject(v) && typeof v.$ref === 'string' && !v.$ref.startsWith(prefix)) return true;
    stack.push(...Object.values(v));
  }
  return false;
}

/**
 * For each object of the dereferenced document, the object it was written as in the original
 * (following the original's `$ref`s): walks both side by side, once per dereferenced object.
 */
function writtenForms(raw: Json, resolved: Json): Map<object, unknown> {
  const out = new Map<object, unknown>();
  const stack: [unknown, unknown][] = [[raw, resolved]];
  while (stack.length > 0) {
    let [r, s] = stack.pop()!;
    if (typeof s !== 'object' || s === null || out.has(s)) continue;
    // A chain of references (a $ref to a $ref) is followed a few steps at most.
    for (let i = 0; i < 8 && isObject(r) && typeof r.$ref === 'string' && !(isObject(s) && s.$ref === r.$ref); i++) r = pointerGet(raw, r.$ref);
    if (typeof r !== 'object' || r === null) continue;
    out.set(s, r);
    for (const [key, child] of Object.entries(s)) {
      if (typeof child === 'object' && child !== null) stack.push([(r as Json)[key], child]);
    }
  }
  return out;
}

/**
 * The named types of the document (`raw`, as written, and `resolved`, as the parser dereferenced
 * it) and a namer for the schemas of its representations.
 */
export function schemaTypes(raw: Json, resolved: Json): SchemaTypes {
  const swagger = typeof raw.swagger === 'string';
  const prefix = swagger ? '#/definitions/' : '#/components/schemas/';
  const namedOf = (doc: Json): Json => {
    const v = swagger ? doc.definitions : isObject(doc.components) ? doc.components.schemas : undefined;
    return isObject(v) ? v : {};
  };
  const rawNamed = namedOf(raw);
  const types: Json = { ...rawNamed };
  const byObject = new Map<object, string>();
  for (const [name, schema] of Object.entries(namedOf(resolved))) {
    if (isObject(schema) && !byObject.has(schema) && name.length <= TYPE_NAME_MAX) byObject.set(schema, name);
  }
  let written: Map<object, unknown> | undefined;
  let count = Object.keys(types).length;
  const taken = (name: string) => Object.prototype.hasOwnProperty.call(types, name);

  function generate(schema: Json, base: string): string {
    const cut = base.slice(0, GENERATED_NAME_MAX);
    let name = cut;
    for (let n = 1; taken(name); n++) name = `${cut}${n}`;
    if (++count > SCHEMA_TYPES_MAX) throw tooManyTypes();
    written ??= writtenForms(raw, resolved);
    const form = written.get(schema);
    // As written, unless it refers to something other than a named type (a schema inside `paths`,
    // say), which the kept schema would not hold: then as dereferenced.
    types[name] = form !== undefined && !refersOutside(form, prefix) ? form : schema;
    byObject.set(schema, name);
    return name;
  }

  return {
    typeOf(schema, operation, contentType, status) {
      if (!isObject(schema)) return undefined;
      const known = byObject.get(schema);
      if (known !== undefined) return known;
      // A reference the parser left in place (circular) names its type itself.
      if (typeof schema.$ref === 'string' && schema.$ref.startsWith(prefix)) {
        const name = decodeURIComponent(schema.$ref.slice(prefix.length)).replace(/~1/g, '/').replace(/~0/g, '~');
        return taken(name) && name.length <= TYPE_NAME_MAX ? name : undefined;
      }
      const op = pascal(operation);
      const type = pascal(contentType);
      if (status === undefined) return generate(schema, taken(`${op}Request`) ? `${op}${type}Request` : `${op}Request`);
      return generate(schema, `${op}${status}${type}Response`);
    },

    result() {
      if (count === 0) return undefined;
      if (count > SCHEMA_TYPES_MAX) throw tooManyTypes();
      const document = swagger ? { definitions: types } : { components: { schemas: types } };
      if (JSON.stringify(document).length > SCHEMA_DOCUMENT_MAX) {
        throw validationError('The API definition has too many schemas to keep.', [
          { code: 'ValidationError', target: 'value', message: `has schemas of more than ${SCHEMA_DOCUMENT_MAX} characters as JSON.` },
        ]);
      }
      return { contentType: swagger ? SWAGGER_DEFINITIONS : OPENAPI_COMPONENTS, document };
    },
  };
}

/** A representation with the imported schema's id set beside its typeName (none without a typeName). */
type Representation = { contentType: string; typeName?: string | undefined; schemaId?: string | undefined };

/**
 * The operations' representations naming `schemaId` wherever they name a type, key order
 * `contentType, schemaId, typeName, ...`: the same input gives the same JSON, so a re-import of an
 * unchanged operation stores the same bytes.
 */
export function withSchemaId<O extends { request: { representations?: Representation[] | null | undefined } | null; responses: { representations?: Representation[] | null | undefined }[] }>(
  operations: readonly O[],
  schemaId: string | undefined,
): O[] {
  const fix = <R extends Representation>(r: R): R => {
    if (r.typeName === undefined || schemaId === undefined) return r;
    const { contentType, typeName, schemaId: _old, ...rest } = r;
    return { contentType, schemaId, typeName, ...rest } as R;
  };
  const fixAll = <T extends { representations?: Representation[] | null | undefined }>(d: T): T =>
    d.representations ? { ...d, representations: d.representations.map(fix) } : d;
  return operations.map((o) => ({ ...o, request: o.request && fixAll(o.request), responses: o.responses.map(fixAll) }));
}
