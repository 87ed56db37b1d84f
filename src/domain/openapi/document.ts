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

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const at = /position (\d+)/.exec(message);
    // V8 gives no position for an unexpected token; YAML (a superset of JSON) reading the text finds the place.
    const yamlAt = at ? undefined : parseDocument(text).errors[0]?.linePos?.[0];
    const where = at ? lineOf(text, Number(at[1])) : yamlAt ? `line ${yamlAt.line}, column ${yamlAt.col}` : undefined;
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

/** JSON pointers to the `$ref`s whose target `test` accepts (at most 10). */
export function refsWhere(value: unknown, test: (ref: string) => boolean, at = '', out: string[] = []): string[] {
  if (out.length >= 10 || typeof value !== 'object' || value === null) return out;
  const entries: [string, unknown][] = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  for (const [key, v] of entries) {
    if (key === '$ref' && typeof v === 'string' && test(v)) out.push(`${at}/$ref`);
    else refsWhere(v, test, `${at}/${pointerSegment(key)}`, out);
  }
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
