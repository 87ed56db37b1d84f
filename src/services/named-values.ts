/**
 * Use cases on named values: the instance's constants that policies name as `{{displayName}}`.
 * A secret's value is sealed at rest with the instance's sealing key (as subscription keys are) and
 * shown by nothing but `listValue`. A policy that is stored must stay enforceable, so a named value
 * that a policy references cannot be deleted, and a change of one (its value or its name) is
 * refused when a policy referencing it would no longer pass validation.
 */
import { AppError, validationError } from '../domain/errors.js';
import { parseFilter } from '../domain/filter/parser.js';
import { NAMED_VALUE_FILTER_FIELDS } from '../domain/filter/named-value-fields.js';
import type { NamedValueCreateInput, NamedValueUpdateInput } from '../domain/named-value-input.js';
import type { NamedValueLookup } from '../domain/policy/types.js';
import { seal, unseal, type KeyRing } from '../domain/subscription-keys.js';
import { notFound } from '../domain/errors.js';
import type { Store } from '../store/index.js';
import type { NamedValueRow } from '../store/named-values-repo.js';
import { SYSTEM, type ActorContext } from './audit.js';
import type { ServiceDeps } from './deps.js';
import { subscriptionKeyRing } from './signing-keys.js';
import type { Page, PageRequest } from './views.js';
import { deleteInWrite, patchInWrite, putInWrite, type Write } from './writes.js';

export interface NamedValueView {
  id: string;
  displayName: string;
  /** Absent for a secret: only `listValue` shows it. */
  value?: string;
  secret: boolean;
  tags: string[];
  etag: string;
}

/**
 * What the named values need to know of the policies that reference them (the policy service
 * provides it): the named values as they are in `tx` decide.
 */
export interface PolicyReferences {
  /** Scope keys ('/', '/products/{id}', ...) of the documents that reference `displayName`. */
  referencing(tx: Store, displayName: string): Promise<string[]>;
  /** Throws a validation error naming the document and its problems when one that references one of `displayNames` no longer passes. */
  recheck(tx: Store, displayNames: readonly string[]): Promise<void>;
}

function featureNotSupported(message: string): AppError {
  return new AppError('validation', 'FeatureNotSupported', message);
}

/** Key Vault references would make Tollgate fetch secrets from Azure: refused, said so. */
function refuseKeyVault(input: { keyVault?: unknown }): void {
  if (input.keyVault !== undefined && input.keyVault !== null) {
    throw featureNotSupported('Named values kept in Azure Key Vault (keyVault) are not supported by Tollgate; give the value itself (secret: true keeps it sealed).');
  }
}

function parseTags(row: NamedValueRow): string[] {
  const tags = JSON.parse(row.tags) as unknown;
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [];
}

export function namedValueView(row: NamedValueRow): NamedValueView {
  return {
    id: row.id,
    displayName: row.display_name,
    ...(row.secret === 1 ? {} : { value: row.value }),
    secret: row.secret === 1,
    tags: parseTags(row),
    etag: row.etag,
  };
}

function plainValue(ring: KeyRing, row: NamedValueRow): string {
  return row.secret === 1 ? unseal(ring, row.value) : row.value;
}

/** Every named value of `tx` by display name (ignoring case), secrets unsealed: what policies are checked against. */
export async function namedValueLookup(tx: Store, ring: KeyRing): Promise<NamedValueLookup> {
  const byName = new Map<string, string>();
  for (const row of await tx.namedValues.listAllNamedValues()) byName.set(row.display_name_lower, plainValue(ring, row));
  return (displayName) => byName.get(displayName.toLowerCase());
}

