import { describe, expect, it } from 'vitest';
import { schemaOf, type ApiSchema } from '../../src/domain/api-schema.js';

const openapi: ApiSchema = {
  id: 'openapi',
  contentType: 'application/vnd.oai.openapi.components+json',
  document: { components: { schemas: { Pet: { type: 'object' }, Pets: { type: 'array', items: { $ref: '#/components/schemas/Pet' } } } } },
};
const swagger: ApiSchema = {
  id: 'swagger',
  contentType: 'application/vnd.ms-azure-apim.swagger.definitions+json',
  document: { definitions: { Order: { type: 'object' } } },
};

describe('schemaOf', () => {
  it('finds an OpenAPI component and a Swagger definition by schema id and type name, with their documents', () => {
    expect(schemaOf([openapi, swagger], 'openapi', 'Pets')).toEqual({ schema: { type: 'array', items: { $ref: '#/components/schemas/Pet' } }, document: openapi.document });
    expect(schemaOf([openapi, swagger], 'swagger', 'Order')).toEqual({ schema: { type: 'object' }, document: swagger.document });
  });

  it('answers undefined for a missing id, name, schema or type, and for inherited names', () => {
    expect(schemaOf([openapi], undefined, 'Pet')).toBeUndefined();
    expect(schemaOf([openapi], 'openapi', undefined)).toBeUndefined();
    expect(schemaOf([openapi], 'other', 'Pet')).toBeUndefined();
    expect(schemaOf([openapi], 'openapi', 'Order')).toBeUndefined();
    expect(schemaOf([openapi], 'openapi', 'constructor')).toBeUndefined();
    expect(schemaOf([{ id: 'x', contentType: 'application/vnd.ms-azure-apim.graphql', document: { value: 'type Query { a: Int }' } }], 'x', 'Query')).toBeUndefined();
  });
});
