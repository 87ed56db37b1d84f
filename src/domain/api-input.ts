/**
 * What a caller may send to create or change an API or one of its operations, as zod schemas, and
 * the rules for API paths and operation URL templates. Limits come from Azure's specification.
 *
 * Azure's API contract carries many features Tollgate does not implement (import, versions,
 * revisions, SOAP, OAuth settings, ...). A request that sets one of them is refused with a message
 * naming the feature rather than half-applied: `checkSupported` runs before the schemas. Empty
 * values (null, '', [], {}) of those properties are what generic clients send when they do not use
 * the feature, and pass.
 */
import { z } from 'zod';
import { AppError, invalidField, validationError } from './errors.js';
import { parseInput, text } from './validate.js';

export const API_ID_MAX = 256;
/** Azure's ApiIdRevParameter. */
export const API_ID_PATTERN = /^[^*#&+:<>?]+$/;
export const OPERATION_ID_MAX = 80;
export const API_DISPLAY_NAME_MAX = 300;
export const API_DESCRIPTION_MAX = 20000;
export const API_PATH_MAX = 400;
export const API_SERVICE_URL_MAX = 2000;
export const OPERATION_DISPLAY_NAME_MAX = 300;
export const OPERATION_DESCRIPTION_MAX = 1000;
export const URL_TEMPLATE_MAX = 1000;
export const TEMPLATE_PARAMETERS_MAX = 50;

export const API_PROTOCOLS = ['http', 'https', 'ws', 'wss'] as const;
export type ApiProtocol = (typeof API_PROTOCOLS)[number];
export const DEFAULT_PROTOCOLS: readonly ApiProtocol[] = Object.freeze(['https']);
export const DEFAULT_KEY_HEADER = 'Ocp-Apim-Subscription-Key';
export const DEFAULT_KEY_QUERY = 'subscription-key';
/** The only API type Tollgate serves. */
export const API_TYPE = 'http';
/** Tollgate keeps one revision of each API, echoed as Azure's first revision. */
export const API_REVISION = '1';

// ---------------------------------------------------------------------------------------------
// Features out of scope

/** How deep an "empty" value may nest; anything deeper is not what a client sends for a feature it does not use. */
const EMPTY_VALUE_MAX_DEPTH = 8;

function isEmptyValue(value: unknown, depth = 0): boolean {
  if (value === undefined || value === null || value === '') return true;
  if (typeof value !== 'object' || depth >= EMPTY_VALUE_MAX_DEPTH) return false;
  const children = Array.isArray(value) ? value : Object.values(value as Record<string, unknown>);
  return children.every((child) => isEmptyValue(child, depth + 1));
}

function notSupported(target: string, message: string): AppError {
  return validationError(message, [{ code: 'ValidationError', target, message }]);
}

const IMPORT = 'Importing WSDL definitions (wsdlSelector) is not supported by Tollgate.';
const IMPORT_ON_PATCH = 'An API definition is imported with PUT (format and value); PATCH changes the API\'s own properties only.';
const VERSIONS = 'API versions and version sets are not supported by Tollgate.';
const REVISIONS = 'API revisions are not supported by Tollgate: every API has the single revision 1.';
const TYPES = `SOAP, WebSocket, GraphQL, OData and gRPC APIs are not supported by Tollgate; only HTTP APIs (type '${API_TYPE}') are.`;

/** Properties of an API that belong to features Tollgate does not implement, and why each is refused. */
const UNSUPPORTED_API_PROPERTIES: Readonly<Record<string, string>> = {
  wsdlSelector: IMPORT,
  apiVersionSet: VERSIONS,
  apiVersionSetId: VERSIONS,
  apiVersion: VERSIONS,
  apiVersionDescription: VERSIONS,
  sourceApiId: REVISIONS,
  apiRevisionDescription: REVISIONS,
  soapApiType: TYPES,
  authenticationSettings: 'Authentication settings (OAuth 2.0 and OpenID Connect authorization servers) are not supported by Tollgate.',
  termsOfServiceUrl: 'API terms of service, contact and license information are not supported by Tollgate.',
  contact: 'API terms of service, contact and license information are not supported by Tollgate.',
  license: 'API terms of service, contact and license information are not supported by Tollgate.',
};

/** Read-only properties a client may send back from a GET; they are checked to say what is stored, then dropped. */
const API_READ_ONLY = ['isOnline', 'provisioningState'] as const;

const API_PROPERTIES = [
  'displayName',
  'description',
  'path',
  'serviceUrl',
  'protocols',
  'subscriptionRequired',
  'subscriptionKeyParameterNames',
  'type',
  'apiType',
  'apiRevision',
  'isCurrent',
] as const;

const OPERATION_PROPERTIES = ['displayName', 'method', 'urlTemplate', 'description', 'templateParameters', 'request', 'responses'] as const;

const UNSUPPORTED_OPERATION_PROPERTIES: Readonly<Record<string, string>> = {
  policies: 'Policies are not supported by Tollgate.',
};

function asObject(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidField('properties', 'must be a JSON object.');
  return value as Record<string, unknown>;
}

function unknownProperty(key: string, entity: string): AppError {
  return invalidField(key, `is not a property of ${entity} that Tollgate knows.`);
}

/**
 * Refuses the properties of out-of-scope features, with a message naming the feature, and any
 * property Azure's API contract does not have. Returns the remaining properties for the schema.
 */
export function checkApiProperties(value: unknown): Record<string, unknown> {
  const props = asObject(value);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(props)) {
    if ((IMPORT_PROPERTIES as readonly string[]).includes(key)) {
      if (!isEmptyValue(v)) throw notSupported(key, IMPORT_ON_PATCH);
      continue;
    }
    const unsupported = UNSUPPORTED_API_PROPERTIES[key];
    if (unsupported !== undefined) {
      if (!isEmptyValue(v)) throw notSupported(key, unsupported);
      continue;
    }
    if ((API_READ_ONLY as readonly string[]).includes(key)) continue;
    if (!(API_PROPERTIES as readonly string[]).includes(key)) throw unknownProperty(key, 'an API');
    out[key] = v;
  }
  if (out.type !== undefined && out.type !== null && out.type !== API_TYPE) {
    throw notSupported('type', `APIs of type '${String(out.type)}' are not supported by Tollgate; only HTTP APIs (type '${API_TYPE}') are.`);
  }
  if (out.apiType !== undefined && out.apiType !== null && out.apiType !== API_TYPE) {
    throw notSupported('apiType', `APIs of type '${String(out.apiType)}' are not supported by Tollgate; only HTTP APIs (type '${API_TYPE}') are.`);
  }
  if (out.apiRevision !== undefined && out.apiRevision !== null && out.apiRevision !== API_REVISION) {
    throw notSupported('apiRevision', REVISIONS);
  }
  if (out.isCurrent === false) throw notSupported('isCurrent', REVISIONS);
  return out;
}

