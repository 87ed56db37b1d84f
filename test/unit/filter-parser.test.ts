import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import type { FilterNode } from '../../src/domain/filter/ast.js';
import {
  GROUP_FILTER_FIELDS,
  GROUP_USER_FILTER_FIELDS,
  USER_FILTER_FIELDS,
  USER_GROUP_FILTER_FIELDS,
  type FilterFieldTable,
} from '../../src/domain/filter/fields.js';
import { parseFilter, parseFilterDateTime } from '../../src/domain/filter/parser.js';

/** The AST without the specs, which are noise in expectations. */
function shape(node: FilterNode): unknown {
  switch (node.kind) {
    case 'and':
    case 'or':
      return [node.kind, shape(node.left), shape(node.right)];
    case 'not':
      return ['not', shape(node.operand)];
    case 'compare':
      return [node.field, node.op, node.value];
    case 'function':
      return [node.fn, node.field, node.value, ...(node.negated ? ['negated'] : [])];
  }
}

const p = (input: string, fields: FilterFieldTable = USER_FILTER_FIELDS): unknown => shape(parseFilter(input, fields));

/** The details message of the AppError that parsing throws. */
function err(input: string, fields: FilterFieldTable = USER_FILTER_FIELDS): string {
  try {
    parseFilter(input, fields);
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    const app = e as AppError;
    expect(app.kind).toBe('validation');
    expect(app.code).toBe('ValidationError');
    expect(app.details).toHaveLength(1);
    const detail = app.details[0];
    expect(detail?.code).toBe('ValidationError');
    expect(detail?.target).toBe('$filter');
    expect(app.message).toBe(`Invalid $filter: ${detail?.message}`);
    return detail?.message ?? '';
  }
  throw new Error(`expected ${JSON.stringify(input)} to be refused`);
}

describe('comparisons', () => {
  it.each(['eq', 'ne', 'gt', 'ge', 'lt', 'le'])('parses %s', (op) => {
    expect(p(`firstName ${op} 'Ann'`)).toEqual(['firstName', op, 'Ann']);
  });

  it('keeps the spec of the field on the node', () => {
    const node = parseFilter("email eq 'a@b.c'", USER_FILTER_FIELDS);
    expect(node).toMatchObject({ kind: 'compare', spec: { column: 'users.email_lc', fold: 'stored' } });
  });

  it('matches keywords, operators and fields case-insensitively and returns the canonical field', () => {
    expect(p("FIRSTNAME EQ 'a' AND LastName Ne 'b' oR NoT Name gT 'c'")).toEqual([
      'or',
      ['and', ['firstName', 'eq', 'a'], ['lastName', 'ne', 'b']],
      ['not', ['name', 'gt', 'c']],
    ]);
  });

  it("unescapes '' inside strings and keeps everything else verbatim", () => {
    expect(p("lastName eq 'O''Brien'")).toEqual(['lastName', 'eq', "O'Brien"]);
    expect(p("lastName eq ''''")).toEqual(['lastName', 'eq', "'"]);
    expect(p("lastName eq ''")).toEqual(['lastName', 'eq', '']);
    expect(p("note eq '%_\\ (and) or ''x'' 😀'")).toEqual(['note', 'eq', "%_\\ (and) or 'x' 😀"]);
  });

  it('accepts null with eq and ne only', () => {
    expect(p('note eq null')).toEqual(['note', 'eq', null]);
    expect(p('note ne NULL')).toEqual(['note', 'ne', null]);
    expect(err('note gt null')).toBe("null can only be compared with eq or ne, not 'gt' (position 8)");
  });

  it('accepts any whitespace between tokens and none around parentheses', () => {
    expect(p("(name\teq\n'a')or(name eq'b')")).toEqual(['or', ['name', 'eq', 'a'], ['name', 'eq', 'b']]);
  });
});

