import { describe, expect, it } from 'vitest';
import { nestsDeeperThan } from '../../src/domain/json-depth.js';

// Mutants still alive: the four of the test that keeps scalars and null off the stack
// (`child !== null && typeof child === 'object'` → true, ||, or either half true). Equivalent: a
// value taken off the stack that is not an object is skipped anyway; the test only saves work.

/** `levels` arrays one inside the other, the innermost holding `inner`. */
function arrays(levels: number, inner?: unknown): unknown {
  let value: unknown = inner === undefined ? [] : [inner];
  for (let i = 1; i < levels; i += 1) value = [value];
  return value;
}

/** `levels` objects one inside the other. */
function objects(levels: number): unknown {
  let value: unknown = {};
  for (let i = 1; i < levels; i += 1) value = { child: value };
  return value;
}

describe('nestsDeeperThan', () => {
  it('counts no level for a scalar or null', () => {
    for (const scalar of [null, undefined, 0, 1, '', 'text', true, false]) {
      expect(nestsDeeperThan(scalar, 0)).toBe(false);
      expect(nestsDeeperThan(scalar, 5)).toBe(false);
    }
  });

  it('counts one level for an empty or flat array or object', () => {
    for (const value of [[], {}, [1, 'a', null, true], { a: 1, b: 'x', c: null }]) {
      expect(nestsDeeperThan(value, 0)).toBe(true);
      expect(nestsDeeperThan(value, 1)).toBe(false);
    }
  });

  it('is false exactly at the limit and true one past it, for arrays', () => {
    expect(nestsDeeperThan(arrays(5), 5)).toBe(false);
    expect(nestsDeeperThan(arrays(6), 5)).toBe(true);
    expect(nestsDeeperThan(arrays(5, 'deep'), 5)).toBe(false);
    expect(nestsDeeperThan(arrays(5, null), 4)).toBe(true);
  });

  it('is false exactly at the limit and true one past it, for objects', () => {
    expect(nestsDeeperThan(objects(5), 5)).toBe(false);
    expect(nestsDeeperThan(objects(6), 5)).toBe(true);
  });

  it('follows arrays inside objects and objects inside arrays', () => {
    const mixed = { a: [{ b: [{}] }] }; // five levels
    expect(nestsDeeperThan(mixed, 5)).toBe(false);
    expect(nestsDeeperThan(mixed, 4)).toBe(true);
    expect(nestsDeeperThan([{ x: [1] }, 'y'], 3)).toBe(false);
    expect(nestsDeeperThan([{ x: [1] }, 'y'], 2)).toBe(true);
  });

  it('finds the deep branch wherever it is among shallow ones', () => {
    expect(nestsDeeperThan([1, [2], arrays(4), 'x'], 4)).toBe(true);
    expect(nestsDeeperThan([arrays(4), 1, [2], 'x'], 4)).toBe(true);
    expect(nestsDeeperThan({ a: 1, b: { c: 2 }, d: objects(4), e: null }, 4)).toBe(true);
    expect(nestsDeeperThan({ a: 1, b: { c: 2 }, d: objects(3), e: null }, 4)).toBe(false);
  });

  it('is false for wide shallow values', () => {
    const wide = Array.from({ length: 10_000 }, (_, i) => ({ i, tags: ['a', 'b'] }));
    expect(nestsDeeperThan(wide, 3)).toBe(false);
    expect(nestsDeeperThan(wide, 2)).toBe(true);
    const wideObject = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]));
    expect(nestsDeeperThan(wideObject, 1)).toBe(false);
  });

  it('walks hostile nesting without overflowing the stack', () => {
    const deep = arrays(100_000);
    expect(nestsDeeperThan(deep, 64)).toBe(true);
    expect(nestsDeeperThan(JSON.parse('['.repeat(50_000) + ']'.repeat(50_000)), 49_999)).toBe(true);
    expect(nestsDeeperThan(JSON.parse('['.repeat(50_000) + ']'.repeat(50_000)), 50_000)).toBe(false);
  });
});
