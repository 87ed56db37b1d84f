/**
 * Which fields each list endpoint lets `$filter` touch, and how. The parser refuses anything not in
 * the table it is given, and the SQL compiler takes column names only from here, so user input can
 * never name a column.
 */
export type ComparisonOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
export type FilterFunction = 'startswith' | 'endswith' | 'contains' | 'substringof';

export const COMPARISON_OPS: readonly ComparisonOp[] = Object.freeze(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
export const FILTER_FUNCTIONS: readonly FilterFunction[] = Object.freeze([
  'startswith',
  'endswith',
  'contains',
  'substringof',
]);

export interface FilterFieldSpec {
  /** string: compared case-insensitively; date: ISO text column; enum: one of `values`, eq/ne only as allowed */
  type: 'string' | 'date' | 'enum';
  operators: readonly ComparisonOp[];
  functions: readonly FilterFunction[];
  values?: readonly string[]; // for enum fields
  /** SQL column (may be qualified, e.g. 'users.email_lc'); never comes from user input */
  column: string;
  /**
   * 'stored': the column already holds a lowercased copy (compare with literal.toLowerCase());
   * 'sql': wrap the column in lower() and lower the literal ASCII-only (A-Z), as SQLite's and
   * PostgreSQL-"C"-collation lower() do; 'none': exact
   */
  fold: 'stored' | 'sql' | 'none';
  nullable?: boolean;
}

export type FilterFieldTable = Readonly<Record<string, FilterFieldSpec>>;

/** A case-insensitive text field with every operator and function; `extra` narrows or adjusts it. */
export function text(column: string, extra: Partial<FilterFieldSpec> = {}): FilterFieldSpec {
  return { type: 'string', operators: COMPARISON_OPS, functions: FILTER_FUNCTIONS, column, fold: 'sql', ...extra };
}

/** The tables are shared module state; freezing them keeps one caller from widening another's whitelist. */
export function freeze(table: FilterFieldTable): FilterFieldTable {
  for (const spec of Object.values(table)) Object.freeze(spec);
  return Object.freeze(table);
}

const USER_TEXT_FIELDS = {
  name: text('users.id'),
  firstName: text('users.first_name'),
  lastName: text('users.last_name'),
  email: text('users.email_lc', { fold: 'stored' }),
  note: text('users.note', { nullable: true }),
  registrationDate: {
    type: 'date',
    operators: COMPARISON_OPS,
    functions: [],
    column: 'users.registration_date',
    fold: 'none',
  },
} satisfies FilterFieldTable;

/** User_ListByService. */
export const USER_FILTER_FIELDS: FilterFieldTable = freeze({
  ...USER_TEXT_FIELDS,
  state: {
    type: 'enum',
    values: ['active', 'blocked', 'pending', 'deleted'],
    operators: ['eq'],
    functions: [],
    column: 'users.state',
    fold: 'none',
  },
});

/** GroupUser_List: Azure's table for group members has no `state`. */
export const GROUP_USER_FILTER_FIELDS: FilterFieldTable = freeze({ ...USER_TEXT_FIELDS });

const GROUP_TEXT_FIELDS = {
  name: text('groups.id'),
  displayName: text('groups.display_name'),
  description: text('groups.description', { nullable: true }),
} satisfies FilterFieldTable;

/** Group_ListByService. */
export const GROUP_FILTER_FIELDS: FilterFieldTable = freeze({
  ...GROUP_TEXT_FIELDS,
  externalId: text('groups.external_id', { operators: ['eq'], functions: [], fold: 'none', nullable: true }),
});

/** UserGroup_List. */
export const USER_GROUP_FILTER_FIELDS: FilterFieldTable = freeze({ ...GROUP_TEXT_FIELDS });

/** EmailTemplate_ListByService: templates are matched by name (the camelCase one or Azure's PascalCase one). */
export const TEMPLATE_FILTER_FIELDS: FilterFieldTable = freeze({
  name: text('name'),
});
