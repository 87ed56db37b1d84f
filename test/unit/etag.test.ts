import { describe, expect, it } from 'vitest';
import { checkIfMatch, quoteEtag, requireIfMatch } from '../../src/domain/etag.js';
import { AppError } from '../../src/domain/errors.js';

function kindOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return (e as AppError).kind;
  }
}

describe('If-Match', () => {
  it('accepts no header (optional on PUT), *, the tag quoted or bare, and a list containing it', () => {
    expect(kindOf(() => checkIfMatch(undefined, 'abc='))).toBeUndefined();
    expect(kindOf(() => checkIfMatch('*', 'abc='))).toBeUndefined();
    expect(kindOf(() => checkIfMatch('"abc="', 'abc='))).toBeUndefined();
    expect(kindOf(() => checkIfMatch('abc=', 'abc='))).toBeUndefined();
    expect(kindOf(() => checkIfMatch('W/"abc="', 'abc='))).toBeUndefined();
    expect(kindOf(() => checkIfMatch('"x", "abc="', 'abc='))).toBeUndefined();
  });

  it('fails with 412 on a stale tag, and on any tag when the entity does not exist', () => {
    expect(kindOf(() => checkIfMatch('"old="', 'abc='))).toBe('precondition-failed');
    expect(kindOf(() => checkIfMatch('*', undefined))).toBe('precondition-failed');
    expect(kindOf(() => checkIfMatch('"abc="', undefined))).toBe('precondition-failed');
  });

  it('is required on PATCH and DELETE', () => {
    expect(kindOf(() => requireIfMatch(undefined))).toBe('validation');
    expect(kindOf(() => requireIfMatch('  '))).toBe('validation');
    expect(requireIfMatch('*')).toBe('*');
  });

  it('quotes tags for the wire', () => {
    expect(quoteEtag('abc=')).toBe('"abc="');
  });
});

describe('bare entity tags', () => {
  it('match even when the base64 tag itself begins with W/ (only W/ before a quote marks a weak tag)', () => {
    expect(kindOf(() => checkIfMatch('W/abcdefg=', 'W/abcdefg='))).toBeUndefined();
    expect(kindOf(() => checkIfMatch('"W/abcdefg="', 'W/abcdefg='))).toBeUndefined();
    expect(kindOf(() => checkIfMatch('W/"W/abcdefg="', 'W/abcdefg='))).toBeUndefined();
  });
});
