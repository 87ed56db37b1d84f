/**
 * An operation's request and responses as Azure describes them (RequestContract, ResponseContract)
 * from an OpenAPI 3.x or Swagger 2.0 operation: the query parameters that are not in the URL
 * template, the header parameters, the representations (content types with their examples) of the
 * body and of each response. A representation's schema is named by its `typeName` in the API's
 * schema (schemas.ts; the import sets the `schemaId`). Cookie parameters are ignored, as Azure ignores them;
 * the request bodies of GET, HEAD and OPTIONS are dropped, as Azure drops them.
 */
import type { OperationRequest, OperationResponse, TemplateParameter } from '../api-input.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

type Representation = NonNullable<OperationRequest['representations']>[number];

/** Examples keyed by name, as Azure keeps them: OpenAPI 3 `example` becomes `default`. */
function examplesOf(media: Json): Record<string, unknown> | undefined {
  if (isObject(media.examples)) {
    const out: Record<string, unknown> = {};
    for (const [name, e] of Object.entries(media.examples)) {
      if (!isObject(e)) continue;
      out[name] = { ...(typeof e.summary === 'string' ? { summary: e.summary } : {}), ...(typeof e.description === 'string' ? { description: e.description } : {}), value: e.value };
    }
    if (Object.keys(out).length > 0) return out;
  }
  return media.example !== undefined ? { default: { value: media.example } } : undefined;
}

/** The type a representation's schema is (`status` for a response's), when the import keeps schemas. */
export type TypeOf = (schema: unknown, contentType: string, status?: number) => string | undefined;

/** `{contentType}` with its typeName, when its schema has one. */
function represent(contentType: string, typeOf: TypeOf | undefined, schema: unknown, status?: number): Representation {
  const typeName = schema === undefined ? undefined : typeOf?.(schema, contentType, status);
  return { contentType, ...(typeName !== undefined ? { typeName } : {}) };
}

/** OpenAPI 3 `content`: one representation per media type. */
function contentRepresentations(content: unknown, typeOf: TypeOf | undefined, status?: number): Representation[] {
  if (!isObject(content)) return [];
  return Object.entries(content)
    .slice(0, 50)
    .map(([contentType, media]) => {
      const examples = isObject(media) ? examplesOf(media) : undefined;
      return { ...represent(contentType.slice(0, 100), typeOf, isObject(media) ? media.schema : undefined, status), ...(examples ? { examples } : {}) };
    });
}

/** The header parameters of a 3.x response (`headers: {Name: {schema, description}}`) or a 2.0 one (`{Name: {type}}`). */
function responseHeaders(headers: unknown, toParameter: (p: Json) => TemplateParameter | undefined): TemplateParameter[] {
  if (!isObject(headers)) return [];
  return Object.entries(headers)
    .filter(([, h]) => isObject(h))
    .map(([name, h]) => toParameter({ ...(h as Json), name, in: 'header' }))
    .filter((p): p is TemplateParameter => p !== undefined)
    .slice(0, 100);
}

export interface DescriptionInput {
  swagger: boolean;
  document: Json;
  method: string;
  operation: Json;
  /** The operation's parameters (path-level merged), raw. */
  parameters: Json[];
  /** Query parameters already in the URL template. */
  inTemplate: ReadonlySet<string>;
  toParameter(p: Json): TemplateParameter | undefined;
  typeOf?: TypeOf | undefined;
}

const NO_BODY = new Set(['get', 'head', 'options']);

function mediaTypes(list: unknown, fallback: unknown): string[] {
  const types = Array.isArray(list) ? list : Array.isArray(fallback) ? fallback : ['application/json'];
  return types.filter((t): t is string => typeof t === 'string').slice(0, 50);
}

export function requestOf(d: DescriptionInput): OperationRequest | null {
  const parameter = (where: string) =>
    d.parameters
      .filter((p) => p.in === where && !(where === 'query' && d.inTemplate.has(String(p.name))))
      .map(d.toParameter)
      .filter((p): p is TemplateParameter => p !== undefined)
      .slice(0, 100);
  const queryParameters = parameter('query');
  const headers = parameter('header');
  let representations: Representation[] = [];
  if (!NO_BODY.has(d.method)) {
    if (d.swagger) {
      const form = parameter('formData');
      const consumes = mediaTypes(d.operation.consumes, d.document.consumes);
      const body = d.parameters.find((p) => p.in === 'body');
      if (body) representations = consumes.map((contentType) => represent(contentType, d.typeOf, body.schema));
      else if (form.length > 0) {
        const formTypes = consumes.filter((t) => t === 'multipart/form-data' || t === 'application/x-www-form-urlencoded');
        representations = (formTypes.length ? formTypes : ['application/x-www-form-urlencoded']).map((contentType) => ({ contentType, formParameters: form }));
      }
    } else if (isObject(d.operation.requestBody)) {
      representations = contentRepresentations(d.operation.requestBody.content, d.typeOf);
    }
  }
  const description = !d.swagger && isObject(d.operation.requestBody) && typeof d.operation.requestBody.description === 'string' ? d.operation.requestBody.description.slice(0, 1000) : undefined;
  if (queryParameters.length === 0 && headers.length === 0 && representations.length === 0 && description === undefined) return null;
  return { ...(description !== undefined ? { description } : {}), queryParameters, headers, representations };
}

export function responsesOf(d: DescriptionInput): OperationResponse[] {
  const responses = isObject(d.operation.responses) ? d.operation.responses : {};
  const out: OperationResponse[] = [];
  for (const [code, response] of Object.entries(responses)) {
    // `default` and ranges such as `2XX` have no single status code in Azure's contract.
    if (!/^[1-5]\d\d$/.test(code) || !isObject(response)) continue;
    let representations: Representation[];
    if (d.swagger) {
      const examples = isObject(response.examples) ? response.examples : {};
      representations =
        response.schema !== undefined || Object.keys(examples).length > 0
          ? mediaTypes(d.operation.produces, d.document.produces).map((contentType) =>
              examples[contentType] !== undefined
                ? { ...represent(contentType, d.typeOf, response.schema, Number(code)), examples: { default: { value: examples[contentType] } } }
                : represent(contentType, d.typeOf, response.schema, Number(code)),
            )
          : [];
    } else representations = contentRepresentations(response.content, d.typeOf, Number(code));
    out.push({
      statusCode: Number(code),
      ...(typeof response.description === 'string' ? { description: response.description.slice(0, 1000) } : {}),
      representations,
      headers: responseHeaders(response.headers, d.toParameter),
    });
  }
  return out.slice(0, 100);
}
