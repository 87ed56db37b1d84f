/**
 * The body of ApiSchema_CreateOrUpdate (SchemaContract properties), validated. The content type
 * says which part of `document` holds the schema, and only that part is kept:
 * `components` (OpenAPI), `definitions` (Swagger) or `value` (XSD, WADL grammars, GraphQL: text).
 */
import { z } from 'zod';
import { freeze, text as textField, type FilterFieldTable } from './filter/fields.js';
import { parseInput, text } from './validate.js';
import { validationError } from './errors.js';

/** SchemaIdParameter of the specification. */
export const SCHEMA_ID_MAX = 80;
/** The most a schema document may hold, as JSON text (an import's whole definition is at most 4 MB). */
export const SCHEMA_DOCUMENT_MAX = 8 * 1024 * 1024;

export const OPENAPI_COMPONENTS = 'application/vnd.oai.openapi.components+json';
export const SWAGGER_DEFINITIONS = 'application/vnd.ms-azure-apim.swagger.definitions+json';

/** Azure's schema content types Tollgate keeps, with the document property each one uses. */
const DOCUMENT_PART: Readonly<Record<string, 'components' | 'definitions' | 'value'>> = {
  [OPENAPI_COMPONENTS]: 'components',
  [SWAGGER_DEFINITIONS]: 'definitions',
  'application/vnd.ms-azure-apim.xsd+xml': 'value',
  'application/vnd.ms-azure-apim.wadl.grammars+xml': 'value',
  'application/vnd.ms-azure-apim.graphql': 'value',
};
export const SCHEMA_CONTENT_TYPES = Object.keys(DOCUMENT_PART);

const jsonObject = z.record(z.string(), z.unknown(), { error: 'must be a JSON object' });

const schemaBody = z.object({
  contentType: text().refine((v) => v in DOCUMENT_PART, `must be one of ${SCHEMA_CONTENT_TYPES.join(', ')}`),
  document: z.object(
    {
      value: text().optional(),
      components: jsonObject.optional(),
      definitions: jsonObject.optional(),
    },
    { error: 'must be an object' },
  ),
});

export interface ApiSchemaInput {
  contentType: string;
  /** Only the part the content type uses: {components}, {definitions} or {value}. */
  document: Record<string, unknown>;
}

/** A PUT body's properties as the schema to store; a 400 naming the field when it cannot be one. */
export function parseApiSchema(properties: unknown): ApiSchemaInput {
  const body = parseInput(schemaBody, properties);
  const part = DOCUMENT_PART[body.contentType]!;
  const kept = body.document[part];
  if (kept === undefined) {
    const what = part === 'value' ? 'the schema as text' : 'an object of named types';
    throw validationError('One or more fields contain incorrect values.', [
      { code: 'ValidationError', target: `document.${part}`, message: `is required for the content type '${body.contentType}': ${what}.` },
    ]);
  }
  if (part === 'value' && (kept as string).trim() === '') {
    throw validationError('One or more fields contain incorrect values.', [{ code: 'ValidationError', target: 'document.value', message: 'must not be empty.' }]);
  }
  const document = { [part]: kept };
  if (JSON.stringify(document).length > SCHEMA_DOCUMENT_MAX) {
    throw validationError('One or more fields contain incorrect values.', [
      { code: 'ValidationError', target: `document.${part}`, message: `must be at most ${SCHEMA_DOCUMENT_MAX} characters as JSON.` },
    ]);
  }
  return { contentType: body.contentType, document };
}

/** ApiSchema_ListByApi's `$filter` (the specification names contentType only). */
export const API_SCHEMA_FILTER_FIELDS: FilterFieldTable = freeze({
  contentType: textField('api_schemas.content_type'),
});
