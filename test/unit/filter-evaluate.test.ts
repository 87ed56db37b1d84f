/**
 * matchesFilter evaluates a parsed `$filter` in memory and must mean exactly what the SQL compiler
 * (src/store/filter-sql.ts) means. Each case states the expected answer, and `check` asserts it
 * both of matchesFilter and of the SQL compiler run on SQLite, so the two cannot drift apart.
 */
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import type { FilterNode } from '../../src/domain/filter/ast.js';
import { matchesFilter } from '../../src/domain/filter/evaluate.js';
import { COMPARISON_OPS, freeze, text, type FilterFieldSpec, type FilterFieldTable } from '../../src/domain/filter/fields.js';
import { parseFilter } from '../../src/domain/filter/parser.js';
import { compileFilter } from '../../src/store/filter-sql.js';

/** The columns of the record (table `t`); a field of each kind the specs allow. */
interface Row {
  name: string;
  note: string | null;
  email_lc: string;
  code: string | null;
  since: string;
  state: string;
}

const FIELDS: FilterFieldTable = freeze({
  /** fold 'sql': ASCII letters fold, nothing else. */
  name: text('t.name'),
  note: text('t.note', { nullable: true }),
  /** fold 'stored': the column holds a lowercased copy; the literal is lowercased in full. */
  email: text('t.email_lc', { fold: 'stored' }),
  /** fold 'none': comparisons are exact (the functions still fold ASCII, as LIKE must). */
  code: text('t.code', { fold: 'none', nullable: true }),
  since: { type: 'date', operators: COMPARISON_OPS, functions: [], column: 't.since', fold: 'none' },
  state: { type: 'enum', values: ['active', 'blocked'], operators: ['eq', 'ne'], functions: [], column: 't.state', fold: 'none' },
});

const BASE: Row = {
  name: 'Alice',
  note: 'VIP',
  email_lc: 'alice@example.com',
  code: 'AbC',
  since: '2020-06-15T12:30:00.000Z',
  state: 'active',
};

const row = (over: Partial<Row> = {}): Row => ({ ...BASE, ...over });

/** A reader that only answers for the columns the specs name, so a wrong column cannot pass unseen. */
function reader(r: Row) {
  return (column: string): string | null => {
    const key = column.replace(/^t\./, '');
    if (!column.startsWith('t.') || !(key in r)) throw new Error(`no column ${column}`);
    return r[key as keyof Row];
  };
}

const evaluate = (filter: string, r: Row, fields: FilterFieldTable = FIELDS): boolean =>
  matchesFilter(parseFilter(filter, fields), reader(r));

const sqlite = new Database(':memory:');
sqlite.exec('create table t (name text not null, note text, email_lc text not null, code text, since text not null, state text not null)');
const db = new Kysely<{ t: Row }>({ dialect: new SqliteDialect({ database: sqlite }) });
afterAll(() => db.destroy());

/** What the SQL compiler makes of the same filter on the same record, on SQLite. */
function sqlMatches(filter: string, r: Row, fields: FilterFieldTable): boolean {
  sqlite.exec('delete from t');
  sqlite.prepare('insert into t values (@name, @note, @email_lc, @code, @since, @state)').run(r);
  const query = db.selectFrom('t').select('name').where(compileFilter(parseFilter(filter, fields))).compile();
  return sqlite.prepare(query.sql).all(...query.parameters).length === 1;
}

/** Asserts the expected answer in memory, and that the SQL compiler gives the same one. */
function check(filter: string, r: Row, expected: boolean, fields: FilterFieldTable = FIELDS): void {
  const what = `${filter} on ${JSON.stringify(r)}`;
  expect(evaluate(filter, r, fields), what).toBe(expected);
  expect(sqlMatches(filter, r, fields), `SQL: ${what}`).toBe(expected);
}