describe('functions', () => {
  it.each(['startswith', 'endswith', 'contains'] as const)('parses %s(field, value)', (fn) => {
    expect(p(`${fn}(email,'a')`)).toEqual([fn, 'email', 'a']);
  });

  it('parses substringof with the value first', () => {
    expect(p("substringof('Smi', lastName)")).toEqual(['substringof', 'lastName', 'Smi']);
  });

  it('accepts a comparison with true or false, which can negate the call', () => {
    expect(p("startswith(email,'a') eq true")).toEqual(['startswith', 'email', 'a']);
    expect(p("startswith(email,'a') eq false")).toEqual(['startswith', 'email', 'a', 'negated']);
    expect(p("startswith(email,'a') ne true")).toEqual(['startswith', 'email', 'a', 'negated']);
    expect(p("startswith(email,'a') ne FALSE")).toEqual(['startswith', 'email', 'a']);
    expect(p("StartsWith(EMAIL,'a') Eq True")).toEqual(['startswith', 'email', 'a']);
  });

  it('accepts a function inside boolean expressions', () => {
    expect(p("not contains(note,'x') and endswith(email,'.org') eq true")).toEqual([
      'and',
      ['not', ['contains', 'note', 'x']],
      ['endswith', 'email', '.org'],
    ]);
  });
});

describe('precedence', () => {
  it('binds and tighter than or', () => {
    expect(p("name eq 'a' or name eq 'b' and name eq 'c'")).toEqual([
      'or',
      ['name', 'eq', 'a'],
      ['and', ['name', 'eq', 'b'], ['name', 'eq', 'c']],
    ]);
    expect(p("name eq 'a' and name eq 'b' or name eq 'c'")).toEqual([
      'or',
      ['and', ['name', 'eq', 'a'], ['name', 'eq', 'b']],
      ['name', 'eq', 'c'],
    ]);
  });

  it('is left-associative', () => {
    expect(p("name eq 'a' or name eq 'b' or name eq 'c'")).toEqual([
      'or',
      ['or', ['name', 'eq', 'a'], ['name', 'eq', 'b']],
      ['name', 'eq', 'c'],
    ]);
  });

  it('binds not tighter than and, looser than a comparison', () => {
    expect(p("not name eq 'a' and name eq 'b'")).toEqual([
      'and',
      ['not', ['name', 'eq', 'a']],
      ['name', 'eq', 'b'],
    ]);
    expect(p("not not name eq 'a'")).toEqual(['not', ['not', ['name', 'eq', 'a']]]);
  });

  it('lets parentheses override it', () => {
    expect(p("(name eq 'a' or name eq 'b') and name eq 'c'")).toEqual([
      'and',
      ['or', ['name', 'eq', 'a'], ['name', 'eq', 'b']],
      ['name', 'eq', 'c'],
    ]);
    expect(p("not (name eq 'a' or name eq 'b')")).toEqual(['not', ['or', ['name', 'eq', 'a'], ['name', 'eq', 'b']]]);
    expect(p("((((name eq 'a'))))")).toEqual(['name', 'eq', 'a']);
  });
});

describe('enum and date fields', () => {
  it('accepts enum values case-insensitively and returns the canonical spelling', () => {
    expect(p("state eq 'active'")).toEqual(['state', 'eq', 'active']);
    expect(p("State eq 'BLOCKED'")).toEqual(['state', 'eq', 'blocked']);
  });

  it.each([
    ['2020-01-01T00:00:00Z', '2020-01-01T00:00:00.000Z'],
    ['2020-01-01T00:00:00.123+02:00', '2019-12-31T22:00:00.123Z'],
    ['2020-01-01T00:00:00-05:30', '2020-01-01T05:30:00.000Z'],
    ['2020-01-01', '2020-01-01T00:00:00.000Z'],
    ['2020-01-01T10:15', '2020-01-01T10:15:00.000Z'],
    ['2020-01-01t10:15:30.1234567z', '2020-01-01T10:15:30.123Z'],
    ['2024-02-29T23:59:59.999Z', '2024-02-29T23:59:59.999Z'],
    ["datetime'2020-01-01T00:00:00Z'", '2020-01-01T00:00:00.000Z'],
    ["DateTime'2020-01-01'", '2020-01-01T00:00:00.000Z'],
    ["datetimeoffset'2020-01-01T01:00:00+01:00'", '2020-01-01T00:00:00.000Z'],
    ["'2020-01-01T00:00:00Z'", '2020-01-01T00:00:00.000Z'],
  ])('normalizes the date-time %s', (literal, iso) => {
    expect(p(`registrationDate ge ${literal}`)).toEqual(['registrationDate', 'ge', iso]);
  });

  it.each([
    '2020-13-45',
    '2020-02-30',
    '2021-02-29',
    '2020-01-01T24:00:00Z',
    '2020-01-01T10:60Z',
    '2020-01-01T10:00:60Z',
    '2020-01-01T10:00:00.Z',
    '2020-01-01T10:00:00+2:00',
    '2020-01-01T10',
    '20-01-01',
    '0000-01-01',
    '0001-01-01T00:00:00+01:00',
    '9999-12-31T23:00:00-02:00',
    '2020-01-01 10:00',
    '2020-01-01T10:00:00Zjunk',
  ])('refuses the date-time %s', (text) => {
    expect(parseFilterDateTime(text)).toBeUndefined();
  });
});

