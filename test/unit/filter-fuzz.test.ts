/**
 * Property tests: the parser fails only with AppError, and generated filters give on SQLite exactly
 * the rows that an independent model of the OData semantics predicts (which checks precedence,
 * escaping, case folding and null handling end to end). How long parsing takes on these inputs,
 * hostile ones included, is measured by `npm run bench:parsers` (bench/parsers), not here.
 */
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { Kysely, SqliteDialect } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import { USER_FILTER_FIELDS } from '../../src/domain/filter/fields.js';
import { parseFilter } from '../../src/domain/filter/parser.js';
import { asciiLower, compileFilter } from '../../src/store/filter-sql.js';

interface Row {
  id: string;
  first_name: string;
  last_name: string;
  email_lc: string;
  state: string;
  note: string | null;
  registration_date: string;
}

// prettier-ignore
const ROWS: Row[] = [
  ['1', 'Admin', '', 'admin@x.example', 'active', null, '2019-01-01T00:00:00.000Z'],
  ['alice', 'Alice', 'Smith', 'Alice@Example.com', 'active', 'VIP', '2020-01-01T00:00:00.000Z'],
  ['Bob', 'bob', 'SMITH', 'bob@example.org', 'blocked', null, '2020-06-15T12:30:00.000Z'],
  ['pct', '100%', 'a_b', '100%@x.example', 'pending', '50% off', '2021-02-01T00:00:00.000Z'],
  ['pct2', '100x', 'axb', 'x100@x.example', 'deleted', '50x off', '2021-02-01T00:00:00.001Z'],
  ['back', 'b\\s', 'C:\\d', 'b\\s@x.example', 'active', '\\', '2021-04-01T00:00:00.000Z'],
  ['quote', "O'Brien", "D'Arcy", "o'brien@x.example", 'active', "it's", '2021-05-01T00:00:00.000Z'],
  ['eve', 'Ève', 'Éclair', 'Ève@Exämple.com', 'pending', 'ÉTÉ', '2021-06-01T00:00:00.000Z'],
  ['emoji', '😀s', 'Face', 's😀@x.example', 'active', '😀', '2021-07-01T00:00:00.000Z'],
  ['top', '\u{10FFFF}x', '\u{FFFF}', '\u{10FFFF}@x.example', 'active', '\u{E000}', '2024-02-01T00:00:00.000Z'],
  ['low', 'a', 'A', 'a@x.example', 'blocked', '', '2022-02-02T02:02:02.020Z'],
  ['(x)', 'And', 'Or', 'not@x.example', 'active', 'eq', '2023-03-03T03:03:03.030Z'],
].map(([id, first_name, last_name, email, state, note, registration_date]) => ({
  id: id as string,
  first_name: first_name as string,
  last_name: last_name as string,
  email_lc: (email as string).trim().toLowerCase(),
  state: state as string,
  note: note ?? null,
  registration_date: registration_date as string,
}));

const sqlite = new Database(':memory:');
sqlite.exec(`create table users (id text primary key, first_name text not null, last_name text not null,
  email text not null, email_lc text not null, state text not null, note text, registration_date text not null)`);
const insert = sqlite.prepare(
  'insert into users values (@id, @first_name, @last_name, @email_lc, @email_lc, @state, @note, @registration_date)',
);
for (const row of ROWS) insert.run(row);
const db = new Kysely<{ users: Row }>({ dialect: new SqliteDialect({ database: sqlite }) });
afterAll(() => db.destroy());

function compileToSql(filter: string): { sql: string; parameters: readonly unknown[] } {
  return db.selectFrom('users').select('id').where(compileFilter(parseFilter(filter, USER_FILTER_FIELDS))).compile();
}

function runFilter(filter: string): string[] {
  const query = compileToSql(filter);
  const rows = sqlite.prepare(query.sql).all(...query.parameters) as Array<{ id: string }>;
  return rows.map((r) => r.id).sort();
}

function expectOnlyAppError(run: () => unknown): void {
  try {
    run();
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    expect(e.kind).toBe('validation');
    expect(e.details[0]?.target).toBe('$filter');
  }
}

