/**
 * For the unit tests of the input schemas: what parseInput (src/domain/validate.ts) makes of a
 * value, either the parsed value or the messages of the fields it refuses.
 */
import type { z } from 'zod';
import { AppError } from '../../src/domain/errors.js';
import { parseInput } from '../../src/domain/validate.js';

/** The messages of the AppError that `run` throws, by target. Fails when it throws none. */
export function refusalOf(run: () => unknown): Record<string, string> {
  try {
    run();
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return Object.fromEntries(error.details.map((d) => [d.target ?? '', d.message]));
  }
  throw new Error('expected a validation error');
}

/** The messages parseInput gives for `value`, by field. Fails when it accepts the value. */
export function refusal(schema: z.ZodType, value: unknown): Record<string, string> {
  return refusalOf(() => parseInput(schema, value));
}

/** The value parseInput makes of `value`; throws its AppError when it refuses it. */
export function accepted<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  return parseInput(schema, value);
}

/** Every message of the AppError that `run` throws, as `target: message`, in order. */
export function messagesOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return error.details.map((d) => `${d.target}: ${d.message}`);
  }
  throw new Error('expected a validation error');
}

/** Every message parseInput gives for `value`, as `target: message`, in order. */
export function messages(schema: z.ZodType, value: unknown): string[] {
  return messagesOf(() => parseInput(schema, value));
}