describe('comparison operators', () => {
  // literal 'm' against a smaller, an equal and a greater value
  const table: Array<[string, boolean, boolean, boolean]> = [
    // op    'a' <  'm'   'm' = 'm'  'z' > 'm'
    ['eq', false, true, false],
    ['ne', true, false, true],
    ['gt', false, false, true],
    ['ge', false, true, true],
    ['lt', true, false, false],
    ['le', true, true, false],
  ];
  it.each(table)('%s holds as it says below, at and above the literal', (op, below, at, above) => {
    check(`name ${op} 'm'`, row({ name: 'a' }), below);
    check(`name ${op} 'm'`, row({ name: 'm' }), at);
    check(`name ${op} 'm'`, row({ name: 'z' }), above);
  });

  it('orders by code point (UTF-8 bytes), not by UTF-16 units or locale', () => {
    // U+1F600 is above U+FFFF as a code point, below it as UTF-16 (a surrogate, 0xD83D).
    check("name gt '\uFFFF'", row({ name: '😀' }), true);
    check("name lt '\uFFFF'", row({ name: '😀' }), false);
    check("name gt '\uE000'", row({ name: '😀' }), true);
    // 'é' (U+00E9) sorts after 'z'; a locale order would put it next to 'e'.
    check("name gt 'z'", row({ name: 'é' }), true);
    check("name lt 'f'", row({ name: 'é' }), false);
    // A prefix sorts first.
    check("name lt 'ab'", row({ name: 'a' }), true);
    check("name gt 'a'", row({ name: 'ab' }), true);
  });

  it('compares dates as their ISO text, to the millisecond', () => {
    const r = row({ since: '2020-06-15T12:30:00.000Z' });
    check('since eq 2020-06-15T12:30:00Z', r, true);
    check('since gt 2020-06-15T12:29:59.999Z', r, true);
    check('since lt 2020-06-15T12:30:00.001Z', r, true);
    check('since ge 2020-06-15T14:30:00+02:00', r, true);
    check('since le 2020-06-15', r, false);
    check("since ne datetime'2020-06-15T12:30:00Z'", r, false);
  });

  it('compares enums by their canonical value', () => {
    check("state eq 'ACTIVE'", row({ state: 'active' }), true);
    check("state eq 'blocked'", row({ state: 'active' }), false);
    check("state ne 'Blocked'", row({ state: 'active' }), true);
    check("state ne 'active'", row({ state: 'active' }), false);
  });
});

describe('case folding follows the field spec', () => {
  it("'sql' fields fold A-Z on both sides and nothing else", () => {
    check("name eq 'ALICE'", row({ name: 'alice' }), true);
    check("name eq 'alice'", row({ name: 'ALICE' }), true);
    check("name eq 'ÉVE'", row({ name: 'Éve' }), true);
    check("name eq 'éve'", row({ name: 'Éve' }), false);
    check("name eq 'ÉVE'", row({ name: 'éve' }), false);
    // Folding applies to the order as well: 'B' folds to 'b', which is above 'a'.
    check("name gt 'a'", row({ name: 'B' }), true);
    check("name lt 'b'", row({ name: 'A' }), true);
  });

  it("'stored' fields compare the stored lowercase copy with the literal lowercased in full", () => {
    check("email eq 'ALICE@EXAMPLE.COM'", row({ email_lc: 'alice@example.com' }), true);
    check("email eq 'ÈVE@X.EXAMPLE'", row({ email_lc: 'ève@x.example' }), true);
    check("email eq 'eve@x.example'", row({ email_lc: 'ève@x.example' }), false);
    // Lowercased, not uppercased: 'ß' uppercases to 'SS', and '_' sorts below the lowercase letters only.
    check("email eq 'STRASSE@X.EXAMPLE'", row({ email_lc: 'straße@x.example' }), false);
    check("email gt '_'", row({ email_lc: 'a@x.example' }), true);
  });

  it("'none' fields compare exactly", () => {
    check("code eq 'AbC'", row({ code: 'AbC' }), true);
    check("code eq 'abc'", row({ code: 'AbC' }), false);
    check("code eq 'ABC'", row({ code: 'AbC' }), false);
    // Exact order: 'B' (0x42) is below 'a' (0x61).
    check("code lt 'a'", row({ code: 'B' }), true);
  });

  it('dates and enums are never folded', () => {
    check("state eq 'active'", row({ state: 'ACTIVE' }), false);
    check('since eq 2020-06-15T12:30:00Z', row({ since: '2020-06-15t12:30:00.000z' }), false);
  });

  it('only string fields fold, whatever fold an enum or date spec carries (as in the SQL compiler)', () => {
    const odd: FilterFieldTable = freeze({
      state: { type: 'enum', values: ['Active'], operators: ['eq'], functions: [], column: 't.state', fold: 'sql' },
      since: { type: 'date', operators: ['eq'], functions: [], column: 't.since', fold: 'stored' },
    });
    check("state eq 'active'", row({ state: 'ACTIVE' }), false, odd);
    check("state eq 'active'", row({ state: 'Active' }), true, odd);
    check('since eq 2020-06-15T12:30:00Z', row({ since: '2020-06-15T12:30:00.000z' }), false, odd);
  });
});