export function checkOperationProperties(value: unknown): Record<string, unknown> {
  const props = asObject(value);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(props)) {
    const unsupported = UNSUPPORTED_OPERATION_PROPERTIES[key];
    if (unsupported !== undefined) {
      if (!isEmptyValue(v)) throw notSupported(key, unsupported);
      continue;
    }
    if (!(OPERATION_PROPERTIES as readonly string[]).includes(key)) throw unknownProperty(key, 'an API operation');
    out[key] = v;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// API paths and backend URLs

/** The stored form of an API path: no leading or trailing slash. */
export function normalizeApiPath(path: string): string {
  return path.replace(/^\/+/, '').replace(/\/+$/, '');
}

const PATH_FORBIDDEN = /[\s\u0000-\u001f\u007f?#{}*\\%]/;

function apiPathProblem(path: string): string | undefined {
  if (path.length > API_PATH_MAX) return `must be at most ${API_PATH_MAX} characters`;
  if (PATH_FORBIDDEN.test(path)) return 'must not contain white space, ?, #, {, }, *, \\ or %';
  if (path !== '' && path.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) {
    return "must not contain empty, '.' or '..' segments";
  }
  return undefined;
}

export function isHttpUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' && !/\s/.test(value);
}

// ---------------------------------------------------------------------------------------------
// Operation URL templates

const TEMPLATE_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * The `{name}`s of a URL template: `/path/{a}/segments[/*][?query={b}]`. It must start with `/`;
 * a `*` may only be the last path segment (a wildcard); braces must pair up around identifiers,
 * each used once. Throws with the reason when the template is not valid.
 */
export function urlTemplateParameters(template: string): string[] {
  const fail = (message: string): never => {
    throw invalidField('urlTemplate', message);
  };
  if (!template.startsWith('/')) fail("must start with '/'.");
  if (/[\s\u0000-\u001f\u007f#]/.test(template)) fail('must not contain white space or #.');
  const queryAt = template.indexOf('?');
  const path = queryAt === -1 ? template : template.slice(0, queryAt);
  const star = path.indexOf('*');
  if (star !== -1 && (star !== path.length - 1 || !path.endsWith('/*'))) fail("may contain '*' only as a final '/*' wildcard.");
  if (path.includes('//')) fail('must not contain empty path segments.');
  const names: string[] = [];
  let i = 0;
  while (i < template.length) {
    const c = template[i];
    if (c === '}') fail(`has a '}' without a matching '{' at position ${i}.`);
    if (c !== '{') {
      i += 1;
      continue;
    }
    const close = template.indexOf('}', i + 1);
    if (close === -1) fail(`has a '{' without a matching '}' at position ${i}.`);
    const name = template.slice(i + 1, close);
    if (name.includes('{')) fail(`has a '{' inside another at position ${i}.`);
    if (!TEMPLATE_NAME.test(name)) {
      fail(`has an invalid parameter name '{${name.slice(0, 40)}}': names are identifiers (letters, digits, _ and -, not starting with a digit).`);
    }
    if (names.includes(name)) fail(`uses the parameter '{${name}}' more than once.`);
    names.push(name);
    i = close + 1;
  }
  return names;
}

export interface TemplateParameter {
  name: string;
  type: string;
  description?: string | undefined;
  defaultValue?: string | undefined;
  required?: boolean | undefined;
  values?: string[] | undefined;
  schemaId?: string | undefined;
  typeName?: string | undefined;
  examples?: Record<string, unknown> | undefined;
}

/** Azure's rule: the parameters declared and the `{name}`s of the template are the same set. */
export function checkTemplateParameters(template: string, parameters: readonly TemplateParameter[]): void {
  const used = urlTemplateParameters(template);
  const declared = parameters.map((p) => p.name);
  const duplicate = declared.find((name, i) => declared.indexOf(name) !== i);
  if (duplicate !== undefined) throw invalidField('templateParameters', `declares '${duplicate}' more than once.`);
  const undeclared = used.filter((name) => !declared.includes(name));
  if (undeclared.length > 0) {
    throw invalidField('templateParameters', `must declare every parameter of the URL template; missing: ${undeclared.join(', ')}.`);
  }
  const unused = declared.filter((name) => !used.includes(name));
  if (unused.length > 0) {
    throw invalidField('templateParameters', `declares parameters the URL template does not use: ${unused.join(', ')}.`);
  }
}

// ---------------------------------------------------------------------------------------------
// Schemas

const displayName = text()
  .trim()
  .min(1, 'is required')
  .max(API_DISPLAY_NAME_MAX, `must be at most ${API_DISPLAY_NAME_MAX} characters`);
const description = text().max(API_DESCRIPTION_MAX, `must be at most ${API_DESCRIPTION_MAX} characters`).nullable();
const path = text()
  .max(API_PATH_MAX + 2, `must be at most ${API_PATH_MAX} characters`)
  .transform(normalizeApiPath)
  .superRefine((value, ctx) => {
    const problem = apiPathProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
const serviceUrl = text()
  .max(API_SERVICE_URL_MAX, `must be at most ${API_SERVICE_URL_MAX} characters`)
  .refine((v) => v === '' || isHttpUrl(v), 'must be an absolute http or https URL')
  .transform((v) => (v === '' ? null : v))
  .nullable();
const protocols = z
  .array(z.enum(API_PROTOCOLS, { error: `must be one of ${API_PROTOCOLS.join(', ')}` }), { error: 'must be an array' })
  .min(1, 'must name at least one protocol')
  .max(10, 'must name each protocol once')
  // One canonical order, each protocol once.
  .transform((list) => API_PROTOCOLS.filter((p) => list.includes(p)));
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const QUERY_NAME = /^[^\s\u0000-\u001f\u007f&=#?+%]+$/;
const keyNames = z.object(
  {
    header: text().min(1, 'is required').max(100, 'must be at most 100 characters').regex(HEADER_NAME, 'must be a valid HTTP header name').optional(),
    query: text()
      .min(1, 'is required')
      .max(100, 'must be at most 100 characters')
      .regex(QUERY_NAME, 'must not contain white space, &, =, #, ?, + or %')
      .optional(),
  },
  { error: 'must be an object with header and query' },
);
const subscriptionRequired = z.boolean({ error: 'must be true or false' });

export const apiCreateInput = z.object({
  displayName: displayName.optional(),
  description: description.optional(),
  path: z.string({ error: 'is required' }).pipe(path),
  serviceUrl: serviceUrl.optional(),
  protocols: protocols.optional(),
  subscriptionRequired: subscriptionRequired.optional(),
  subscriptionKeyParameterNames: keyNames.nullable().optional(),
});
export type ApiCreateInput = z.output<typeof apiCreateInput>;

export const apiUpdateInput = z.object({
  displayName: displayName.optional(),
  description: description.optional(),
  path: path.optional(),
  serviceUrl: serviceUrl.optional(),
  protocols: protocols.optional(),
  subscriptionRequired: subscriptionRequired.optional(),
  subscriptionKeyParameterNames: keyNames.nullable().optional(),
});
export type ApiUpdateInput = z.output<typeof apiUpdateInput>;

/** PUT: the properties checked for out-of-scope features, then the schema. */
export function parseApiCreate(value: unknown): ApiCreateInput {
  return parseInput(apiCreateInput, checkApiProperties(value));
}

// ---------------------------------------------------------------------------------------------
// Import (PUT with format and value)

/** The properties of a PUT that import a definition; the formats themselves are checked by the import. */
const IMPORT_PROPERTIES = ['format', 'value', 'translateRequiredQueryParameters'] as const;

export interface ApiImportRequest {
  format: string;
  value: string;
  /** `template` (Azure's default): required query parameters become template parameters. */
  translateRequiredQueryParameters: 'template' | 'query';
}

/**
 * The largest definition an import reads, inline or downloaded (10 MiB; counted in characters
 * inline, in bytes downloaded: the same for the ASCII that definitions are made of).
 */
export const API_DEFINITION_MAX = 10 * 1024 * 1024;

const importInput = z.object({
  format: text().trim().min(1, 'is required').max(100, 'must be at most 100 characters'),
  value: z
    .string({ error: 'must be the API definition (a string)' })
    .min(1, 'is required')
    .max(API_DEFINITION_MAX, `must be at most ${API_DEFINITION_MAX} characters (10 MB): the API definition is larger than an import takes`),
  translateRequiredQueryParameters: z.enum(['template', 'query'], { error: "must be 'template' or 'query'" }).nullable().optional(),
});

/**
 * A PUT of an API: its properties, and the import it asks for when `format` is given (the
 * document's title, description and server fill in what the properties leave out).
 */
export function parseApiPut(value: unknown): { input: ApiCreateInput; import: ApiImportRequest | undefined } {
  const props = asObject(value);
  const rest = Object.fromEntries(Object.entries(props).filter(([k]) => !(IMPORT_PROPERTIES as readonly string[]).includes(k)));
  const input = parseApiCreate(rest);
  if (isEmptyValue(props.format) && isEmptyValue(props.value)) {
    if (!isEmptyValue(props.translateRequiredQueryParameters)) {
      throw invalidField('translateRequiredQueryParameters', 'applies only to an import: give format and value (the API definition) with it.');
    }
    return { input, import: undefined };
  }
  const request = parseInput(importInput, Object.fromEntries(IMPORT_PROPERTIES.map((k) => [k, props[k] ?? undefined])));
  return { input, import: { format: request.format.toLowerCase(), value: request.value, translateRequiredQueryParameters: request.translateRequiredQueryParameters ?? 'template' } };
}

export function parseApiUpdate(value: unknown): ApiUpdateInput {
  return parseInput(apiUpdateInput, checkApiProperties(value));
}

const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const method = text()
  .min(1, 'is required')
  .max(30, 'must be at most 30 characters')
  .regex(METHOD, 'must be an HTTP method (a token such as GET, POST or PATCH)')
  .transform((m) => m.toUpperCase());
const urlTemplate = text()
  .min(1, 'is required')
  .max(URL_TEMPLATE_MAX, `must be at most ${URL_TEMPLATE_MAX} characters`)
  .superRefine((value, ctx) => {
    try {
      urlTemplateParameters(value);
    } catch (error) {
      const detail = error instanceof AppError ? error.details[0]?.message : undefined;
      ctx.addIssue({ code: 'custom', message: detail ?? 'is not a valid URL template' });
    }
  });
const operationDisplayName = text()
  .trim()
  .min(1, 'is required')
  .max(OPERATION_DISPLAY_NAME_MAX, `must be at most ${OPERATION_DISPLAY_NAME_MAX} characters`);
const operationDescription = text()
  .max(OPERATION_DESCRIPTION_MAX, `must be at most ${OPERATION_DESCRIPTION_MAX} characters`)
  .nullable();
const shortText = (max: number) => text().max(max, `must be at most ${max} characters`);
const templateParameter = z.strictObject(
  {
    name: text().min(1, 'is required').max(256, 'must be at most 256 characters'),
    type: text().min(1, 'is required').max(100, 'must be at most 100 characters'),
    description: shortText(1000).optional(),
    defaultValue: shortText(1000).optional(),
    required: z.boolean({ error: 'must be true or false' }).optional(),
    values: z.array(shortText(1000)).max(100, 'at most 100 values').optional(),
    schemaId: shortText(256).optional(),
    typeName: shortText(256).optional(),
    examples: z.record(z.string(), z.unknown()).optional(),
  },
  { error: 'must be an object with name and type' },
);
const templateParameters = z
  .array(templateParameter, { error: 'must be an array' })
  .max(TEMPLATE_PARAMETERS_MAX, `at most ${TEMPLATE_PARAMETERS_MAX} parameters`)
  .nullable();

// Azure's request and response descriptions (RequestContract, ResponseContract): documentation of
// the operation, stored as given (nulls too: generic clients send them for what they leave out); the
// gateway does not enforce them.
const parameterList = z.array(templateParameter, { error: 'must be an array' }).max(100, 'at most 100 parameters');
const representation = z.strictObject(
  {
    contentType: text().min(1, 'is required').max(100, 'must be at most 100 characters'),
    schemaId: shortText(256).optional(),
    typeName: shortText(256).optional(),
    formParameters: parameterList.nullable().optional(),
    examples: z.record(z.string(), z.unknown()).nullable().optional(),
  },
  { error: 'must be an object with contentType' },
);
const representations = z.array(representation, { error: 'must be an array' }).max(50, 'at most 50 representations');
const operationRequest = z.strictObject(
  {
    description: shortText(1000).optional(),
    queryParameters: parameterList.nullable().optional(),
    headers: parameterList.nullable().optional(),
    representations: representations.nullable().optional(),
  },
  { error: 'must be an object' },
);
const operationResponse = z.strictObject(
  {
    statusCode: z.number({ error: 'must be an HTTP status code' }).int('must be an HTTP status code').min(100, 'must be an HTTP status code').max(599, 'must be an HTTP status code'),
    description: shortText(1000).optional(),
    representations: representations.nullable().optional(),
    headers: parameterList.nullable().optional(),
  },
  { error: 'must be an object with statusCode' },
);
const operationResponses = z.array(operationResponse, { error: 'must be an array' }).max(100, 'at most 100 responses');
export type OperationRequest = z.output<typeof operationRequest>;
export type OperationResponse = z.output<typeof operationResponse>;

export const operationCreateInput = z.object({
  displayName: operationDisplayName,
  method: z.string({ error: 'is required' }).pipe(method),
  urlTemplate: z.string({ error: 'is required' }).pipe(urlTemplate),
  description: operationDescription.optional(),
  templateParameters: templateParameters.optional(),
  request: operationRequest.nullable().optional(),
  responses: operationResponses.nullable().optional(),
});
export type OperationCreateInput = z.output<typeof operationCreateInput>;

export const operationUpdateInput = z.object({
  displayName: operationDisplayName.optional(),
  method: method.optional(),
  urlTemplate: urlTemplate.optional(),
  description: operationDescription.optional(),
  templateParameters: templateParameters.optional(),
  request: operationRequest.nullable().optional(),
  responses: operationResponses.nullable().optional(),
});
export type OperationUpdateInput = z.output<typeof operationUpdateInput>;

export function parseOperationCreate(value: unknown): OperationCreateInput {
  return parseInput(operationCreateInput, checkOperationProperties(value));
}

export function parseOperationUpdate(value: unknown): OperationUpdateInput {
  return parseInput(operationUpdateInput, checkOperationProperties(value));
}