describe('other tables', () => {
  it('has no state in GroupUser_List', () => {
    expect(p("email eq 'a'", GROUP_USER_FILTER_FIELDS)).toEqual(['email', 'eq', 'a']);
    expect(err("state eq 'active'", GROUP_USER_FILTER_FIELDS)).toBe(
      "Unknown field 'state' at position 0. Allowed fields: name, firstName, lastName, email, note, registrationDate",
    );
  });

  it('allows externalId eq (and null) but nothing else on groups', () => {
    expect(p("externalId eq 'aad://x'", GROUP_FILTER_FIELDS)).toEqual(['externalId', 'eq', 'aad://x']);
    expect(p('externalId eq null', GROUP_FILTER_FIELDS)).toEqual(['externalId', 'eq', null]);
    expect(err("externalId ne 'x'", GROUP_FILTER_FIELDS)).toBe(
      "Operator 'ne' is not supported for field 'externalId' (supported: eq) at position 11",
    );
    expect(err("startswith(externalId,'aad')", GROUP_FILTER_FIELDS)).toBe(
      "Function 'startswith' is not supported for field 'externalId' (supported: none) at position 0",
    );
  });

  it('accepts name/displayName/description in UserGroup_List', () => {
    expect(p("contains(displayName,'dev') or description eq null", USER_GROUP_FILTER_FIELDS)).toEqual([
      'or',
      ['contains', 'displayName', 'dev'],
      ['description', 'eq', null],
    ]);
    expect(err("externalId eq 'x'", USER_GROUP_FILTER_FIELDS)).toMatch(/^Unknown field 'externalId'/);
  });
});

