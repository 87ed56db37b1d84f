import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GROUP_FILTER_FIELDS,
  USER_FILTER_FIELDS,
  type FilterFieldTable,
} from '../../src/domain/filter/fields.js';
import { parseFilter } from '../../src/domain/filter/parser.js';
import { compileFilter, prefixSuccessor } from '../../src/store/filter-sql.js';

interface UserRow {
  id: string;
  first_name: string;
  last_name: string;
  email: string;
  email_lc: string;
  state: string;
  note: string | null;
  registration_date: string;
}

interface GroupRow {
  id: string;
  display_name: string;
  description: string | null;
  external_id: string | null;
}

interface DB {
  users: UserRow;
  groups: GroupRow;
}

// prettier-ignore
const USERS: UserRow[] = [
  ['1', 'Admin', '', 'admin@tollgate.example', 'active', null, '2019-01-01T00:00:00.000Z'],
  ['alice', 'Alice', 'Smith', 'Alice@Example.com', 'active', null, '2020-01-01T00:00:00.000Z'],
  ['Bob', 'Bob', 'SMITH', 'bob@example.org', 'active', 'VIP customer', '2020-06-15T12:30:00.000Z'],
  ['carol', 'carol', 'Smithers', 'carol@example.com', 'blocked', 'vip', '2020-12-31T23:59:59.999Z'],
  ['dave', 'Dave', 'Jones', 'DAVE@EXAMPLE.COM', 'pending', '', '2021-01-01T00:00:00.000Z'],
  ['pct', '100%', 'Percent', '100%@pct.example', 'active', '50% off', '2021-02-01T00:00:00.000Z'],
  ['pct2', '100x', 'Percentage', 'x100@pct.example', 'active', '50x off', '2021-02-02T00:00:00.000Z'],
  ['under', 'a_b', 'Under_Score', 'a_b@under.example', 'active', 'x_y', '2021-03-01T00:00:00.000Z'],
  ['under2', 'axb', 'UnderXScore', 'axb@under.example', 'deleted', 'xzy', '2021-03-02T00:00:00.000Z'],
  ['back', 'back\\slash', 'C:\\dir', 'back\\slash@x.example', 'active', '\\', '2021-04-01T00:00:00.000Z'],
  ['quote', "O'Brien", "D'Arcy", "o'brien@x.example", 'active', "it's", '2021-05-01T00:00:00.000Z'],
  ['eve', 'Ève', 'Éclair', 'Ève@Exämple.com', 'pending', 'ÉTÉ', '2021-06-01T00:00:00.000Z'],
  ['emoji', '😀smile', 'Face', 'smile😀@x.example', 'active', '😀', '2021-07-01T00:00:00.000Z'],
  ['frank', 'Frank', 'abc', 'frank@example.com', 'blocked', 'abc', '2022-01-01T00:00:00.000Z'],
  ['grace', 'Grace', 'ABC', 'grace@navy.example', 'active', 'ABCD', '2022-02-01T00:00:00.000Z'],
  ['heidi', 'Heidi', 'abd', 'heidi@example.com', 'active', null, '2022-03-01T00:00:00.000Z'],
  ['ivan', 'Ivan', 'Ab', 'ivan@example.ru', 'deleted', 'Ab', '2023-01-01T00:00:00.000Z'],
  ['judy', 'Judy', 'Z', 'judy@example.com', 'active', null, '2023-06-01T00:00:00.000Z'],
  ['mallory', 'Mallory', 'z', 'mallory@evil.example', 'blocked', 'evil', '2024-01-01T00:00:00.000Z'],
  ['top', '\u{10FFFF}x', 'Top', '\u{10FFFF}@x.example', 'active', '\u{10FFFF}', '2024-02-01T00:00:00.000Z'],
].map(([id, first_name, last_name, email, state, note, registration_date]) => ({
  id: id as string,
  first_name: first_name as string,
  last_name: last_name as string,
  email: email as string,
  email_lc: (email as string).trim().toLowerCase(),
  state: state as string,
  note: note ?? null,
  registration_date: registration_date as string,
}));

const GROUPS: GroupRow[] = [
  { id: 'administrators', display_name: 'Administrators', description: 'Administrators is a built-in group', external_id: null },
  { id: 'developers', display_name: 'Developers', description: 'Developers is a built-in group', external_id: null },
  { id: 'guests', display_name: 'Guests', description: null, external_id: null },
  { id: 'aad1', display_name: 'AAD Team', description: 'Synced from AAD', external_id: 'aad://contoso.onmicrosoft.com/groups/ABC' },
  { id: 'pct', display_name: '50% Club', description: '100% real', external_id: null },
  { id: 'Under_Score', display_name: 'under_score', description: '', external_id: 'x_1' },
];

