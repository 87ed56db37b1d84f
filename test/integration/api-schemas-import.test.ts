/**
 * The schema an OpenAPI import keeps, checked against the source documents (real public ones
 * nobody here wrote, and the small stand-ins of Azure's examples), on each backend:
 * - the API gets one schema: the document's components.schemas (3.x) or definitions (2.0) exactly
 *   as written, their `$ref`s kept;
 * - every body and response representation whose schema is a `$ref` to a named type carries that
 *   type's name and the schema's id; an inline one names a generated type that holds the inline
 *   schema as written (the expectations are read from the documents here, independently of the
 *   importer's code);
 * - a re-import of the same document changes nothing (same schema id and ETag, the operations'
 *   stored request and responses byte-identical, their ETags kept); one with a changed type
 *   replaces the schema under the same id; one without types removes it; a failed one leaves it;
 * - export → import keeps the types under the same names.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validate } from '@readme/openapi-parser';
import { parse as parseYaml } from 'yaml';
import { readImport } from '../../src/services/api-import.js';
import { BACKENDS, startServer, type TestServer } from '../helpers/server.js';
import { expectValidationError } from '../helpers/shape.js';
import { publicFixture, publicFixturePath } from '../fixtures/openapi/public/index.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const NO_BODY = new Set(['get', 'head', 'options']);

const h4 = (name: string) => readFileSync(new URL(`../fixtures/openapi/h4/${name}`, import.meta.url), 'utf8');
const publicText = (name: string) => readFileSync(publicFixturePath(publicFixture(name)), 'utf8');

/** The value a local `$ref` names, following chains. */
function deref(doc: Json, value: unknown): unknown {
  for (let i = 0; i < 10 && isObject(value) && typeof value.$ref === 'string'; i++) {
    let at: unknown = doc;
    for (const seg of value.$ref.slice(2).split('/')) at = (at as Json)[seg.replace(/~1/g, '/').replace(/~0/g, '~')];
    value = at;
  }
  return value;
}

interface Expected {
  method: string;
  path: string;
  /** 'request' or the status code. */
  where: string;
  contentType: string;
  /** The named type the source refers to, or the inline schema as written. */
  named?: string;
  inline?: unknown;
}

/** What the source document says each representation's schema is. */
function expectedTypes(doc: Json): Expected[] {
  const swagger = typeof doc.swagger === 'string';
  const prefix = swagger ? '#/definitions/' : '#/components/schemas/';
  const out: Expected[] = [];
  const add = (method: string, path: string, where: string, contentType: string, schema: unknown) => {
    if (!isObject(schema)) return;
    const ref = typeof schema.$ref === 'string' && schema.$ref.startsWith(prefix) ? schema.$ref.slice(prefix.length) : undefined;
    out.push({ method: method.toUpperCase(), path, where, contentType, ...(ref !== undefined ? { named: ref } : { inline: deref(doc, schema) }) });
  };
  for (const [path, item] of Object.entries(doc.paths as Json)) {
    for (const method of METHODS) {
      const op = (item as Json)[method];
      if (!isObject(op)) continue;
      if (!NO_BODY.has(method)) {
        if (swagger) {
          const params = [...((item as Json).parameters as unknown[] ?? []), ...(op.parameters as unknown[] ?? [])].map((p) => deref(doc, p)) as Json[];
          const body = params.find((p) => p.in === 'body');
          const consumes = (op.consumes ?? doc.consumes ?? ['application/json']) as string[];
          if (body) for (const ct of consumes) add(method, path, 'request', ct, body.schema);
        } else {
          const body = deref(doc, op.requestBody);
          if (isObject(body) && isObject(body.content)) for (const [ct, media] of Object.entries(body.content)) add(method, path, 'request', ct, (media as Json).schema);
        }
      }
      for (const [code, raw] of Object.entries((op.responses ?? {}) as Json)) {
        if (!/^[1-5]\d\d$/.test(code)) continue;
        const response = deref(doc, raw) as Json;
        if (swagger) {
          for (const ct of (op.produces ?? doc.produces ?? ['application/json']) as string[]) add(method, path, code, ct, response.schema);
        } else if (isObject(response.content)) {
          for (const [ct, media] of Object.entries(response.content)) add(method, path, code, ct, (media as Json).schema);
        }
      }
    }
  }
  return out;
}

