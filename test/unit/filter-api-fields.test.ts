import { beforeAll, describe, expect, it } from 'vitest';
import { API_FILTER_FIELDS, API_OPERATION_FILTER_FIELDS, API_PRODUCT_FILTER_FIELDS } from '../../src/domain/filter/api-fields.js';
import { matchesFilter } from '../../src/domain/filter/evaluate.js';
import type { FilterFieldTable } from '../../src/domain/filter/fields.js';
import { parseFilter } from '../../src/domain/filter/parser.js';
import { azureFilterFields, expectColumnsOfSchema, expectFrozen, ourFilterFields, schemaColumns } from '../helpers/filter-tables.js';

const holds = (filter: string, table: FilterFieldTable, value: string | null): boolean =>
  matchesFilter(parseFilter(filter, table), () => value);

let schema: Awaited<ReturnType<typeof schemaColumns>>;
beforeAll(async () => {
  schema = await schemaColumns();
});

describe('API_FILTER_FIELDS (Api_ListByService)', () => {
  it("has Azure's fields, operators and functions, but isCurrent (Tollgate has no revisions)", () => {
    const { isCurrent, ...azure } = azureFilterFields('apimapis.json', 'Api_ListByService');
    expect(isCurrent).toBeDefined();
    expect(ourFilterFields(API_FILTER_FIELDS)).toEqual(azure);
    expect(() => parseFilter('isCurrent eq true', API_FILTER_FIELDS)).toThrow(/Unknown field 'isCurrent'/);
  });

  it('names columns of the apis table, nullable as they are', () => {
    expectColumnsOfSchema(API_FILTER_FIELDS, schema);
    expect(Object.values(API_FILTER_FIELDS).every((s) => s.column.startsWith('apis.'))).toBe(true);
  });

  it('compares text without regard to ASCII case; an API without a service URL matches only ne', () => {
    expect(holds("path eq 'ECHO'", API_FILTER_FIELDS, 'echo')).toBe(true);
    expect(holds("startswith(serviceUrl, 'HTTPS://')", API_FILTER_FIELDS, 'https://backend.example')).toBe(true);
    expect(holds("serviceUrl ne 'x'", API_FILTER_FIELDS, null)).toBe(true);
    expect(holds("description eq 'x'", API_FILTER_FIELDS, null)).toBe(false);
  });

  it('is frozen', () => expectFrozen(API_FILTER_FIELDS));
});

describe('API_OPERATION_FILTER_FIELDS (ApiOperation_ListByApi)', () => {
  it("has Azure's fields, operators and functions", () => {
    expect(ourFilterFields(API_OPERATION_FILTER_FIELDS)).toEqual(azureFilterFields('apimapis.json', 'ApiOperation_ListByApi'));
  });

  it('names columns of the api_operations table, nullable as they are', () => {
    expectColumnsOfSchema(API_OPERATION_FILTER_FIELDS, schema);
    expect(Object.values(API_OPERATION_FILTER_FIELDS).every((s) => s.column.startsWith('api_operations.'))).toBe(true);
  });

  it('matches a method whatever its case', () => {
    expect(holds("method eq 'get'", API_OPERATION_FILTER_FIELDS, 'GET')).toBe(true);
  });

  it('is frozen', () => expectFrozen(API_OPERATION_FILTER_FIELDS));
});

describe('API_PRODUCT_FILTER_FIELDS (ApiProduct_ListByApis)', () => {
  it("has Azure's fields, operators and functions, on the products table", () => {
    expect(ourFilterFields(API_PRODUCT_FILTER_FIELDS)).toEqual(azureFilterFields('apimapis.json', 'ApiProduct_ListByApis'));
    expectColumnsOfSchema(API_PRODUCT_FILTER_FIELDS, schema);
    expect(API_PRODUCT_FILTER_FIELDS.displayName?.column).toBe('products.display_name');
  });

  it('is frozen', () => expectFrozen(API_PRODUCT_FILTER_FIELDS));
});
