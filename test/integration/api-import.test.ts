/**
 * Importing OpenAPI 3.0 (YAML and JSON), 3.1 and Swagger 2.0 documents through PUT /apis/{id}
 * with format and value, over real HTTP on each backend: the derived API and operations, re-import
 * (add, change, delete by name), refusals (bad documents with a pointer, nothing written;
 * unsupported formats), the gateway routing an imported operation to a real backend, and the
 * Azure SDK's beginCreateOrUpdateAndWait importing.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiManagementClient } from '@azure/arm-apimanagement';
import { BACKENDS, RESOURCE_GROUP as RG, SERVICE_NAME as SVC, startServer, type TestServer } from '../helpers/server.js';
import { captureResponse, createAzureClient } from '../helpers/azure-client.js';
import { expectAzureError, expectValidationError } from '../helpers/shape.js';
import { activeSubscription, putProduct } from '../helpers/gateway.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { freePort } from '../helpers/net.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/openapi/h4/${name}`, import.meta.url), 'utf8');

interface Op {
  name: string;
  properties: { displayName: string; method: string; urlTemplate: string; description?: string | null; templateParameters: { name: string; type: string; required?: boolean; values?: string[]; defaultValue?: string; description?: string }[] };
}

describe.each(BACKENDS)('API import (%s)', (backend) => {
  let server: TestServer;
  let client: ApiManagementClient;
  let upstream: Upstream;

  const importApi = (id: string, properties: Record<string, unknown>) => server.request('PUT', `/apis/${id}`, { body: { properties } });
  const operations = async (id: string): Promise<Map<string, Op>> => {
    const res = await server.request('GET', `/apis/${id}/operations`);
    expect(res.status, res.text).toBe(200);
    return new Map((res.json.value as Op[]).map((o) => [o.name, o]));
  };
  const operationCount = async () => {
    const apis = await server.request('GET', '/apis');
    return apis.json.value.length as number;
  };

  beforeAll(async () => {
    upstream = await startUpstream();
    server = await startServer(backend);
    client = createAzureClient(server);
  });

  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  it('imports an OpenAPI 3.0 YAML document: names, display names, templates, servers', async () => {
    const res = await importApi('pets', { format: 'openapi', value: fixture('petstore-3.0.yaml'), path: 'pets' });
    expect(res.status, res.text).toBe(201);
    expect(res.json.name).toBe('pets');
    expect(res.json.properties).toMatchObject({
      displayName: 'Pet Store (3.0 YAML)',
      description: 'Pets, for the import tests.',
      serviceUrl: 'https://pets.example.com/v1',
      path: 'pets',
      protocols: ['https'],
    });
    const ops = await operations('pets');
    expect([...ops.keys()].sort()).toEqual(['create-pet', 'get-pets-petid', 'listpets', 'listpets-1']);
    // A required query parameter becomes a template parameter; optional query, header and cookie ones do not.
    expect(ops.get('listpets')!.properties).toMatchObject({
      displayName: 'List all pets',
      method: 'GET',
      urlTemplate: '/pets?limit={limit}',
      templateParameters: [{ name: 'limit', type: 'integer', required: true, defaultValue: '20' }],
    });
    // No summary: the display name is the operationId; the name is the operationId normalised.
    expect(ops.get('create-pet')!.properties).toMatchObject({ displayName: 'create_Pet!!', method: 'POST', urlTemplate: '/pets', description: 'Adds a pet.', templateParameters: [] });
    // No operationId: method and path; path-level parameters (a $ref) apply.
    expect(ops.get('get-pets-petid')!.properties).toMatchObject({
      displayName: 'Info for a specific pet',
      urlTemplate: '/pets/{petId}',
      templateParameters: [{ name: 'petId', type: 'string', required: true, description: 'The id of the pet', values: ['cat', 'dog'] }],
    });
    // A repeated operationId gets -1.
    expect(ops.get('listpets-1')!.properties).toMatchObject({ method: 'DELETE', urlTemplate: '/pets/{petId}' });
    const one = await server.request('GET', '/apis/pets/operations/listpets-1');
    expect(one.status, one.text).toBe(200);
  });

  it("keeps each operation's request and responses, answers them on GET, and takes them back on PUT", async () => {
    await importApi('described', { format: 'openapi', value: fixture('petstore-3.0.yaml'), path: 'described' });
    const list = await server.request('GET', '/apis/described/operations/listpets');
    expect(list.json.properties.request).toEqual({
      queryParameters: [{ name: 'tag', type: 'string', required: false }],
      headers: [{ name: 'X-Trace', type: 'string', required: false }],
      representations: [],
    });
    expect(list.json.properties.responses).toEqual([{ statusCode: 200, description: 'A page of pets', representations: [], headers: [] }]);
    const create = await server.request('GET', '/apis/described/operations/create-pet');
    const [schema] = (await server.request('GET', '/apis/described/schemas')).json.value as { name: string }[];
    expect(create.json.properties.request.representations).toEqual([{ contentType: 'application/json', schemaId: schema!.name, typeName: 'Pet' }]);
    // What a GET answers, a PUT takes back unchanged (a client's read-modify-write).
    const { properties } = list.json;
    const put = await server.request('PUT', '/apis/described/operations/listpets', { body: { properties: { ...properties, displayName: 'Renamed' } } });
    expect(put.status, put.text).toBe(200);
    expect(put.json.properties).toEqual({ ...properties, displayName: 'Renamed' });
    const patched = await server.request('PATCH', '/apis/described/operations/listpets', { body: { properties: { responses: null } }, headers: { 'if-match': '*' } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.json.properties.responses).toBeUndefined();
    expect(patched.json.properties.request).toEqual(properties.request);
    expectValidationError(
      await server.request('PUT', '/apis/described/operations/listpets', { body: { properties: { ...properties, responses: [{ statusCode: 'ok' }] } } }),
      'responses.0.statusCode',
    );
  });

  it('imports an OpenAPI 3.0 JSON document with several servers (the first is the backend, the protocols stay https); translateRequiredQueryParameters=query keeps query parameters out', async () => {
    const res = await importApi('orders', { format: 'openapi+json', value: fixture('orders-3.0.json'), path: 'orders', translateRequiredQueryParameters: 'query' });
    expect(res.status, res.text).toBe(201);
    expect(res.json.properties).toMatchObject({ displayName: 'Orders (3.0 JSON)', serviceUrl: 'http://orders.example.com/api', protocols: ['https'] });
    const ops = await operations('orders');
    expect([...ops.keys()]).toEqual(['orders-getline']);
    expect(ops.get('orders-getline')!.properties).toMatchObject({
      urlTemplate: '/orders/{orderId}/lines/{line}',
      templateParameters: [
        { name: 'orderId', type: 'integer', required: true },
        { name: 'line', type: 'string', required: true },
      ],
    });
    const template = await importApi('orders-t', { format: 'openapi+json', value: fixture('orders-3.0.json'), path: 'orders-t' });
    expect((await operations('orders-t')).get('orders-getline')!.properties.urlTemplate).toBe('/orders/{orderId}/lines/{line}?expand={expand}');
    expect(template.status).toBe(201);
  });

  it('imports an OpenAPI 3.1 document; a relative server gives no service URL, one given in the request wins', async () => {
    const res = await importApi('things', { format: 'openapi', value: fixture('things-3.1.yaml'), path: 'things' });
    expect(res.status, res.text).toBe(201);
    expect(res.json.properties.displayName).toBe('Things (3.1)');
    expect(res.json.properties.serviceUrl ?? null).toBeNull();
    expect((await operations('things')).get('putthing')!.properties).toMatchObject({ displayName: 'putThing', method: 'PUT', urlTemplate: '/things/{id}', templateParameters: [{ name: 'id', type: 'string', required: true }] });
    const given = await importApi('things2', { format: 'openapi', value: fixture('things-3.1.yaml'), path: 'things2', serviceUrl: 'https://given.example.com', displayName: 'Mine' });
    expect(given.json.properties).toMatchObject({ serviceUrl: 'https://given.example.com', displayName: 'Mine' });
  });

  it('imports a Swagger 2.0 document: host, basePath and schemes', async () => {
    const res = await importApi('swagger', { format: 'swagger-json', value: fixture('petstore-2.0.json'), path: 'swagger' });
    expect(res.status, res.text).toBe(201);
    expect(res.json.properties).toMatchObject({ displayName: 'Swagger Pets (2.0)', description: 'A 2.0 document.', serviceUrl: 'http://petstore.example.com/v2', protocols: ['http', 'https'] });
    const ops = await operations('swagger');
    expect(ops.get('getpetbyid')!.properties).toMatchObject({
      displayName: 'Find pet by ID',
      urlTemplate: '/pet/{petId}?fields={fields}',
      templateParameters: [{ name: 'petId', type: 'integer', required: true }, { name: 'fields', type: 'string', required: true, values: ['all', 'some'] }],
    });
    expect(ops.get('get-store-inventory')!.properties).toMatchObject({ displayName: 'Inventory', method: 'GET', urlTemplate: '/store/inventory' });
  });

  it('re-import adds, changes and deletes operations by name; an unchanged one keeps its ETag', async () => {
    const v1 = JSON.stringify({
      openapi: '3.0.0',
      info: { title: 'Re v1', version: '1' },
      paths: {
        '/keep': { get: { operationId: 'keep', responses: { 200: { description: 'ok' } } } },
        '/change': { get: { operationId: 'change', summary: 'Before', responses: { 200: { description: 'ok' } } } },
        '/gone': { get: { operationId: 'gone', responses: { 200: { description: 'ok' } } } },
      },
    });
    expect((await importApi('re', { format: 'openapi+json', value: v1, path: 're' })).status).toBe(201);
    const keepEtag = (await server.request('GET', '/apis/re/operations/keep')).headers.get('etag');
    const v2 = JSON.stringify({
      openapi: '3.0.0',
      info: { title: 'Re v2', version: '2' },
      paths: {
        '/keep': { get: { operationId: 'keep', responses: { 200: { description: 'ok' } } } },
        '/change/{id}': { get: { operationId: 'change', summary: 'After', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'ok' } } } },
        '/new': { post: { operationId: 'new', responses: { 200: { description: 'ok' } } } },
      },
    });
    const again = await importApi('re', { format: 'openapi+json', value: v2, path: 're' });
    expect(again.status, again.text).toBe(200);
    expect(again.json.properties.displayName).toBe('Re v2');
    const ops = await operations('re');
    expect([...ops.keys()].sort()).toEqual(['change', 'keep', 'new']);
    expect(ops.get('change')!.properties).toMatchObject({ displayName: 'After', urlTemplate: '/change/{id}' });
    expect(ops.get('new')!.properties.method).toBe('POST');
    expect((await server.request('GET', '/apis/re/operations/keep')).headers.get('etag')).toBe(keepEtag);
    expect((await server.request('GET', '/apis/re/operations/gone')).status).toBe(404);
  });

  it('a re-import records one change-feed row for the API and an audit entry per operation added, changed or deleted', async () => {
    const db = server.app.database.db;
    const doc = (paths: Record<string, unknown>) => JSON.stringify({ openapi: '3.0.0', info: { title: 'Audited', version: '1' }, paths });
    const get = (operationId: string, summary = operationId) => ({ get: { operationId, summary, responses: { 200: { description: 'ok' } } } });
    expect((await importApi('audited', { format: 'openapi+json', value: doc({ '/a': get('a'), '/b': get('b'), '/c': get('c') }), path: 'audited' })).status).toBe(201);
    const feed0 = (await db.selectFrom('change_feed').selectAll().where('entity_id', '=', 'audited').execute()).length;
    const audit0 = await db.selectFrom('audit_log').select(['action', 'detail']).where('detail', 'like', '%"audited"%').execute();
    expect(audit0.map((a) => a.action).sort()).toEqual(['api.created', 'api.operation-created', 'api.operation-created', 'api.operation-created']);
    // a unchanged, b changed, c deleted, d added.
    await importApi('audited', { format: 'openapi+json', value: doc({ '/a': get('a'), '/b': get('b', 'B!'), '/d': get('d') }), path: 'audited' });
    const feed1 = (await db.selectFrom('change_feed').selectAll().where('entity_id', '=', 'audited').execute()).length;
    expect(feed1 - feed0).toBe(2); // the API's own update, and its operations
    const audit1 = await db.selectFrom('audit_log').select(['action', 'detail']).where('detail', 'like', '%"audited"%').execute();
    const entry = (a: { action: string; detail: string | null }) => `${a.action} ${(JSON.parse(a.detail ?? '{}') as { operation?: string }).operation ?? ''}`.trim();
    const before = audit0.map(entry);
    const added = audit1.map(entry).filter((e) => {
      const i = before.indexOf(e);
      if (i === -1) return true;
      before.splice(i, 1);
      return false;
    });
    expect(added.sort()).toEqual(['api.operation-created d', 'api.operation-deleted c', 'api.operation-updated b', 'api.updated']);
  });

  it('refuses a bad document with a JSON pointer to the problem and writes nothing', async () => {
    const before = await operationCount();
    const bad = 'openapi: 3.0.0\ninfo:\n  title: Bad\n  version: "1"\npaths:\n  /a:\n    get:\n      responses:\n        "200":\n          descriptio: ok\n';
    const res = await importApi('bad', { format: 'openapi', value: bad, path: 'bad' });
    expectValidationError(res, '/paths/~1a/get/responses/200');
    expect(res.json.error.details[0].message).toMatch(/description/);
    const yaml = await importApi('bad', { format: 'openapi', value: 'openapi: 3.0.0\ninfo: [\n', path: 'bad' });
    expectValidationError(yaml);
    expect(yaml.json.error.details[0].target).toMatch(/^value \(line \d+, column \d+\)$/);
    const external = JSON.stringify({ openapi: '3.0.0', info: { title: 'x', version: '1' }, paths: { '/a': { get: { parameters: [{ $ref: 'https://example.com/p.json' }], responses: { 200: { description: 'ok' } } } } } });
    expectValidationError(await importApi('bad', { format: 'openapi+json', value: external, path: 'bad' }), '/paths/~1a/get/parameters/0/$ref');
    const missing = external.replace('https://example.com/p.json', '#/components/parameters/nope');
    expectValidationError(await importApi('bad', { format: 'openapi+json', value: missing, path: 'bad' }), '/paths/~1a/get/parameters/0/$ref');
    expectValidationError(await importApi('bad', { format: 'swagger-json', value: fixture('orders-3.0.json'), path: 'bad' }), '/swagger');
    expectValidationError(await importApi('bad', { format: 'openapi+json', value: fixture('petstore-2.0.json'), path: 'bad' }), '/openapi');
    expect((await server.request('GET', '/apis/bad')).status).toBe(404);
    expect(await operationCount()).toBe(before);
  });

  it('a failed re-import leaves the API and its operations as they were', async () => {
    const ok = JSON.stringify({ openapi: '3.0.0', info: { title: 'Stay', version: '1' }, paths: { '/a': { get: { operationId: 'a', responses: { 200: { description: 'ok' } } } } } });
    expect((await importApi('stay', { format: 'openapi+json', value: ok, path: 'stay' })).status).toBe(201);
    // Two operations on one route: refused after the document itself validated.
    const clash = JSON.stringify({
      openapi: '3.0.0',
      info: { title: 'Changed', version: '2' },
      paths: {
        '/b/{x}': { get: { operationId: 'b1', parameters: [{ name: 'x', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'ok' } } } },
        '/b/{y}': { get: { operationId: 'b2', parameters: [{ name: 'y', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'ok' } } } },
      },
    });
    expectValidationError(await importApi('stay', { format: 'openapi+json', value: clash, path: 'stay' }), 'operations.b2');
    expect((await server.request('GET', '/apis/stay')).json.properties.displayName).toBe('Stay');
    expect([...(await operations('stay')).keys()]).toEqual(['a']);
  });

  it('takes definitions past the server-wide 1 MB body limit, up to 10 MB, and refuses a larger one naming value', async () => {
    const paths: Record<string, unknown> = {};
    for (let i = 0; i < 420; i++) paths[`/r${i}`] = { get: { operationId: `r${i}`, description: 'd'.repeat(900), responses: { 200: { description: 'x"'.repeat(5000) } } } };
    const value = JSON.stringify({ openapi: '3.0.0', info: { title: 'Big', version: '1' }, paths });
    // Past the old 5 MB body limit, with quotes that JSON-escaping the value in the body doubles.
    expect(value.length).toBeGreaterThan(6 * 1024 * 1024);
    const res = await importApi('big', { format: 'openapi+json', value, path: 'big' });
    expect(res.status, res.text.slice(0, 500)).toBe(201);
    expect((await server.request('GET', '/apis/big/operations', { query: { $top: 1 } })).json.count).toBe(420);

    const tooLarge = `${value}${' '.repeat(10 * 1024 * 1024 + 1 - value.length)}`;
    const refused = await importApi('bigger', { format: 'openapi+json', value: tooLarge, path: 'bigger' });
    expectValidationError(refused, 'value');
    expect(refused.json.error.details[0].message).toMatch(/at most 10485760 characters/);
    expect((await server.request('GET', '/apis/bigger')).status).toBe(404);
  });

  it('imports from a link: the document downloaded over HTTP and read as its inline format', async () => {
    const documents: Record<string, string> = { '/pets.yaml': fixture('petstore-3.0.yaml'), '/swagger.json': fixture('petstore-2.0.json') };
    const site = createServer((req, res) => {
      const body = documents[req.url ?? ''];
      res.writeHead(body ? 200 : 404, { 'content-type': 'text/plain' }).end(body ?? 'not here');
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(site.address() as { port: number }).port}`;
    try {
      const yaml = await importApi('linked', { format: 'openapi-link', value: `${base}/pets.yaml`, path: 'linked' });
      expect(yaml.status, yaml.text).toBe(201);
      const inline = await importApi('inline', { format: 'openapi', value: fixture('petstore-3.0.yaml'), path: 'inline' });
      expect(inline.status, inline.text).toBe(201);
      const ops = async (id: string) =>
        ((await server.request('GET', `/apis/${id}/operations`)).json.value as { name: string; properties: { urlTemplate: string } }[]).map((o) => [o.name, o.properties.urlTemplate]);
      expect(await ops('linked')).toEqual(await ops('inline'));
      expect((await ops('linked')).length).toBeGreaterThan(0);

      const swagger = await importApi('linked2', { format: 'swagger-link-json', value: `${base}/swagger.json`, path: 'linked2' });
      expect(swagger.status, swagger.text).toBe(201);
      const missing = await importApi('linked3', { format: 'openapi+json-link', value: `${base}/nothing.json`, path: 'linked3' });
      expectValidationError(missing, 'value');
      expect(missing.json.error.details[0].message).toMatch(/404/);
    } finally {
      await new Promise<void>((resolve) => site.close(() => resolve()));
    }
  });

  it('refuses formats Tollgate does not import (FeatureNotSupported), and a link it cannot download, naming value', async () => {
    for (const format of ['wsdl', 'wsdl-link', 'wadl-xml', 'wadl-link-json', 'graphql-link', 'grpc', 'odata']) {
      const res = await importApi('other', { format, value: '<x/>', path: 'other' });
      expectAzureError(res, 400, 'FeatureNotSupported');
    }
    const closed = await freePort();
    for (const format of ['openapi-link', 'openapi+json-link', 'swagger-link-json']) {
      const res = await importApi('other', { format, value: `http://127.0.0.1:${closed}/openapi.json`, path: 'other' });
      expectValidationError(res, 'value');
      expect(res.json.error.details[0].message).toMatch(/could not be downloaded/);
      expect((await server.request('GET', '/apis/other')).status).toBe(404);
    }
    expectValidationError(await importApi('other', { format: 'openapi', path: 'other' }), 'value');
    expectValidationError(await importApi('other', { translateRequiredQueryParameters: 'query', path: 'other' }), 'translateRequiredQueryParameters');
    const patch = await server.request('PATCH', '/apis/pets', { body: { properties: { format: 'openapi', value: 'x' } }, headers: { 'if-match': '*' } });
    expectValidationError(patch, 'format');
    expect((await server.request('GET', '/apis/other')).status).toBe(404);
  });

  it('the gateway routes an imported operation to the backend at once, and follows a re-import', async () => {
    const doc = (paths: Record<string, unknown>) => JSON.stringify({ openapi: '3.0.0', info: { title: 'Routed', version: '1' }, servers: [{ url: `${upstream.url}/base` }], paths });
    const item = { get: { operationId: 'getItem', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }, { name: 'v', in: 'query', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'ok' } } } };
    expect((await importApi('routed', { format: 'openapi+json', value: doc({ '/items/{id}': item }), path: 'routed', protocols: ['http', 'https'] })).status).toBe(201);
    await putProduct(server, 'routed-product', { displayName: 'Routed', state: 'published', subscriptionRequired: true, approvalRequired: false }, { apis: ['routed'] });
    await server.request('PUT', '/users/router', { body: { properties: { email: 'router@example.com', firstName: 'R', lastName: 'R' } } });
    const key = await activeSubscription(server, 'routed-sub', 'router', 'routed-product', 'Routed');
    const call = async (path: string) => {
      const res = await fetch(`${server.gatewayUrl}/routed${path}`, { headers: { 'Ocp-Apim-Subscription-Key': key } });
      await res.arrayBuffer();
      return res.status;
    };
    expect(await call('/items/42?v=1')).toBe(200);
    expect(upstream.seen.at(-1)!.url).toBe('/base/items/42?v=1');
    expect(await call('/other')).toBe(404);
    // Re-imported without /items and with /other: the gateway follows when the PUT is answered.
    const other = { get: { operationId: 'other', responses: { 200: { description: 'ok' } } } };
    expect((await importApi('routed', { format: 'openapi+json', value: doc({ '/other': other }), path: 'routed', protocols: ['http', 'https'] })).status).toBe(200);
    expect(await call('/other')).toBe(200);
    expect(upstream.seen.at(-1)!.url).toBe('/base/other');
    expect(await call('/items/42?v=1')).toBe(404);
  });

  it("a re-import keeps the policies of the operations that stay (the gateway still applies them), and a removed operation's policy goes with it", async () => {
    const doc = (paths: Record<string, unknown>) => JSON.stringify({ openapi: '3.0.0', info: { title: 'Kept', version: '1' }, servers: [{ url: `${upstream.url}/kept` }], paths });
    const op = (operationId: string, summary: string) => ({ get: { operationId, summary, responses: { 200: { description: 'ok' } } } });
    const policy = (value: string) =>
      `<policies><inbound><base /><set-header name="X-Operation-Policy" exists-action="override"><value>${value}</value></set-header></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`;
    const put = (body: string) => importApi('kept', { format: 'openapi+json', value: body, path: 'kept', protocols: ['http', 'https'], subscriptionRequired: false });
    expect((await put(doc({ '/stays': op('stays', 'Before'), '/goes': op('goes', 'Goes') }))).status).toBe(201);
    for (const name of ['stays', 'goes']) {
      const res = await server.request('PUT', `/apis/kept/operations/${name}/policies/policy`, { body: { properties: { format: 'rawxml', value: policy(name) } } });
      expect(res.status, res.text).toBe(201);
    }
    const call = async (path: string) => {
      const res = await fetch(`${server.gatewayUrl}/kept${path}`);
      await res.arrayBuffer();
      return { status: res.status, header: upstream.seen.at(-1)?.headers['x-operation-policy'] };
    };
    expect(await call('/stays')).toEqual({ status: 200, header: 'stays' });
    // Changed (its summary) and kept; the other removed.
    expect((await put(doc({ '/stays': op('stays', 'After') }))).status).toBe(200);
    expect((await server.request('GET', '/apis/kept/operations/stays')).json.properties.displayName).toBe('After');
    expect((await server.request('GET', '/apis/kept/operations/stays/policies/policy')).status).toBe(200);
    expect(await call('/stays')).toEqual({ status: 200, header: 'stays' });
    // Imported again, the removed operation comes back without its old policy.
    expect((await put(doc({ '/stays': op('stays', 'After'), '/goes': op('goes', 'Goes') }))).status).toBe(200);
    expect((await server.request('GET', '/apis/kept/operations/goes/policies/policy')).status).toBe(404);
    const back = await call('/goes');
    expect(back.status).toBe(200);
    expect(back.header).toBeUndefined();
  });

  it("the Azure SDK's beginCreateOrUpdateAndWait imports (201, then 200 on re-import)", async () => {
    const first = captureResponse();
    const api = await client.api.beginCreateOrUpdateAndWait(RG, SVC, 'sdk-import', { format: 'openapi', value: fixture('petstore-3.0.yaml'), path: 'sdk-import' }, { onResponse: first.onResponse });
    expect(first.captured.status).toBe(201);
    expect(api.displayName).toBe('Pet Store (3.0 YAML)');
    expect(api.serviceUrl).toBe('https://pets.example.com/v1');
    const again = captureResponse();
    await client.api.beginCreateOrUpdateAndWait(RG, SVC, 'sdk-import', { format: 'swagger-json', value: fixture('petstore-2.0.json'), path: 'sdk-import' }, { onResponse: again.onResponse });
    expect(again.captured.status).toBe(200);
    const names: string[] = [];
    for await (const o of client.apiOperation.listByApi(RG, SVC, 'sdk-import')) names.push(o.name!);
    expect(names.sort()).toEqual(['get-store-inventory', 'getpetbyid']);
    // The SDK's read-modify-write of an imported operation keeps its descriptions.
    const op = await client.apiOperation.get(RG, SVC, 'sdk-import', 'getpetbyid');
    expect(op.responses?.[0]?.statusCode).toBe(200);
    const updated = await client.apiOperation.createOrUpdate(RG, SVC, 'sdk-import', 'getpetbyid', { ...op, displayName: 'By id' });
    expect(updated.displayName).toBe('By id');
    expect(updated.responses).toEqual(op.responses);
  });
});
