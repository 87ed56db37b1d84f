/**
 * Reading the API definition of an import (`PUT /apis/{id}` with `format` and `value`) into the
 * API and operations to store: parse (YAML or JSON), refuse external references, validate and
 * resolve the internal `$ref`s with @readme/openapi-parser, derive (src/domain/openapi/derive.ts)
 * with the named types kept as the API's schema (src/domain/openapi/schemas.ts).
 * Nothing is written here: src/services/apis.ts `importApi` stores the result in one transaction.
 *
 * The `-link` formats name a URL: the document is downloaded first (src/services/definition-fetch.ts:
 * http(s) only, a deadline and a size limit; IMPORT_LINKS=public refuses internal addresses, off
 * refuses links), then read as its inline twin.
 */
import { validate } from '@readme/openapi-parser';
import { AppError, validationError } from '../domain/errors.js';
import type { ApiImportRequest } from '../domain/api-input.js';
import { deriveApi, type ImportedApi } from '../domain/openapi/derive.js';
import { INLINE_FORMATS, LINK_FORMATS, readDocument, refsWhere, type InlineFormat } from '../domain/openapi/document.js';
import { validatorDetails } from '../domain/openapi/error-targets.js';
import { fetchDefinition, type FetchDefinitionOptions } from './definition-fetch.js';

/** IMPORT_LINKS: whether `-link` imports are fetched, from anywhere or only from public addresses. */
export interface ImportLinks {
  mode: 'on' | 'public' | 'off';
  /** The fetcher's limits (tests: shorter ones). */
  fetch?: Omit<FetchDefinitionOptions, 'publicOnly'>;
}

/** The inline format a `-link` format's document is read as ('swagger-link' is Azure's older name for the same). */
const LINKED_AS: Readonly<Record<(typeof LINK_FORMATS)[number], InlineFormat>> = {
  'openapi-link': 'openapi',
  'openapi+json-link': 'openapi+json',
  'swagger-link-json': 'swagger-json',
  'swagger-link': 'swagger-json',
};

/** Azure's formats Tollgate does not import at all (WSDL, WADL, GraphQL, gRPC, OData). */
function featureNotSupported(format: string): AppError {
  return new AppError(
    'validation',
    'FeatureNotSupported',
    `Importing API definitions of format '${format}' is not supported by Tollgate; the formats it imports are ${INLINE_FORMATS.join(', ')}.`,
    [{ code: 'FeatureNotSupported', target: 'format', message: `'${format}' is not a format Tollgate imports.` }],
  );
}

const PARSER_OPTIONS = {
  resolve: { external: false },
  // Azure imports documents that repeat an operationId (the names get -1, -2): not an error here.
  validate: { rules: { openapi: { 'duplicate-operation-id': 'warning' as const }, swagger: { 'duplicate-operation-id': 'warning' as const } } },
};

/**
 * The document of an import as written (`raw`, whose named types the API's schema keeps with their
 * `$ref`s), and validated with its internal references resolved (circular ones stay `$ref`s). One
 * pass of the parser: validate() dereferences the object it is given in place (with circular
 * references ignored) before it checks it, so that object is the resolved document afterwards,
 * equal to what dereference() gives (test/unit/openapi-fixtures.test.ts holds the parser to that).
 * One copy is kept as written for the schema; a second dereference() and a copy per pass were a
 * third of a 5 MB import's time (docs/benchmarks.md, OpenAPI import).
 */
async function resolvedDocument(format: InlineFormat, value: string): Promise<{ raw: Record<string, unknown>; resolved: Record<string, unknown> }> {
  const doc = readDocument(format, value);
  // JSON text parses again faster than the object copies; YAML does not.
  const raw = format === 'openapi' ? structuredClone(doc) : (JSON.parse(value) as Record<string, unknown>);
  const result = await validate(doc as never, { ...PARSER_OPTIONS, dereference: { circular: 'ignore' } });
  if (result.valid) return { raw, resolved: doc };
  const missing = result.errors.length === 1 ? /pointer "([^"]+)"/.exec(result.errors[0]!.message)?.[1] : undefined;
  if (missing !== undefined) {
    // The parser names the reference, not where it is: find it in the document as it was sent.
    const target = refsWhere(raw, (r) => r === missing)[0] ?? 'value';
    throw validationError('The API definition has a reference that cannot be resolved.', [{ code: 'ValidationError', target, message: result.errors[0]!.message }]);
  }
  // The validator prints the resolved document (`doc` now); its line numbers point into that printing.
  throw validationError('The API definition is not a valid OpenAPI or Swagger document.', validatorDetails(result.errors.map((e) => e.message), doc));
}

/** What the definition of `request` makes of the API and its operations. */
export async function readImport(request: ApiImportRequest, links: ImportLinks = { mode: 'on' }): Promise<ImportedApi> {
  const format = request.format;
  if ((LINK_FORMATS as readonly string[]).includes(format)) {
    if (links.mode === 'off') {
      throw validationError(`Importing from a URL (format '${format}') is turned off on this instance (IMPORT_LINKS=off); send the definition inline with the format 'openapi', 'openapi+json' or 'swagger-json'.`, [
        { code: 'ValidationError', target: 'format', message: `'${format}' (a URL to fetch) is turned off here.` },
      ]);
    }
    const fetched = await fetchDefinition(request.value, { ...links.fetch, publicOnly: links.mode === 'public' });
    const inline = LINKED_AS[format as (typeof LINK_FORMATS)[number]];
    const { raw, resolved } = await resolvedDocument(inline, fetched.text);
    return deriveApi(resolved, request.translateRequiredQueryParameters, raw);
  }
  if (!(INLINE_FORMATS as readonly string[]).includes(format)) throw featureNotSupported(format);
  const { raw, resolved } = await resolvedDocument(format as InlineFormat, request.value);
  return deriveApi(resolved, request.translateRequiredQueryParameters, raw);
}
