/** `$filter` whitelists of the product endpoints (apimproducts.json). */
import { freeze, text, type FilterFieldTable } from './fields.js';
import { PRODUCT_STATES } from '../product-input.js';

/** Product_ListByService: name, displayName, description, terms with everything; state eq. */
export const PRODUCT_FILTER_FIELDS: FilterFieldTable = freeze({
  name: text('products.id'),
  displayName: text('products.display_name'),
  description: text('products.description', { nullable: true }),
  terms: text('products.terms', { nullable: true }),
  state: {
    type: 'enum',
    values: PRODUCT_STATES,
    operators: ['eq'],
    functions: [],
    column: 'products.state',
    fold: 'none',
  },
});

/** ProductApi_ListByProduct. */
export const PRODUCT_API_FILTER_FIELDS: FilterFieldTable = freeze({
  name: text('apis.id'),
  displayName: text('apis.display_name'),
  description: text('apis.description', { nullable: true }),
  serviceUrl: text('apis.service_url', { nullable: true }),
  path: text('apis.path'),
});

/** ProductGroup_ListByProduct: name with the comparison operators only; displayName and description eq/ne. */
export const PRODUCT_GROUP_FILTER_FIELDS: FilterFieldTable = freeze({
  name: text('groups.id', { functions: [] }),
  displayName: text('groups.display_name', { operators: ['eq', 'ne'], functions: [] }),
  description: text('groups.description', { operators: ['eq', 'ne'], functions: [], nullable: true }),
});

/**
 * ProductApiLink_ListByProduct / ProductGroupLink_ListByProduct: `apiId eq` / `groupId eq`. The
 * service rewrites a full ARM id in the literal to the bare id the column holds.
 */
export const PRODUCT_API_LINK_FILTER_FIELDS: FilterFieldTable = freeze({
  apiId: text('product_apis.api_id', { operators: ['eq'], functions: [], fold: 'none' }),
});
export const PRODUCT_GROUP_LINK_FILTER_FIELDS: FilterFieldTable = freeze({
  groupId: text('product_groups.group_id', { operators: ['eq'], functions: [], fold: 'none' }),
});