// ---------------------------------------------------------------------------------------------
// A grammar of valid filters, each with a model of what it means.

/** 0 = or, 1 = and, 2 = not, 3 = primary: what the printed text binds as. */
interface Gen {
  text: string;
  prec: number;
  holds: (row: Row) => boolean;
}

const byteCompare = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

const anyCase = (word: string): fc.Arbitrary<string> =>
  fc.constantFrom(word, word.toUpperCase(), `${word[0]?.toUpperCase()}${word.slice(1)}`);

const space = fc.constantFrom(' ', ' ', '  ', '\t', '\n');

const STRING_FIELDS = {
  name: 'id',
  firstName: 'first_name',
  lastName: 'last_name',
  email: 'email_lc',
  note: 'note',
} as const;

/** Pieces of the row values (cut by code point, so no lone surrogates), so that filters do match rows. */
const FRAGMENTS = ROWS.flatMap((r) => [r.id, r.first_name, r.last_name, r.email_lc, r.note ?? ''])
  .map((s) => Array.from(s))
  .flatMap((cps) => [cps, cps.slice(0, 2), cps.slice(-2), cps.slice(1, 3)].map((part) => part.join('')))
  .flatMap((s) => [s, s.toUpperCase()]);

const stringValue = fc.oneof(
  fc.constantFrom(...FRAGMENTS),
  fc.string({
    unit: fc.constantFrom('a', 'A', 'b', 's', '_', '%', '\\', "'", 'é', 'É', '😀', '\u{10FFFF}', '\u{FFFF}', ' ', '(', ')', '@', '.', 'x'),
    maxLength: 5,
  }),
);

const quote = (s: string): string => `'${s.replaceAll("'", "''")}'`;

const OPS = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'] as const;
type Op = (typeof OPS)[number];

function holdsOp(op: Op, c: number): boolean {
  return { eq: c === 0, ne: c !== 0, gt: c > 0, ge: c >= 0, lt: c < 0, le: c <= 0 }[op];
}

/** The column value and the literal, folded as the field table says (email is stored lowered). */
function folded(field: keyof typeof STRING_FIELDS, row: Row, literal: string): [string | null, string] {
  const value = row[STRING_FIELDS[field]];
  if (field === 'email') return [value, literal.toLowerCase()];
  return [value === null ? null : asciiLower(value), asciiLower(literal)];
}

const stringCompare: fc.Arbitrary<Gen> = fc
  .tuple(fc.constantFrom(...(Object.keys(STRING_FIELDS) as Array<keyof typeof STRING_FIELDS>)), fc.constantFrom(...OPS), stringValue, fc.boolean())
  .chain(([field, op, value, useNull]) =>
    fc.tuple(anyCase(field), anyCase(op), space).map(([f, o, s]): Gen => {
      if (useNull && (op === 'eq' || op === 'ne')) {
        return {
          text: `${f}${s}${o} null`,
          prec: 3,
          holds: (row) => (row[STRING_FIELDS[field]] === null) === (op === 'eq'),
        };
      }
      return {
        text: `${f} ${o}${s}${quote(value)}`,
        prec: 3,
        holds: (row) => {
          const [col, lit] = folded(field, row, value);
          return col === null ? op === 'ne' : holdsOp(op, byteCompare(col, lit));
        },
      };
    }),
  );

const FUNCTIONS = {
  startswith: (s: string, p: string) => s.startsWith(p),
  endswith: (s: string, p: string) => s.endsWith(p),
  contains: (s: string, p: string) => s.includes(p),
  substringof: (s: string, p: string) => s.includes(p),
} as const;

