/**
 * What an API and its operations become from a validated, dereferenced OpenAPI 3.x or Swagger 2.0
 * document, as Azure derives them (POLICIES-IMPORT-REPORTS.md, "API import and export").
 *
 * Ignored on purpose, as Azure ignores them: cookie parameters, security schemes and requirements.
 * The other parameters, bodies and responses become the operation's request and responses
 * (descriptions.ts): documentation, not routing.
 */
import { validationError, type ErrorDetail } from '../errors.js';
import { OPERATION_DESCRIPTION_MAX, OPERATION_DISPLAY_NAME_MAX, API_DISPLAY_NAME_MAX, API_DESCRIPTION_MAX, type ApiProtocol, type TemplateParameter } from '../api-input.js';
import { type OperationRequest, type OperationResponse } from '../api-input.js';
import { baseOperationName, uniqueNames } from './names.js';
import { requestOf, responsesOf, type TypeOf } from './descriptions.js';
import { schemaTypes } from './schemas.js';
import type { ApiSchemaInput } from '../api-schema-input.js';

export type RequiredQueryMode = 'template' | 'query';

export interface ImportedOperation {
  name: string;
  displayName: string;
  method: string;
  urlTemplate: string;
  description: string | null;
  templateParameters: TemplateParameter[];
  request: OperationRequest | null;
  responses: OperationResponse[];
}

export interface ImportedApi {
  displayName: string | undefined;
  description: string | null;
  serviceUrl: string | undefined;
  protocols: ApiProtocol[] | undefined;
  operations: ImportedOperation[];
  /**
   * The API's schema: the document's named types and the inline schemas of its representations
   * (schemas.ts), whose typeNames the representations carry; undefined when it has none. The
   * import stores it and sets each representation's schemaId.
   */
  schema?: ApiSchemaInput | undefined;
}

type Json = Record<string, unknown>;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const TEMPLATE_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

/** A JSON pointer segment (RFC 6901). */
export function pointerSegment(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

interface Parameter {
  name: string;
  in: string;
  required: boolean;
  type: string;
  description: string | undefined;
  defaultValue: string | undefined;
  values: string[] | undefined;
}

/** A parameter of either version: 3.x keeps type, default and enum under `schema`, 2.0 on the parameter. */
function readParameter(p: Json): Parameter | undefined {
  const name = str(p.name);
  const location = str(p.in);
  if (!name || !location) return undefined;
  const schema = isObject(p.schema) ? p.schema : p;
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  const scalar = (v: unknown) => (v === undefined || v === null ? undefined : typeof v === 'string' ? v : JSON.stringify(v));
  return {
    name,
    in: location,
    required: p.required === true || location === 'path',
    type: typeof type === 'string' ? type : 'string',
    description: str(p.description),
    defaultValue: scalar(schema.default),
    values: Array.isArray(schema.enum) ? schema.enum.map((v) => scalar(v) ?? 'null') : undefined,
  };
}

/** Path-level parameters apply to every operation unless the operation redeclares the same name and location. */
function mergedParameters(pathItem: Json, operation: Json): Json[] {
  const list = (v: unknown) => (Array.isArray(v) ? v.filter(isObject) : []);
  const own = list(operation.parameters);
  const inherited = list(pathItem.parameters).filter((p) => !own.some((o) => o.name === p.name && o.in === p.in));
  return [...inherited, ...own];
}

function templateParameter(p: Parameter): TemplateParameter {
  return {
    name: p.name,
    type: p.type,
    required: p.required,
    ...(p.description !== undefined ? { description: p.description.slice(0, 1000) } : {}),
    ...(p.defaultValue !== undefined ? { defaultValue: p.defaultValue.slice(0, 1000) } : {}),
    ...(p.values !== undefined ? { values: p.values.slice(0, 100) } : {}),
  };
}

function protocolOf(scheme: string): ApiProtocol | undefined {
  const s = scheme.toLowerCase().replace(/:$/, '');
  return s === 'http' || s === 'https' || s === 'ws' || s === 'wss' ? s : undefined;
}

/** A server's URL with its variables at their defaults; undefined when relative or a variable has no default. */
function serverUrl(server: Json): string | undefined {
  const url = str(server.url);
  if (!url) return undefined;
  const variables = isObject(server.variables) ? server.variables : {};
  const resolved = url.replace(/\{([^}]+)\}/g, (whole, name: string) => {
    const v = variables[name];
    return isObject(v) && typeof v.default === 'string' ? v.default : whole;
  });
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(resolved) && !resolved.includes('{') ? resolved : undefined;
}

/**
 * 3.x: the first server's URL (absolute; a relative one gives none). The protocols are not taken
 * from the servers: Azure's own example imports a document served on http:// as an https API.
 */
function serverOf3(doc: Json): { serviceUrl?: string; protocols?: ApiProtocol[] } {
  const first = Array.isArray(doc.servers) && isObject(doc.servers[0]) ? serverUrl(doc.servers[0]) : undefined;
  return first ? { serviceUrl: first.replace(/\/+$/, '') } : {};
}

