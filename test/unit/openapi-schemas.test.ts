/**
 * The schema an import keeps (src/domain/openapi/schemas.ts), with the real parser's dereference,
 * and the named types of an export (src/domain/openapi/export-schemas.ts).
 */
import { describe, expect, it } from 'vitest';
import { dereference } from '@readme/openapi-parser';
import { SCHEMA_TYPES_MAX, schemaTypes, withSchemaId } from '../../src/domain/openapi/schemas.js';
import { exportedTypes } from '../../src/domain/openapi/export-schemas.js';
import type { ApiSchema } from '../../src/domain/api-schema.js';

type Json = Record<string, unknown>;

async function typesOf(raw: Json) {
  const resolved = (await dereference(structuredClone(raw) as never, { resolve: { external: false }, dereference: { circular: 'ignore' } } as never)) as unknown as Json;
  return { resolved, types: schemaTypes(raw, resolved) };
}
const media = (resolved: Json, path: string, method: string, status?: string) => {
  const op = (resolved.paths as Json)[path] as Record<string, Json>;
  const target = status === undefined ? (op[method]!.requestBody as Json) : ((op[method]!.responses as Json)[status] as Json);
  return target.content as Record<string, { schema: unknown }>;
};

const DOC: Json = {
  openapi: '3.0.3',
  info: { title: 't', version: '1' },
  paths: {
    '/pets': {
      post: {
        operationId: 'createPet',
        requestBody: { $ref: '#/components/requestBodies/PetBody' },
        responses: {
          '201': { description: 'made', content: { 'application/json': { schema: { type: 'object', properties: { id: { type: 'integer' }, pet: { $ref: '#/components/schemas/Pet' } } } } } },
          '400': { description: 'bad', content: { 'application/problem+json': { schema: { $ref: '#/paths/~1pets/post/responses/201/content/application~1json/schema' } } } },
        },
      },
      put: {
        operationId: 'replace-pets',
        requestBody: { content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/Pet' } } }, 'text/plain': { schema: { type: 'string' } } } },
        responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Node' } } } } },
      },
    },
  },
  components: {
    requestBodies: { PetBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' } } } } },
    schemas: {
      Pet: { type: 'object', properties: { name: { type: 'string' } } },
      Node: { type: 'object', properties: { children: { type: 'array', items: { $ref: '#/components/schemas/Node' } } } },
      ReplacePetsRequest: { type: 'string', description: 'a name a generated type would take' },
    },
  },
};

describe('schemaTypes', () => {
  it('names a dereferenced named type by identity, through a requestBody $ref too', async () => {
    const { resolved, types } = await typesOf(DOC);
    expect(types.typeOf(media(resolved, '/pets', 'post')['application/json']!.schema, 'createpet', 'application/json')).toBe('Pet');
  });

  it('names a circular reference the parser left in place by its target', async () => {
    const { resolved, types } = await typesOf(DOC);
    expect(types.typeOf(media(resolved, '/pets', 'put', '200')['application/json']!.schema, 'replace-pets', 'application/json', 200)).toBe('Node');
  });

  it("generates Azure-style names for inline schemas, kept as written, unique, one type per inline object", async () => {
    const { resolved, types } = await typesOf(DOC);
    const put = media(resolved, '/pets', 'put');
    // `ReplacePetsRequest` is taken by a component: the body's type gets its content type in the name.
    expect(types.typeOf(put['application/json']!.schema, 'replace-pets', 'application/json')).toBe('ReplacePetsApplicationJsonRequest');
    expect(types.typeOf(put['text/plain']!.schema, 'replace-pets', 'text/plain')).toBe('ReplacePetsTextPlainRequest');
    const made = media(resolved, '/pets', 'post', '201')['application/json']!.schema;
    expect(types.typeOf(made, 'createpet', 'application/json', 201)).toBe('Createpet201ApplicationJsonResponse');
    // The 400 refers to the 201's inline schema: the same object, the same type.
    expect(types.typeOf(media(resolved, '/pets', 'post', '400')['application/problem+json']!.schema, 'createpet', 'application/problem+json', 400)).toBe('Createpet201ApplicationJsonResponse');
    const kept = types.result()!;
    expect(kept.contentType).toBe('application/vnd.oai.openapi.components+json');
    const schemas = (kept.document.components as { schemas: Json }).schemas;
    expect(Object.keys(schemas)).toEqual(['Pet', 'Node', 'ReplacePetsRequest', 'ReplacePetsApplicationJsonRequest', 'ReplacePetsTextPlainRequest', 'Createpet201ApplicationJsonResponse']);
    // As written: the $ref inside stays a $ref.
    expect(schemas.ReplacePetsApplicationJsonRequest).toEqual({ type: 'array', items: { $ref: '#/components/schemas/Pet' } });
    expect(schemas.Createpet201ApplicationJsonResponse).toEqual({ type: 'object', properties: { id: { type: 'integer' }, pet: { $ref: '#/components/schemas/Pet' } } });
    expect(schemas.Node).toEqual((DOC.components as { schemas: Json }).schemas.Node);
  });

  it('an inline schema whose $refs point outside the named types is kept dereferenced', async () => {
    const doc: Json = {
      openapi: '3.0.3',
      info: { title: 't', version: '1' },
      paths: {
        '/a': { get: { responses: { '200': { description: 'a', content: { 'application/json': { schema: { type: 'object', properties: { b: { $ref: '#/paths/~1b/get/responses/200/content/application~1json/schema' } } } } } } } } },
        '/b': { get: { responses: { '200': { description: 'b', content: { 'application/json': { schema: { type: 'integer' } } } } } } },
      },
    };
    const { resolved, types } = await typesOf(doc);
    const name = types.typeOf(media(resolved, '/a', 'get', '200')['application/json']!.schema, 'get-a', 'application/json', 200)!;
    expect((types.result()!.document.components as { schemas: Json }).schemas[name]).toEqual({ type: 'object', properties: { b: { type: 'integer' } } });
  });

  it('Swagger 2.0 keeps definitions; a document without any types keeps no schema', async () => {
    const swagger: Json = {
      swagger: '2.0',
      info: { title: 't', version: '1' },
      paths: { '/o': { get: { responses: { '200': { description: 'o', schema: { $ref: '#/definitions/Order' } } } } } },
      definitions: { Order: { type: 'object' } },
    };
    const { resolved, types } = await typesOf(swagger);
    const schema = (((resolved.paths as Json)['/o'] as Json).get as { responses: Record<string, { schema: unknown }> }).responses['200']!.schema;
    expect(types.typeOf(schema, 'get-o', 'application/json', 200)).toBe('Order');
    expect(types.result()).toEqual({ contentType: 'application/vnd.ms-azure-apim.swagger.definitions+json', document: { definitions: { Order: { type: 'object' } } } });
    const none = await typesOf({ openapi: '3.0.3', info: { title: 't', version: '1' }, paths: {} });
    expect(none.types.result()).toBeUndefined();
  });
});

describe('limits', () => {
  it(`refuses more than ${SCHEMA_TYPES_MAX} types, naming value`, () => {
    const many = Object.fromEntries(Array.from({ length: SCHEMA_TYPES_MAX + 1 }, (_, i) => [`T${i}`, { type: 'string' }]));
    const doc = { openapi: '3.0.3', info: { title: 't', version: '1' }, paths: {}, components: { schemas: many } };
    expect(() => schemaTypes(doc, doc).result()).toThrow(expect.objectContaining({ details: [expect.objectContaining({ target: 'value' })] }));
    const fewer = { ...doc, components: { schemas: Object.fromEntries(Object.entries(many).slice(1)) } };
    expect(schemaTypes(fewer, fewer).result()).toBeDefined();
  });
});

describe('withSchemaId', () => {
  it('sets the schema id beside each typeName, key order contentType, schemaId, typeName, the rest', () => {
    const [op] = withSchemaId(
      [{ request: { representations: [{ typeName: 'A', contentType: 'application/json', examples: { default: { value: 1 } } }, { contentType: 'text/plain' }] }, responses: [{ statusCode: 200, representations: [{ contentType: 'application/json', typeName: 'B' }] }] }],
      's1',
    );
    expect(JSON.stringify(op!.request!.representations)).toBe('[{"contentType":"application/json","schemaId":"s1","typeName":"A","examples":{"default":{"value":1}}},{"contentType":"text/plain"}]');
    expect(op!.responses[0]!.representations).toEqual([{ contentType: 'application/json', schemaId: 's1', typeName: 'B' }]);
  });
});

describe('exportedTypes', () => {
  const oas31: ApiSchema = {
    id: 'a',
    contentType: 'application/vnd.oai.openapi.components+json',
    document: {
      components: {
        schemas: {
          Pet: {
            type: ['object', 'null'],
            required: [],
            properties: { age: { type: 'integer', exclusiveMinimum: 0 }, kind: { const: 'cat' }, tag: { $ref: '#/components/schemas/Tag' }, gone: { $ref: '#/components/schemas/Missing' } },
            examples: [{ age: 1 }],
            oneOf: [{ type: 'object' }],
            discriminator: { propertyName: 'kind', mapping: { cat: '#/components/schemas/Pet' } },
            'x-kept': true,
            unknownKeyword: 1,
          },
          Tag: { type: 'string', nullable: true },
          ['__proto__']: { type: 'string' },
        },
      },
    },
  };
  const swagger: ApiSchema = { id: 'b', contentType: 'application/vnd.ms-azure-apim.swagger.definitions+json', document: { definitions: { Tag: { type: 'integer' }, Box: { $ref: '#/definitions/Tag' } } } };
  const graphql: ApiSchema = { id: 'c', contentType: 'application/vnd.ms-azure-apim.graphql', document: { value: 'type Query { a: Int }' } };

  it('writes 3.1 types as OpenAPI 3.0, refs rewritten, unknown targets as {}', () => {
    const { types, refOf } = exportedTypes([oas31, swagger, graphql], 'openapi3');
    expect(types.Pet).toEqual({
      type: 'object',
      nullable: true,
      properties: { age: { type: 'integer', minimum: 0, exclusiveMinimum: true }, kind: { enum: ['cat'] }, tag: { $ref: '#/components/schemas/Tag' }, gone: {} },
      example: { age: 1 },
      oneOf: [{ type: 'object' }],
      discriminator: { propertyName: 'kind' },
      'x-kept': true,
    });
    // The second schema's Tag is exported as Tag1, and its own references follow it.
    expect(types.Tag1).toEqual({ type: 'integer' });
    expect(types.Box).toEqual({ $ref: '#/components/schemas/Tag1' });
    expect(refOf('b', 'Tag')).toEqual({ $ref: '#/components/schemas/Tag1' });
    expect(refOf('a', 'Tag')).toEqual({ $ref: '#/components/schemas/Tag' });
    expect(refOf('a', 'Nope')).toBeUndefined();
    expect(refOf(undefined, 'Tag')).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(types, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(types)).toBe(Object.prototype);
  });

  it('writes OpenAPI types as Swagger 2.0 definitions: what 2.0 cannot say is left out', () => {
    const { types, refOf } = exportedTypes([oas31], 'swagger2');
    expect(types.Pet).toMatchObject({ type: 'object', 'x-nullable': true, discriminator: 'kind' });
    expect(types.Pet).not.toHaveProperty('oneOf');
    expect((types.Pet as { properties: Json }).properties.tag).toEqual({ $ref: '#/definitions/Tag' });
    expect(types.Tag).toEqual({ type: 'string', 'x-nullable': true });
    expect(refOf('a', 'Pet')).toEqual({ $ref: '#/definitions/Pet' });
  });
});