const functionCall: fc.Arbitrary<Gen> = fc
  .tuple(
    fc.constantFrom(...(Object.keys(FUNCTIONS) as Array<keyof typeof FUNCTIONS>)),
    fc.constantFrom(...(Object.keys(STRING_FIELDS) as Array<keyof typeof STRING_FIELDS>)),
    stringValue,
    fc.constantFrom('', 'eq true', 'eq false', 'ne true', 'ne false'),
  )
  .chain(([fn, field, value, suffix]) =>
    fc.tuple(anyCase(fn), anyCase(field), space, fc.constantFrom(suffix, suffix.toUpperCase())).map(([fnText, f, s, suf]): Gen => {
      const args = fn === 'substringof' ? `${quote(value)},${s}${f}` : `${f},${s}${quote(value)}`;
      const negated = suffix === 'eq false' || suffix === 'ne true';
      return {
        text: `${fnText}(${args})${suf ? ` ${suf}` : ''}`,
        prec: 3,
        holds: (row) => {
          const [col, lit] = folded(field, row, value);
          return (col !== null && FUNCTIONS[fn](col, lit)) !== negated;
        },
      };
    }),
  );

const stateCompare: fc.Arbitrary<Gen> = fc
  .tuple(fc.constantFrom('active', 'blocked', 'pending', 'deleted', null), anyCase('state'), anyCase('eq'))
  .chain(([state, f, o]) =>
    (state === null ? fc.constant('null') : anyCase(state).map(quote)).map(
      (v): Gen => ({ text: `${f} ${o} ${v}`, prec: 3, holds: (row) => state !== null && row.state === state }),
    ),
  );

const instant = fc.oneof(
  fc.constantFrom(...ROWS.map((r) => new Date(r.registration_date))),
  fc.date({ min: new Date('2018-01-01T00:00:00Z'), max: new Date('2025-12-31T00:00:00Z'), noInvalidDate: true }),
);

const dateCompare: fc.Arbitrary<Gen> = fc
  .tuple(instant, fc.constantFrom(...OPS), fc.constantFrom('iso', 'datetime', 'quoted', 'day', 'offset'), anyCase('registrationDate'))
  .chain(([d, op, style, f]) =>
    anyCase(op).map((o): Gen => {
      const iso = style === 'day' ? `${d.toISOString().slice(0, 10)}T00:00:00.000Z` : d.toISOString();
      const shifted = new Date(d.getTime() + 150 * 60_000).toISOString().replace('Z', '+02:30');
      const literal = { iso, datetime: `datetime'${iso}'`, quoted: quote(iso), day: iso.slice(0, 10), offset: shifted }[style];
      return {
        text: `${f} ${o} ${literal}`,
        prec: 3,
        holds: (row) => holdsOp(op, byteCompare(row.registration_date, iso)),
      };
    }),
  );

const leaf = fc.oneof(stringCompare, functionCall, stateCompare, dateCompare);

const wrap = (g: Gen, min: number, pad: string): string => (g.prec >= min ? g.text : `(${pad}${g.text}${pad})`);

const { filter } = fc.letrec<{ filter: Gen }>((tie) => ({
  filter: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    leaf,
    fc.tuple(tie('filter'), tie('filter'), anyCase('or'), space).map(
      ([l, r, kw, s]): Gen => ({ text: `${l.text} ${kw}${s}${wrap(r, 1, '')}`, prec: 0, holds: (row) => l.holds(row) || r.holds(row) }),
    ),
    fc.tuple(tie('filter'), tie('filter'), anyCase('and'), space).map(
      ([l, r, kw, s]): Gen => ({
        text: `${wrap(l, 1, s)} ${kw} ${wrap(r, 2, '')}`,
        prec: 1,
        holds: (row) => l.holds(row) && r.holds(row),
      }),
    ),
    fc.tuple(tie('filter'), anyCase('not')).map(([g, kw]): Gen => ({ text: `${kw} ${wrap(g, 2, ' ')}`, prec: 2, holds: (row) => !g.holds(row) })),
    fc.tuple(tie('filter'), space).map(([g, s]): Gen => ({ text: `(${s}${g.text})`, prec: 3, holds: g.holds })),
  ),
}));

const validFilter = filter.filter((g) => g.text.length <= 2048);

/** FUZZ_RUNS=20000 for a long soak; the default keeps the suite around a second or two. */
const FAST = { numRuns: Number(process.env.FUZZ_RUNS ?? 1000) };