describe('errors', () => {
  it.each([
    ["foo eq 'x'", "Unknown field 'foo' at position 0. Allowed fields: name, firstName, lastName, email, note, registrationDate, state"],
    ["name eq 'a' and foo eq 'x'", "Unknown field 'foo' at position 16. Allowed fields: name, firstName, lastName, email, note, registrationDate, state"],
    ["startswith(foo,'x')", "Unknown field 'foo' at position 11. Allowed fields: name, firstName, lastName, email, note, registrationDate, state"],
    ["state gt 'active'", "Operator 'gt' is not supported for field 'state' (supported: eq) at position 6"],
    ["state ne 'active'", "Operator 'ne' is not supported for field 'state' (supported: eq) at position 6"],
    ["startswith(state,'a')", "Function 'startswith' is not supported for field 'state' (supported: none) at position 0"],
    ["contains(registrationDate,'2020')", "Function 'contains' is not supported for field 'registrationDate' (supported: none) at position 0"],
    ["state eq 'x'", "Enum value 'x' is not one of active, blocked, pending, deleted (field 'state', position 9)"],
    ["name eq 'abc", 'Unterminated string literal starting at position 8'],
    ["lastName eq 'O''", 'Unterminated string literal starting at position 12'],
    ['registrationDate ge 2020-13-45', "Invalid date-time '2020-13-45' at position 20"],
    ["registrationDate ge '2020-13-45'", "Invalid date-time '2020-13-45' at position 20"],
    ["registrationDate ge datetime'yesterday'", "Invalid date-time 'yesterday' at position 20"],
    ["registrationDate ge 'x'", "Invalid date-time 'x' at position 20"],
    ['name eq 5', 'A string field cannot be compared with a number: field \'name\', value 5 at position 8'],
    ['name eq -1.5', 'A string field cannot be compared with a number: field \'name\', value -1.5 at position 8'],
    ['name eq true', 'A string field cannot be compared with a boolean: field \'name\', value true at position 8'],
    ['name eq 2020-01-01', "A string field cannot be compared with a date-time: field 'name', value 2020-01-01 at position 8"],
    ['registrationDate eq 2020', "A date field cannot be compared with a number: field 'registrationDate', value 2020 at position 20"],
    ['state eq 1', "An enum field cannot be compared with a number: field 'state', value 1 at position 9"],
    ['name eq 1e5', "Invalid number '1e5' at position 8"],
    ['name eq 1.', "Invalid number '1.' at position 8"],
    ['name eq abc', "Expected a value at position 8, found 'abc' (strings are quoted: 'abc')"],
    ['name eq', "Expected a value after 'eq' at position 7, found the end of the filter"],
    ['name eq )', "Expected a value after 'eq' at position 8, found ')'"],
    ["name 'x'", "Expected a comparison operator (eq, ne, gt, ge, lt, le) after field 'name' at position 5, found string literal 'x'"],
    ["name like 'x'", "Expected a comparison operator (eq, ne, gt, ge, lt, le) after field 'name' at position 5, found 'like'"],
    ['name', "Expected a comparison operator (eq, ne, gt, ge, lt, le) after field 'name' at position 4, found the end of the filter"],
    ["'x' eq name", "A comparison must start with the field name, found string literal 'x' at position 0 (write <field> <op> <value>)"],
    ['5 lt name', 'A comparison must start with the field name, found number 5 at position 0 (write <field> <op> <value>)'],
    ['null eq note', "A comparison must start with the field name, found 'null' at position 0 (write <field> <op> <value>)"],
    ["'x'", "Expected a field name, a function or '(' at position 0, found string literal 'x'"],
    ["name eq 'a' and", "Expected a field name, a function or '(' at position 15, found the end of the filter"],
    ["name eq 'a' and or name eq 'b'", "Expected a field name, a function or '(' at position 16, found 'or'"],
    ["eq eq 'a'", "Expected a field name, a function or '(' at position 0, found 'eq'"],
    ['()', "Expected a field name, a function or '(' at position 1, found ')'"],
    ["name eq 'a' name eq 'b'", "Unexpected 'name' at position 12; expected 'and', 'or' or the end of the filter"],
    ["name eq 'a')", "Unexpected ')' at position 11; expected 'and', 'or' or the end of the filter"],
    ["(name eq 'a'", "Expected ')' to close the '(' at position 0, found the end of the filter at position 12"],
    ["name eq 'a' # x", "Unexpected character '#' at position 12"],
    ["name eq 'a' \u0001", "Unexpected character 'U+0001' at position 12"],
    ["name eq 'a' 😀", "Unexpected character '😀' at position 12"],
    ['', 'The filter is empty'],
    ['   ', 'The filter is empty'],
    ["foo('x')", "Unknown function 'foo' at position 0. Supported functions: startswith, endswith, contains, substringof"],
    ["tolower(name) eq 'x'", "Unknown function 'tolower' at position 0. Supported functions: startswith, endswith, contains, substringof"],
    ["startswith('x', name)", "Expected a field name as the first argument of startswith at position 11, found string literal 'x'"],
    ['startswith(name, 5)', 'Expected a quoted string as the second argument of startswith at position 17, found number 5'],
    ['substringof(name, \'x\')', "Expected a quoted string as the first argument of substringof at position 12, found 'name'"],
    ["startswith(name 'x')", "Expected ',' after the first argument of startswith at position 16, found string literal 'x'"],
    ["startswith(name,'x'", "Expected ')' to close startswith( at position 19, found the end of the filter"],
    ["startswith(name,'x') gt true", "A function result can only be compared with eq or ne, found 'gt' at position 21"],
    ["startswith(name,'x') eq 'x'", "A function result can only be compared with true or false, found string literal 'x' at position 24"],
    ["name eq 'a\u0000'", 'String literal contains a NUL character at position 10'],
    ["name eq 'a\uD800'", 'String literal contains an unpaired surrogate at position 10'],
    ["name eq 'a\uDC00b'", 'String literal contains an unpaired surrogate at position 10'],
  ])('%j → %s', (input, message) => {
    expect(err(input)).toBe(message);
  });

  it('clips long tokens in messages', () => {
    const message = err(`${'x'.repeat(100)} eq 'a'`);
    expect(message).toBe(`Unknown field '${'x'.repeat(40)}…' at position 0. Allowed fields: name, firstName, lastName, email, note, registrationDate, state`);
  });
});

