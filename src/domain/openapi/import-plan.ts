/**
 * The plan of an import: from an API's stored operations and the operations a definition makes of
 * it, which are created, changed (and which of their fields), removed and left as they are. One
 * function for both the import (src/services/apis.ts applies exactly this plan) and the admin UI's
 * preview of it (src/services/api-import-preview.ts), so that what is previewed is what happens.
 *
 * Operations are matched by name (the normalized operationId, names.ts), as Azure matches them.
 */
import { AppError, validationError } from '../errors.js';
import { checkTemplateParameters, parseOperationCreate, type ApiCreateInput } from '../api-input.js';
import type { ImportedApi, ImportedOperation } from './derive.js';

/**
 * An operation as the plan compares it: an imported one, or a stored one (its id is the name; its
 * request and responses as read back from the store).
 */
export type PlannedOperation = Omit<ImportedOperation, 'request' | 'responses'> & { request: unknown; responses: unknown };

/** A stored operation (the API service's view of one) as the plan compares it. */
export function plannedOf(o: Omit<PlannedOperation, 'name'> & { id: string }): PlannedOperation {
  return { name: o.id, displayName: o.displayName, method: o.method, urlTemplate: o.urlTemplate, description: o.description, templateParameters: o.templateParameters, request: o.request, responses: o.responses };
}

/** The fields of an operation an import sets, in the order a preview names them. */
export const OPERATION_FIELDS = ['displayName', 'method', 'urlTemplate', 'description', 'templateParameters', 'request', 'responses'] as const;
export type OperationField = (typeof OPERATION_FIELDS)[number];

export interface ChangedOperation<T extends PlannedOperation = PlannedOperation> {
  operation: T;
  before: PlannedOperation;
  fields: OperationField[];
}

export interface ImportPlan<T extends PlannedOperation = PlannedOperation> {
  created: T[];
  changed: ChangedOperation<T>[];
  /** Stored operations the definition does not have. */
  removed: PlannedOperation[];
  unchanged: T[];
}

/** Two operations clash when they take the same method on the same template (parameter names aside). */
export function routeKey(method: string, urlTemplate: string): string {
  return `${method} ${urlTemplate.replace(/\{[^}]*\}/g, '{}').toLowerCase()}`;
}

/**
 * Each imported operation must be one the management API would take (its template parameters
 * declared, its fields within Azure's limits), and no two may take the same route: a ValidationError
 * naming `operations.<name>` otherwise, before anything is written.
 */
export function checkImportedOperations(operations: readonly PlannedOperation[]): void {
  const seen = new Map<string, string>();
  for (const o of operations) {
    const where = `operations.${o.name}`;
    try {
      checkTemplateParameters(o.urlTemplate, o.templateParameters);
      parseOperationCreate({ displayName: o.displayName, method: o.method, urlTemplate: o.urlTemplate, description: o.description, templateParameters: o.templateParameters, request: o.request, responses: o.responses });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      throw validationError(`The operation '${o.name}' of the definition cannot be imported.`, error.details.map((d) => ({ ...d, target: `${where}.${d.target ?? ''}` })));
    }
    const key = routeKey(o.method, o.urlTemplate);
    const clash = seen.get(key);
    if (clash !== undefined) {
      throw validationError('The API definition has two operations on the same route.', [{ code: 'ValidationError', target: where, message: `answers ${o.method} ${o.urlTemplate}, as the operation '${clash}' does.` }]);
    }
    seen.set(key, o.name);
  }
}

/**
 * A field's value for comparison: JSON with object keys sorted (a stored value may have been
 * written in another key order) and without `schemaId`s, which name the API's stored schemas and
 * are made anew by each import: a representation whose schema id alone differs has not changed.
 */
function comparable(value: unknown): string {
  return JSON.stringify(value ?? null, (key, v: unknown) => {
    if (key === 'schemaId') return undefined;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}

/**
 * Whether two field values are the same. The plain JSON first: a re-import of what is stored gives
 * the same text (same keys, same order, same schema id), and sorting every object's keys of a
 * thousand operations was a third of a 5 MB re-import's time (docs/benchmarks.md).
 */
function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null) || comparable(a) === comparable(b);
}

/** The fields in which `after` differs from `before`. */
export function changedFields(before: PlannedOperation, after: PlannedOperation): OperationField[] {
  return OPERATION_FIELDS.filter((f) => !same(before[f], after[f]));
}

/** What importing `imported` does to an API whose operations are `stored` (checked first: see checkImportedOperations). */
export function planImport<T extends PlannedOperation>(stored: readonly PlannedOperation[], imported: readonly T[]): ImportPlan<T> {
  checkImportedOperations(imported);
  const byName = new Map(stored.map((o) => [o.name, o]));
  const wanted = new Set(imported.map((o) => o.name));
  const plan: ImportPlan<T> = { created: [], changed: [], removed: stored.filter((o) => !wanted.has(o.name)), unchanged: [] };
  for (const operation of imported) {
    const before = byName.get(operation.name);
    if (!before) {
      plan.created.push(operation);
      continue;
    }
    const fields = changedFields(before, operation);
    if (fields.length > 0) plan.changed.push({ operation, before, fields });
    else plan.unchanged.push(operation);
  }
  return plan;
}

/** The API's own properties an import sets (when the request leaves them out, from the document). */
export interface ImportedProperties {
  displayName: string | undefined;
  description: string | null | undefined;
  serviceUrl: string | undefined;
  protocols: readonly string[] | undefined;
}
export type ApiPropertyName = keyof ImportedProperties;

/**
 * The API's own properties after an import: those the request gives win, the document gives the
 * rest (a description given as null stays null). The import and its preview both take them from here.
 */
export function importedProperties(input: ApiCreateInput, imported: ImportedApi): ImportedProperties & { protocols: ImportedApi['protocols'] } {
  return {
    displayName: input.displayName ?? imported.displayName,
    description: input.description !== undefined ? input.description : imported.description,
    serviceUrl: input.serviceUrl ?? imported.serviceUrl,
    protocols: input.protocols ?? imported.protocols,
  };
}

export interface ApiPropertyChange {
  field: ApiPropertyName;
  /** undefined: the API is new. */
  before: string | null | undefined;
  after: string | null;
}

const shown = (v: string | null | readonly string[]): string | null => (Array.isArray(v) ? v.join(', ') : (v as string | null));

/**
 * What an import changes on the API itself: each property it sets to another value than the API's
 * (`existing` undefined: a new API, every property it sets). A property the import leaves out
 * (undefined) keeps its value, as the import keeps it.
 */
export function apiPropertyChanges(existing: { [K in ApiPropertyName]: string | null | readonly string[] } | undefined, after: ImportedProperties): ApiPropertyChange[] {
  const changes: ApiPropertyChange[] = [];
  for (const field of ['displayName', 'description', 'serviceUrl', 'protocols'] as const) {
    const value = after[field];
    if (value === undefined) continue;
    const before = existing === undefined ? undefined : shown(existing[field]);
    if (before !== shown(value)) changes.push({ field, before, after: shown(value) });
  }
  return changes;
}