const ALL_USERS = USERS.map((u) => u.id);
const except = (...ids: string[]): string[] => ALL_USERS.filter((id) => !ids.includes(id));

// [filter, expected user ids]
const USER_CASES: Array<[string, string[]]> = [
  ["name eq 'alice'", ['alice']],
  ["name eq 'BOB'", ['Bob']],
  ["Name EQ 'bob'", ['Bob']],
  ["name eq '1'", ['1']],
  ["name ne 'alice'", except('alice')],
  ["firstName eq 'CAROL'", ['carol']],
  ["lastName eq 'smith'", ['alice', 'Bob']],
  ["lastName eq ''", ['1']],
  ["lastName eq 'D''Arcy'", ['quote']],
  // lower() is ASCII-only on both databases, so É only matches É.
  ["lastName eq 'éclair'", []],
  ["lastName eq 'ÉCLAIR'", ['eve']],
  ["lastName lt 'abd'", ['1', 'frank', 'grace', 'ivan']],
  ["lastName le 'abd'", ['1', 'frank', 'grace', 'ivan', 'heidi']],
  ["lastName gt 'z'", ['eve']],
  ["lastName ge 'Z'", ['eve', 'judy', 'mallory']],
  ["firstName eq '😀SMILE'", ['emoji']],
  ["email eq 'ALICE@example.COM'", ['alice']],
  // email_lc is a JavaScript toLowerCase() copy, so non-ASCII folds too.
  ["email eq 'ÈVE@EXÄMPLE.COM'", ['eve']],
  ["startswith(email,'a')", ['1', 'alice', 'under', 'under2']],
  ["startswith(email,'A_')", ['under']],
  ["startswith(email,'100%')", ['pct']],
  ["startswith(email,'')", ALL_USERS],
  ["startswith(email,'o''brien')", ['quote']],
  ["startswith(email,'back\\')", ['back']],
  ["startswith(email,'\u{10FFFF}')", ['top']],
  ["startswith(email,'smile😀')", ['emoji']],
  ["startswith(firstName,'a_')", ['under']],
  ["startswith(firstName,'100%')", ['pct']],
  ["startswith(firstName,'😀')", ['emoji']],
  ["endswith(lastName,'_SCORE')", ['under']],
  ["endswith(email,'.COM')", ['alice', 'carol', 'dave', 'eve', 'frank', 'heidi', 'judy']],
  ["contains(firstName,'\\')", ['back']],
  ["contains(lastName,':\\d')", ['back']],
  ["contains(note,'%')", ['pct']],
  ["contains(note,'_')", ['under']],
  ["contains(note,'''')", ['quote']],
  ["substringof('SMITH', lastName)", ['alice', 'Bob', 'carol']],
  ["contains(lastName,'smith') eq false", except('alice', 'Bob', 'carol')],
  ["startswith(lastName,'smith') ne true", except('alice', 'Bob', 'carol')],
  ["not contains(lastName,'smith')", except('alice', 'Bob', 'carol')],
  ['note eq null', ['1', 'alice', 'heidi', 'judy']],
  ['note ne null', except('1', 'alice', 'heidi', 'judy')],
  ["note eq 'vip'", ['carol']],
  // OData: a null note is "not equal", and negation agrees with ne.
  ["note ne 'vip'", except('carol')],
  ["not (note eq 'vip')", except('carol')],
  ["contains(note,'vip')", ['Bob', 'carol']],
  ["not contains(note,'vip')", except('Bob', 'carol')],
  ["contains(note,'vip') eq false", except('Bob', 'carol')],
  ["note eq ''", ['dave']],
  ["note eq '\\'", ['back']],
  ["note gt 'x'", ['under', 'under2', 'eve', 'emoji', 'top']],
  ["not (note gt 'x')", except('under', 'under2', 'eve', 'emoji', 'top')],
  ["state eq 'active'", ['1', 'alice', 'Bob', 'pct', 'pct2', 'under', 'back', 'quote', 'emoji', 'grace', 'heidi', 'judy', 'top']],
  ["state eq 'BLOCKED'", ['carol', 'frank', 'mallory']],
  ['state eq null', []],
  ['registrationDate ge 2021-01-01', except('1', 'alice', 'Bob', 'carol')],
  ['registrationDate lt 2020-12-31T23:59:59.999Z', ['1', 'alice', 'Bob']],
  ['registrationDate le 2020-12-31T23:59:59.999Z', ['1', 'alice', 'Bob', 'carol']],
  ["registrationDate gt datetime'2020-12-31T23:59:59.999Z'", except('1', 'alice', 'Bob', 'carol')],
  ["registrationDate eq '2020-06-15T14:30:00+02:00'", ['Bob']],
  ["registrationDate ne '2020-06-15T14:30:00+02:00'", except('Bob')],
  ['registrationDate lt 2021-01-01T01:00:00+02:00', ['1', 'alice', 'Bob']],
  ["name eq 'alice' or name eq 'bob' and state eq 'blocked'", ['alice']],
  ["(name eq 'alice' or name eq 'bob') and state eq 'active'", ['alice', 'Bob']],
  ["not state eq 'active' and startswith(name,'m')", ['mallory']],
  ["not (state eq 'active' or state eq 'blocked') and registrationDate lt 2022-01-01", ['dave', 'under2', 'eve']],
  ["name eq '''; DROP TABLE users; --'", []],
];

