/**
 * `$filter` of the reports: parsed by the one OData parser (src/domain/filter) against each report's
 * field table, then read into a typed ReportFilter. Azure's reports take a conjunction only: a
 * bound on `timestamp` (a lower one is required, so that every query is a range scan of the
 * indexes) and `eq` on the ids; `or`, `not` and functions are refused.
 */
import { validationError } from '../errors.js';
import type { CompareNode, FilterNode } from '../filter/ast.js';
import { freeze, type FilterFieldSpec, type FilterFieldTable } from '../filter/fields.js';
import { parseFilter } from '../filter/parser.js';
import { API_REGION, type IdField, type ReportKind } from './kinds.js';

export interface TimeBound {
  op: 'ge' | 'gt' | 'le' | 'lt';
  /** Epoch ms. */
  at: number;
}

export interface ReportFilter {
  from: TimeBound;
  to: TimeBound | undefined;
  /** Entity ids (plain, as the traffic tables hold them); absent: any. */
  ids: Partial<Record<IdField, string>>;
  /** `apiRegion` named another region than this instance's: nothing matches. */
  otherRegion: boolean;
}

const idSpec = (column: string): FilterFieldSpec => ({ type: 'string', operators: ['eq'], functions: [], column, fold: 'none' });

const TIMESTAMP: FilterFieldSpec = { type: 'date', operators: ['ge', 'gt', 'le', 'lt'], functions: [], column: 'minute', fold: 'none' };

const WITHOUT_API = {
  timestamp: TIMESTAMP,
  apiRegion: idSpec('api_region'),
  userId: idSpec('user_id'),
  productId: idSpec('product_id'),
  subscriptionId: idSpec('subscription_id'),
};

const ALL_FIELDS: FilterFieldTable = freeze({ ...WITHOUT_API, apiId: idSpec('api_id'), operationId: idSpec('operation_id') });
/** byProduct and bySubscription document no apiId or operationId filter. */
const NO_API_FIELDS: FilterFieldTable = freeze({ ...WITHOUT_API });

/** The fields each report's `$filter` documents (apimreports.json; byApi documents none: as byOperation). */
export function reportFilterFields(kind: ReportKind): FilterFieldTable {
  return kind === 'product' || kind === 'subscription' ? NO_API_FIELDS : ALL_FIELDS;
}

function fail(message: string): never {
  throw validationError(`Invalid $filter: ${message}`, [{ code: 'ValidationError', target: '$filter', message }]);
}

/** The comparisons of a conjunction, in order; anything else is refused. */
function leaves(node: FilterNode, out: CompareNode[] = []): CompareNode[] {
  if (node.kind === 'and') {
    leaves(node.left, out);
    leaves(node.right, out);
  } else if (node.kind === 'compare') {
    out.push(node);
  } else {
    fail("a report filter is comparisons joined with 'and' (no 'or', 'not' or functions)");
  }
  return out;
}

const ARM_SERVICE = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.ApiManagement\/service\/[^/]+(?=\/)/i;
const SEGMENT = '([^/]+)';
const PATHS: Record<Exclude<IdField, 'operationId'>, RegExp> = {
  apiId: new RegExp(`^/apis/${SEGMENT}$`, 'i'),
  productId: new RegExp(`^/products/${SEGMENT}$`, 'i'),
  subscriptionId: new RegExp(`^/subscriptions/${SEGMENT}$`, 'i'),
  userId: new RegExp(`^/users/${SEGMENT}$`, 'i'),
};
const OPERATION_PATH = new RegExp(`^/apis/${SEGMENT}/operations/${SEGMENT}$`, 'i');

/**
 * An id as Azure writes it in a record (`/apis/echo`), as a full ARM id, or plain (`echo`).
 * `/apis/a/operations/o` names the API too (operation ids are unique within their API only).
 */
function readId(field: IdField, value: string): Partial<Record<IdField, string>> {
  const relative = value.replace(ARM_SERVICE, '');
  if (!relative.includes('/')) {
    if (relative === '') fail(`${field} must not be empty`);
    return { [field]: relative };
  }
  if (field === 'operationId') {
    const m = OPERATION_PATH.exec(relative);
    if (m) return { apiId: m[1]!, operationId: m[2]! };
  } else {
    const m = PATHS[field].exec(relative);
    if (m) return { [field]: m[1]! };
  }
  const example = field === 'operationId' ? '/apis/{apiId}/operations/{operationId}' : `/${field.replace(/Id$/, '')}s/{id}`;
  return fail(`${field} '${value.slice(0, 80)}' is neither an id nor a path of the form ${example}`);
}

function setBound(current: TimeBound | undefined, bound: TimeBound, which: string): TimeBound {
  if (current) fail(`timestamp has two ${which} bounds; give one`);
  return bound;
}

export function parseReportFilter(kind: ReportKind, text: string | undefined): ReportFilter {
  if (text === undefined || text.trim() === '') {
    fail("$filter is required and must bound timestamp, e.g. timestamp ge datetime'2024-06-01T00:00:00' and timestamp le datetime'2024-06-02T00:00:00'");
  }
  let from: TimeBound | undefined;
  let to: TimeBound | undefined;
  const ids: Partial<Record<IdField, string>> = {};
  let otherRegion = false;
  for (const leaf of leaves(parseFilter(text, reportFilterFields(kind)))) {
    if (leaf.value === null) fail(`${leaf.field} cannot be compared with null`);
    if (leaf.field === 'timestamp') {
      const bound = { op: leaf.op as TimeBound['op'], at: Date.parse(leaf.value) };
      if (bound.op === 'ge' || bound.op === 'gt') from = setBound(from, bound, 'lower');
      else to = setBound(to, bound, 'upper');
    } else if (leaf.field === 'apiRegion') {
      if (leaf.value.toLowerCase() !== API_REGION) otherRegion = true;
    } else {
      for (const [field, id] of Object.entries(readId(leaf.field as IdField, leaf.value)) as [IdField, string][]) {
        if (ids[field] !== undefined && ids[field] !== id) fail(`${field} is compared with two different values`);
        ids[field] = id;
      }
    }
  }
  if (!from) fail("timestamp needs a lower bound: timestamp ge datetime'...'");
  return { from, to, ids, otherRegion };
}
