/**
 * What the `$filter` field tables (src/domain/filter/*-fields.ts) are checked against: Azure's own
 * list of filterable fields for each operation (the `$filter` parameter's description in the
 * REST specification under test/fixtures), and the columns of the migrated schema.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { FilterFieldTable } from '../../src/domain/filter/fields.js';
import { migrateToLatest, openDatabase, sql } from '../../src/store/database.js';

const SPEC_DIR = new URL('../fixtures/azure-apim-rest/2024-05-01/', import.meta.url);

export interface AzureFilterField {
  operators: string[];
  functions: string[];
}

interface SpecParameter {
  name?: string;
  $ref?: string;
  description?: string;
}

/** Azure's table of `$filter` fields for one operation: field → supported operators and functions, sorted. */
export function azureFilterFields(file: string, operationId: string): Record<string, AzureFilterField> {
  const spec = JSON.parse(readFileSync(new URL(file, SPEC_DIR), 'utf8')) as {
    paths: Record<string, Record<string, { operationId?: string; parameters?: SpecParameter[] }>>;
    parameters?: Record<string, SpecParameter>;
  };
  const ops = Object.values(spec.paths).flatMap((path) => Object.values(path));
  const op = ops.find((o) => o.operationId === operationId);
  if (!op) throw new Error(`${operationId} is not in ${file}`);
  const param = (op.parameters ?? [])
    .map((p) => (p.$ref?.startsWith('#/parameters/') ? (spec.parameters?.[p.$ref.slice('#/parameters/'.length)] ?? p) : p))
    .find((p) => p.name === '$filter');
  if (!param?.description) throw new Error(`${operationId} has no $filter table`);
  const list = (cell: string | undefined) =>
    (cell ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .sort();
  const fields: Record<string, AzureFilterField> = {};
  for (const line of param.description.split('</br>')) {
    const cells = line.split('|').map((c) => c.trim());
    // | field | usage | operators | functions |
    if (cells.length < 5 || cells[2] !== 'filter') continue;
    fields[cells[1] as string] = { operators: list(cells[3]), functions: list(cells[4]) };
  }
  return fields;
}

/** The table's fields with their operators and functions, in the shape of azureFilterFields. */
export function ourFilterFields(table: FilterFieldTable): Record<string, AzureFilterField> {
  return Object.fromEntries(
    Object.entries(table).map(([field, spec]) => [field, { operators: [...spec.operators].sort(), functions: [...spec.functions].sort() }]),
  );
}

/** `table.column` → whether it may be null, for every table of a freshly migrated SQLite database. */
export async function schemaColumns(): Promise<Map<string, { nullable: boolean }>> {
  const { db, close } = await openDatabase('sqlite::memory:');
  try {
    await migrateToLatest(db, 'sqlite');
    const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db);
    const columns = new Map<string, { nullable: boolean }>();
    for (const { name: table } of tables.rows) {
      const info = await sql<{ name: string; notnull: number; pk: number }>`select * from pragma_table_info(${table})`.execute(db);
      for (const c of info.rows) columns.set(`${table}.${c.name}`, { nullable: c.notnull === 0 && c.pk === 0 });
    }
    return columns;
  } finally {
    await close();
  }
}

/**
 * Every field names a column of the schema (`aliases` maps a derived table's name to its columns),
 * is nullable exactly when the column is (the SQL compiler's null handling depends on it), and
 * compares a lowercased copy (`fold: 'stored'`) exactly when the column is one (`*_lc`).
 */
export function expectColumnsOfSchema(
  table: FilterFieldTable,
  schema: Map<string, { nullable: boolean }>,
  aliases: Record<string, Map<string, { nullable: boolean }>> = {},
): void {
  for (const [field, spec] of Object.entries(table)) {
    const [relation, column] = spec.column.split('.') as [string, string | undefined];
    const info = aliases[relation]?.get(column ?? '') ?? schema.get(spec.column);
    expect(info, `${field}: ${spec.column} is not a column`).toBeDefined();
    expect(spec.nullable ?? false, `${field}: nullable`).toBe(info?.nullable);
    expect(spec.fold === 'stored', `${field}: fold 'stored' iff ${spec.column} is a lowercased copy`).toBe(spec.column.endsWith('_lc'));
  }
}

/** Frozen, table and specs, so that no caller can widen a whitelist that others share. */
export function expectFrozen(table: FilterFieldTable): void {
  expect(Object.isFrozen(table)).toBe(true);
  for (const spec of Object.values(table)) expect(Object.isFrozen(spec)).toBe(true);
}