interface Representation {
  contentType: string;
  schemaId?: string;
  typeName?: string;
}
interface Operation {
  name: string;
  etag?: string;
  properties: { method: string; urlTemplate: string; request?: { representations?: Representation[] }; responses?: { statusCode: number; representations?: Representation[] }[] };
}

describe.each(BACKENDS)('the schema an import keeps (%s)', (backend) => {
  let server: TestServer;
  const importApi = async (id: string, format: string, value: string) => {
    const res = await server.request('PUT', `/apis/${id}`, { body: { properties: { format, value, path: id } } });
    expect(res.status === 200 || res.status === 201, res.text.slice(0, 500)).toBe(true);
    return res;
  };
  const operations = async (id: string) => (await server.request('GET', `/apis/${id}/operations`, { query: { $top: 1000 } })).json.value as Operation[];
  const schemas = async (id: string) => (await server.request('GET', `/apis/${id}/schemas`)).json.value as { name: string; properties: { contentType: string; document: Json } }[];

  beforeAll(async () => {
    server = await startServer(backend);
  });
  afterAll(async () => {
    await server?.close();
  });

  /** Imports `text` and checks the schema and every representation against the source document. */
  async function importAndCheck(id: string, format: string, text: string) {
    const doc = (format === 'openapi' ? parseYaml(text) : JSON.parse(text)) as Json;
    await importApi(id, format, text);
    const swagger = typeof doc.swagger === 'string';
    const [schema, ...others] = await schemas(id);
    expect(others).toEqual([]);
    expect(schema!.properties.contentType).toBe(swagger ? 'application/vnd.ms-azure-apim.swagger.definitions+json' : 'application/vnd.oai.openapi.components+json');
    const types = (swagger ? schema!.properties.document.definitions : (schema!.properties.document.components as Json).schemas) as Json;
    const sourceTypes = ((swagger ? doc.definitions : (doc.components as Json | undefined)?.schemas) ?? {}) as Json;
    // The document's own types as written, $refs and all.
    for (const [name, value] of Object.entries(sourceTypes)) expect(types[name], name).toEqual(value);

    const ops = await operations(id);
    const find = (e: Expected) => {
      const op = ops.find((o) => o.properties.method === e.method && o.properties.urlTemplate.split('?')[0] === e.path);
      const list = e.where === 'request' ? op?.properties.request?.representations : op?.properties.responses?.find((r) => String(r.statusCode) === e.where)?.representations;
      return list?.find((r) => r.contentType === e.contentType);
    };
    const expected = expectedTypes(doc);
    for (const e of expected) {
      const rep = find(e);
      const label = `${e.method} ${e.path} ${e.where} ${e.contentType}`;
      expect(rep, label).toBeDefined();
      expect(rep!.schemaId, label).toBe(schema!.name);
      if (e.named !== undefined) expect(rep!.typeName, label).toBe(e.named);
      else {
        expect(rep!.typeName, label).toBeDefined();
        expect(Object.keys(sourceTypes), label).not.toContain(rep!.typeName);
        expect(types[rep!.typeName!], label).toEqual(e.inline);
      }
    }
    return { expected, ops, schema: schema!, types };
  }

  it('OpenAPI 3.0 (the stand-in of the OAI Petstore Azure imports): listPets 200 is Pets, showPetById 200 is Pet', async () => {
    const { ops, schema, types } = await importAndCheck('oai', 'openapi', h4('oai-petstore-3.0.yaml'));
    expect(Object.keys(types).sort()).toEqual(['Pet', 'Pets']);
    const list = ops.find((o) => o.name === 'listpets')!;
    expect(list.properties.responses![0]!.representations).toEqual([{ contentType: 'application/json', schemaId: schema.name, typeName: 'Pets' }]);
    expect(ops.find((o) => o.name === 'showpetbyid')!.properties.responses![0]!.representations![0]!.typeName).toBe('Pet');
    expect(types.Pets).toEqual({ type: 'array', items: { $ref: '#/components/schemas/Pet' } });
  });

  it.each([
    ['petstore-openapi-3.0', 'openapi+json'],
    ['petstore-openapi-3.0-yaml', 'openapi'],
    ['petstore-openapi-3.1', 'openapi+json'],
    ['petstore-swagger-2.0', 'swagger-json'],
  ])('the public %s: named types by name, inline ones as generated types holding them as written', async (name, format) => {
    const { expected, ops, schema } = await importAndCheck(name.replace(/[^a-z0-9]/g, ''), format, publicText(name));
    expect(expected.filter((e) => e.named).length).toBeGreaterThan(3);
    expect(expected.filter((e) => e.inline).length).toBeGreaterThan(0);
    // findPetsByStatus answers an inline array of Pet: a generated type in Azure's style.
    const find = ops.find((o) => o.name === 'findpetsbystatus')!;
    const reps = find.properties.responses!.find((r) => r.statusCode === 200)!.representations!;
    if (format === 'swagger-json') {
      // One schema for all of `produces`: one type, named after the first content type.
      expect(new Set(reps.map((r) => r.typeName))).toEqual(new Set(['Findpetsbystatus200ApplicationXmlResponse']));
    } else {
      expect(reps.map((r) => r.typeName).sort()).toEqual(['Findpetsbystatus200ApplicationJsonResponse', 'Findpetsbystatus200ApplicationXmlResponse']);
    }
    expect(reps.every((r) => r.schemaId === schema.name)).toBe(true);
  });

  it('a large real API description (the Star Trek API, 120 operations) and the ReadMe API (3.1)', async () => {
    for (const [name, format] of [['stapi-3.0', 'openapi+json'], ['readme-api-3.1', 'openapi+json']] as const) {
      const fixture = publicFixture(name);
      const text = publicText(name);
      const started = Date.now();
      const { expected, ops } = await importAndCheck(name.replace(/[^a-z0-9]/g, ''), fixture.format === 'yaml' ? 'openapi' : format, text);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(ops).toHaveLength(fixture.operations);
      expect(expected.length).toBeGreaterThan(50);
    }
  });

  it('a re-import of the same document changes nothing: same schema id and ETag, byte-identical operations', async () => {
    const text = publicText('petstore-openapi-3.0');
    await importApi('again', 'openapi+json', text);
    const rows = async () => server.app.database.db.selectFrom('api_operations').select(['id', 'request', 'responses', 'etag']).where('api_id', '=', 'again').orderBy('id').execute();
    const schemaRows = async () => server.app.database.db.selectFrom('api_schemas').selectAll().where('api_id', '=', 'again').execute();
    const before = await rows();
    const schemaBefore = await schemaRows();
    expect(schemaBefore).toHaveLength(1);
    expect((await importApi('again', 'openapi+json', text)).status).toBe(200);
    expect(await rows()).toEqual(before);
    expect(await schemaRows()).toEqual(schemaBefore);
    const audits = await server.app.database.db.selectFrom('audit_log').select('action').where('action', 'like', 'api.schema-%').where('detail', 'like', '%"again"%').execute();
    expect(audits.map((a) => a.action)).toEqual(['api.schema-created']);
  });

  it('importedOperationsAsStored gives the operations as a re-import would store them (for a preview)', async () => {
    const text = publicText('petstore-openapi-3.0');
    await importApi('preview', 'openapi+json', text);
    const imported = await readImport({ format: 'openapi+json', value: text, translateRequiredQueryParameters: 'template' });
    const apis = server.app.services.apis;
    const asStored = await apis.importedOperationsAsStored('preview', imported);
    const stored = await apis.listOperations('preview');
    const byName = (list: [string, unknown, unknown][]) => list.sort((a, b) => a[0].localeCompare(b[0]));
    expect(stored.length).toBeGreaterThan(10);
    expect(byName(asStored.map((o) => [o.name, o.request, o.responses]))).toEqual(byName(stored.map((o) => [o.id, o.request, o.responses])));
  });

  it('a re-import with a changed type replaces the schema under the same id; the operations keep their ETags', async () => {
    const doc = JSON.parse(publicText('petstore-openapi-3.0')) as { components: { schemas: Record<string, Json> } };
    await importApi('changed', 'openapi+json', JSON.stringify(doc));
    const [first] = await schemas('changed');
    const etags = (await operations('changed')).map((o) => [o.name, o.properties]);
    doc.components.schemas.Tag = { ...doc.components.schemas.Tag, description: 'A changed tag' };
    await importApi('changed', 'openapi+json', JSON.stringify(doc));
    const [second, ...none] = await schemas('changed');
    expect(none).toEqual([]);
    expect(second!.name).toBe(first!.name);
    expect(((second!.properties.document.components as Json).schemas as Json).Tag).toMatchObject({ description: 'A changed tag' });
    expect((await operations('changed')).map((o) => [o.name, o.properties])).toEqual(etags);
  });

  it('a re-import without types removes the imported schema, a failed one leaves it, a schema PUT by a client stays', async () => {
    await importApi('dropped', 'openapi', h4('oai-petstore-3.0.yaml'));
    const put = await server.request('PUT', '/apis/dropped/schemas/mine', { body: { properties: { contentType: 'application/vnd.ms-azure-apim.graphql', document: { value: 'type Query { a: Int }' } } } });
    expect(put.status).toBe(201);
    const before = await schemas('dropped');
    expect(before).toHaveLength(2);
    const bad = await server.request('PUT', '/apis/dropped', { body: { properties: { format: 'openapi', value: 'openapi: 3.0.0\ninfo: {title: x}\npaths: {}', path: 'dropped' } } });
    expectValidationError(bad);
    expect(await schemas('dropped')).toEqual(before);
    const plain = { openapi: '3.0.0', info: { title: 'Plain', version: '1' }, paths: { '/ping': { get: { operationId: 'ping', responses: { '200': { description: 'ok' } } } } } };
    await importApi('dropped', 'openapi+json', JSON.stringify(plain));
    expect((await schemas('dropped')).map((s) => s.name)).toEqual(['mine']);
  });

  it.each([
    ['openapi-link', 'openapi'],
    ['swagger-link', 'swagger-json'],
  ])('export (%s) and import again keep the types under the same names', async (exportFormat, importFormat) => {
    await importApi('trip', 'openapi+json', publicText('petstore-openapi-3.0'));
    const link = (await server.request('GET', '/apis/trip', { query: { export: 'true', format: exportFormat } })).json.value.link as string;
    const text = await (await fetch(link)).text();
    const copy = `trip-${importFormat.replace(/\W/g, '')}`;
    await importApi(copy, importFormat, text);
    const typeNames = async (id: string) => {
      const [schema] = await schemas(id);
      const types = (schema!.properties.document.definitions ?? (schema!.properties.document.components as Json).schemas) as Json;
      return Object.keys(types).sort();
    };
    const original = await typeNames('trip');
    const names = await typeNames(copy);
    if (exportFormat === 'openapi-link') expect(names).toEqual(original);
    // Swagger has one schema per response for all content types: the types of the first ones stay.
    else expect(original).toEqual(expect.arrayContaining(names));
    const named = (ops: Operation[]) => ops.map((o) => [o.name, (o.properties.request?.representations ?? []).map((r) => r.typeName)]).sort();
    expect(named(await operations(copy))).toEqual(named(await operations('trip')));
  });

  it.each([['readme-api-3.1'], ['stapi-3.0'], ['petstore-openapi-3.1'], ['petstore-swagger-2.0']])(
    'the export of %s, with its types rewritten for the version, validates as OpenAPI 3.0.1 and Swagger 2.0',
    async (name) => {
      const id = `x${name.replace(/[^a-z0-9]/g, '')}`;
      await importApi(id, name.includes('swagger') ? 'swagger-json' : 'openapi+json', publicText(name));
      for (const format of ['openapi+json-link', 'swagger-link']) {
        const link = (await server.request('GET', `/apis/${id}`, { query: { export: 'true', format } })).json.value.link as string;
        const doc = (await (await fetch(link)).json()) as Json;
        const types = (doc.definitions ?? (doc.components as Json).schemas) as Json;
        expect(Object.keys(types).length, format).toBeGreaterThan(0);
        const result = await validate(structuredClone(doc) as never);
        expect(result.valid, `${format}: ${JSON.stringify(result).slice(0, 2000)}`).toBe(true);
      }
    },
  );
});
