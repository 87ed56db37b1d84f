/**
 * The one way input is validated: a zod schema, and on failure an AppError whose details name each
 * offending field (target) in the wire's terms, e.g. `properties.email`.
 */
import { z } from 'zod';
import { validationError } from './errors.js';

export function parseInput<S extends z.ZodType>(schema: S, value: unknown, targetPrefix = ''): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = result.error.issues.slice(0, 20).map((issue) => {
    const path = issue.path.map(String).join('.');
    const target = [targetPrefix, path].filter(Boolean).join('.') || targetPrefix || 'body';
    return { code: 'ValidationError', target, message: issue.message };
  });
  throw validationError('One or more fields contain incorrect values.', details);
}

/**
 * The base of every string field: PostgreSQL cannot store the NUL character, so it is refused on
 * both databases alike rather than failing deep in a write.
 */
export function text() {
  return z.string({ error: 'must be a string' }).regex(/^[^\u0000]*$/, 'must not contain the NUL character');
}
