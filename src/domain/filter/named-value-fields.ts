/** `$filter` whitelist of NamedValue_ListByService (apimnamedvalues.json). */
import { freeze, text, type FilterFieldTable } from './fields.js';

/**
 * displayName with every operator and function. Azure also filters on `tags` with the lambda
 * operators any/all, which the filter language does not have: a filter naming tags is refused.
 */
export const NAMED_VALUE_FILTER_FIELDS: FilterFieldTable = freeze({
  displayName: text('named_values.display_name_lower', { fold: 'stored' }),
});
