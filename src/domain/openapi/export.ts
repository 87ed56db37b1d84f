/**
 * An API and its operations as an OpenAPI 3.0.1 document (Azure exports OpenAPI 3 as 3.0.1) or a
 * Swagger 2.0 one: the inverse of derive.ts, so that importing an export gives back the same
 * operations (names, methods, URL templates, template parameters). The URL template's query part
 * (`?a={a}`, what an import makes of required query parameters) becomes required query parameters
 * again; its `{name}`s in the path become path parameters. The stored request and responses
 * (descriptions.ts) give the other parameters, the bodies and the responses; a representation that
 * names a type of the API's schemas gets a `$ref` to it, and the types go into
 * `components.schemas` or `definitions` (export-schemas.ts).
 */
import type { OperationRequest, OperationResponse, TemplateParameter } from '../api-input.js';
import type { ApiSchema } from '../api-schema.js';
import { exportedTypes, type ExportedTypes } from './export-schemas.js';

/** What the export reads of an API (the service layer's ApiView fits). */
export interface ExportedApi {
  displayName: string;
  description: string | null;
  serviceUrl: string | null;
}

/** What the export reads of an operation (the service layer's ExportedOperation fits). */
export interface ExportedOperation {
  id: string;
  displayName: string;
  method: string;
  urlTemplate: string;
  description: string | null;
  templateParameters: TemplateParameter[];
  request: Record<string, unknown> | null;
  responses: unknown[] | null;
}

export type ExportVersion = 'openapi3' | 'swagger2';

type Json = Record<string, unknown>;
type Representation = NonNullable<OperationRequest['representations']>[number];

const SCALAR_TYPES = new Set(['string', 'number', 'integer', 'boolean']);
/** Methods whose bodies an import drops (derive.ts): none are exported either. */
const NO_BODY = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A stored default (text, as Azure keeps it) as a value of the parameter's type, when it reads as one. */
function typedValue(type: string, text: string): unknown {
  if (type === 'integer' || type === 'number') return Number.isFinite(Number(text)) && text.trim() !== '' ? Number(text) : undefined;
  if (type === 'boolean') return text === 'true' ? true : text === 'false' ? false : undefined;
  return text;
}

/** The JSON-schema part of a parameter: only the scalar types (and arrays of strings) a parameter can be. */
function parameterSchema(p: TemplateParameter): Json {
  const type = p.type === 'array' ? 'array' : SCALAR_TYPES.has(p.type) ? p.type : 'string';
  const defaultValue = p.defaultValue !== undefined && type !== 'array' ? typedValue(type, p.defaultValue) : undefined;
  const values = p.values?.map((v) => typedValue(type, v)).filter((v) => v !== undefined);
  return {
    type,
    ...(type === 'array' ? { items: { type: 'string' } } : {}),
    ...(defaultValue !== undefined ? { default: defaultValue } : {}),
    ...(values && values.length > 0 && type !== 'array' ? { enum: values } : {}),
  };
}

function parameter3(p: TemplateParameter, where: string, required: boolean): Json {
  return { name: p.name, in: where, required, ...(p.description ? { description: p.description } : {}), schema: parameterSchema(p) };
}

function parameter2(p: TemplateParameter, where: string, required: boolean): Json {
  return { name: p.name, in: where, required, ...(p.description ? { description: p.description } : {}), ...parameterSchema(p) };
}