describe('null values', () => {
  const none = row({ note: null, code: null });

  it('eq null and ne null test for a missing value', () => {
    check('note eq null', none, true);
    check('note eq null', row({ note: 'x' }), false);
    check('note ne null', none, false);
    check('note ne null', row({ note: 'x' }), true);
    // An empty string is a value, not null.
    check('note eq null', row({ note: '' }), false);
    check('note ne null', row({ note: '' }), true);
  });

  it('a missing value makes every comparison false but ne (two-valued, as OData)', () => {
    check("note eq 'x'", none, false);
    check("note ne 'x'", none, true);
    check("note gt 'x'", none, false);
    check("note ge ''", none, false);
    check("note lt '\uFFFF'", none, false);
    check("note le '\uFFFF'", none, false);
    check("code eq 'x'", none, false);
    check("code ne 'x'", none, true);
  });

  it('so not (x eq v) matches a missing value, like x ne v', () => {
    check("not (note eq 'x')", none, true);
    check("not (note ne 'x')", none, false);
    check('not (note eq null)', none, false);
  });

  it('a missing value makes every function false, and its negation true', () => {
    for (const fn of ['startswith', 'endswith', 'contains']) {
      check(`${fn}(note, '')`, none, false);
      check(`${fn}(note, '') eq false`, none, true);
      check(`not ${fn}(note, '')`, none, true);
    }
    check("substringof('', note)", none, false);
    check("substringof('', note) ne true", none, true);
  });
});

describe('functions', () => {
  it('startswith, endswith, contains and substringof test their own positions', () => {
    const r = row({ name: 'abcd' });
    check("startswith(name, 'ab')", r, true);
    check("startswith(name, 'cd')", r, false);
    check("endswith(name, 'cd')", r, true);
    check("endswith(name, 'ab')", r, false);
    check("contains(name, 'bc')", r, true);
    check("contains(name, 'ab')", r, true);
    check("contains(name, 'cd')", r, true);
    check("contains(name, 'ac')", r, false);
    check("substringof('bc', name)", r, true);
    check("substringof('bd', name)", r, false);
    check("startswith(name, 'abcd')", r, true);
    check("startswith(name, 'abcde')", r, false);
    check("endswith(name, 'xabcd')", r, false);
  });

  it('an empty argument matches any value', () => {
    for (const fn of ['startswith', 'endswith', 'contains']) check(`${fn}(name, '')`, row({ name: 'x' }), true);
    check("substringof('', name)", row({ name: '' }), true);
  });

  it('fold A-Z only, on every field with an sql or none fold', () => {
    check("startswith(name, 'AL')", row({ name: 'alice' }), true);
    check("endswith(name, 'CE')", row({ name: 'alice' }), true);
    check("contains(name, 'lic')", row({ name: 'ALICE' }), true);
    check("startswith(name, 'év')", row({ name: 'Éve' }), false);
    check("startswith(name, 'ÉV')", row({ name: 'Éve' }), true);
    // LIKE has no portable case-sensitive form, so 'none' fields fold ASCII in functions too.
    check("contains(code, 'b')", row({ code: 'AbC' }), true);
    check("startswith(code, 'abc')", row({ code: 'AbC' }), true);
    check("endswith(code, 'é')", row({ code: 'AbÉ' }), false);
  });

  it('treat % _ and \\ as themselves, not as LIKE wildcards', () => {
    check("contains(name, '%')", row({ name: 'abc' }), false);
    check("contains(name, '%')", row({ name: '100%' }), true);
    check("startswith(name, 'a_c')", row({ name: 'abc' }), false);
    check("startswith(name, 'a_c')", row({ name: 'a_cd' }), true);
    check("endswith(name, '\\')", row({ name: 'a\\' }), true);
    check("endswith(name, '\\')", row({ name: 'a' }), false);
  });

  it('compare with true or false: eq false and ne true negate', () => {
    const r = row({ name: 'abc' });
    check("startswith(name, 'a') eq true", r, true);
    check("startswith(name, 'a') ne false", r, true);
    check("startswith(name, 'a') eq false", r, false);
    check("startswith(name, 'a') ne true", r, false);
    check("startswith(name, 'z') eq false", r, true);
    check("startswith(name, 'z') ne true", r, true);
    check("startswith(name, 'z') eq true", r, false);
  });

  it("bug: a function on a 'stored' field lowercased only A-Z of its argument, unlike the SQL compiler", () => {
    // The column holds 'ève@x.example' (the stored lowercase copy of 'Ève@X.example').
    const r = row({ email_lc: 'ève@x.example' });
    check("startswith(email, 'ÈVE')", r, true);
    check("endswith(email, 'X.EXAMPLE')", r, true);
    check("contains(email, 'ÈVE@')", r, true);
    check("substringof('ÈV', email)", r, true);
    check("startswith(email, 'EVE')", r, false);
    // Lowercase, not uppercase: 'ß' uppercases to 'SS', so only a lowercase comparison keeps these apart.
    check("startswith(email, 'STRASS')", row({ email_lc: 'straße@x.example' }), false);
    check("startswith(email, 'STRAß')", row({ email_lc: 'straße@x.example' }), true);
  });
});