const ALL_GROUPS = GROUPS.map((g) => g.id);

const GROUP_CASES: Array<[string, string[]]> = [
  ["externalId eq 'aad://contoso.onmicrosoft.com/groups/ABC'", ['aad1']],
  ["externalId eq 'AAD://contoso.onmicrosoft.com/groups/abc'", []], // fold 'none' is exact
  ['externalId eq null', ['administrators', 'developers', 'guests', 'pct']],
  ['not (externalId eq null)', ['aad1', 'Under_Score']],
  ['description eq null', ['guests']],
  ["contains(description,'BUILT-IN')", ['administrators', 'developers']],
  ["not contains(description,'built-in')", ['guests', 'aad1', 'pct', 'Under_Score']],
  ["description ne ''", ALL_GROUPS.filter((id) => id !== 'Under_Score')],
  ["startswith(displayName,'50%')", ['pct']],
  ["contains(name,'_')", ['Under_Score']],
  ["name eq 'under_score'", ['Under_Score']],
  ["displayName ge 'd' and displayName lt 'h'", ['developers', 'guests']],
  ["substringof('aad', displayName) or endswith(description, '% REAL')", ['aad1', 'pct']],
];

type Backend = { db: Kysely<DB> };

async function seed(db: Kysely<DB>): Promise<void> {
  await db.insertInto('users').values(USERS).execute();
  await db.insertInto('groups').values(GROUPS).execute();
}

function defineCases(name: string, setup: () => Promise<{ db: Kysely<DB>; close: () => Promise<void> }>): void {
  describe(name, () => {
    const backend: Partial<Backend> = {};
    let close: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      const made = await setup();
      backend.db = made.db;
      close = made.close;
      await seed(made.db);
    });

    afterAll(async () => {
      await close?.();
    });

    const run = async (table: 'users' | 'groups', filter: string, fields: FilterFieldTable): Promise<string[]> => {
      const db = backend.db as Kysely<DB>;
      const rows = await db.selectFrom(table).select('id').where(compileFilter(parseFilter(filter, fields))).execute();
      return rows.map((r) => r.id).sort();
    };

    it.each(USER_CASES)('users: %s', async (filter, expected) => {
      expect(await run('users', filter, USER_FILTER_FIELDS)).toEqual([...expected].sort());
    });

    it.each(GROUP_CASES)('groups: %s', async (filter, expected) => {
      expect(await run('groups', filter, GROUP_FILTER_FIELDS)).toEqual([...expected].sort());
    });

    it('left the table alone after an injection attempt', async () => {
      const db = backend.db as Kysely<DB>;
      const { count } = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
      expect(Number(count)).toBe(USERS.length);
    });
  });
}

defineCases('SQLite', async () => {
  const sqlite = new Database(':memory:');
  sqlite.exec(`
    create table users (id text primary key, first_name text not null, last_name text not null, email text not null,
      email_lc text not null, state text not null, note text, registration_date text not null);
    create index users_email_lc on users (email_lc);
    create table groups (id text primary key, display_name text not null, description text, external_id text);
  `);
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, close: () => db.destroy() };
});

const pgUrl = process.env.TEST_DATABASE_URL;

