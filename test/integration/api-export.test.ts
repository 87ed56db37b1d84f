/**
 * Exporting an API (GET /apis/{id}?export=true&format=...) over real HTTP on each backend: each
 * format's link, fetched without a management key, is a document the OpenAPI validator accepts and
 * whose re-import (into another API) gives the same operations; an expired link (the app's clock
 * moved past five minutes), a tampered one and one of a deleted API are 404s; a bad format is a 400;
 * Azure's two export examples have our answer's shape.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validate } from '@readme/openapi-parser';
import { parse } from 'yaml';
import { ManualClock } from '../../src/domain/clock.js';
import { BACKENDS, RESOURCE_GROUP as RG, SERVICE_NAME as SVC, startServer, type TestServer } from '../helpers/server.js';
import { createAzureClient } from '../helpers/azure-client.js';
import { compareShapes, expectAzureError, expectValidationError } from '../helpers/shape.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/openapi/h4/${name}`, import.meta.url), 'utf8');
/** Azure's two export examples, vendored with the others. */
const EXAMPLES = fileURLToPath(new URL('../fixtures/azure-apim-rest/2024-05-01/examples', import.meta.url));

interface Op {
  name: string;
  properties: { method: string; urlTemplate: string; templateParameters: { name: string; type: string; required?: boolean }[]; request?: unknown; responses?: unknown };
}

const FORMATS = [
  ['openapi-link', 'openapi-link', 'openapi'],
  ['openapi+json-link', 'openapi+json-link', 'openapi+json'],
  ['swagger-link', 'swagger-link-json', 'swagger-json'],
] as const;

/** Every import fixture: the API id it is imported as, and the file. */
const SOURCES = [
  ['pets', 'petstore-3.0.yaml'],
  ['oai-pets', 'oai-petstore-3.0.yaml'],
  ['orders', 'orders-3.0.json'],
  ['things', 'things-3.1.yaml'],
  ['sample', 'sample-app-2.0.json'],
  ['pets2', 'petstore-2.0.json'],
  ['swagger-pets', 'swagger-petstore-2.0.json'],
] as const;

