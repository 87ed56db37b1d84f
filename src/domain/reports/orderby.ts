/**
 * `$orderby` of the reports: `field [asc|desc]`, comma-separated, over the record's numbers and the
 * report's own key. The store orders and pages in SQL (never in memory), and ties always fall back
 * to the key, ascending, so that pages do not overlap.
 *
 * `name`/`displayName` cannot be ordered by: display names are looked up for one page only (a join
 * of every subscription with traffic is what the reports avoid), so such an order is refused.
 */
import { invalidField } from '../errors.js';
import type { IdField, ReportKind } from './kinds.js';

export const METRIC_FIELDS = [
  'callCountSuccess',
  'callCountBlocked',
  'callCountFailed',
  'callCountOther',
  'callCountTotal',
  'bandwidth',
  'apiTimeAvg',
  'apiTimeMin',
  'apiTimeMax',
  'serviceTimeAvg',
  'serviceTimeMin',
  'serviceTimeMax',
] as const;

export type MetricField = (typeof METRIC_FIELDS)[number];
export type OrderField = MetricField | IdField | 'timestamp';

export interface OrderTerm {
  field: OrderField;
  desc: boolean;
}

export const ORDERBY_MAX_TERMS = 4;

/** The fields each report may be ordered by. */
export function orderFields(kind: ReportKind): readonly OrderField[] {
  switch (kind) {
    case 'api':
      return [...METRIC_FIELDS, 'apiId'];
    case 'operation':
      return [...METRIC_FIELDS, 'apiId', 'operationId'];
    case 'product':
      return [...METRIC_FIELDS, 'productId'];
    case 'user':
      return [...METRIC_FIELDS, 'userId'];
    case 'subscription':
      return [...METRIC_FIELDS, 'subscriptionId'];
    case 'time':
      return [...METRIC_FIELDS, 'timestamp'];
    case 'geo':
      return METRIC_FIELDS;
    case 'request':
      return ['timestamp'];
  }
}

export function parseOrderBy(kind: ReportKind, text: string | undefined): OrderTerm[] {
  if (text === undefined || text.trim() === '') return [];
  const allowed = orderFields(kind);
  const terms = text.split(',');
  if (terms.length > ORDERBY_MAX_TERMS) throw invalidField('$orderby', `has more than ${ORDERBY_MAX_TERMS} fields.`);
  const seen = new Set<string>();
  return terms.map((term) => {
    const words = term.trim().split(/\s+/);
    const [name = '', direction = 'asc'] = words;
    const field = allowed.find((f) => f.toLowerCase() === name.toLowerCase());
    if (words.length > 2 || !/^(asc|desc)$/i.test(direction)) {
      throw invalidField('$orderby', `'${term.trim().slice(0, 60)}' is not '<field> asc' or '<field> desc'.`);
    }
    if (!field) {
      const hint = /^(name|displayname)$/i.test(name) ? ' (ordering by display name is not supported; order by the id)' : '';
      throw invalidField('$orderby', `cannot order by '${name.slice(0, 60)}'${hint}. Allowed fields: ${allowed.join(', ')}.`);
    }
    if (seen.has(field)) throw invalidField('$orderby', `names '${field}' twice.`);
    seen.add(field);
    return { field, desc: direction.toLowerCase() === 'desc' };
  });
}