describe('resource bounds', () => {
  it('refuses input longer than 2048 characters', () => {
    const ok = `name eq '${'x'.repeat(2048 - 10)}'`;
    expect(ok).toHaveLength(2048);
    expect(() => parseFilter(ok, USER_FILTER_FIELDS)).not.toThrow();
    expect(err(`${ok} `)).toBe('The filter is too long: 2049 characters (at most 2048)');
  });

  it('refuses nesting deeper than 32', () => {
    const nested = (n: number): string => `${'('.repeat(n)}name eq 'a'${')'.repeat(n)}`;
    expect(() => parseFilter(nested(32), USER_FILTER_FIELDS)).not.toThrow();
    expect(err(nested(33))).toBe("The filter is nested too deeply at position 32 (at most 32 levels of parentheses and 'not')");
    expect(() => parseFilter(`${'not '.repeat(32)}name eq 'a'`, USER_FILTER_FIELDS)).not.toThrow();
    expect(err(`${'not '.repeat(33)}name eq 'a'`)).toBe(
      "The filter is nested too deeply at position 128 (at most 32 levels of parentheses and 'not')",
    );
    expect(err(`${'not ('.repeat(17)}name eq 'a'${')'.repeat(17)}`)).toMatch(/^The filter is nested too deeply at position 80 /);
  });

  it('refuses more than 100 conditions', () => {
    const terms = (n: number): string => Array.from({ length: n }, () => "name eq 'a'").join(' or ');
    expect(() => parseFilter(terms(100), USER_FILTER_FIELDS)).not.toThrow();
    expect(err(terms(101))).toBe('The filter has too many conditions (at most 100); condition 101 starts at position 1500');
    const calls = Array.from({ length: 101 }, () => "contains(name,'')").join('or ');
    expect(err(calls)).toMatch(/^The filter has too many conditions \(at most 100\); condition 101 starts/);
  });

  it('keeps a long flat chain flat enough for the compiler (left-deep, no recursion in the parser)', () => {
    const node = parseFilter(Array.from({ length: 100 }, () => "name eq 'a'").join(' and '), USER_FILTER_FIELDS);
    expect(node.kind).toBe('and');
  });
});

describe('field tables', () => {
  it('are frozen', () => {
    expect(Object.isFrozen(USER_FILTER_FIELDS)).toBe(true);
    expect(Object.isFrozen(USER_FILTER_FIELDS.name)).toBe(true);
    expect(Object.isFrozen(GROUP_FILTER_FIELDS)).toBe(true);
  });

  it('use the agreed columns', () => {
    const columns = (t: FilterFieldTable): Record<string, string> =>
      Object.fromEntries(Object.entries(t).map(([k, v]) => [k, `${v.column}/${v.type}/${v.fold}${v.nullable ? '?' : ''}`]));
    expect(columns(USER_FILTER_FIELDS)).toEqual({
      name: 'users.id/string/sql',
      firstName: 'users.first_name/string/sql',
      lastName: 'users.last_name/string/sql',
      email: 'users.email_lc/string/stored',
      note: 'users.note/string/sql?',
      registrationDate: 'users.registration_date/date/none',
      state: 'users.state/enum/none',
    });
    expect(columns(GROUP_FILTER_FIELDS)).toEqual({
      name: 'groups.id/string/sql',
      displayName: 'groups.display_name/string/sql',
      description: 'groups.description/string/sql?',
      externalId: 'groups.external_id/string/none?',
    });
    expect(Object.keys(USER_GROUP_FILTER_FIELDS)).toEqual(['name', 'displayName', 'description']);
  });
});