/** The path of a URL template and the names of the query part's `{name}`s (`/a/{id}?q={q}` → `/a/{id}`, [q]). */
export function splitTemplate(urlTemplate: string): { path: string; query: string[] } {
  const at = urlTemplate.indexOf('?');
  const rawPath = at < 0 ? urlTemplate : urlTemplate.slice(0, at);
  const query = at < 0 ? [] : [...urlTemplate.slice(at + 1).matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  return { path: rawPath.startsWith('/') ? rawPath : `/${rawPath}`, query };
}

/** The parameters of an operation as [parameter, location, required], the template's first. */
function parametersOf(o: ExportedOperation): [TemplateParameter, string, boolean][] {
  const { path, query } = splitTemplate(o.urlTemplate);
  const inPath = new Set([...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!));
  const byName = new Map(o.templateParameters.map((p) => [p.name, p]));
  const out: [TemplateParameter, string, boolean][] = [];
  for (const name of inPath) out.push([byName.get(name) ?? { name, type: 'string' }, 'path', true]);
  for (const name of query) out.push([byName.get(name) ?? { name, type: 'string' }, 'query', true]);
  const request = (o.request ?? {}) as OperationRequest;
  const taken = new Set(out.map(([p, where]) => `${where}:${p.name}`));
  for (const [list, where] of [[request.queryParameters, 'query'], [request.headers, 'header']] as const) {
    for (const p of list ?? []) {
      if (taken.has(`${where}:${p.name}`)) continue;
      taken.add(`${where}:${p.name}`);
      out.push([p, where, p.required === true]);
    }
  }
  return out;
}

type RefOf = ExportedTypes['refOf'];

/** The `$ref` of the first representation that names a type (a Swagger body or response has one schema for all). */
function firstRef(list: readonly Representation[], refOf: RefOf): Json | undefined {
  for (const r of list) {
    const ref = refOf(r.schemaId, r.typeName);
    if (ref) return ref;
  }
  return undefined;
}

/** Azure's named examples as OpenAPI 3 media examples; a lone `default` is the media type's `example`. */
function media3(r: Representation, refOf: RefOf): Json {
  const examples = r.examples ?? {};
  const names = Object.keys(examples);
  const form = r.formParameters ?? [];
  const ref = refOf(r.schemaId, r.typeName);
  const schema = form.length
    ? { schema: { type: 'object', properties: Object.fromEntries(form.map((p) => [p.name, parameterSchema(p)])), ...(form.some((p) => p.required) ? { required: form.filter((p) => p.required).map((p) => p.name) } : {}) } }
    : ref
      ? { schema: ref }
      : {};
  if (names.length === 1 && names[0] === 'default') {
    const only = examples.default as Json | undefined;
    return { ...schema, example: only && typeof only === 'object' ? only.value : only };
  }
  if (names.length === 0) return schema;
  const out: Json = {};
  for (const [name, e] of Object.entries(examples)) {
    const x = (e && typeof e === 'object' ? e : { value: e }) as Json;
    out[name] = { ...(typeof x.summary === 'string' ? { summary: x.summary } : {}), ...(typeof x.description === 'string' ? { description: x.description } : {}), value: x.value };
  }
  return { ...schema, examples: out };
}

const content3 = (list: readonly Representation[] | null | undefined, refOf: RefOf): Json => Object.fromEntries((list ?? []).map((r) => [r.contentType, media3(r, refOf)]));

/** Responses with no status code the import keeps (derive.ts reads only `1xx`–`5xx`): `default` satisfies the format. */
const NO_RESPONSES = { default: { description: 'Response' } };

function responses3(list: readonly OperationResponse[], refOf: RefOf): Json {
  if (list.length === 0) return NO_RESPONSES;
  return Object.fromEntries(
    list.map((r) => {
      const headers = Object.fromEntries((r.headers ?? []).map((h) => [h.name, { ...(h.description ? { description: h.description } : {}), schema: parameterSchema(h) }]));
      const content = content3(r.representations, refOf);
      return [String(r.statusCode), { description: r.description ?? '', ...(Object.keys(headers).length ? { headers } : {}), ...(Object.keys(content).length ? { content } : {}) }];
    }),
  );
}

function operation3(o: ExportedOperation, refOf: RefOf): Json {
  const request = (o.request ?? {}) as OperationRequest;
  const body = NO_BODY.has(o.method) ? {} : content3(request.representations, refOf);
  return {
    operationId: o.id,
    summary: o.displayName,
    ...(o.description ? { description: o.description } : {}),
    parameters: parametersOf(o).map(([p, where, required]) => parameter3(p, where, required)),
    ...(Object.keys(body).length ? { requestBody: { ...(request.description ? { description: request.description } : {}), content: body } } : {}),
    responses: responses3((o.responses ?? []) as OperationResponse[], refOf),
  };
}

function operation2(o: ExportedOperation, refOf: RefOf): Json {
  const request = (o.request ?? {}) as OperationRequest;
  const representations = NO_BODY.has(o.method) ? [] : (request.representations ?? []);
  const form = representations.find((r) => (r.formParameters ?? []).length > 0)?.formParameters ?? [];
  const parameters = parametersOf(o).map(([p, where, required]) => parameter2(p, where, required));
  if (form.length) parameters.push(...form.map((p) => parameter2(p, 'formData', p.required === true)));
  else if (representations.length) parameters.push({ name: 'body', in: 'body', ...(request.description ? { description: request.description } : {}), schema: firstRef(representations, refOf) ?? {} });
  const responses = (o.responses ?? []) as OperationResponse[];
  const produces = [...new Set(responses.flatMap((r) => (r.representations ?? []).map((x) => x.contentType)))];
  return {
    operationId: o.id,
    summary: o.displayName,
    ...(o.description ? { description: o.description } : {}),
    ...(representations.length ? { consumes: representations.map((r) => r.contentType) } : {}),
    ...(produces.length ? { produces } : {}),
    parameters,
    responses:
      responses.length === 0
        ? NO_RESPONSES
        : Object.fromEntries(
            responses.map((r) => {
              const headers = Object.fromEntries((r.headers ?? []).map((h) => [h.name, { ...(h.description ? { description: h.description } : {}), ...parameterSchema(h) }]));
              const examples = Object.fromEntries(
                (r.representations ?? []).flatMap((x) => {
                  const d = (x.examples ?? {}).default as Json | undefined;
                  return d && typeof d === 'object' && d.value !== undefined ? [[x.contentType, d.value]] : [];
                }),
              );
              return [
                String(r.statusCode),
                {
                  description: r.description ?? '',
                  ...((r.representations ?? []).length ? { schema: firstRef(r.representations ?? [], refOf) ?? {} } : {}),
                  ...(Object.keys(headers).length ? { headers } : {}),
                  ...(Object.keys(examples).length ? { examples } : {}),
                },
              ];
            }),
          ),
  };
}

/** Swagger 2.0's host, basePath and schemes from the API's service URL. */
function server2(serviceUrl: string | null): Json {
  if (!serviceUrl) return {};
  try {
    const url = new URL(serviceUrl);
    const basePath = url.pathname.replace(/\/+$/, '');
    return { host: url.host, ...(basePath ? { basePath } : {}), schemes: [url.protocol.replace(/:$/, '')] };
  } catch {
    return {};
  }
}

/** The document of `api` and its `operations` in `version`, with the named types of its `schemas`. */
export function exportDocument(api: ExportedApi, operations: readonly ExportedOperation[], version: ExportVersion, schemas: readonly ApiSchema[] = []): Json {
  const { types, refOf } = exportedTypes(schemas, version);
  const hasTypes = Object.keys(types).length > 0;
  const paths: Record<string, Json> = {};
  for (const o of operations) {
    const { path } = splitTemplate(o.urlTemplate);
    const method = o.method.toLowerCase();
    const item = (paths[path] ??= {});
    // Two operations on one method and path cannot both be in a document: the first stays.
    if (item[method] !== undefined) continue;
    item[method] = version === 'openapi3' ? operation3(o, refOf) : operation2(o, refOf);
  }
  const info = { title: api.displayName, ...(api.description ? { description: api.description } : {}), version: '1.0' };
  if (version === 'swagger2') return { swagger: '2.0', info, ...server2(api.serviceUrl), paths, ...(hasTypes ? { definitions: types } : {}) };
  return { openapi: '3.0.1', info, ...(api.serviceUrl ? { servers: [{ url: api.serviceUrl }] } : {}), paths, components: hasTypes ? { schemas: types } : {} };
}
