/**
 * The one way input is validated: a zod schema, and on failure an AppError whose details name each
 * offending field (target) in the wire's terms, e.g. `properties.email`.
 */
import type { z } from 'zod';
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
