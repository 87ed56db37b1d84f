/** Operation names, display names, URL templates and servers derived from OpenAPI and Swagger documents. */
import { describe, expect, it } from 'vitest';
import { baseOperationName, normalizeOperationName, uniqueNames } from '../../src/domain/openapi/names.js';
import { deriveApi } from '../../src/domain/openapi/derive.js';
import { AppError } from '../../src/domain/errors.js';

describe('normalizeOperationName', () => {
  it('lower-cases, turns each run of other characters into one dash and trims dashes', () => {
    expect(normalizeOperationName('listPets')).toBe('listpets');
    expect(normalizeOperationName('Orders.GetLine')).toBe('orders-getline');
    expect(normalizeOperationName('__create  Pet!!__')).toBe('create-pet');
    expect(normalizeOperationName('a_b-c d')).toBe('a-b-c-d');
    expect(normalizeOperationName('Ünïcode-name')).toBe('n-code-name');
    expect(normalizeOperationName('!!!')).toBe('operation');
  });

  it('cuts to 76 characters and does not end on a dash', () => {
    expect(normalizeOperationName('a'.repeat(100))).toBe('a'.repeat(76));
    expect(normalizeOperationName(`${'a'.repeat(75)}-bbb`)).toBe('a'.repeat(75));
  });

  it('derives method and path when there is no operationId', () => {
    expect(baseOperationName(undefined, 'get', '/pets/{petId}')).toBe('get-pets-petid');
    expect(baseOperationName('  ', 'post', '/')).toBe('post');
    expect(baseOperationName('X', 'get', '/y')).toBe('x');
  });
});

describe('uniqueNames', () => {
  it('keeps the first and numbers the repeats -1, -2 in order, around names already taken', () => {
    expect(uniqueNames(['a', 'b', 'a', 'a'])).toEqual(['a', 'b', 'a-1', 'a-2']);
    expect(uniqueNames(['a-1', 'a', 'a'])).toEqual(['a-1', 'a', 'a-2']);
  });
});

const ok = { 200: { description: 'ok' } };

