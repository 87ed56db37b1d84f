import { describe, expect, it } from 'vitest';
import { checkIfMatch, quoteEtag, requireIfMatch } from '../../src/domain/etag.js';
import { AppError } from '../../src/domain/errors.js';

/** 'ok' when the call returns, else the kind of the AppError it threw (anything else fails the test). */
function outcome(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return (e as AppError).kind;
  }
}

describe('If-Match', () => {
  it('accepts no header (optional on PUT), *, the tag quoted or bare, and a list containing it', () => {
    expect(outcome(() => checkIfMatch(undefined, 'abc='))).toBe('ok');
    expect(outcome(() => checkIfMatch('*', 'abc='))).toBe('ok');
    expect(outcome(() => checkIfMatch('"abc="', 'abc='))).toBe('ok');
    expect(outcome(() => checkIfMatch('abc=', 'abc='))).toBe('ok');
    expect(outcome(() => checkIfMatch('W/"abc="', 'abc='))).toBe('ok');
    expect(outcome(() => checkIfMatch('"x", "abc="', 'abc='))).toBe('ok');
  });

  it('without a header, also lets a PUT create an entity that does not exist yet', () => {
    expect(outcome(() => checkIfMatch(undefined, undefined))).toBe('ok');
  });

  it('fails with 412 on a stale tag, and on any tag when the entity does not exist', () => {
    expect(outcome(() => checkIfMatch('"old="', 'abc='))).toBe('precondition-failed');
    expect(outcome(() => checkIfMatch('*', undefined))).toBe('precondition-failed');
    expect(outcome(() => checkIfMatch('"abc="', undefined))).toBe('precondition-failed');
  });

  // An equivalent mutant, left alive: unquote() trims each tag again, after checkIfMatch has.
  it('reads a list with any spacing, * included', () => {
    expect(outcome(() => checkIfMatch('"x" ,\t"abc=" ', 'abc='))).toBe('ok');
    expect(outcome(() => checkIfMatch('"x", *', 'abc='))).toBe('ok');
    expect(outcome(() => checkIfMatch('"x",*', 'abc='))).toBe('ok');
    expect(outcome(() => checkIfMatch('  abc=  ', 'abc='))).toBe('ok');
    expect(outcome(() => checkIfMatch('"x", "y"', 'abc='))).toBe('precondition-failed');
  });

  it('compares the whole tag, case included', () => {
    expect(outcome(() => checkIfMatch('"ABC="', 'abc='))).toBe('precondition-failed');
    expect(outcome(() => checkIfMatch('"abc"', 'abc='))).toBe('precondition-failed');
    expect(outcome(() => checkIfMatch('"xabc="', 'abc='))).toBe('precondition-failed');
  });

  it('removes quotes only in pairs: a tag with one quote is compared as sent', () => {
    // A half-quoted tag keeps its quote, so neither of these becomes abc=.
    expect(outcome(() => checkIfMatch('xabc="', 'abc='))).toBe('precondition-failed');
    expect(outcome(() => checkIfMatch('"abc=x', 'abc='))).toBe('precondition-failed');
    expect(outcome(() => checkIfMatch('"abc=', '"abc='))).toBe('ok');
    expect(outcome(() => checkIfMatch('abc="', 'abc="'))).toBe('ok');
  });

  it('reads "" as the empty tag, and a lone quote as itself', () => {
    expect(outcome(() => checkIfMatch('""', ''))).toBe('ok');
    expect(outcome(() => checkIfMatch('""', '""'))).toBe('precondition-failed');
    expect(outcome(() => checkIfMatch('"', ''))).toBe('precondition-failed');
    expect(outcome(() => checkIfMatch('"', '"'))).toBe('ok');
  });

  it('ignores empty entries of a list: they name no tag', () => {
    expect(outcome(() => checkIfMatch(',', ''))).toBe('precondition-failed');
    expect(outcome(() => checkIfMatch(' , ,', ''))).toBe('precondition-failed');
    expect(outcome(() => checkIfMatch(',"abc=",', 'abc='))).toBe('ok');
  });

  it('is required on PATCH and DELETE', () => {
    expect(outcome(() => requireIfMatch(undefined))).toBe('validation');
    expect(outcome(() => requireIfMatch('  '))).toBe('validation');
    expect(outcome(() => requireIfMatch(''))).toBe('validation');
    expect(requireIfMatch('*')).toBe('*');
    expect(requireIfMatch(' "abc=" ')).toBe(' "abc=" ');
  });

  it('says what to send when it is missing, naming the header', () => {
    expect(() => requireIfMatch(undefined)).toThrow(
      expect.objectContaining({
        code: 'ValidationError',
        message: 'The If-Match header is required: send the ETag from a GET, or * to change unconditionally.',
        details: [{ code: 'ValidationError', target: 'If-Match', message: 'The If-Match header is required.' }],
      }),
    );
  });

  it('quotes tags for the wire', () => {
    expect(quoteEtag('abc=')).toBe('"abc="');
    expect(quoteEtag('')).toBe('""');
  });
});

describe('bare entity tags', () => {
  it('match even when the base64 tag itself begins with W/ (only W/ before a quote marks a weak tag)', () => {
    expect(outcome(() => checkIfMatch('W/abcdefg=', 'W/abcdefg='))).toBe('ok');
    expect(outcome(() => checkIfMatch('"W/abcdefg="', 'W/abcdefg='))).toBe('ok');
    expect(outcome(() => checkIfMatch('W/"W/abcdefg="', 'W/abcdefg='))).toBe('ok');
  });

  it('keep a W/ that is not at the start', () => {
    expect(outcome(() => checkIfMatch('"abW/"', 'abW/'))).toBe('ok');
    expect(outcome(() => checkIfMatch('abW/"x"', 'abW/"x"'))).toBe('ok');
    expect(outcome(() => checkIfMatch('abW/"x"', 'ab"x"'))).toBe('precondition-failed');
  });
});