describe.each(BACKENDS)('API export (%s)', (backend) => {
  let server: TestServer;
  const clock = new ManualClock(new Date());

  /** The operations as listed, each schemaId of one of the API's own schemas written `schema`, so that two APIs compare. */
  const operations = async (id: string) => {
    const res = await server.request('GET', `/apis/${id}/operations`);
    expect(res.status, res.text).toBe(200);
    const schemaIds = ((await server.request('GET', `/apis/${id}/schemas`)).json.value as { name: string }[]).map((s) => s.name);
    const text = JSON.stringify(res.json.value).replace(/"schemaId":"([^"]*)"/g, (whole, schemaId: string) => (schemaIds.includes(schemaId) ? '"schemaId":"schema"' : whole));
    return (JSON.parse(text) as Op[])
      .map((o) => ({ name: o.name, method: o.properties.method, urlTemplate: o.properties.urlTemplate, templateParameters: o.properties.templateParameters.map((p) => ({ name: p.name, type: p.type, required: p.required })), request: o.properties.request, responses: o.properties.responses }))
      .sort((a, b) => a.name.localeCompare(b.name));
  };
  const exportLink = async (id: string, format: string) => {
    const res = await server.request('GET', `/apis/${id}`, { query: { export: 'true', format } });
    expect(res.status, res.text).toBe(200);
    return res.json as { id: string; format: string; value: { link: string } };
  };

  beforeAll(async () => {
    server = await startServer(backend, { clock });
    for (const [id, name] of SOURCES) {
      const format = name.endsWith('.yaml') ? 'openapi' : name.includes('2.0') ? 'swagger-json' : 'openapi+json';
      const res = await server.request('PUT', `/apis/${id}`, { body: { properties: { format, value: fixture(name), path: id } } });
      expect(res.status, res.text).toBe(201);
    }
  });

  afterAll(async () => {
    await server?.close();
  });

  for (const [source] of SOURCES) {
    for (const [format, answered, importAs] of FORMATS) {
      it(`${source} as ${format}: a valid document on a link outside management auth, re-imported to the same operations`, async () => {
        const body = await exportLink(source, format);
        expect(body.format).toBe(answered);
        expect(body.id).toMatch(new RegExp(`/service/[^/]+/apis/${source}$`));
        expect(body.value.link.startsWith(`${server.url}/export/apis/`)).toBe(true);
        const res = await fetch(body.value.link);
        expect(res.status).toBe(200);
        const text = await res.text();
        const doc = (format === 'openapi-link' ? parse(text) : JSON.parse(text)) as Record<string, unknown>;
        if (format === 'swagger-link') expect(doc.swagger).toBe('2.0');
        else expect(doc.openapi).toBe('3.0.1');
        const result = await validate(structuredClone(doc) as never);
        expect(result.valid, JSON.stringify(result)).toBe(true);
        const copy = `${source}-${importAs.replace(/\W/g, '')}`;
        const put = await server.request('PUT', `/apis/${copy}`, { body: { properties: { format: importAs, value: text, path: copy } } });
        expect(put.status, put.text).toBe(201);
        const original = await operations(source);
        expect(original.length).toBeGreaterThan(0);
        expect(await operations(copy)).toEqual(original);
      });
    }
  }

  it('an API made by hand (Azure operation example, nulls, form, examples, typed template) exports valid documents that re-import to its operations', async () => {
    const api = await server.request('PUT', '/apis/shop', { body: { properties: { displayName: 'Shop', path: 'shop', serviceUrl: 'http://shop.example.com/api', protocols: ['https'] } } });
    expect(api.status, api.text).toBe(201);
    const example = JSON.parse(readFileSync(join(EXAMPLES, 'ApiManagementCreateApiOperation.json'), 'utf8')) as { parameters: { parameters: unknown } };
    const puts: [string, unknown][] = [
      ['create-user', example.parameters.parameters],
      [
        'find',
        {
          properties: {
            displayName: 'Find items',
            method: 'GET',
            urlTemplate: '/shops/{shopId}/items?limit={limit}',
            templateParameters: [
              { name: 'shopId', type: 'integer', required: true, description: 'The shop.' },
              { name: 'limit', type: 'integer', required: true, defaultValue: '10', values: ['10', '50'] },
            ],
            request: { queryParameters: [{ name: 'tags', type: 'array', required: false }], headers: [{ name: 'X-Trace', type: 'string', required: true }], representations: null },
            responses: [
              { statusCode: 200, description: 'Items', representations: [{ contentType: 'application/json', examples: { default: { value: [{ id: 1 }] }, two: { summary: 'Two', value: [{ id: 1 }, { id: 2 }] } } }], headers: [{ name: 'X-Total', type: 'integer' }] },
              { statusCode: 404, representations: null, headers: null },
            ],
          },
        },
      ],
      [
        'upload',
        {
          properties: {
            displayName: 'Upload',
            method: 'POST',
            urlTemplate: '/pictures/{name}',
            templateParameters: [{ name: 'name', type: 'string', required: true }],
            request: { representations: [{ contentType: 'multipart/form-data', formParameters: [{ name: 'caption', type: 'string', required: true }], examples: null }] },
          },
        },
      ],
    ];
    for (const [id, body] of puts) {
      const res = await server.request('PUT', `/apis/shop/operations/${id}`, { body });
      expect(res.status, res.text).toBe(201);
    }
    for (const [format, , importAs] of FORMATS) {
      const text = await (await fetch((await exportLink('shop', format)).value.link)).text();
      const doc = (format === 'openapi-link' ? parse(text) : JSON.parse(text)) as Record<string, unknown>;
      const result = await validate(structuredClone(doc) as never);
      expect(result.valid, JSON.stringify(result)).toBe(true);
      const copy = `shop-${importAs.replace(/\W/g, '')}`;
      const put = await server.request('PUT', `/apis/${copy}`, { body: { properties: { format: importAs, value: text, path: copy } } });
      expect(put.status, put.text).toBe(201);
      const strip = (list: Awaited<ReturnType<typeof operations>>) => list.map(({ request: _r, responses: _s, ...o }) => o);
      expect(strip(await operations(copy))).toEqual(strip(await operations('shop')));
      expect(put.json.properties.serviceUrl).toBe('http://shop.example.com/api');
    }
  });

  it('keeps the API: title, description and server', async () => {
    const res = await fetch((await exportLink('pets', 'openapi+json-link')).value.link);
    const doc = (await res.json()) as { info: Record<string, unknown>; servers: { url: string }[] };
    expect(doc.info).toMatchObject({ title: 'Pet Store (3.0 YAML)', description: 'Pets, for the import tests.' });
    expect(doc.servers).toEqual([{ url: 'https://pets.example.com/v1' }]);
  });

  it('an expired link is a 404; a fresh one works again', async () => {
    const { link } = (await exportLink('pets', 'openapi-link')).value;
    clock.advance(5 * 60 * 1000 + 1000);
    const res = await server.request('GET', link, { auth: false, apiVersion: null });
    expectAzureError(res, 404);
    expect(res.text).not.toMatch(/expired at|signature|pets/i);
    expect((await fetch((await exportLink('pets', 'openapi-link')).value.link)).status).toBe(200);
  });

  it('a tampered or made-up link is a 404', async () => {
    const { link } = (await exportLink('pets', 'swagger-link')).value;
    const [payload, sig] = link.split('/').at(-1)!.split('.');
    const other = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), a: 'orders' })).toString('base64url');
    const flipped = sig!.slice(0, -2) + (sig!.endsWith('AA') ? 'BB' : 'AA');
    for (const token of [`${other}.${sig}`, `${payload}.${flipped}`, `${payload}`, 'nothing', `${payload}.${sig}.x`]) {
      const res = await server.request('GET', `${server.url}/export/apis/${token}`, { auth: false, apiVersion: null });
      expectAzureError(res, 404);
    }
  });

  it('the link of a deleted API is a 404', async () => {
    const put = await server.request('PUT', '/apis/gone', { body: { properties: { format: 'openapi', value: fixture('petstore-3.0.yaml'), path: 'gone' } } });
    expect(put.status, put.text).toBe(201);
    const { link } = (await exportLink('gone', 'openapi-link')).value;
    expect((await server.request('DELETE', '/apis/gone', { headers: { 'if-match': '*' } })).status).toBe(200);
    expectAzureError(await server.request('GET', link, { auth: false, apiVersion: null }), 404);
  });

  it('an unknown or missing format is a 400; WADL and WSDL are not supported; an unknown API is a 404', async () => {
    expectValidationError(await server.request('GET', '/apis/pets', { query: { export: 'true', format: 'yaml' } }), 'format');
    expectValidationError(await server.request('GET', '/apis/pets', { query: { export: 'true' } }), 'format');
    expectAzureError(await server.request('GET', '/apis/pets', { query: { export: 'true', format: 'wadl-link' } }), 400, 'FeatureNotSupported');
    expectAzureError(await server.request('GET', '/apis/nope', { query: { export: 'true', format: 'openapi-link' } }), 404);
    expectAzureError(await server.request('GET', '/apis/pets', { query: { export: 'true', format: 'openapi-link' }, auth: false }), 401);
  });

  it("the Azure SDK's apiExport.get answers the link, which opens", async () => {
    const client = createAzureClient(server);
    const result = await client.apiExport.get(RG, SVC, 'pets', 'openapi+json-link', 'true');
    expect(result.exportResultFormat).toBe('openapi+json-link');
    expect(result.id).toMatch(/\/apis\/pets$/);
    const res = await fetch(result.value!.link!);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { openapi: string }).openapi).toBe('3.0.1');
  });

  it("matches the shapes of Azure's two export examples", async () => {
    for (const [name, format] of [['ApiManagementGetApiExportInOpenApi3dot0.json', 'openapi-link'], ['ApiManagementGetApiExportInOpenApi2dot0.json', 'swagger-link']] as const) {
      const example = JSON.parse(readFileSync(join(EXAMPLES, name), 'utf8')) as { parameters: { format: string }; responses: { 200: { body: { format: string } } } };
      expect(example.parameters.format).toBe(format);
      const ours = await exportLink('pets', format);
      expect(compareShapes(example.responses[200].body, ours)).toEqual([]);
      expect(ours.format).toBe(example.responses[200].body.format);
    }
  });
});