describe('deriveApi', () => {
  it('takes the API name and description from info, and the first absolute server (variables at defaults) but not its protocol', () => {
    const api = deriveApi({
      openapi: '3.0.0',
      info: { title: ' T ', description: 'D' },
      servers: [{ url: '{s}://h.example.com/{v}/', variables: { s: { default: 'https' }, v: { default: 'v2' } } }, { url: 'http://other.example.com' }],
      paths: {},
    });
    expect(api).toEqual({ displayName: 'T', description: 'D', serviceUrl: 'https://h.example.com/v2', protocols: undefined, operations: [] });
    expect(deriveApi({ openapi: '3.1.0', info: {}, servers: [{ url: '/rel' }], paths: {} }).serviceUrl).toBeUndefined();
  });

  it('Swagger 2.0: the first scheme, host and basePath; https when no scheme is listed', () => {
    expect(deriveApi({ swagger: '2.0', info: {}, host: 'h', basePath: '/b/', schemes: ['http'], paths: {} })).toMatchObject({ serviceUrl: 'http://h/b', protocols: ['http'] });
    expect(deriveApi({ swagger: '2.0', info: {}, host: 'h', paths: {} }).serviceUrl).toBe('https://h');
    expect(deriveApi({ swagger: '2.0', info: {}, paths: {} }).serviceUrl).toBeUndefined();
  });

  it('path parameters (path-level ones too, overridden by the operation) and required query parameters become template parameters', () => {
    const doc = {
      openapi: '3.0.0',
      info: {},
      paths: {
        '/a/{id}': {
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }, { name: 'q', in: 'query', required: true, schema: { type: 'string' } }],
          get: {
            operationId: 'getA',
            parameters: [
              { name: 'id', in: 'path', required: true, schema: { type: 'integer' } },
              { name: 'opt', in: 'query', schema: { type: 'string' } },
              { name: 'h', in: 'header', required: true, schema: { type: 'string' } },
              { name: 'c', in: 'cookie', required: true, schema: { type: 'string' } },
            ],
            responses: ok,
          },
        },
      },
    };
    const [op] = deriveApi(doc).operations;
    expect(op).toEqual({
      name: 'geta',
      displayName: 'getA',
      method: 'GET',
      urlTemplate: '/a/{id}?q={q}',
      description: null,
      templateParameters: [{ name: 'id', type: 'integer', required: true }, { name: 'q', type: 'string', required: true }],
      // The other query and header parameters describe the request; the cookie is ignored.
      request: { queryParameters: [{ name: 'opt', type: 'string', required: false }], headers: [{ name: 'h', type: 'string', required: true }], representations: [] },
      responses: [{ statusCode: 200, description: 'ok', representations: [], headers: [] }],
    });
    expect(deriveApi(doc, 'query').operations[0]).toMatchObject({ urlTemplate: '/a/{id}', templateParameters: [{ name: 'id' }] });
    expect(deriveApi(doc, 'query').operations[0]!.request!.queryParameters!.map((p) => p.name)).toEqual(['q', 'opt']);
  });

  it('request bodies and responses become representations with their examples (3.x); GET bodies are dropped', () => {
    const [get, post] = deriveApi({
      openapi: '3.0.0',
      info: {},
      paths: {
        '/p': {
          get: { requestBody: { content: { 'application/json': {} } }, responses: { default: { description: 'x' }, '2XX': { description: 'y' } } },
          post: {
            requestBody: { description: 'A pet', content: { 'application/json': { example: { a: 1 } }, 'text/plain': { examples: { one: { summary: 'S', value: 'v' } } } } },
            responses: { 201: { description: 'made', headers: { Location: { description: 'where', schema: { type: 'string' } } }, content: { 'application/json': { schema: { type: 'object' } } } } },
          },
        },
      },
    }).operations;
    expect(get!.request).toBeNull();
    expect(get!.responses).toEqual([]);
    expect(post!.request).toEqual({
      description: 'A pet',
      queryParameters: [],
      headers: [],
      representations: [{ contentType: 'application/json', examples: { default: { value: { a: 1 } } } }, { contentType: 'text/plain', examples: { one: { summary: 'S', value: 'v' } } }],
    });
    expect(post!.responses).toEqual([
      { statusCode: 201, description: 'made', representations: [{ contentType: 'application/json' }], headers: [{ name: 'Location', type: 'string', required: false, description: 'where' }] },
    ]);
  });

  it('Swagger 2.0: body and form parameters become representations of consumes; responses of produces', () => {
    const [body, form] = deriveApi({
      swagger: '2.0',
      info: {},
      consumes: ['application/json', 'application/xml'],
      produces: ['application/json'],
      paths: {
        '/b': { post: { parameters: [{ name: 'b', in: 'body', schema: { type: 'object' } }], responses: { 200: { description: 'ok', schema: { type: 'object' }, examples: { 'application/json': { x: 1 } } } } } },
        '/f': { post: { consumes: ['multipart/form-data'], parameters: [{ name: 'file', in: 'formData', type: 'file', required: true }], responses: { 204: { description: 'none' } } } },
      },
    }).operations;
    expect(body!.request!.representations).toEqual([{ contentType: 'application/json' }, { contentType: 'application/xml' }]);
    expect(body!.responses).toEqual([{ statusCode: 200, description: 'ok', representations: [{ contentType: 'application/json', examples: { default: { value: { x: 1 } } } }], headers: [] }]);
    expect(form!.request!.representations).toEqual([{ contentType: 'multipart/form-data', formParameters: [{ name: 'file', type: 'file', required: true }] }]);
    expect(form!.responses).toEqual([{ statusCode: 204, description: 'none', representations: [], headers: [] }]);
  });

  it('display names: summary, else operationId, else method and path; names unique in document order', () => {
    const ops = deriveApi({
      openapi: '3.0.0',
      info: {},
      paths: {
        '/x': { get: { operationId: 'Same', summary: 'Get x', responses: ok }, post: { operationId: 'same', responses: ok } },
        '/y': { delete: { responses: ok }, trace: { operationId: 'same', responses: ok } },
      },
    }).operations;
    expect(ops.map((o) => [o.name, o.displayName, o.method])).toEqual([
      ['same', 'Get x', 'GET'],
      ['same-1', 'same', 'POST'],
      ['delete-y', 'DELETE /y', 'DELETE'],
      ['same-2', 'same', 'TRACE'],
    ]);
  });

  it('a 3.1 type list picks its non-null type; enums and defaults become strings', () => {
    const [op] = deriveApi({
      openapi: '3.1.0',
      info: {},
      paths: { '/t/{n}': { get: { parameters: [{ name: 'n', in: 'path', required: true, schema: { type: ['null', 'number'], enum: [1, 2], default: 1 } }], responses: ok } } },
    }).operations;
    expect(op!.templateParameters).toEqual([{ name: 'n', type: 'number', required: true, defaultValue: '1', values: ['1', '2'] }]);
  });

  it('refuses a path parameter that cannot be a template parameter, with a pointer to the operation', () => {
    try {
      deriveApi({ openapi: '3.0.0', info: {}, paths: { '/a/{p.q}': { get: { responses: ok } } } });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).details[0]!.target).toBe('/paths/~1a~1{p.q}/get');
    }
  });
});
