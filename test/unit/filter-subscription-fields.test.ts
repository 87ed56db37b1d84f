import { beforeAll, describe, expect, it } from 'vitest';
import { matchesFilter } from '../../src/domain/filter/evaluate.js';
import { parseFilter } from '../../src/domain/filter/parser.js';
import { SUBSCRIPTION_FILTER_FIELDS } from '../../src/domain/filter/subscription-fields.js';
import { SUBSCRIPTION_STATES } from '../../src/domain/subscription.js';
import { azureFilterFields, expectColumnsOfSchema, expectFrozen, ourFilterFields, schemaColumns } from '../helpers/filter-tables.js';

const holds = (filter: string, value: string | null): boolean =>
  matchesFilter(parseFilter(filter, SUBSCRIPTION_FILTER_FIELDS), () => value);

/**
 * The derived table `s` of src/store/subscriptions-repo.ts: the subscriptions table's columns, plus
 * `owner_ref` ('/users/' || owner_id, so null with it) and `product_id` (null unless a product scope).
 */
let derived: Map<string, { nullable: boolean }>;
let schema: Awaited<ReturnType<typeof schemaColumns>>;
beforeAll(async () => {
  schema = await schemaColumns();
  derived = new Map(
    [...schema].filter(([column]) => column.startsWith('subscriptions.')).map(([column, info]) => [column.slice('subscriptions.'.length), info]),
  );
  derived.set('owner_ref', { nullable: derived.get('owner_id')?.nullable ?? false });
  derived.set('product_id', { nullable: true });
});

describe('SUBSCRIPTION_FILTER_FIELDS (Subscription_List, UserSubscription_List, ProductSubscriptions_List)', () => {
  it("has the fields, operators and functions of Azure's Subscription_List", () => {
    const azure = azureFilterFields('apimsubscriptions.json', 'Subscription_List');
    expect(ourFilterFields(SUBSCRIPTION_FILTER_FIELDS)).toEqual(azure);
    expect(azureFilterFields('apimproducts.json', 'ProductSubscriptions_List')).toEqual(azure);
  });

  it("and so one more than UserSubscription_List's: state", () => {
    const { state, ...rest } = ourFilterFields(SUBSCRIPTION_FILTER_FIELDS);
    expect(state).toEqual({ operators: ['eq'], functions: [] });
    expect(rest).toEqual(azureFilterFields('apimusers.json', 'UserSubscription_List'));
  });

  it('names columns of the derived table s, nullable as they are', () => {
    expect(Object.values(SUBSCRIPTION_FILTER_FIELDS).every((s) => s.column.startsWith('s.'))).toBe(true);
    expectColumnsOfSchema(SUBSCRIPTION_FILTER_FIELDS, schema, { s: derived });
    expect(SUBSCRIPTION_FILTER_FIELDS.ownerId?.column).toBe('s.owner_ref');
    expect(SUBSCRIPTION_FILTER_FIELDS.userId?.column).toBe('s.owner_id');
  });

  it('compares the state as an enum of the subscription states', () => {
    expect(SUBSCRIPTION_FILTER_FIELDS.state).toMatchObject({ type: 'enum', values: SUBSCRIPTION_STATES, fold: 'none' });
    expect(holds("state eq 'Active'", 'active')).toBe(true);
    expect(holds("state eq 'suspended'", 'active')).toBe(false);
    expect(() => parseFilter("state eq 'paused'", SUBSCRIPTION_FILTER_FIELDS)).toThrow(/Enum value 'paused' is not one of/);
  });

  it('compares text without regard to ASCII case; a missing value matches only ne', () => {
    expect(holds("scope eq '/PRODUCTS/Starter'", '/products/starter')).toBe(true);
    expect(holds("productId ne 'starter'", null)).toBe(true);
    expect(holds("displayName eq 'x'", null)).toBe(false);
  });

  it('is frozen', () => expectFrozen(SUBSCRIPTION_FILTER_FIELDS));
});
