/**
 * The export document (src/domain/openapi/export.ts) and the export link's token
 * (src/domain/openapi/export-token.ts): an API and operations with every part Azure describes
 * (template path and query parameters, query and header parameters, bodies with examples, form
 * parameters, responses with headers) become documents the validator accepts, from which the
 * import's derivation gives the same operations back; tokens open only unchanged, in time, with
 * one of the keys.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- the documents are read by path in the assertions */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { validate } from '@readme/openapi-parser';
import { exportDocument, splitTemplate, type ExportedOperation } from '../../src/domain/openapi/export.js';
import { deriveApi } from '../../src/domain/openapi/derive.js';
import { signExportToken, verifyExportToken } from '../../src/domain/openapi/export-token.js';

const api = { displayName: 'Shop', description: 'Things to buy.', serviceUrl: 'https://shop.example.com/v1' };

const operations: ExportedOperation[] = [
  {
    id: 'list-items',
    displayName: 'List items',
    method: 'GET',
    urlTemplate: '/shops/{shopId}/items?limit={limit}',
    description: 'All items of a shop.',
    templateParameters: [
      { name: 'shopId', type: 'integer', required: true, description: 'The shop.' },
      { name: 'limit', type: 'integer', required: true, defaultValue: '20' },
    ],
    request: {
      queryParameters: [{ name: 'sort', type: 'string', required: false, values: ['name', 'price'] }],
      headers: [{ name: 'X-Trace', type: 'string', required: true }],
      representations: [],
    },
    responses: [
      {
        statusCode: 200,
        description: 'The items.',
        representations: [{ contentType: 'application/json', examples: { default: { value: [{ id: 1 }] } } }],
        headers: [{ name: 'X-Total', type: 'integer', required: false }],
      },
      { statusCode: 404, description: 'No such shop.', representations: [], headers: [] },
    ],
  },
  {
    id: 'add-item',
    displayName: 'Add an item',
    method: 'POST',
    urlTemplate: '/shops/{shopId}/items',
    description: null,
    templateParameters: [{ name: 'shopId', type: 'integer', required: true }],
    request: { description: 'The item.', queryParameters: [], headers: [], representations: [{ contentType: 'application/json' }] },
    responses: [{ statusCode: 201, description: 'Added.', representations: [], headers: [] }],
  },
  {
    id: 'upload',
    displayName: 'Upload a picture',
    method: 'PUT',
    urlTemplate: '/pictures/{name}',
    description: null,
    templateParameters: [{ name: 'name', type: 'string', required: true }],
    request: { queryParameters: [], headers: [], representations: [{ contentType: 'multipart/form-data', formParameters: [{ name: 'caption', type: 'string', required: true }] }] },
    responses: [],
  },
];

const comparable = (list: { name: string; method: string; urlTemplate: string; templateParameters: unknown[] }[]) =>
  list.map(({ name, method, urlTemplate, templateParameters }) => ({ name, method, urlTemplate, templateParameters }));

describe('splitTemplate', () => {
  it('separates the path from the names of the query part', () => {
    expect(splitTemplate('/a/{id}?q={q}&r={r}')).toEqual({ path: '/a/{id}', query: ['q', 'r'] });
    expect(splitTemplate('items')).toEqual({ path: '/items', query: [] });
  });
});

