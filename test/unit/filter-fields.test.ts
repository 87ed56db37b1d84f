import { beforeAll, describe, expect, it } from 'vitest';
import { matchesFilter } from '../../src/domain/filter/evaluate.js';
import {
  COMPARISON_OPS,
  FILTER_FUNCTIONS,
  GROUP_FILTER_FIELDS,
  GROUP_USER_FILTER_FIELDS,
  TEMPLATE_FILTER_FIELDS,
  USER_FILTER_FIELDS,
  USER_GROUP_FILTER_FIELDS,
  freeze,
  text,
  type FilterFieldTable,
} from '../../src/domain/filter/fields.js';
import { parseFilter } from '../../src/domain/filter/parser.js';
import { USER_STATES } from '../../src/domain/user.js';
import {
  azureFilterFields,
  expectColumnsOfSchema,
  expectFrozen,
  ourFilterFields,
  schemaColumns,
} from '../helpers/filter-tables.js';

/** Whether `filter` holds for a record whose every column reads as `value`. */
const holds = (filter: string, table: FilterFieldTable, value: string | null): boolean =>
  matchesFilter(parseFilter(filter, table), () => value);

let schema: Awaited<ReturnType<typeof schemaColumns>>;
beforeAll(async () => {
  schema = await schemaColumns();
});