describe('lexer edge cases', () => {
  it.each([
    ["name eq 'a' 2020-01-01", "Unexpected date-time 2020-01-01 at position 12; expected 'and', 'or' or the end of the filter"],
    ["name eq 'a' 'and' name eq 'b'", "Unexpected string literal 'and' at position 12; expected 'and', 'or' or the end of the filter"],
    ["name 'eq' 'a'", "Expected a comparison operator (eq, ne, gt, ge, lt, le) after field 'name' at position 5, found string literal 'eq'"],
    ["_x eq 'a'", "Unknown field '_x' at position 0. Allowed fields: name, firstName, lastName, email, note, registrationDate, state"],
    ['name eq datetime', "Expected a value at position 8, found 'datetime' (strings are quoted: 'datetime')"],
    ["name eq datetime'2020-01-01'", "A string field cannot be compared with a date-time: field 'name', value datetime'2020-01-01' at position 8"],
    ['name eq -x', "Unexpected character '-' at position 8"],
    ['name eq -1a', "Invalid number '-1a' at position 8"],
    ['name eq 1.55', "A string field cannot be compared with a number: field 'name', value 1.55 at position 8"],
    ['name eq false', "A string field cannot be compared with a boolean: field 'name', value false at position 8"],
    ["name eq 'a' \u007f", "Unexpected character 'U+007F' at position 12"],
    ["name eq 'a' \u001b", "Unexpected character 'U+001B' at position 12"],
    ["name eq 'a\uD800\uE000'", 'String literal contains an unpaired surrogate at position 10'],
    ["name eq 'a\uDFFF'", 'String literal contains an unpaired surrogate at position 10'],
    ['true eq name', "A comparison must start with the field name, found 'true' at position 0 (write <field> <op> <value>)"],
    ['FALSE ne name', "A comparison must start with the field name, found 'FALSE' at position 0 (write <field> <op> <value>)"],
    [") eq 'a'", "Expected a field name, a function or '(' at position 0, found ')'"],
    [", eq 'a'", "Expected a field name, a function or '(' at position 0, found ','"],
    ["and eq 'a'", "Expected a field name, a function or '(' at position 0, found 'and'"],
    ["substringof('x' name)", "Expected ',' after the first argument of substringof at position 16, found 'name'"],
    ["substringof('x', 'y')", "Expected a field name as the second argument of substringof at position 17, found string literal 'y'"],
  ])('%j → %s', (input, message) => {
    expect(err(input)).toBe(message);
  });

  it('takes CR, LF and tab as whitespace', () => {
    expect(p("name\r\neq\t'a'\r")).toEqual(['name', 'eq', 'a']);
  });

  it('accepts characters beyond U+FFFF in strings (surrogate pairs)', () => {
    expect(p("name eq '\u{10000}\u{10FFFF}'")).toEqual(['name', 'eq', '\u{10000}\u{10FFFF}']);
  });

  it('clips a token only when it is longer than 40 characters', () => {
    expect(err(`${'x'.repeat(40)} eq 'a'`)).toBe(
      `Unknown field '${'x'.repeat(40)}' at position 0. Allowed fields: name, firstName, lastName, email, note, registrationDate, state`,
    );
  });

  it('counts nesting, not groups: any number of parenthesized or negated conditions in a row', () => {
    const groups = Array.from({ length: 40 }, () => "(name eq 'a')").join(' and ');
    expect(() => parseFilter(groups, USER_FILTER_FIELDS)).not.toThrow();
    const negations = Array.from({ length: 40 }, () => "not name eq 'a'").join(' or ');
    expect(() => parseFilter(negations, USER_FILTER_FIELDS)).not.toThrow();
  });

  it('says so when an enum field has no values to offer', () => {
    const fields: FilterFieldTable = { kind: { type: 'enum', operators: ['eq'], functions: [], column: 't.kind', fold: 'none' } };
    expect(err("kind eq 'x'", fields)).toBe("Enum value 'x' is not one of none (field 'kind', position 8)");
  });
});

// Equivalent mutants, left alive: the lexer's loops past the end of the input (charCodeAt gives NaN,
// which no character class accepts); the values of tokens that carry none (parentheses, words, the
// end) and the `?? ''` after a character that is always there; stepping past the end token (peek
// never reads beyond it); the field-table cache; the kind checks before asOp and isWord (a string,
// number or date token's text never spells an operator or keyword: a string's includes its
// quotes); and in parseFilterDateTime the width and "undefined" guards whose cases fail a later
// check anyway (a NaN date is refused).

describe('parseFilterDateTime edge cases', () => {
  it.each([
    ['0001-01-01', '0001-01-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
    ['2020-01-01T10:00:00.5Z', '2020-01-01T10:00:00.500Z'],
    ['2020-01-01T10:00:00.05Z', '2020-01-01T10:00:00.050Z'],
    ['2020-01-01T10:00:00.1234Z', '2020-01-01T10:00:00.123Z'],
    ['2020-01-01T10:00', '2020-01-01T10:00:00.000Z'],
    ['2020-01-01T10:00-00:30', '2020-01-01T10:30:00.000Z'],
  ])('accepts %s as %s', (text, iso) => {
    expect(parseFilterDateTime(text)).toBe(iso);
  });

  it.each([
    '202/-01-01',
    '2020-00-10',
    '2020-0/-10',
    '202001-01',
    '2020-0101',
    '2020-01-01T10:00:00+0200',
    '2020-01-01T10:00+02:',
    '2020-01-01T10:00+02',
    '2020-01-01T10:00+:00',
    '2020-01-01T',
    '2020-01-01T1',
    '2020-01',
    '',
  ])('refuses %j', (text) => {
    expect(parseFilterDateTime(text)).toBeUndefined();
  });
});