describe('arbitrary input', () => {
  const tokens = fc.constantFrom(
    '(', ')', "'", "''", ' ', ',', 'not ', ' and ', ' or ', 'eq', ' gt ', 'null', 'true', 'name', 'Email', 'state', 'registrationDate',
    'startswith(', 'substringof(', 'datetime', "datetime'", '2020-01-01', 'T10:00:00Z', '+02:00', '-', '1', '.5', '\\', '%', '_',
    '😀', '\uD800', '\uDC00', '\u0000', '\u{10FFFF}', "'active'", "'x'",
  );

  it('throws nothing but AppError (a)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: tokens, maxLength: 200 })), (input) => {
        expectOnlyAppError(() => runFilter(input));
      }),
      FAST,
    );
  });

  it.each([
    ['10,000 (', '('.repeat(10_000)],
    ['2,048 (', '('.repeat(2048)],
    ['10,000 )', ')'.repeat(10_000)],
    ['512 not', 'not '.repeat(512)],
    ['an unterminated 2 KB string', `name eq '${'x'.repeat(2030)}`],
    ['2,047 quotes', "'".repeat(2047)],
    ['1 MB of text', 'a'.repeat(1_000_000)],
    ['121 conditions', `${"name eq 'a' and ".repeat(120)}name eq 'a'`],
  ])('refuses %s', (_name, input) => {
    expect(() => runFilter(input)).toThrow(AppError);
  });
});

describe('generated filters', () => {
  it('parse, compile and run, and select exactly the rows the model predicts (b)', () => {
    let partial = 0;
    fc.assert(
      fc.property(validFilter, (g) => {
        const expected = ROWS.filter((r) => g.holds(r)).map((r) => r.id).sort();
        expect(runFilter(g.text)).toEqual(expected);
        if (expected.length > 0 && expected.length < ROWS.length) partial++;
      }),
      FAST,
    );
    // Guards the generator: filters that match all or nothing would prove little.
    expect(partial).toBeGreaterThan(FAST.numRuns / 4);
  });

  it('parse or throw AppError after random edits, and run when they parse (c)', () => {
    const edit = fc.record({
      at: fc.nat(),
      remove: fc.boolean(),
      insert: fc.oneof(fc.constantFrom('(', ')', "'", ' ', ',', '-', ':', '%', '\\', 'x', '0', 'ä', '😀'), fc.string({ maxLength: 2 })),
    });
    fc.assert(
      fc.property(validFilter, fc.array(edit, { minLength: 1, maxLength: 5 }), (g, edits) => {
        let text = g.text;
        for (const e of edits) {
          const at = e.at % (text.length + 1);
          text = e.remove ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + e.insert + text.slice(at);
        }
        expectOnlyAppError(() => runFilter(text));
      }),
      FAST,
    );
  });

  it('compile to SQL that names only whitelisted columns and binds every value (d)', () => {
    const columns = new Set(
      Object.values(USER_FILTER_FIELDS).map((spec) => spec.column.split('.').map((part) => `"${part}"`).join('.')),
    );
    const keywords = new Set(['lower', 'and', 'or', 'not', 'like', 'escape', 'is', 'null']);
    // Everything the compiler may emit; anything else (a quote, a literal, a stray word) fails.
    const token = /\s+|("\w+"\."\w+")|\?|'\\'|([A-Za-z]+)|<>|<=|>=|[()=<>]/y;
    const prefix = 'select "id" from "users" where ';
    fc.assert(
      fc.property(validFilter, (g) => {
        const { sql, parameters } = compileToSql(g.text);
        expect(sql.startsWith(prefix)).toBe(true);
        const where = sql.slice(prefix.length);
        let placeholders = 0;
        token.lastIndex = 0;
        while (token.lastIndex < where.length) {
          const at = token.lastIndex;
          const m = token.exec(where);
          if (!m) throw new Error(`unexpected SQL at ${at}: ${where.slice(at, at + 30)} in ${where}`);
          if (m[1] !== undefined) expect(columns).toContain(m[1]);
          if (m[2] !== undefined) expect(keywords).toContain(m[2].toLowerCase());
          if (m[0] === '?') placeholders++;
        }
        expect(placeholders).toBe(parameters.length);
      }),
      FAST,
    );
  });
});
