/**
 * The schemas of an API (ApiSchema_*) over raw HTTP and through Microsoft's SDK, on each backend:
 * Azure's five schema examples replayed (shapes, ids, statuses), create-or-update with If-Match,
 * get/head with the ETag, list with $top/$skip/nextLink and $filter on contentType, delete,
 * validation of the content type and of the document part it uses, 404s, and schemas going with
 * their API. Writes are audited and never touch the gateway's change feed (documentation only).
 *
 * Decision: the examples answer PUT with provisioningState InProgress and the long-running
 * operation headers (Azure polls); Tollgate finishes within the request (Succeeded, no headers).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiManagementClient } from '@azure/arm-apimanagement';
import { BACKENDS, RESOURCE_GROUP as RG, SERVICE_NAME, startServer, type TestServer } from '../helpers/server.js';
import { captureResponse, collect, createAzureClient } from '../helpers/azure-client.js';
import { compareShapes, expectAzureError, expectValidationError } from '../helpers/shape.js';

const SVC = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1';
const OPENAPI = 'application/vnd.oai.openapi.components+json';
const SWAGGER = 'application/vnd.ms-azure-apim.swagger.definitions+json';

interface Example {
  parameters: Record<string, unknown> & { apiId: string; schemaId?: string; parameters?: { properties: Record<string, unknown> } };
  responses: Record<string, { body?: Record<string, unknown>; headers?: Record<string, string> }>;
}
const example = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/azure-apim-rest/2024-05-01/examples/${name}.json`, import.meta.url), 'utf8')) as Example;

const PET_COMPONENTS = { schemas: { Pet: { type: 'object', properties: { id: { type: 'integer' } } }, Pets: { type: 'array', items: { $ref: '#/components/schemas/Pet' } } } };

describe.each(BACKENDS)('API schemas (%s)', (backend) => {
  let server: TestServer;
  const putApi = async (id: string) => {
    const res = await server.request('PUT', `/apis/${id}`, { body: { properties: { displayName: id, path: `p-${id}` } } });
    expect(res.status, res.text).toBe(201);
  };
  const putSchema = (api: string, id: string, properties: unknown, headers: Record<string, string> = {}) =>
    server.request('PUT', `/apis/${api}/schemas/${id}`, { body: { properties }, headers });
  const db = () => server.app.database.db;

  beforeAll(async () => {
    server = await startServer(backend);
    await putApi('pets');
  });
  afterAll(async () => {
    await server?.close();
  });

  describe("Azure's examples", () => {
    it('ApiManagementCreateApiSchema: 201 then 200, covering the example body, id echoed, provisioningState Succeeded', async () => {
      const ex = example('ApiManagementCreateApiSchema');
      const { apiId, schemaId } = ex.parameters;
      await putApi(apiId);
      for (const status of ['201', '200']) {
        const res = await putSchema(apiId, schemaId!, ex.parameters.parameters!.properties);
        expect(res.status, res.text).toBe(Number(status));
        const expected = ex.responses[status]!.body!;
        expect(compareShapes(expected, res.json)).toEqual([]);
        expect(res.json.id).toBe(expected.id);
        expect(res.json.type).toBe(expected.type);
        expect(res.json.name).toBe(expected.name);
        expect(res.json.properties).toEqual({ ...(expected.properties as object), provisioningState: 'Succeeded' });
        expect(res.headers.get('etag')).toMatch(/^".+"$/);
      }
    });

    it('ApiManagementGetApiSchema and ApiManagementHeadApiSchema: the stored schema, the same ETag', async () => {
      const ex = example('ApiManagementGetApiSchema');
      const { apiId, schemaId } = ex.parameters;
      const res = await server.request('GET', `/apis/${apiId}/schemas/${schemaId}`);
      expect(res.status, res.text).toBe(200);
      expect(res.json).toEqual(ex.responses['200']!.body);
      const head = example('ApiManagementHeadApiSchema');
      const h = await server.request('HEAD', `/apis/${apiId}/schemas/${head.parameters.schemaId}`);
      expect(h.status).toBe(200);
      expect(h.text).toBe('');
      expect(h.headers.get('etag')).toBe(res.headers.get('etag'));
      expect(Object.keys(head.responses['200']!.headers!)).toEqual(['etag']);
    });

    it('ApiManagementListApiSchemas: the collection as the example shows it', async () => {
      const ex = example('ApiManagementListApiSchemas');
      const { apiId } = ex.parameters;
      await putApi(apiId);
      const item = (ex.responses['200']!.body!.value as { name: string; properties: unknown }[])[0]!;
      expect((await putSchema(apiId, item.name, item.properties)).status).toBe(201);
      const res = await server.request('GET', `/apis/${apiId}/schemas`);
      expect(res.status, res.text).toBe(200);
      expect(res.json).toEqual(ex.responses['200']!.body);
    });

    it('ApiManagementDeleteApiSchema: 200, then 204 when it is gone', async () => {
      const ex = example('ApiManagementDeleteApiSchema');
      const { apiId, schemaId } = ex.parameters;
      const headers = { 'if-match': String(ex.parameters['If-Match']) };
      expect((await server.request('DELETE', `/apis/${apiId}/schemas/${schemaId}`, { headers })).status).toBe(200);
      expect((await server.request('DELETE', `/apis/${apiId}/schemas/${schemaId}`, { headers })).status).toBe(204);
      expectAzureError(await server.request('GET', `/apis/${apiId}/schemas/${schemaId}`), 404);
    });
  });

  describe('create, replace, delete', () => {
    it('keeps an OpenAPI components document as given, only the part its content type uses', async () => {
      const res = await putSchema('pets', 'oai', { contentType: OPENAPI, document: { components: PET_COMPONENTS, value: 'ignored' } });
      expect(res.status, res.text).toBe(201);
      expect(res.json).toEqual({
        id: `${SVC}/apis/pets/schemas/oai`,
        type: 'Microsoft.ApiManagement/service/apis/schemas',
        name: 'oai',
        properties: { contentType: OPENAPI, document: { components: PET_COMPONENTS }, provisioningState: 'Succeeded' },
      });
      const swagger = await putSchema('pets', 'swg', { contentType: SWAGGER, document: { definitions: { Order: { type: 'object' } } } });
      expect(swagger.status, swagger.text).toBe(201);
      expect(swagger.json.properties.document).toEqual({ definitions: { Order: { type: 'object' } } });
      const schemas = await server.app.services.apis.listSchemas('pets');
      expect(schemas.map((s) => [s.id, s.contentType])).toEqual([['oai', OPENAPI], ['swg', SWAGGER]]);
    });

    it('replaces with If-Match: a stale tag is 412 and changes nothing; the current one or * replaces (200, new ETag)', async () => {
      const first = await server.request('GET', '/apis/pets/schemas/swg');
      const etag = first.headers.get('etag')!;
      const stale = await putSchema('pets', 'swg', { contentType: SWAGGER, document: { definitions: {} } }, { 'if-match': '"stale"' });
      expectAzureError(stale, 412);
      expect((await server.request('GET', '/apis/pets/schemas/swg')).json.properties.document).toEqual({ definitions: { Order: { type: 'object' } } });
      const ok = await putSchema('pets', 'swg', { contentType: SWAGGER, document: { definitions: { Order: { type: 'string' } } } }, { 'if-match': etag });
      expect(ok.status, ok.text).toBe(200);
      expect(ok.headers.get('etag')).not.toBe(etag);
      const star = await putSchema('pets', 'swg', { contentType: SWAGGER, document: { definitions: {} } }, { 'if-match': '*' });
      expect(star.status).toBe(200);
    });

    it('DELETE requires If-Match and checks it', async () => {
      expect((await putSchema('pets', 'doomed', { contentType: 'application/vnd.ms-azure-apim.graphql', document: { value: 'type Query { a: Int }' } })).status).toBe(201);
      expectAzureError(await server.request('DELETE', '/apis/pets/schemas/doomed'), 400);
      expectAzureError(await server.request('DELETE', '/apis/pets/schemas/doomed', { headers: { 'if-match': '"stale"' } }), 412);
      expect((await server.request('DELETE', '/apis/pets/schemas/doomed', { headers: { 'if-match': '*' } })).status).toBe(200);
    });

    it('writes are audited and record nothing for the gateways', async () => {
      const actions = await db().selectFrom('audit_log').select(['action', 'detail']).where('action', 'like', 'api.schema-%').execute();
      expect(actions.some((a) => a.action === 'api.schema-created' && a.detail === JSON.stringify({ api: 'pets', schema: 'oai' }))).toBe(true);
      expect(actions.some((a) => a.action === 'api.schema-updated' && a.detail === JSON.stringify({ api: 'pets', schema: 'swg' }))).toBe(true);
      expect(actions.some((a) => a.action === 'api.schema-deleted' && a.detail === JSON.stringify({ api: 'pets', schema: 'doomed' }))).toBe(true);
      const changes = await db().selectFrom('change_feed').select('entity_id').where('entity', '=', 'api').where('entity_id', '=', 'pets').execute();
      expect(changes).toHaveLength(1); // the API's creation only
    });
  });

  describe('lists', () => {
    beforeAll(async () => {
      await putApi('many');
      for (const id of ['s1', 's2', 's3']) expect((await putSchema('many', id, { contentType: OPENAPI, document: { components: {} } })).status).toBe(201);
      expect((await putSchema('many', 's4', { contentType: 'application/vnd.ms-azure-apim.xsd+xml', document: { value: '<s:schema />' } })).status).toBe(201);
    });

    it('pages with $top and $skip, nextLink carrying the next $skip and empty on the last page', async () => {
      const first = await server.request('GET', '/apis/many/schemas', { query: { $top: 3 } });
      expect(first.status).toBe(200);
      expect(first.json.count).toBe(4);
      expect(first.json.value.map((s: { name: string }) => s.name)).toEqual(['s1', 's2', 's3']);
      const next = new URL(first.json.nextLink);
      expect(next.searchParams.get('$skip')).toBe('3');
      const second = await server.request('GET', first.json.nextLink);
      expect(second.json.value.map((s: { name: string }) => s.name)).toEqual(['s4']);
      expect(second.json.nextLink).toBe('');
    });

    it('filters on contentType; another field is a 400', async () => {
      const res = await server.request('GET', '/apis/many/schemas', { query: { $filter: `contentType eq 'application/vnd.ms-azure-apim.xsd+xml'` } });
      expect(res.status, res.text).toBe(200);
      expect(res.json.value.map((s: { name: string }) => s.name)).toEqual(['s4']);
      expectAzureError(await server.request('GET', '/apis/many/schemas', { query: { $filter: `name eq 's1'` } }), 400);
    });
  });

  describe('bad requests', () => {
    it.each([
      ['an unknown content type', { contentType: 'application/json', document: { components: {} } }, 'contentType'],
      ['no content type', { document: { components: {} } }, 'contentType'],
      ['no document', { contentType: OPENAPI }, 'document'],
      ['OpenAPI without components', { contentType: OPENAPI, document: { definitions: {} } }, 'document.components'],
      ['Swagger without definitions', { contentType: SWAGGER, document: { components: {} } }, 'document.definitions'],
      ['components that are not an object', { contentType: OPENAPI, document: { components: [] } }, 'document.components'],
      ['XSD without its text', { contentType: 'application/vnd.ms-azure-apim.xsd+xml', document: {} }, 'document.value'],
      ['an empty text', { contentType: 'application/vnd.ms-azure-apim.graphql', document: { value: '  ' } }, 'document.value'],
    ])('%s: 400 naming the field, nothing stored', async (_what, properties, target) => {
      expectValidationError(await putSchema('pets', 'bad', properties), target);
      expectAzureError(await server.request('GET', '/apis/pets/schemas/bad'), 404);
    });

    it('an unknown API is a 404 for every method; an id too long is a 400', async () => {
      expectAzureError(await server.request('GET', '/apis/nope/schemas'), 404);
      expectAzureError(await server.request('GET', '/apis/nope/schemas/x'), 404);
      expectAzureError(await putSchema('nope', 'x', { contentType: OPENAPI, document: { components: {} } }), 404);
      expectAzureError(await server.request('DELETE', '/apis/nope/schemas/x', { headers: { 'if-match': '*' } }), 404);
      expect((await server.request('HEAD', '/apis/pets/schemas/none')).status).toBe(404);
      expectValidationError(await putSchema('pets', 'x'.repeat(81), { contentType: OPENAPI, document: { components: {} } }), 'schemaId');
    });
  });

  it('deleting the API deletes its schemas', async () => {
    await putApi('gone');
    expect((await putSchema('gone', 'g1', { contentType: OPENAPI, document: { components: {} } })).status).toBe(201);
    expect((await server.request('DELETE', '/apis/gone', { headers: { 'if-match': '*' } })).status).toBe(200);
    expect(await db().selectFrom('api_schemas').select('id').where('api_id', '=', 'gone').execute()).toEqual([]);
    await putApi('gone');
    expect((await server.request('GET', '/apis/gone/schemas')).json.value).toEqual([]);
  });

  describe('Azure SDK', () => {
    let client: ApiManagementClient;
    beforeAll(() => {
      client = createAzureClient(server);
    });

    it('apiSchema.beginCreateOrUpdateAndWait creates (201) and replaces (200) without polling; get and listByApi read it', async () => {
      await putApi('sdk');
      const first = captureResponse();
      const created = await client.apiSchema.beginCreateOrUpdateAndWait(RG, SERVICE_NAME, 'sdk', 'sdk-schema', { contentType: OPENAPI, components: PET_COMPONENTS }, { onResponse: first.onResponse });
      expect(first.captured.status).toBe(201);
      expect(created.name).toBe('sdk-schema');
      expect(created.contentType).toBe(OPENAPI);
      expect(created.components).toEqual(PET_COMPONENTS);
      const again = captureResponse();
      await client.apiSchema.beginCreateOrUpdateAndWait(RG, SERVICE_NAME, 'sdk', 'sdk-schema', { contentType: SWAGGER, definitions: { Order: { type: 'object' } } }, { onResponse: again.onResponse });
      expect(again.captured.status).toBe(200);
      const got = await client.apiSchema.get(RG, SERVICE_NAME, 'sdk', 'sdk-schema');
      expect(got.contentType).toBe(SWAGGER);
      expect(got.definitions).toEqual({ Order: { type: 'object' } });
      expect(got.eTag).toBeTruthy();
      const listed = await collect(client.apiSchema.listByApi(RG, SERVICE_NAME, 'sdk'));
      expect(listed.map((s) => s.name)).toEqual(['sdk-schema']);
      await client.apiSchema.delete(RG, SERVICE_NAME, 'sdk', 'sdk-schema', '*');
      expect(await collect(client.apiSchema.listByApi(RG, SERVICE_NAME, 'sdk'))).toEqual([]);
    });
  });
});
