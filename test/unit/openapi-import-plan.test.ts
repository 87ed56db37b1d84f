/**
 * The plan of an import (src/domain/openapi/import-plan.ts): created, changed with the fields that
 * change, removed and unchanged, matched by name; schema ids and key order do not count as changes;
 * a definition whose operations clash is refused before any plan. Also what the import changes on
 * the API itself, and the format the admin UI's import detects.
 */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import { apiPropertyChanges, planImport, type PlannedOperation } from '../../src/domain/openapi/import-plan.js';
import { detectFormat } from '../../src/services/api-import-preview.js';

const op = (name: string, urlTemplate: string, extra: Partial<PlannedOperation> = {}): PlannedOperation => ({
  name,
  displayName: name,
  method: 'GET',
  urlTemplate,
  description: null,
  templateParameters: [],
  request: null,
  responses: [],
  ...extra,
});

describe('import plan', () => {
  it('says which operations are created, changed (which fields), removed and unchanged', () => {
    const stored = [op('listpets', '/pets'), op('showpet', '/pets/{id}', { templateParameters: [{ name: 'id', type: 'string', required: true }] }), op('old', '/old')];
    const imported = [
      op('listpets', '/pets'),
      op('showpet', '/pets/{petId}', { displayName: 'Show a pet', templateParameters: [{ name: 'petId', type: 'string', required: true }] }),
      op('createpet', '/pets', { method: 'POST' }),
    ];
    const plan = planImport(stored, imported);
    expect(plan.created.map((o) => o.name)).toEqual(['createpet']);
    expect(plan.changed.map((c) => [c.operation.name, c.fields])).toEqual([['showpet', ['displayName', 'urlTemplate', 'templateParameters']]]);
    expect(plan.changed[0]!.before.urlTemplate).toBe('/pets/{id}');
    expect(plan.removed.map((o) => o.name)).toEqual(['old']);
    expect(plan.unchanged.map((o) => o.name)).toEqual(['listpets']);
  });

  it('does not count schema ids or the order of keys as a change', () => {
    const stored = [op('a', '/a', { responses: [{ statusCode: 200, representations: [{ schemaId: 'old-id', contentType: 'application/json' }] }] })];
    const imported = [op('a', '/a', { responses: [{ representations: [{ contentType: 'application/json', schemaId: 'new-id' }], statusCode: 200 }] })];
    const plan = planImport(stored, imported);
    expect(plan.changed).toEqual([]);
    expect(plan.unchanged.map((o) => o.name)).toEqual(['a']);
  });

  it('refuses two operations on the same route, naming the second', () => {
    let error: unknown;
    try {
      planImport([], [op('a', '/pets/{id}', { templateParameters: [{ name: 'id', type: 'string', required: true }] }), op('b', '/PETS/{x}', { templateParameters: [{ name: 'x', type: 'string', required: true }] })]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).details[0]).toMatchObject({ target: 'operations.b' });
  });
});

describe('what an import changes on the API', () => {
  const api = { displayName: 'Pets', description: 'Old', serviceUrl: 'https://a.example', protocols: ['https'] };

  it('names each property set to another value, and none left out', () => {
    expect(apiPropertyChanges(api, { displayName: 'Pets', description: null, serviceUrl: 'https://b.example', protocols: undefined })).toEqual([
      { field: 'description', before: 'Old', after: null },
      { field: 'serviceUrl', before: 'https://a.example', after: 'https://b.example' },
    ]);
  });

  it('lists every property a new API gets', () => {
    expect(apiPropertyChanges(undefined, { displayName: 'Pets', description: null, serviceUrl: undefined, protocols: ['http', 'https'] })).toEqual([
      { field: 'displayName', before: undefined, after: 'Pets' },
      { field: 'description', before: undefined, after: null },
      { field: 'protocols', before: undefined, after: 'http, https' },
    ]);
  });
});

describe('the format of a pasted definition', () => {
  it('is Swagger 2.0 JSON, OpenAPI JSON, or YAML', () => {
    expect(detectFormat('  {"swagger": "2.0", "info": {}}')).toBe('swagger-json');
    expect(detectFormat('{"openapi":"3.1.0"}')).toBe('openapi+json');
    expect(detectFormat('openapi: 3.0.3\ninfo: {}')).toBe('openapi');
  });
});