export function createNamedValueService(deps: ServiceDeps, policies: PolicyReferences) {
  const { store } = deps;

  async function load(tx: Store, id: string, lock = false): Promise<NamedValueRow> {
    const row = await tx.namedValues.findNamedValue(id, lock);
    if (!row) throw notFound('Named value');
    return row;
  }

  async function checkNameFree(tx: Store, displayName: string, id: string): Promise<void> {
    if (await tx.namedValues.findNamedValueByName(displayName, id)) {
      throw validationError('One or more fields contain incorrect values.', [
        { code: 'ValidationError', target: 'displayName', message: `A named value with the display name '${displayName}' already exists.` },
      ]);
    }
  }

  /** The fields a PUT or PATCH sets, after the rules; `existing` is undefined for a new one. */
  async function columns(input: NamedValueUpdateInput, existing: NamedValueRow | undefined) {
    const ring = await subscriptionKeyRing(store);
    const secret = input.secret ?? (existing ? existing.secret === 1 : false);
    const value = input.value ?? (existing ? plainValue(ring, existing) : undefined);
    if (value === undefined) {
      throw validationError('One or more fields contain incorrect values.', [{ code: 'ValidationError', target: 'value', message: 'is required' }]);
    }
    const displayName = input.displayName ?? existing!.display_name;
    return {
      display_name: displayName,
      display_name_lower: displayName.toLowerCase(),
      value: secret ? seal(ring, value) : value,
      secret: secret ? 1 : 0,
      tags: JSON.stringify(input.tags !== undefined ? (input.tags ?? []) : existing ? parseTags(existing) : []),
    };
  }

  /** A change of `existing`: the policies that name it (by its old or new name) must still pass. */
  async function applyUpdate(w: Write, existing: NamedValueRow, input: NamedValueUpdateInput, fields: string[]): Promise<NamedValueView> {
    const { tx } = w;
    const set = await columns(input, existing);
    if (set.display_name_lower !== existing.display_name_lower) await checkNameFree(tx, set.display_name, existing.id);
    await tx.namedValues.updateNamedValue(existing.id, { ...set, etag: w.etag() });
    // Inside the transaction: a refusal rolls the change back.
    await policies.recheck(tx, [existing.display_name, set.display_name]);
    await w.record({
      change: { entity: 'named-value', id: existing.id },
      audit: { action: 'named-value.updated', detail: { namedValue: existing.id, fields: fields.join(',') } },
    });
    return namedValueView(await load(tx, existing.id));
  }

  async function insertNew(w: Write, id: string, input: NamedValueCreateInput): Promise<NamedValueView> {
    const { tx } = w;
    await checkNameFree(tx, input.displayName, id);
    await tx.namedValues.insertNamedValue({ id, ...(await columns(input, undefined)), etag: w.etag(), created_at: w.at });
    await w.record({
      change: { entity: 'named-value', id },
      audit: { action: 'named-value.created', detail: { namedValue: id, secret: input.secret === true } },
    });
    return namedValueView(await load(tx, id));
  }

  const givenFields = (input: NamedValueUpdateInput) =>
    (['displayName', 'value', 'tags', 'secret'] as const).filter((k) => input[k] !== undefined);

  return {
    async list(page: PageRequest): Promise<Page<NamedValueView>> {
      const filter = page.filter ? parseFilter(page.filter, NAMED_VALUE_FILTER_FIELDS) : undefined;
      const { rows, count } = await store.namedValues.listNamedValues({ filter, top: page.top, skip: page.skip });
      return { items: rows.map(namedValueView), count };
    },

    /** The named value (a secret's value left out); 404 when it does not exist. */
    async get(id: string): Promise<NamedValueView> {
      return namedValueView(await load(store, id));
    },

    /** NamedValue_ListValue: the value, a secret's too. */
    async listValue(id: string): Promise<{ value: string }> {
      const row = await load(store, id);
      return { value: plainValue(await subscriptionKeyRing(store), row) };
    },

    async createOrUpdate(id: string, input: NamedValueCreateInput, ifMatch?: string, ctx: ActorContext = SYSTEM): Promise<{ namedValue: NamedValueView; created: boolean }> {
      refuseKeyVault(input);
      if (input.value === undefined) {
        throw validationError('One or more fields contain incorrect values.', [{ code: 'ValidationError', target: 'value', message: 'is required' }]);
      }
      const { value, created } = await putInWrite(deps, ctx, ifMatch, {
        find: (tx) => tx.namedValues.findNamedValue(id, true),
        // A PUT replaces: tags not given are cleared, as a secret flag not given is false.
        update: (w, existing) => applyUpdate(w, existing, { tags: null, secret: false, ...input }, givenFields(input)),
        insert: (w) => insertNew(w, id, input),
      });
      return { namedValue: value, created };
    },

    async update(id: string, input: NamedValueUpdateInput, ifMatchHeader: string | undefined, ctx: ActorContext = SYSTEM): Promise<NamedValueView> {
      refuseKeyVault(input);
      return patchInWrite(deps, ctx, ifMatchHeader, {
        load: (tx) => load(tx, id, true),
        update: (w, existing) => applyUpdate(w, existing, input, givenFields(input)),
      });
    },

    /** False when there was nothing to delete; refused while a policy references it. */
    async remove(id: string, ifMatchHeader: string | undefined, ctx: ActorContext = SYSTEM): Promise<boolean> {
      return deleteInWrite(deps, ctx, ifMatchHeader, {
        find: (tx) => tx.namedValues.findNamedValue(id, true),
        remove: async (w, existing) => {
          const users = await policies.referencing(w.tx, existing.display_name);
          if (users.length > 0) {
            // Azure's answer for a policy fragment still in use: 400, the users listed.
            throw validationError(`The named value '${existing.display_name}' is used by the following policies: ${users.join(', ')}. Remove it from them first.`, [
              { code: 'ValidationError', target: 'namedValueId', message: `is referenced by ${users.join(', ')}` },
            ]);
          }
          await w.tx.namedValues.deleteNamedValue(id);
          await w.record({ change: { entity: 'named-value', id }, audit: { action: 'named-value.deleted', detail: { namedValue: id } } });
        },
      });
    },
  };
}

export type NamedValueService = ReturnType<typeof createNamedValueService>;