describe('and, or, not', () => {
  const yes = "name eq 'alice'";
  const no = "name eq 'bob'";
  const r = row({ name: 'alice' });

  it('combine as boolean logic', () => {
    check(`${yes} and ${yes}`, r, true);
    check(`${yes} and ${no}`, r, false);
    check(`${no} and ${yes}`, r, false);
    check(`${no} and ${no}`, r, false);
    check(`${yes} or ${yes}`, r, true);
    check(`${yes} or ${no}`, r, true);
    check(`${no} or ${yes}`, r, true);
    check(`${no} or ${no}`, r, false);
    check(`not ${yes}`, r, false);
    check(`not ${no}`, r, true);
    check(`not not ${yes}`, r, true);
  });

  it('and binds tighter than or; parentheses regroup', () => {
    check(`${yes} or ${no} and ${no}`, r, true);
    check(`(${yes} or ${no}) and ${no}`, r, false);
    check(`not ${no} and ${no}`, r, false);
    check(`not (${no} and ${no})`, r, true);
  });

  it('reads each field of a record from its own column', () => {
    const r2 = row({ name: 'n', note: 'o', email_lc: 'e@x.example', code: 'C', state: 'blocked' });
    check("name eq 'n' and note eq 'o' and email eq 'e@x.example' and code eq 'C' and state eq 'blocked'", r2, true);
    check("name eq 'o' or note eq 'n' or code eq 'n'", r2, false);
  });
});

// Equivalent mutants, left alive: /[A-Z]+/ and /[A-Z]/ lowercase the same letters, and
// Buffer.from(s, '') falls back to UTF-8, the encoding it names.

describe('matchesFilter on a hand-built tree', () => {
  const spec: FilterFieldSpec = FIELDS.name as FilterFieldSpec;
  const compare = (value: string): FilterNode => ({ kind: 'compare', field: 'name', spec, op: 'eq', value });

  it('evaluates the tree it is given, reading the column named by each spec', () => {
    const read = (column: string) => (column === 't.name' ? 'X' : null);
    expect(matchesFilter(compare('x'), read)).toBe(true);
    expect(matchesFilter({ kind: 'not', operand: compare('x') }, read)).toBe(false);
    expect(matchesFilter({ kind: 'and', left: compare('x'), right: compare('y') }, read)).toBe(false);
    expect(matchesFilter({ kind: 'or', left: compare('y'), right: compare('x') }, read)).toBe(true);
    expect(
      matchesFilter({ kind: 'function', fn: 'endswith', field: 'name', spec, value: 'x', negated: true }, read),
    ).toBe(false);
  });
});