describe('operators and functions', () => {
  it('are the six OData comparisons and the four string functions', () => {
    expect(COMPARISON_OPS).toEqual(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
    expect(FILTER_FUNCTIONS).toEqual(['startswith', 'endswith', 'contains', 'substringof']);
    expect(Object.isFrozen(COMPARISON_OPS)).toBe(true);
    expect(Object.isFrozen(FILTER_FUNCTIONS)).toBe(true);
  });
});

describe('text()', () => {
  it('makes a case-insensitive text field with every operator and function', () => {
    expect(text('t.c')).toEqual({ type: 'string', operators: COMPARISON_OPS, functions: FILTER_FUNCTIONS, column: 't.c', fold: 'sql' });
  });

  it('lets the caller narrow or adjust it', () => {
    expect(text('t.c', { operators: ['eq'], functions: [], fold: 'none', nullable: true })).toEqual({
      type: 'string',
      operators: ['eq'],
      functions: [],
      column: 't.c',
      fold: 'none',
      nullable: true,
    });
  });
});

describe('freeze()', () => {
  it('freezes the table and each spec in it, and returns the table', () => {
    const table = { a: text('t.a'), b: text('t.b') };
    const frozen = freeze(table);
    expect(frozen).toBe(table);
    expectFrozen(frozen);
    expect(() => {
      (frozen.a as { column: string }).column = 'users.password_hash';
    }).toThrow(TypeError);
    expect(() => {
      (frozen as Record<string, unknown>).c = text('t.c');
    }).toThrow(TypeError);
  });
});

describe('USER_FILTER_FIELDS (User_ListByService)', () => {
  it("has Azure's fields, operators and functions", () => {
    expect(ourFilterFields(USER_FILTER_FIELDS)).toEqual(azureFilterFields('apimusers.json', 'User_ListByService'));
  });

  it('names columns of the users table, nullable as they are', () => {
    expectColumnsOfSchema(USER_FILTER_FIELDS, schema);
    expect(Object.values(USER_FILTER_FIELDS).every((s) => s.column.startsWith('users.'))).toBe(true);
  });

  it('maps each field to its own column', () => {
    expect(Object.fromEntries(Object.entries(USER_FILTER_FIELDS).map(([f, s]) => [f, s.column]))).toEqual({
      name: 'users.id',
      firstName: 'users.first_name',
      lastName: 'users.last_name',
      email: 'users.email_lc',
      note: 'users.note',
      registrationDate: 'users.registration_date',
      state: 'users.state',
    });
  });

  it('compares text without regard to ASCII case, the email in full, a date as a date, the state as an enum', () => {
    expect(holds("firstName eq 'ADA'", USER_FILTER_FIELDS, 'ada')).toBe(true);
    expect(holds("email eq 'ÈVE@X.EXAMPLE'", USER_FILTER_FIELDS, 'ève@x.example')).toBe(true);
    expect(holds('registrationDate ge 2020-01-01', USER_FILTER_FIELDS, '2020-01-01T00:00:00.000Z')).toBe(true);
    expect(() => parseFilter("registrationDate eq 'not a date'", USER_FILTER_FIELDS)).toThrow(/Invalid date-time/);
    expect(USER_FILTER_FIELDS.registrationDate?.type).toBe('date');
    expect(USER_FILTER_FIELDS.state?.type).toBe('enum');
    expect(USER_FILTER_FIELDS.state?.values).toEqual(USER_STATES);
    expect(holds("state eq 'Blocked'", USER_FILTER_FIELDS, 'blocked')).toBe(true);
    expect(() => parseFilter("state eq 'closed'", USER_FILTER_FIELDS)).toThrow(/not one of active, blocked, pending, deleted/);
  });

  it('lets a missing note match ne but not eq', () => {
    expect(holds("note ne 'x'", USER_FILTER_FIELDS, null)).toBe(true);
    expect(holds("note eq 'x'", USER_FILTER_FIELDS, null)).toBe(false);
  });

  it('is frozen', () => expectFrozen(USER_FILTER_FIELDS));
});

describe('GROUP_USER_FILTER_FIELDS (GroupUser_List)', () => {
  it("has Azure's fields (no state), with the same specs as the user list", () => {
    expect(ourFilterFields(GROUP_USER_FILTER_FIELDS)).toEqual(azureFilterFields('apimgroups.json', 'GroupUser_List'));
    const { state: _state, ...rest } = USER_FILTER_FIELDS;
    expect(GROUP_USER_FILTER_FIELDS).toEqual(rest);
    expectColumnsOfSchema(GROUP_USER_FILTER_FIELDS, schema);
  });

  it('is frozen', () => expectFrozen(GROUP_USER_FILTER_FIELDS));
});

describe('GROUP_FILTER_FIELDS (Group_ListByService)', () => {
  it("has Azure's fields, operators and functions", () => {
    expect(ourFilterFields(GROUP_FILTER_FIELDS)).toEqual(azureFilterFields('apimgroups.json', 'Group_ListByService'));
  });

  it('names columns of the groups table, nullable as they are', () => {
    expectColumnsOfSchema(GROUP_FILTER_FIELDS, schema);
    expect(Object.fromEntries(Object.entries(GROUP_FILTER_FIELDS).map(([f, s]) => [f, s.column]))).toEqual({
      name: 'groups.id',
      displayName: 'groups.display_name',
      description: 'groups.description',
      externalId: 'groups.external_id',
    });
  });

  it('compares names without regard to ASCII case, and an external id exactly', () => {
    expect(holds("displayName eq 'PARTNERS'", GROUP_FILTER_FIELDS, 'Partners')).toBe(true);
    expect(holds("externalId eq 'aad://Tenant/1'", GROUP_FILTER_FIELDS, 'aad://Tenant/1')).toBe(true);
    expect(holds("externalId eq 'aad://tenant/1'", GROUP_FILTER_FIELDS, 'aad://Tenant/1')).toBe(false);
    expect(holds('externalId eq null', GROUP_FILTER_FIELDS, null)).toBe(true);
  });

  it('is frozen', () => expectFrozen(GROUP_FILTER_FIELDS));
});

describe('USER_GROUP_FILTER_FIELDS (UserGroup_List)', () => {
  it("has Azure's fields (no externalId), with the same specs as the group list", () => {
    expect(ourFilterFields(USER_GROUP_FILTER_FIELDS)).toEqual(azureFilterFields('apimusers.json', 'UserGroup_List'));
    const { externalId: _externalId, ...rest } = GROUP_FILTER_FIELDS;
    expect(USER_GROUP_FILTER_FIELDS).toEqual(rest);
  });

  it('is frozen', () => expectFrozen(USER_GROUP_FILTER_FIELDS));
});

describe('TEMPLATE_FILTER_FIELDS (EmailTemplate_ListByService)', () => {
  it('filters templates by name, with every operator and function, without regard to ASCII case', () => {
    expect(ourFilterFields(TEMPLATE_FILTER_FIELDS)).toEqual({
      name: { operators: [...COMPARISON_OPS].sort(), functions: [...FILTER_FUNCTIONS].sort() },
    });
    expect(holds("name eq 'WELCOMEMAIL'", TEMPLATE_FILTER_FIELDS, 'welcomeMail')).toBe(true);
    expect(holds("startswith(name, 'account')", TEMPLATE_FILTER_FIELDS, 'AccountClosedDeveloper')).toBe(true);
    // Templates are not a table: the service reads the name itself, whatever the column is called
    // (so a mutant that renames the column is equivalent).
    expect(() => parseFilter("subject eq 'x'", TEMPLATE_FILTER_FIELDS)).toThrow(/Unknown field 'subject'/);
  });

  it('is frozen', () => expectFrozen(TEMPLATE_FILTER_FIELDS));
});