describe.runIf(Boolean(pgUrl))('with TEST_DATABASE_URL', () => {
  defineCases('PostgreSQL', async () => {
    const schema = `filter_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    try {
      await admin.query(`create schema ${schema}`);
    } finally {
      await admin.end();
    }
    const db = new Kysely<DB>({
      dialect: new PostgresDialect({
        pool: new pg.Pool({ connectionString: pgUrl, max: 2, options: `-c search_path=${schema}` }),
      }),
    });
    const text = sql`text collate "C"`;
    await sql`create table users (id ${text} primary key, first_name ${text} not null, last_name ${text} not null,
      email ${text} not null, email_lc ${text} not null, state ${text} not null, note ${text},
      registration_date ${text} not null)`.execute(db);
    await sql`create index users_email_lc on users (email_lc)`.execute(db);
    await sql`create table groups (id ${text} primary key, display_name ${text} not null, description ${text},
      external_id ${text})`.execute(db);
    return {
      db,
      close: async () => {
        await sql`drop schema ${sql.id(schema)} cascade`.execute(db);
        await db.destroy();
      },
    };
  });
});

describe('compiled SQL', () => {
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
  afterAll(() => db.destroy());

  const compiled = (filter: string) =>
    db.selectFrom('users').selectAll().where(compileFilter(parseFilter(filter, USER_FILTER_FIELDS))).compile();

  it.each([
    ["firstName eq 'ZzTopLiteral'", ['zztopliteral']],
    ["note ne 'NoteLiteral'", ['noteliteral']],
    ["email eq 'MailLiteral@X'", ['mailliteral@x']],
    ["startswith(email,'prefixliteral')", ['prefixliteral', 'prefixliteram']],
    ["startswith(lastName,'Pre%fix')", ['pre\\%fix%']],
    ["endswith(lastName,'suf_fix')", ['%suf\\_fix']],
    ["contains(note,'mid\\dle')", ['%mid\\\\dle%']],
    ["substringof('subLiteral', name)", ['%subliteral%']],
    ["state eq 'Pending'", ['pending']],
    ['registrationDate gt 2020-01-01T00:00:00+02:00', ['2019-12-31T22:00:00.000Z']],
    ["name eq '''; drop table users; --'", ["'; drop table users; --"]],
  ])('%s binds every value as a parameter', (filter, params) => {
    const query = compiled(filter);
    expect(query.parameters).toEqual(params);
    for (const p of params) expect(query.sql).not.toContain(p);
    expect(query.sql).not.toMatch(/literal|drop|2019|2020|pending/i);
  });

  it('compiles to the documented shapes', () => {
    expect(compiled("note ne 'x'").sql).toContain('("users"."note" IS NULL OR lower("users"."note") <> ?)');
    expect(compiled("note eq 'x'").sql).toContain('("users"."note" IS NOT NULL AND lower("users"."note") = ?)');
    expect(compiled('note eq null').sql).toContain('"users"."note" IS NULL');
    expect(compiled("name eq 'x'").sql).toContain('lower("users"."id") = ?');
    expect(compiled("email eq 'x'").sql).toContain('"users"."email_lc" = ?');
    expect(compiled("startswith(email,'ab')").sql).toContain('("users"."email_lc" >= ? AND "users"."email_lc" < ?)');
    expect(compiled("startswith(email,'')").sql).toContain('"users"."email_lc" IS NOT NULL');
    expect(compiled("startswith(email,'\u{10FFFF}')").sql).toContain(`"users"."email_lc" LIKE ? ESCAPE '\\'`);
    expect(compiled("startswith(name,'a') eq false").sql).toContain(`NOT (lower("users"."id") LIKE ? ESCAPE '\\')`);
    expect(compiled("registrationDate ge 2020-01-01").sql).toContain('"users"."registration_date" >= ?');
  });
});

describe('prefixSuccessor', () => {
  it.each([
    ['a', 'b'],
    ['ab', 'ac'],
    ['a\u{D7FF}', 'a\u{E000}'],
    ['a\u{FFFF}', 'a\u{10000}'],
    ['x😀', 'x😁'],
    ['\u{10FFFE}', '\u{10FFFF}'],
  ])('%j → %j', (prefix, next) => {
    expect(prefixSuccessor(prefix)).toBe(next);
  });

  it('has none for the empty string, U+10FFFF or a lone surrogate', () => {
    expect(prefixSuccessor('')).toBeUndefined();
    expect(prefixSuccessor('a\u{10FFFF}')).toBeUndefined();
    expect(prefixSuccessor('a\uD800')).toBeUndefined();
    expect(prefixSuccessor('a\uDC00')).toBeUndefined();
  });
});