/** 2.0: scheme (the first listed, https when none) + host + basePath; no host gives none. */
function serverOf2(doc: Json): { serviceUrl?: string; protocols?: ApiProtocol[] } {
  const schemes = Array.isArray(doc.schemes) ? doc.schemes.map(String) : [];
  const protocols = [...new Set(schemes.map(protocolOf).filter((p): p is ApiProtocol => p !== undefined))];
  const host = str(doc.host);
  if (!host) return protocols.length ? { protocols } : {};
  const basePath = (str(doc.basePath) ?? '').replace(/\/+$/, '');
  return { serviceUrl: `${protocols[0] ?? 'https'}://${host}${basePath}`, ...(protocols.length ? { protocols } : {}) };
}

function toParameter(p: Json): TemplateParameter | undefined {
  const read = readParameter(p);
  return read && templateParameter(read);
}

function descriptionsOf(doc: Json, method: string, operation: Json, parameters: Json[], inTemplate: Set<string>, typeOf: TypeOf | undefined) {
  const input = { swagger: typeof doc.swagger === 'string', document: doc, method, operation, parameters, inTemplate, toParameter, typeOf };
  return { request: requestOf(input), responses: responsesOf(input) };
}

/**
 * The API and its operations. Throws a ValidationError naming (as a JSON pointer into the
 * document) each operation whose path cannot become a URL template. Given the document as written
 * (`raw`, before dereferencing), the named types are kept as the API's schema and each
 * representation with a schema names its type (schemas.ts).
 */
export function deriveApi(doc: Json, mode: RequiredQueryMode = 'template', raw?: Json): ImportedApi {
  const info = isObject(doc.info) ? doc.info : {};
  const server = typeof doc.swagger === 'string' ? serverOf2(doc) : serverOf3(doc);
  const problems: ErrorDetail[] = [];
  type Found = Omit<ImportedOperation, 'name' | 'request' | 'responses'> & { base: string; describe(name: string): Pick<ImportedOperation, 'request' | 'responses'> };
  const found: Found[] = [];
  const types = raw ? schemaTypes(raw, doc) : undefined;
  const paths = isObject(doc.paths) ? doc.paths : {};
  for (const [path, pathItem] of Object.entries(paths)) {
    if (!isObject(pathItem)) continue;
    for (const method of METHODS) {
      const operation = pathItem[method];
      if (!isObject(operation)) continue;
      const pointer = `/paths/${pointerSegment(path)}/${method}`;
      const merged = mergedParameters(pathItem, operation);
      const parameters = merged.map(readParameter).filter((p): p is Parameter => p !== undefined);
      const pathNames = [...path.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]!);
      const bad = pathNames.find((n) => !TEMPLATE_NAME.test(n));
      if (bad !== undefined) {
        problems.push({ code: 'ValidationError', target: pointer, message: `The path parameter '{${bad}}' cannot be a URL template parameter: names are letters, digits, _ and -, not starting with a digit.` });
        continue;
      }
      const pathParameters = pathNames.map(
        (n) => parameters.find((p) => p.in === 'path' && p.name === n) ?? { name: n, in: 'path', required: true, type: 'string', description: undefined, defaultValue: undefined, values: undefined },
      );
      const templateQuery = mode === 'template' ? parameters.filter((p) => p.in === 'query' && p.required && TEMPLATE_NAME.test(p.name)) : [];
      const query = templateQuery.map((p) => `${p.name}={${p.name}}`).join('&');
      const operationId = str(operation.operationId);
      const summary = str(operation.summary);
      const description = str(operation.description) ?? null;
      found.push({
        base: baseOperationName(operationId, method, path),
        displayName: (summary ?? operationId ?? `${method.toUpperCase()} ${path}`).trim().slice(0, OPERATION_DISPLAY_NAME_MAX),
        method: method.toUpperCase(),
        urlTemplate: query ? `${path}?${query}` : path,
        description: description === null ? null : description.slice(0, OPERATION_DESCRIPTION_MAX),
        templateParameters: [...pathParameters, ...templateQuery].map(templateParameter),
        // Described once the names are known: generated schema type names start with the operation's.
        describe: (name) =>
          descriptionsOf(doc, method, operation, merged, new Set(templateQuery.map((p) => p.name)), types && ((schema, contentType, status) => types.typeOf(schema, name, contentType, status))),
      });
    }
  }
  if (problems.length > 0) throw validationError('The API definition cannot be imported.', problems);
  const names = uniqueNames(found.map((o) => o.base));
  const operations = found.map(({ base: _base, describe, ...o }, i) => ({ name: names[i]!, ...o, ...describe(names[i]!) }));
  return {
    displayName: str(info.title)?.trim().slice(0, API_DISPLAY_NAME_MAX),
    description: str(info.description)?.slice(0, API_DESCRIPTION_MAX) ?? null,
    serviceUrl: server.serviceUrl,
    protocols: server.protocols,
    operations,
    ...(types ? { schema: types.result() } : {}),
  };
}
