/**
 * Type skeletons of JSON values, for comparing our responses with Azure's examples, and checks of
 * Azure's error envelope.
 *
 * shape(value): objects → their keys with the shapes of their values; arrays → the shape of the
 * first element (an empty array has no element shape); primitives → 'string' | 'number' | 'boolean' | 'null'.
 */
import { expect } from 'vitest';
import type { TestResponse } from './server.js';

export type Shape = 'string' | 'number' | 'boolean' | 'null' | 'undefined' | ArrayShape | ObjectShape;
export interface ArrayShape {
  kind: 'array';
  /** The first element's shape; undefined for an empty array. */
  item: Shape | undefined;
}
export interface ObjectShape {
  kind: 'object';
  keys: { [key: string]: Shape };
}

export function shape(value: unknown): Shape {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return { kind: 'array', item: value.length > 0 ? shape(value[0]) : undefined };
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
    case 'bigint':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'object': {
      const keys: { [key: string]: Shape } = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) keys[k] = shape(v);
      return { kind: 'object', keys };
    }
    default:
      return 'undefined';
  }
}

function describeShape(s: Shape | undefined): string {
  if (s === undefined) return 'nothing';
  if (typeof s === 'string') return s;
  return s.kind;
}

/**
 * Where `actual` fails to cover `expected`: every key of an expected object must be present in the
 * actual object with the same shape (extra keys are allowed); arrays compare their first elements.
 * An expected non-empty array that is empty in `actual` is a mismatch (nothing to compare), unless
 * `allowEmptyArrays` is set. Returns human-readable paths; empty when `actual` covers `expected`.
 */
export function shapeMismatches(
  expected: Shape,
  actual: Shape,
  options: { allowEmptyArrays?: boolean } = {},
  path = '$',
): string[] {
  if (typeof expected === 'string' || typeof actual === 'string') {
    return expected === actual ? [] : [`${path}: example has ${describeShape(expected)}, ours has ${describeShape(actual)}`];
  }
  if (expected.kind !== actual.kind) {
    return [`${path}: example has ${expected.kind}, ours has ${actual.kind}`];
  }
  if (expected.kind === 'array' && actual.kind === 'array') {
    if (expected.item === undefined) return [];
    if (actual.item === undefined) {
      return options.allowEmptyArrays ? [] : [`${path}[0]: example has ${describeShape(expected.item)}, ours is an empty array`];
    }
    return shapeMismatches(expected.item, actual.item, options, `${path}[0]`);
  }
  if (expected.kind === 'object' && actual.kind === 'object') {
    const out: string[] = [];
    for (const [key, sub] of Object.entries(expected.keys)) {
      const theirs = actual.keys[key];
      if (theirs === undefined) out.push(`${path}.${key}: missing (example has ${describeShape(sub)})`);
      else out.push(...shapeMismatches(sub, theirs, options, `${path}.${key}`));
    }
    return out;
  }
  return [];
}

/** Shorthand: the mismatches between an example's JSON value and ours. */
export function compareShapes(example: unknown, ours: unknown, options: { allowEmptyArrays?: boolean } = {}): string[] {
  return shapeMismatches(shape(example), shape(ours), options);
}

/** Signs that a JavaScript error leaked: a stack frame, a source path, or an `Error:` prefix. */
export function leakSigns(text: string): string[] {
  const signs: string[] = [];
  if (/\bat [^\s"]+ \(/.test(text) || /\n\s+at /.test(text)) signs.push('stack frame');
  if (/(?:\/|\\)[\w.-]+\.(?:ts|js|mjs|cjs)\b(?::\d+)?/.test(text)) signs.push('source file path');
  if (text.includes('node_modules') || text.includes('/work/')) signs.push('file system path');
  if (text.includes('Error:')) signs.push('"Error:"');
  return signs;
}

/**
 * Asserts Azure's error envelope `{"error":{"code","message","details":[...]}}`, the status and (if
 * given) the code, and that nothing from a JavaScript error leaked into the body.
 */
export function expectAzureError(res: TestResponse, status: number, code?: string): void {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type') ?? '').toMatch(/^application\/json/);
  expect(res.json, res.text).toBeTypeOf('object');
  const error = (res.json as { error?: unknown }).error as { code?: unknown; message?: unknown; details?: unknown } | undefined;
  expect(error, res.text).toBeTypeOf('object');
  expect(error?.code, res.text).toBeTypeOf('string');
  expect(error?.message, res.text).toBeTypeOf('string');
  expect(Array.isArray(error?.details), res.text).toBe(true);
  for (const d of (error?.details ?? []) as { code?: unknown; message?: unknown; target?: unknown }[]) {
    expect(d.code, res.text).toBeTypeOf('string');
    expect(d.message, res.text).toBeTypeOf('string');
    if (d.target !== undefined) expect(d.target, res.text).toBeTypeOf('string');
  }
  if (code !== undefined) expect(error?.code, res.text).toBe(code);
  expect(leakSigns(res.text), res.text).toEqual([]);
}

/** The `target`s of an error response's details. */
export function errorTargets(res: TestResponse): string[] {
  const details = ((res.json as { error?: { details?: { target?: string }[] } } | undefined)?.error?.details ?? []);
  return details.map((d) => d.target).filter((t): t is string => typeof t === 'string');
}

/** Asserts a 400 ValidationError whose details name `target` (and any others given). */
export function expectValidationError(res: TestResponse, ...targets: string[]): void {
  expectAzureError(res, 400, 'ValidationError');
  const got = errorTargets(res);
  for (const t of targets) expect(got, res.text).toContain(t);
}

/** Every object key anywhere in a JSON value (to prove that a field never leaves the server). */
export function allKeys(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) for (const v of value) allKeys(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out.add(k);
      allKeys(v, out);
    }
  }
  return out;
}
