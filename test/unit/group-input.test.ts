import { describe, expect, it } from 'vitest';
import { groupCreateInput, groupUpdateInput } from '../../src/domain/group-input.js';

type Schema = typeof groupCreateInput | typeof groupUpdateInput;

/** The messages of the issues, by field, or the parsed value. */
function parse(schema: Schema, value: unknown): unknown {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  return Object.fromEntries(result.error.issues.map((i) => [i.path.join('.'), i.message]));
}

describe('groupCreateInput', () => {
  it('needs a display name, trimmed, of 1 to 300 characters', () => {
    expect(parse(groupCreateInput, { displayName: '  Partners  ' })).toEqual({ displayName: 'Partners' });
    expect(parse(groupCreateInput, { displayName: 'x'.repeat(300) })).toEqual({ displayName: 'x'.repeat(300) });
    expect(parse(groupCreateInput, {})).toEqual({ displayName: 'must be a string' });
    expect(parse(groupCreateInput, { displayName: 3 })).toEqual({ displayName: 'must be a string' });
    expect(parse(groupCreateInput, { displayName: '' })).toEqual({ displayName: 'is required' });
    expect(parse(groupCreateInput, { displayName: '   ' })).toEqual({ displayName: 'is required' });
    expect(parse(groupCreateInput, { displayName: 'x'.repeat(301) })).toEqual({ displayName: 'must be at most 300 characters' });
    // The limit counts after trimming.
    expect(parse(groupCreateInput, { displayName: ` ${'x'.repeat(300)} ` })).toEqual({ displayName: 'x'.repeat(300) });
  });

  it('takes an optional description of at most 1000 characters, or null', () => {
    const ok = (description: unknown) => ({ displayName: 'G', description });
    expect(parse(groupCreateInput, ok('About us'))).toEqual(ok('About us'));
    expect(parse(groupCreateInput, ok(''))).toEqual(ok(''));
    expect(parse(groupCreateInput, ok(null))).toEqual(ok(null));
    expect(parse(groupCreateInput, ok('x'.repeat(1000)))).toEqual(ok('x'.repeat(1000)));
    expect(parse(groupCreateInput, ok('x'.repeat(1001)))).toEqual({ description: 'must be at most 1000 characters' });
    expect(parse(groupCreateInput, ok(1))).toEqual({ description: 'must be a string' });
    // Descriptions keep their spaces.
    expect(parse(groupCreateInput, ok(' spaced '))).toEqual(ok(' spaced '));
  });

  it('takes an optional type: custom, system or external', () => {
    for (const type of ['custom', 'system', 'external']) {
      expect(parse(groupCreateInput, { displayName: 'G', type })).toEqual({ displayName: 'G', type });
    }
    expect(parse(groupCreateInput, { displayName: 'G', type: 'Custom' })).toEqual({ type: 'must be one of custom, system, external' });
    expect(parse(groupCreateInput, { displayName: 'G', type: null })).toEqual({ type: 'must be one of custom, system, external' });
  });

  it('takes an optional external id of 1 to 1000 characters without NUL, or null', () => {
    const ok = (externalId: unknown) => ({ displayName: 'G', externalId });
    expect(parse(groupCreateInput, ok('aad://tenant/groups/1'))).toEqual(ok('aad://tenant/groups/1'));
    expect(parse(groupCreateInput, ok(null))).toEqual(ok(null));
    expect(parse(groupCreateInput, ok('x'.repeat(1000)))).toEqual(ok('x'.repeat(1000)));
    expect(Object.keys(parse(groupCreateInput, ok('')) as object)).toEqual(['externalId']);
    expect(Object.keys(parse(groupCreateInput, ok('x'.repeat(1001))) as object)).toEqual(['externalId']);
    expect(parse(groupCreateInput, ok('a\u0000b'))).toEqual({ externalId: 'must not contain the NUL character' });
    expect(parse(groupCreateInput, ok(5))).toEqual({ externalId: 'must be a string' });
  });

  it('drops fields it does not know', () => {
    expect(parse(groupCreateInput, { displayName: 'G', builtIn: true })).toEqual({ displayName: 'G' });
  });
});

describe('groupUpdateInput', () => {
  it('makes every field optional, with the same rules', () => {
    expect(parse(groupUpdateInput, {})).toEqual({});
    expect(parse(groupUpdateInput, { description: null, externalId: null })).toEqual({ description: null, externalId: null });
    expect(parse(groupUpdateInput, { displayName: ' New ' })).toEqual({ displayName: 'New' });
    expect(parse(groupUpdateInput, { displayName: '' })).toEqual({ displayName: 'is required' });
    expect(parse(groupUpdateInput, { displayName: 'x'.repeat(301) })).toEqual({ displayName: 'must be at most 300 characters' });
    expect(parse(groupUpdateInput, { description: 'x'.repeat(1001) })).toEqual({ description: 'must be at most 1000 characters' });
    expect(parse(groupUpdateInput, { type: 'other' })).toEqual({ type: 'must be one of custom, system, external' });
    expect(parse(groupUpdateInput, { type: 'external', externalId: 'x' })).toEqual({ type: 'external', externalId: 'x' });
    expect(Object.keys(parse(groupUpdateInput, { externalId: '' }) as object)).toEqual(['externalId']);
  });
});
