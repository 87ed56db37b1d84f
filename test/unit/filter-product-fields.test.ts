import { beforeAll, describe, expect, it } from 'vitest';
import { matchesFilter } from '../../src/domain/filter/evaluate.js';
import type { FilterFieldTable } from '../../src/domain/filter/fields.js';
import { parseFilter } from '../../src/domain/filter/parser.js';
import {
  PRODUCT_API_FILTER_FIELDS,
  PRODUCT_API_LINK_FILTER_FIELDS,
  PRODUCT_FILTER_FIELDS,
  PRODUCT_GROUP_FILTER_FIELDS,
  PRODUCT_GROUP_LINK_FILTER_FIELDS,
} from '../../src/domain/filter/product-fields.js';
import { PRODUCT_STATES } from '../../src/domain/product-input.js';
import { azureFilterFields, expectColumnsOfSchema, expectFrozen, ourFilterFields, schemaColumns } from '../helpers/filter-tables.js';

const holds = (filter: string, table: FilterFieldTable, value: string | null): boolean =>
  matchesFilter(parseFilter(filter, table), () => value);

let schema: Awaited<ReturnType<typeof schemaColumns>>;
beforeAll(async () => {
  schema = await schemaColumns();
});

const columns = (table: FilterFieldTable) => Object.fromEntries(Object.entries(table).map(([f, s]) => [f, s.column]));

describe('PRODUCT_FILTER_FIELDS (Product_ListByService)', () => {
  it("has Azure's fields, operators and functions", () => {
    expect(ourFilterFields(PRODUCT_FILTER_FIELDS)).toEqual(azureFilterFields('apimproducts.json', 'Product_ListByService'));
  });

  it('names columns of the products table, nullable as they are', () => {
    expectColumnsOfSchema(PRODUCT_FILTER_FIELDS, schema);
    expect(Object.values(PRODUCT_FILTER_FIELDS).every((s) => s.column.startsWith('products.'))).toBe(true);
  });

  it('compares the state as an enum of the product states', () => {
    expect(PRODUCT_FILTER_FIELDS.state).toMatchObject({ type: 'enum', values: PRODUCT_STATES, fold: 'none' });
    expect(holds("state eq 'PUBLISHED'", PRODUCT_FILTER_FIELDS, 'published')).toBe(true);
    expect(holds("state eq 'notPublished'", PRODUCT_FILTER_FIELDS, 'published')).toBe(false);
    expect(() => parseFilter("state eq 'draft'", PRODUCT_FILTER_FIELDS)).toThrow(/Enum value 'draft' is not one of/);
  });

  it('compares text without regard to ASCII case; products without terms match only ne', () => {
    expect(holds("contains(terms, 'FAIR USE')", PRODUCT_FILTER_FIELDS, 'Fair use only')).toBe(true);
    expect(holds("terms ne 'x'", PRODUCT_FILTER_FIELDS, null)).toBe(true);
    expect(holds("description eq 'x'", PRODUCT_FILTER_FIELDS, null)).toBe(false);
  });

  it('is frozen', () => expectFrozen(PRODUCT_FILTER_FIELDS));
});

describe('PRODUCT_API_FILTER_FIELDS (ProductApi_ListByProduct)', () => {
  it("has Azure's fields, operators and functions, on the apis table", () => {
    expect(ourFilterFields(PRODUCT_API_FILTER_FIELDS)).toEqual(azureFilterFields('apimproducts.json', 'ProductApi_ListByProduct'));
    expectColumnsOfSchema(PRODUCT_API_FILTER_FIELDS, schema);
    expect(Object.values(PRODUCT_API_FILTER_FIELDS).every((s) => s.column.startsWith('apis.'))).toBe(true);
  });

  it('is frozen', () => expectFrozen(PRODUCT_API_FILTER_FIELDS));
});

