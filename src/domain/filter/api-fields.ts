/** Which fields `$filter` may touch on the API lists (see fields.ts for how a table is read). */
import { freeze, text, type FilterFieldTable } from './fields.js';

/** Api_ListByService. */
export const API_FILTER_FIELDS: FilterFieldTable = freeze({
  name: text('apis.id'),
  displayName: text('apis.display_name'),
  description: text('apis.description', { nullable: true }),
  serviceUrl: text('apis.service_url', { nullable: true }),
  path: text('apis.path'),
});

/** ApiOperation_ListByApi. Methods are stored upper-case; the comparison folds case anyway. */
export const API_OPERATION_FILTER_FIELDS: FilterFieldTable = freeze({
  name: text('api_operations.id'),
  displayName: text('api_operations.display_name'),
  method: text('api_operations.method'),
  description: text('api_operations.description', { nullable: true }),
  urlTemplate: text('api_operations.url_template'),
});

/** ApiProduct_ListByApis. */
export const API_PRODUCT_FILTER_FIELDS: FilterFieldTable = freeze({
  displayName: text('products.display_name'),
});
