/**
 * An API's schema (Azure's SchemaContract): a document of named types that the representations of
 * the API's operations refer to by `schemaId` and `typeName`. An import keeps the OpenAPI
 * document's `components.schemas` (3.x) or `definitions` (2.0) as one such schema.
 */
export interface ApiSchema {
  id: string;
  contentType: string;
  document: Record<string, unknown>;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The named types of a schema document: `components.schemas` (OpenAPI) or `definitions` (Swagger). */
export function namedTypes(document: Json): Json {
  const components = isObject(document.components) && isObject(document.components.schemas) ? document.components.schemas : undefined;
  if (components) return components;
  return isObject(document.definitions) ? document.definitions : {};
}

/** The type a representation names: document.components.schemas[typeName] (OpenAPI) or
 *  document.definitions[typeName] (Swagger), with the document to resolve its internal $refs in. */
export function schemaOf(
  schemas: readonly ApiSchema[],
  schemaId: string | undefined,
  typeName: string | undefined,
): { schema: Record<string, unknown>; document: Record<string, unknown> } | undefined {
  if (schemaId === undefined || typeName === undefined) return undefined;
  const found = schemas.find((s) => s.id === schemaId);
  if (!found) return undefined;
  const types = namedTypes(found.document);
  // Own keys only: a type name such as `constructor` must not find Object.prototype's.
  if (!Object.prototype.hasOwnProperty.call(types, typeName)) return undefined;
  const schema = types[typeName];
  return isObject(schema) ? { schema, document: found.document } : undefined;
}