describe('exportDocument', () => {
  it('OpenAPI 3.0.1: info, servers, operations by name, a required query parameter out of the template', async () => {
    const doc = exportDocument(api, operations, 'openapi3') as any;
    expect(doc.openapi).toBe('3.0.1');
    expect(doc.info).toEqual({ title: 'Shop', description: 'Things to buy.', version: '1.0' });
    expect(doc.servers).toEqual([{ url: 'https://shop.example.com/v1' }]);
    const list = doc.paths['/shops/{shopId}/items'].get;
    expect(list).toMatchObject({ operationId: 'list-items', summary: 'List items', description: 'All items of a shop.' });
    expect(list.parameters).toEqual([
      { name: 'shopId', in: 'path', required: true, description: 'The shop.', schema: { type: 'integer' } },
      { name: 'limit', in: 'query', required: true, schema: { type: 'integer', default: 20 } },
      { name: 'sort', in: 'query', required: false, schema: { type: 'string', enum: ['name', 'price'] } },
      { name: 'X-Trace', in: 'header', required: true, schema: { type: 'string' } },
    ]);
    expect(list.responses['200']).toEqual({ description: 'The items.', headers: { 'X-Total': { schema: { type: 'integer' } } }, content: { 'application/json': { example: [{ id: 1 }] } } });
    expect(doc.paths['/pictures/{name}'].put.requestBody.content['multipart/form-data'].schema).toEqual({ type: 'object', properties: { caption: { type: 'string' } }, required: ['caption'] });
    expect((await validate(structuredClone(doc))).valid).toBe(true);
  });

  it('Swagger 2.0: host, basePath and schemes from the service URL; body and form parameters; valid', async () => {
    const doc = exportDocument(api, operations, 'swagger2') as any;
    expect(doc).toMatchObject({ swagger: '2.0', host: 'shop.example.com', basePath: '/v1', schemes: ['https'] });
    expect(doc.paths['/shops/{shopId}/items'].post.parameters.at(-1)).toEqual({ name: 'body', in: 'body', description: 'The item.', schema: {} });
    expect(doc.paths['/pictures/{name}'].put).toMatchObject({ consumes: ['multipart/form-data'] });
    expect(doc.paths['/pictures/{name}'].put.parameters.at(-1)).toEqual({ name: 'caption', in: 'formData', required: true, type: 'string' });
    expect((await validate(structuredClone(doc))).valid).toBe(true);
  });

  it.each(['openapi3', 'swagger2'] as const)('%s: the import derives the same operations, request and responses back', (version) => {
    const back = deriveApi(exportDocument(api, operations, version));
    expect(back).toMatchObject({ displayName: 'Shop', description: 'Things to buy.', serviceUrl: 'https://shop.example.com/v1' });
    expect(comparable(back.operations)).toEqual(comparable(operations.map((o) => ({ ...o, name: o.id }))));
    const list = back.operations.find((o) => o.name === 'list-items')!;
    expect(list.request).toEqual(operations[0]!.request && { queryParameters: operations[0]!.request.queryParameters, headers: operations[0]!.request.headers, representations: [] });
    expect(list.responses).toEqual(operations[0]!.responses);
    expect(back.operations.find((o) => o.name === 'upload')!.responses).toEqual([]);
  });

  it('keeps the first of two operations on one method and path', () => {
    const twice = [operations[1]!, { ...operations[1]!, id: 'add-again' }];
    expect((exportDocument(api, twice, 'openapi3') as any).paths['/shops/{shopId}/items'].post.operationId).toBe('add-item');
  });
});

describe('export tokens', () => {
  const key = randomBytes(64).toString('base64');
  const other = randomBytes(64).toString('base64');
  const now = new Date('2026-03-01T10:00:00Z');
  const grant = { apiId: 'shop', format: 'openapi-link', expiresAt: new Date(now.getTime() + 300_000) };

  it('opens with either key until it expires', () => {
    const token = signExportToken(key, grant);
    expect(verifyExportToken(token, [other, key], now)).toEqual(grant);
    expect(verifyExportToken(token, [key], new Date(grant.expiresAt.getTime() - 1))).toEqual(grant);
    expect(verifyExportToken(token, [key], grant.expiresAt)).toBeUndefined();
    expect(verifyExportToken(token, [other], now)).toBeUndefined();
  });

  it('does not open when changed', () => {
    const [payload, sig] = signExportToken(key, grant).split('.') as [string, string];
    const longer = Buffer.from(JSON.stringify({ a: 'shop', f: 'openapi-link', e: grant.expiresAt.getTime() + 3_600_000 })).toString('base64url');
    for (const token of [`${longer}.${sig}`, `${payload}.${sig.slice(1)}`, payload, `${payload}.${sig}.`, '', '.']) {
      expect(verifyExportToken(token, [key], now)).toBeUndefined();
    }
  });
});
