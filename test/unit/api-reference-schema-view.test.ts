/** The portal's schema tables: rows of properties from hand-written schema documents (3.0, 3.1, Swagger 2.0). */
import { describe, expect, it } from 'vitest';
import { resolvePointer, schemaView } from '../../src/domain/api-reference/schema-view.js';

const petstore = {
  components: {
    schemas: {
      Pet: {
        type: 'object',
        required: ['id', 'name'],
        properties: {
          id: { type: 'integer', format: 'int64', description: 'The pet id', readOnly: true, example: 25 },
          name: { type: 'string' },
          status: { type: 'string', enum: ['available', 'sold'], default: 'available' },
          tags: { type: 'array', items: { $ref: '#/components/schemas/Tag' } },
          owner: { $ref: '#/components/schemas/Owner' },
        },
      },
      Tag: { type: 'object', properties: { name: { type: 'string', nullable: true } } },
      Owner: { type: 'object', properties: { name: { type: ['string', 'null'] }, pets: { type: 'array', items: { $ref: '#/components/schemas/Pet' } } } },
      Pets: { type: 'array', items: { $ref: '#/components/schemas/Pet' } },
      Error: { allOf: [{ $ref: '#/components/schemas/Base' }, { type: 'object', required: ['code'], properties: { code: { type: 'integer' } } }] },
      Base: { type: 'object', properties: { message: { type: 'string' } } },
      Shape: { oneOf: [{ $ref: '#/components/schemas/Tag' }, { type: 'string' }] },
      Map: { type: 'object', additionalProperties: { type: 'integer' } },
      'a/b~c': { type: 'string' },
      Self: { $ref: '#/components/schemas/Self' },
      External: { $ref: 'other.yaml#/Pet' },
    },
  },
};
const s = petstore.components.schemas;
const paths = (v: ReturnType<typeof schemaView>) => v.rows.map((r) => r.path);

describe('schemaView', () => {
  it('lists properties with type, format, required, description, enum and default', () => {
    const view = schemaView({ $ref: '#/components/schemas/Pet' }, petstore);
    expect(view.type).toBe('object (Pet)');
    expect(view.truncated).toBe(false);
    const byPath = new Map(view.rows.map((r) => [r.path, r]));
    expect(byPath.get('id')).toMatchObject({ type: 'integer', format: 'int64', required: true, description: 'The pet id', depth: 0, example: '25', flags: ['read-only'] });
    expect(byPath.get('name')).toMatchObject({ type: 'string', required: true });
    expect(byPath.get('status')).toMatchObject({ required: false, enum: ['available', 'sold'], defaultValue: 'available' });
    expect(byPath.get('tags')).toMatchObject({ type: 'array of Tag', depth: 0 });
    expect(byPath.get('tags[].name')).toMatchObject({ type: 'string | null', depth: 1 });
    expect(byPath.get('owner')).toMatchObject({ type: 'object (Owner)' });
    expect(byPath.get('owner.name')).toMatchObject({ type: 'string | null', depth: 1 });
  });

  it('names a type that refers back to itself instead of expanding it again', () => {
    const view = schemaView({ $ref: '#/components/schemas/Pet' }, petstore);
    expect(view.rows.find((r) => r.path === 'owner.pets')).toMatchObject({ type: 'array of Pet', depth: 1 });
    expect(view.rows.find((r) => r.path === 'owner.pets[]')).toMatchObject({ type: 'Pet', depth: 2, note: 'refers back to Pet (shown above)' });
    expect(paths(view).some((p) => p.startsWith('owner.pets[].'))).toBe(false);
    expect(schemaView(s.Self, petstore)).toEqual({ type: 'Self', rows: [], truncated: false });
  });

  it('shows an array of a named type with its items’ properties under []', () => {
    const view = schemaView({ $ref: '#/components/schemas/Pets' }, petstore);
    expect(view.type).toBe('array of Pet');
    expect(paths(view)).toEqual(expect.arrayContaining(['[].id', '[].name', '[].tags', '[].tags[].name', '[].owner']));
  });

  it('merges allOf, lists oneOf options and additionalProperties', () => {
    const error = schemaView(s.Error, petstore);
    expect(error.rows.map((r) => [r.path, r.required])).toEqual([['message', false], ['code', true]]);
    const shape = schemaView(s.Shape, petstore);
    expect(shape.type).toBe('one of');
    expect(shape.rows.map((r) => [r.name, r.type])).toEqual([['option 1', 'object (Tag)'], ['name', 'string | null'], ['option 2', 'string']]);
    expect(schemaView(s.Map, petstore).rows).toEqual([expect.objectContaining({ path: '*', type: 'integer' })]);
  });

  it('says so for references it cannot follow, and resolves escaped pointers', () => {
    expect(schemaView({ type: 'object', properties: { x: { $ref: '#/components/schemas/Nope' }, y: { $ref: 'other.yaml#/Pet' } } }, petstore).rows).toEqual([
      expect.objectContaining({ path: 'x', type: 'Nope', note: '#/components/schemas/Nope does not exist in the document' }),
      expect.objectContaining({ path: 'y', type: 'Pet', note: 'external reference other.yaml#/Pet (not resolved)' }),
    ]);
    expect(resolvePointer(petstore, '#/components/schemas/a~1b~0c')).toEqual({ type: 'string' });
    expect(resolvePointer(petstore, '#/components/schemas/constructor')).toBeUndefined();
    expect(resolvePointer(petstore, 'x.yaml#/a')).toBeUndefined();
  });

  it('reads Swagger 2.0 definitions and x-nullable', () => {
    const doc = { definitions: { User: { type: 'object', properties: { nick: { type: 'string', 'x-nullable': true } } } } };
    const view = schemaView({ $ref: '#/definitions/User' }, doc);
    expect(view.type).toBe('object (User)');
    expect(view.rows).toEqual([expect.objectContaining({ path: 'nick', type: 'string | null' })]);
  });

  it('stops at the depth and row limits and says it did', () => {
    let deep: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 20; i++) deep = { type: 'object', properties: { n: deep } };
    const view = schemaView(deep, {});
    expect(view.truncated).toBe(true);
    expect(Math.max(...view.rows.map((r) => r.depth))).toBe(8);
    const wide = { type: 'object', properties: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`p${i}`, { type: 'string' }])) };
    const cut = schemaView(wide, {}, { maxDepth: 8, maxRows: 50 });
    expect(cut.rows).toHaveLength(50);
    expect(cut.truncated).toBe(true);
  });
});
