import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import { parseInput, text } from '../../src/domain/validate.js';

/** The AppError parseInput threw. */
function refusal(run: () => unknown): AppError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error('expected a validation error');
}

const schema = z.object({
  email: z.string({ error: 'must be a string' }).trim().min(1, 'is required'),
  tags: z.array(z.object({ name: z.string({ error: 'must be a string' }) })).optional(),
});

describe('parseInput', () => {
  it('returns the parsed (and transformed) value', () => {
    expect(parseInput(schema, { email: '  a@b.example ' })).toEqual({ email: 'a@b.example' });
    expect(parseInput(schema, { email: 'a', tags: [{ name: 'x' }] }, 'properties')).toEqual({ email: 'a', tags: [{ name: 'x' }] });
  });

  it('refuses with a 400 ValidationError whose details name each offending field', () => {
    const e = refusal(() => parseInput(schema, { email: 5, tags: [{ name: 'ok' }, { name: 7 }] }));
    expect(e.kind).toBe('validation');
    expect(e.code).toBe('ValidationError');
    expect(e.message).toBe('One or more fields contain incorrect values.');
    expect(e.details).toEqual([
      { code: 'ValidationError', target: 'email', message: 'must be a string' },
      { code: 'ValidationError', target: 'tags.1.name', message: 'must be a string' },
    ]);
  });

  it('puts the prefix in front of each target, in the wire terms', () => {
    const e = refusal(() => parseInput(schema, { email: ' ' }, 'properties'));
    expect(e.details).toEqual([{ code: 'ValidationError', target: 'properties.email', message: 'is required' }]);
  });

  it('names the prefix, or else the body, when the whole value is wrong', () => {
    expect(refusal(() => parseInput(schema, 'text', 'properties')).details[0]?.target).toBe('properties');
    expect(refusal(() => parseInput(schema, null)).details[0]?.target).toBe('body');
    expect(refusal(() => parseInput(schema, undefined, '')).details[0]?.target).toBe('body');
  });

  it('reports at most 20 issues', () => {
    const many = z.object(Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}`, z.string()])));
    const e = refusal(() => parseInput(many, {}));
    expect(e.details).toHaveLength(20);
    expect(e.details[0]?.target).toBe('f0');
    expect(e.details[19]?.target).toBe('f19');
  });
});

describe('text', () => {
  it('accepts any string without NUL, the empty one included', () => {
    for (const value of ['', 'plain', 'ünïcode 😀', '\u0001\u007f', 'a\nb']) {
      expect(text().safeParse(value)).toEqual({ success: true, data: value });
    }
  });

  it('refuses the NUL character anywhere', () => {
    for (const value of ['\u0000', 'a\u0000', '\u0000b', 'a\u0000b']) {
      const result = text().safeParse(value);
      expect(result.success).toBe(false);
      expect(result.error?.issues.map((i) => i.message)).toEqual(['must not contain the NUL character']);
    }
  });

  it('refuses what is not a string', () => {
    for (const value of [1, null, undefined, {}, ['a']]) {
      expect(text().safeParse(value).error?.issues.map((i) => i.message)).toEqual(['must be a string']);
    }
  });

  it('is a fresh schema each time, so that one field narrowing it leaves the others alone', () => {
    const short = text().max(2);
    expect(short.safeParse('abc').success).toBe(false);
    expect(text().safeParse('abc').success).toBe(true);
  });
});
