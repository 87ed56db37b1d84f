/**
 * Turning the `value` of an import into a document object: YAML (format `openapi`; JSON is YAML
 * too) or JSON (`openapi+json`, `swagger-json`), with the version the format promises. Only
 * references inside the document are accepted (Azure's rule); an external `$ref` would make the
 * import read files or URLs the caller named.
 */
import { parseDocument } from 'yaml';
import { validationError, type ErrorDetail } from '../errors.js';
import { pointerSegment } from './derive.js';

export const INLINE_FORMATS = ['openapi', 'openapi+json', 'swagger-json'] as const;
export type InlineFormat = (typeof INLINE_FORMATS)[number];
export const LINK_FORMATS = ['openapi-link', 'openapi+json-link', 'swagger-link-json', 'swagger-link'] as const;

type Json = Record<string, unknown>;

function invalid(message: string, target: string): never {
  throw validationError('The API definition is not valid.', [{ code: 'ValidationError', target, message }]);
}

/** Line and column (1-based) of a character offset. */
function lineOf(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${before.at(-1)!.length + 1}`;
}

/** V8 shows this many characters of the text on each side of an unexpected token. */
const V8_CONTEXT = 10;

/**
 * Where in `text` JSON.parse failed. V8 (Node 20) gives a position for most errors, none for an
 * unexpected token: there it quotes the text around the token (`...", 21, x]}"`, the token
 * V8_CONTEXT characters in unless the quote starts the text), and finding the quote finds the place.
 */
function jsonErrorOffset(text: string, message: string): number | undefined {
  const at = /position (\d+)/.exec(message);
  if (at) return Number(at[1]);
  if (message.startsWith('Unexpected end of JSON input')) return text.trimEnd().length;
  const quoted = /^Unexpected token .+?, (\.\.\.)?"([\s\S]*)"(\.\.\.)? is not valid JSON/.exec(message);
  if (!quoted) return undefined;
  const [, before, context, after] = quoted;
  if (before) {
    const found = text.indexOf(context!);
    return found < 0 ? undefined : found + V8_CONTEXT;
  }
  return after ? context!.length - V8_CONTEXT : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const offset = jsonErrorOffset(text, message);
    // Otherwise YAML (a superset of JSON) reading the text may find the place.
    const yamlAt = offset === undefined ? parseDocument(text).errors[0]?.linePos?.[0] : undefined;
    const where = offset !== undefined ? lineOf(text, offset) : yamlAt ? `line ${yamlAt.line}, column ${yamlAt.col}` : undefined;
    invalid(`is not valid JSON: ${message.split('\n')[0]}`, where ? `value (${where})` : 'value');
  }
}

function parseYaml(text: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0];
    invalid(`is not valid YAML: ${first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`, pos ? `value (line ${pos.line}, column ${pos.col})` : 'value');
  }
  return doc.toJS({ maxAliasCount: 100 });
}

/**
 * Maps keyed by names the document's author chose (a schema property may be called `example`):
 * their keys are never the literal-value keys below.
 */
const NAME_MAPS = new Set(['properties', 'patternProperties', 'definitions', 'schemas', 'parameters', 'responses', 'examples', 'headers', 'requestBodies', 'securitySchemes', 'links', 'callbacks', 'pathItems', 'content', 'encoding', 'variables', 'paths', 'webhooks', '$defs']);

/**
 * Whether the value under `key` is data, not document: an `example`, an Example Object's `value`,
 * a 2.0 response's `examples` (media type -> value), an `x-` extension. A `$ref` in there is part
 * of the example (GitHub's SCIM examples carry `"$ref": "https://api.github.com/scim/..."`), not a
 * reference, so it must neither be refused as external nor pointed at.
 */
function isLiteral(key: string, parentKey: string | undefined, grandKey: string | undefined): boolean {
  if (parentKey !== undefined && NAME_MAPS.has(parentKey)) return false;
  if (key === 'example' || key.startsWith('x-')) return true;
  if (key === 'value' && grandKey === 'examples') return true;
  // 2.0 Response Object: `examples` maps media types to values (3.x `examples` hold Example Objects, refs allowed).
  return key === 'examples' && grandKey === 'responses' && parentKey !== undefined && /^(\d{3}|default)$/.test(parentKey);
}

/**
 * JSON pointers to the `$ref`s whose target `test` accepts (at most 10), outside literal values
 * (examples). One walk over the whole document on every import: the keys on the way down are kept
 * on one stack and a pointer is only written for a hit (building one per value was a tenth of a
 * 5 MB import).
 */
export function refsWhere(value: unknown, test: (ref: string) => boolean): string[] {
  const out: string[] = [];
  const keys: string[] = [];
  const walk = (node: object): void => {
    const array = Array.isArray(node);
    for (const key in node) {
      if (out.length >= 10) return;
      const v = (node as Record<string, unknown>)[key];
      if (!array && isLiteral(key, keys.at(-1), keys.at(-2))) continue;
      if (key === '$ref' && typeof v === 'string') {
        if (test(v)) out.push(`/${[...keys, key].map(pointerSegment).join('/')}`);
      } else if (typeof v === 'object' && v !== null) {
        keys.push(key);
        walk(v);
        keys.pop();
      }
    }
  };
  if (typeof value === 'object' && value !== null) walk(value);
  return out;
}

function externalRefs(doc: Json): ErrorDetail[] {
  return refsWhere(doc, (ref) => !ref.startsWith('#')).map((target) => ({
    code: 'ValidationError',
    target,
    message: 'refers outside the document; only references inside the document (#/...) can be imported.',
  }));
}

/** The document object of `value`, checked to be the OpenAPI or Swagger version `format` names. */
export function readDocument(format: InlineFormat, value: string): Json {
  if (value.trim() === '') invalid('is empty: it must be the API definition.', 'value');
  const doc = format === 'openapi' ? parseYaml(value) : parseJson(value);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) invalid('must be an object (an OpenAPI or Swagger document).', 'value');
  const json = doc as Json;
  if (format === 'swagger-json') {
    if (json.swagger !== '2.0') invalid(`must be '2.0': the format 'swagger-json' is a Swagger 2.0 document (use 'openapi' or 'openapi+json' for OpenAPI 3).`, '/swagger');
  } else if (typeof json.openapi !== 'string' || !/^3\.[01]\./.test(json.openapi)) {
    invalid(`must be an OpenAPI version 3.0.x or 3.1.x: the format '${format}' is an OpenAPI 3 document (use 'swagger-json' for Swagger 2.0).`, '/openapi');
  }
  const refs = externalRefs(json);
  if (refs.length > 0) throw validationError('The API definition refers to other documents.', refs);
  return json;
}