describe('PRODUCT_GROUP_FILTER_FIELDS (ProductGroup_ListByProduct)', () => {
  it("has Azure's fields, operators and (no) functions, on the groups table", () => {
    expect(ourFilterFields(PRODUCT_GROUP_FILTER_FIELDS)).toEqual(azureFilterFields('apimproducts.json', 'ProductGroup_ListByProduct'));
    expectColumnsOfSchema(PRODUCT_GROUP_FILTER_FIELDS, schema);
    expect(columns(PRODUCT_GROUP_FILTER_FIELDS)).toEqual({
      name: 'groups.id',
      displayName: 'groups.display_name',
      description: 'groups.description',
    });
    expect(() => parseFilter("displayName gt 'a'", PRODUCT_GROUP_FILTER_FIELDS)).toThrow(/supported: eq, ne/);
    expect(() => parseFilter("startswith(name, 'a')", PRODUCT_GROUP_FILTER_FIELDS)).toThrow(/supported: none/);
  });

  it('compares without regard to ASCII case', () => {
    expect(holds("displayName eq 'DEVELOPERS'", PRODUCT_GROUP_FILTER_FIELDS, 'Developers')).toBe(true);
    expect(holds("description ne 'x'", PRODUCT_GROUP_FILTER_FIELDS, null)).toBe(true);
  });

  it('is frozen', () => expectFrozen(PRODUCT_GROUP_FILTER_FIELDS));
});

describe('the link lists (ProductApiLink_ListByProduct, ProductGroupLink_ListByProduct)', () => {
  it("offer Azure's one field each, with eq only (the service rewrites a full ARM id to the bare id)", () => {
    const apiLink = azureFilterFields('apimproducts.json', 'ProductApiLink_ListByProduct');
    const groupLink = azureFilterFields('apimproducts.json', 'ProductGroupLink_ListByProduct');
    expect(Object.keys(PRODUCT_API_LINK_FILTER_FIELDS)).toEqual(Object.keys(apiLink));
    expect(Object.keys(PRODUCT_GROUP_LINK_FILTER_FIELDS)).toEqual(Object.keys(groupLink));
    expect(ourFilterFields(PRODUCT_API_LINK_FILTER_FIELDS)).toEqual({ apiId: { operators: ['eq'], functions: [] } });
    expect(ourFilterFields(PRODUCT_GROUP_LINK_FILTER_FIELDS)).toEqual({ groupId: { operators: ['eq'], functions: [] } });
  });

  it('name the link tables, and compare ids exactly', () => {
    expect(PRODUCT_API_LINK_FILTER_FIELDS.apiId).toMatchObject({ type: 'string', fold: 'none' });
    expect(PRODUCT_GROUP_LINK_FILTER_FIELDS.groupId).toMatchObject({ type: 'string', fold: 'none' });
    expectColumnsOfSchema(PRODUCT_API_LINK_FILTER_FIELDS, schema);
    expectColumnsOfSchema(PRODUCT_GROUP_LINK_FILTER_FIELDS, schema);
    expect(columns(PRODUCT_API_LINK_FILTER_FIELDS)).toEqual({ apiId: 'product_apis.api_id' });
    expect(columns(PRODUCT_GROUP_LINK_FILTER_FIELDS)).toEqual({ groupId: 'product_groups.group_id' });
    expect(holds("apiId eq 'Echo'", PRODUCT_API_LINK_FILTER_FIELDS, 'Echo')).toBe(true);
    expect(holds("apiId eq 'echo'", PRODUCT_API_LINK_FILTER_FIELDS, 'Echo')).toBe(false);
    expect(holds("groupId eq 'Partners'", PRODUCT_GROUP_LINK_FILTER_FIELDS, 'Partners')).toBe(true);
    expect(holds("groupId eq 'partners'", PRODUCT_GROUP_LINK_FILTER_FIELDS, 'Partners')).toBe(false);
  });

  it('are frozen', () => {
    expectFrozen(PRODUCT_API_LINK_FILTER_FIELDS);
    expectFrozen(PRODUCT_GROUP_LINK_FILTER_FIELDS);
  });
});
