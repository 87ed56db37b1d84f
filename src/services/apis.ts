/**
 * Use cases on APIs and their operations. Every write that changes an API or one of its operations
 * records the change for the gateways and an audit entry, in the same transaction.
 */
import { conflict, notFound } from '../domain/errors.js';
import { checkIfMatch } from '../domain/etag.js';
import { parseFilter } from '../domain/filter/parser.js';
import { API_FILTER_FIELDS, API_OPERATION_FILTER_FIELDS, API_PRODUCT_FILTER_FIELDS } from '../domain/filter/api-fields.js';
import {
  API_TYPE,
  checkTemplateParameters,
  DEFAULT_KEY_HEADER,
  DEFAULT_KEY_QUERY,
  DEFAULT_PROTOCOLS,
  type ApiCreateInput,
  type ApiUpdateInput,
  type OperationCreateInput,
  type OperationUpdateInput,
  type TemplateParameter,
  urlTemplateParameters,
} from '../domain/api-input.js';
import { retryOnceOnUniqueViolation, type Store } from '../store/index.js';
import type { ImportedApi, ImportedOperation } from '../domain/openapi/derive.js';
import { importedProperties, planImport, plannedOf, routeKey } from '../domain/openapi/import-plan.js';
import { formatScope } from '../domain/subscription.js';
import type { ApiOperationRow, ApiRow } from '../store/apis-repo.js';
import type { ServiceDeps } from './deps.js';
import { SYSTEM, type ActorContext } from './audit.js';
import { createWithNewId } from './entity-ids.js';
import { apiSchemaUseCases, withImportedSchema } from './api-schemas.js';
import type { SubscriptionCore } from './subscriptions/core.js';
import { deleteInWrite, inWrite, patchInWrite, putInWrite, type Write, type WriteEvent } from './writes.js';
import { apiOperationView, apiView, parseJsonArray, productView, type ApiOperationView, type ApiView, type ApiWithOperations, type Page, type PageRequest, type ProductView } from './views.js';

/** The stored form of an operation's request or responses: JSON text, null for none, undefined when not given. */
function descriptionJson(value: unknown): string | null | undefined {
  return value === undefined ? undefined : value === null ? null : JSON.stringify(value);
}

/**
 * Makes the operations of the API exactly the imported ones, as the import's plan says
 * (src/domain/openapi/import-plan.ts, which the admin UI's preview shows): missing ones deleted,
 * new ones added, changed ones updated (a new ETag); unchanged ones keep their ETag. One
 * change-feed row for the API (the gateway reloads its routes) and an audit entry per operation.
 */
async function syncImportedOperations(w: Write, apiId: string, operations: readonly ImportedOperation[]): Promise<void> {
  const { tx } = w;
  const stored = ((await tx.apis.operationsOfApis([apiId])).get(apiId) ?? []).map((row) => plannedOf(apiOperationView(row)));
  const plan = planImport(stored, operations);
  const events: WriteEvent[] = [];
  const audit = (action: 'api.operation-created' | 'api.operation-updated' | 'api.operation-deleted', operation: string) =>
    events.push({ audit: { action, detail: { api: apiId, operation } } });
  for (const o of plan.removed) {
    await tx.apis.deleteOperation(apiId, o.name);
    audit('api.operation-deleted', o.name);
  }
  const rowOf = (o: ImportedOperation) => ({
    display_name: o.displayName,
    method: o.method,
    url_template: o.urlTemplate,
    description: o.description,
    template_parameters: JSON.stringify(o.templateParameters),
    request: descriptionJson(o.request) ?? null,
    responses: descriptionJson(o.responses) ?? null,
  });
  // In document order, as the audit log then reads.
  const created = new Set(plan.created);
  const changed = new Set(plan.changed.map((c) => c.operation));
  const inserts: Parameters<typeof tx.apis.insertOperation>[0][] = [];
  for (const o of operations) {
    if (created.has(o)) {
      inserts.push({ api_id: apiId, id: o.name, ...rowOf(o), etag: w.etag() });
      audit('api.operation-created', o.name);
    } else if (changed.has(o)) {
      await tx.apis.updateOperation(apiId, o.name, { ...rowOf(o), etag: w.etag() });
      audit('api.operation-updated', o.name);
    }
  }
  // The new ones together: one INSERT per operation was most of a large import's writing.
  if (inserts.length > 0) await tx.apis.insertOperations(inserts);
  if (events.length > 0) await w.record({ change: { entity: 'api', id: apiId } }, ...events);
}

export function createApiService(deps: ServiceDeps, subscriptions: SubscriptionCore) {
  const { store } = deps;

  /** A change of the API or its operations, for the gateways and the audit log. */
  async function changed(w: Write, apiId: string, audit: NonNullable<WriteEvent['audit']>): Promise<void> {
    await w.record({ change: { entity: 'api', id: apiId }, audit });
  }

  async function load(tx: Store, id: string, lock = false): Promise<ApiRow> {
    const row = await tx.apis.findApi(id, lock);
    if (!row) throw notFound('API');
    return row;
  }

  async function loadOperation(tx: Store, apiId: string, id: string, lock = false): Promise<ApiOperationRow> {
    const row = await tx.apis.findOperation(apiId, id, lock);
    if (!row) throw notFound('Operation');
    return row;
  }

  async function checkPathFree(tx: Store, path: string, id: string): Promise<void> {
    const other = await tx.apis.findApiByPath(path, id);
    if (other) {
      throw conflict(`The path '${path}' is already used by the API '${other.id}'; API paths must be unique (ignoring case).`, 'path');
    }
  }

  /** The change shared by PUT on an existing API and PATCH: only the given fields move. */
  async function applyUpdate(w: Write, existing: ApiRow, input: ApiUpdateInput): Promise<ApiView> {
    const { tx } = w;
    if (input.path !== undefined && input.path !== existing.path) await checkPathFree(tx, input.path, existing.id);
    // null puts back the defaults, as Azure does; a name left out keeps its value.
    const keys = input.subscriptionKeyParameterNames;
    const keyChanges =
      keys === undefined
        ? {}
        : keys === null
          ? { key_header: DEFAULT_KEY_HEADER, key_query: DEFAULT_KEY_QUERY }
          : { key_header: keys.header ?? existing.key_header, key_query: keys.query ?? existing.key_query };
    await tx.apis.updateApi(existing.id, {
      ...(input.displayName !== undefined ? { display_name: input.displayName } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.path !== undefined ? { path: input.path } : {}),
      ...(input.serviceUrl !== undefined ? { service_url: input.serviceUrl } : {}),
      ...(input.protocols !== undefined ? { protocols: JSON.stringify(input.protocols) } : {}),
      ...(input.subscriptionRequired !== undefined ? { subscription_required: input.subscriptionRequired ? 1 : 0 } : {}),
      ...keyChanges,
      etag: w.etag(),
    });
    const fields = Object.keys(input).filter((k) => input[k as keyof ApiUpdateInput] !== undefined);
    await changed(w, existing.id, { action: 'api.updated', detail: { api: existing.id, fields: fields.join(',') } });
    return apiView(await load(tx, existing.id));
  }

  async function insertNew(w: Write, id: string, input: ApiCreateInput): Promise<ApiView> {
    const { tx } = w;
    await checkPathFree(tx, input.path, id);
    await tx.apis.insertApi({
      id,
      display_name: input.displayName ?? id,
      description: input.description ?? null,
      path: input.path,
      service_url: input.serviceUrl ?? null,
      protocols: JSON.stringify(input.protocols ?? DEFAULT_PROTOCOLS),
      subscription_required: (input.subscriptionRequired ?? true) ? 1 : 0,
      key_header: input.subscriptionKeyParameterNames?.header ?? DEFAULT_KEY_HEADER,
      key_query: input.subscriptionKeyParameterNames?.query ?? DEFAULT_KEY_QUERY,
      api_type: API_TYPE,
      etag: w.etag(),
      created_at: w.at,
    });
    await changed(w, id, { action: 'api.created', detail: { api: id, path: input.path } });
    return apiView(await load(tx, id));
  }

  async function checkRouteFree(tx: Store, apiId: string, operationId: string, method: string, urlTemplate: string): Promise<void> {
    const key = routeKey(method, urlTemplate);
    const operations = (await tx.apis.operationsOfApis([apiId])).get(apiId) ?? [];
    const clash = operations.find((o) => o.id !== operationId && routeKey(o.method, o.url_template) === key);
    if (clash) {
      throw conflict(`The operation '${clash.id}' of this API already answers ${method} ${urlTemplate}.`, 'urlTemplate');
    }
  }

  return {
    async list(page: PageRequest): Promise<Page<ApiView>> {
      const filter = page.filter ? parseFilter(page.filter, API_FILTER_FIELDS) : undefined;
      const { rows, count } = await store.apis.listApis({ filter, top: page.top, skip: page.skip });
      return { items: rows.map(apiView), count };
    },

    async get(id: string): Promise<ApiView> {
      return apiView(await load(store, id));
    },

    /** Every API with its operations, for the gateway's routing table. */
    async listAll(): Promise<ApiWithOperations[]> {
      return store.transaction(async (tx) => {
        const [apis, operations] = await Promise.all([tx.apis.listAllApis(), tx.apis.operationsOfApis()]);
        return apis.map((row) => ({ ...apiView(row), operations: (operations.get(row.id) ?? []).map(apiOperationView) }));
      });
    },

    async createOrUpdate(id: string, input: ApiCreateInput, ifMatch?: string, ctx: ActorContext = SYSTEM): Promise<{ api: ApiView; created: boolean }> {
      const { value, created } = await putInWrite(deps, ctx, ifMatch, {
        find: (tx) => tx.apis.findApi(id, true),
        update: (w, existing) => applyUpdate(w, existing, input),
        insert: (w) => insertNew(w, id, input),
      });
      return { api: value, created };
    },

    /**
     * An import (PUT with format and value): the API created or changed, with the document's
     * title, description, server and schemes where `input` leaves them out, and its operations
     * made exactly the document's (matched by name: added, changed, deleted), and its imported
     * schema replaced by the document's (under the same id), in one transaction.
     */
    async importApi(id: string, input: ApiCreateInput, imported: ImportedApi, ifMatch?: string, ctx: ActorContext = SYSTEM): Promise<{ api: ApiView; created: boolean }> {
      const merged: ApiCreateInput = { ...input, ...importedProperties(input, imported) };
      const { value, created } = await putInWrite(deps, ctx, ifMatch, {
        find: (tx) => tx.apis.findApi(id, true),
        update: async (w, existing) => {
          const api = await applyUpdate(w, existing, merged);
          await syncImportedOperations(w, id, await withImportedSchema(w, deps.ids, id, imported));
          return api;
        },
        insert: async (w) => {
          const api = await insertNew(w, id, merged);
          await syncImportedOperations(w, id, await withImportedSchema(w, deps.ids, id, imported));
          return api;
        },
      });
      return { api: value, created };
    },

    /** Creates an API under a new id (typed, or derived from its name; the admin UI's create): an existing API is never changed. */
    async create(typedId: string, input: ApiCreateInput, ctx: ActorContext = SYSTEM): Promise<ApiView> {
      return createWithNewId(deps, ctx, 'An API', { typed: typedId, displayName: input.displayName ?? '' }, {
        exists: (tx, id) => tx.apis.findApi(id, true),
        insert: (w, id) => insertNew(w, id, input),
      });
    },

    async update(id: string, input: ApiUpdateInput, ifMatchHeader: string | undefined, ctx: ActorContext = SYSTEM): Promise<ApiView> {
      return patchInWrite(deps, ctx, ifMatchHeader, { load: (tx) => load(tx, id, true), update: (w, existing) => applyUpdate(w, existing, input) });
    },

    /**
     * Deletes the API with its operations and product links, and cancels the subscriptions scoped to
     * it. False when there was nothing to delete.
     */
    async remove(id: string, ifMatchHeader: string | undefined, ctx: ActorContext = SYSTEM): Promise<boolean> {
      return deleteInWrite(deps, ctx, ifMatchHeader, {
        find: (tx) => tx.apis.findApi(id, true),
        remove: async (w) => {
          await subscriptions.endInScope(w, formatScope({ kind: 'api', apiId: id }), { cancel: `The API '${id}' was deleted.` });
          await w.tx.apis.deleteApi(id);
          await changed(w, id, { action: 'api.deleted', detail: { api: id } });
        },
      });
    },

    /** Every operation of the API, in id order. */
    async listOperations(apiId: string): Promise<ApiOperationView[]> {
      return store.transaction(async (tx) => {
        await load(tx, apiId);
        return ((await tx.apis.operationsOfApis([apiId])).get(apiId) ?? []).map(apiOperationView);
      });
    },

    async listOperationPage(apiId: string, page: PageRequest): Promise<Page<ApiOperationView>> {
      const filter = page.filter ? parseFilter(page.filter, API_OPERATION_FILTER_FIELDS) : undefined;
      await load(store, apiId);
      const { rows, count } = await store.apis.listOperations(apiId, { filter, top: page.top, skip: page.skip });
      return { items: rows.map(apiOperationView), count };
    },

    async getOperation(apiId: string, id: string): Promise<ApiOperationView> {
      await load(store, apiId);
      return apiOperationView(await loadOperation(store, apiId, id));
    },

    async createOrUpdateOperation(
      apiId: string,
      id: string,
      input: OperationCreateInput,
      ifMatch?: string,
      ctx: ActorContext = SYSTEM,
    ): Promise<{ operation: ApiOperationView; created: boolean }> {
      return retryOnceOnUniqueViolation(() =>
        inWrite(deps, ctx, async (w) => {
          const { tx } = w;
          // Locking the API keeps a concurrent delete of it from slipping in between.
          await load(tx, apiId, true);
          const existing = await tx.apis.findOperation(apiId, id, true);
          checkIfMatch(ifMatch, existing?.etag);
          const templateParameters =
            input.templateParameters !== undefined
              ? (input.templateParameters ?? [])
              : existing
                ? (parseJsonArray(existing.template_parameters) as TemplateParameter[])
                : [];
          checkTemplateParameters(input.urlTemplate, templateParameters);
          await checkRouteFree(tx, apiId, id, input.method, input.urlTemplate);
          const changes = {
            display_name: input.displayName,
            method: input.method,
            url_template: input.urlTemplate,
            ...(input.description !== undefined || !existing ? { description: input.description ?? null } : {}),
            template_parameters: JSON.stringify(templateParameters),
            // Left out of a PUT, the descriptions stay (as the template parameters do).
            ...(input.request !== undefined ? { request: descriptionJson(input.request) } : {}),
            ...(input.responses !== undefined ? { responses: descriptionJson(input.responses) } : {}),
            etag: w.etag(),
          };
          if (existing) await tx.apis.updateOperation(apiId, id, changes);
          else await tx.apis.insertOperation({ api_id: apiId, id, description: null, ...changes });
          await changed(w, apiId, { action: existing ? 'api.operation-updated' : 'api.operation-created', detail: { api: apiId, operation: id } });
          return { operation: apiOperationView(await loadOperation(tx, apiId, id)), created: !existing };
        }),
      );
    },

    /**
     * Adds an operation under a new id (the admin UI's form); an existing operation is never
     * changed. Without declared template parameters, each `{name}` of the URL template is declared
     * as a required string.
     */
    async createOperation(apiId: string, typedId: string, input: OperationCreateInput, ctx: ActorContext = SYSTEM): Promise<ApiOperationView> {
      const templateParameters =
        input.templateParameters ?? urlTemplateParameters(input.urlTemplate).map((name) => ({ name, type: 'string', required: true }));
      return createWithNewId(deps, ctx, 'An operation of this API', { typed: typedId, displayName: input.displayName }, {
        exists: async (tx, id) => {
          await load(tx, apiId, true);
          return tx.apis.findOperation(apiId, id, true);
        },
        insert: async (w, id) => {
          const { tx } = w;
          checkTemplateParameters(input.urlTemplate, templateParameters);
          await checkRouteFree(tx, apiId, id, input.method, input.urlTemplate);
          await tx.apis.insertOperation({
            api_id: apiId,
            id,
            display_name: input.displayName,
            method: input.method,
            url_template: input.urlTemplate,
            description: input.description ?? null,
            template_parameters: JSON.stringify(templateParameters),
            request: descriptionJson(input.request) ?? null,
            responses: descriptionJson(input.responses) ?? null,
            etag: w.etag(),
          });
          await changed(w, apiId, { action: 'api.operation-created', detail: { api: apiId, operation: id } });
          return apiOperationView(await loadOperation(tx, apiId, id));
        },
      });
    },

    async updateOperation(
      apiId: string,
      id: string,
      input: OperationUpdateInput,
      ifMatchHeader: string | undefined,
      ctx: ActorContext = SYSTEM,
    ): Promise<ApiOperationView> {
      return patchInWrite(deps, ctx, ifMatchHeader, {
        load: async (tx) => {
          await load(tx, apiId, true);
          return loadOperation(tx, apiId, id, true);
        },
        update: async (w, existing) => {
          const { tx } = w;
          const method = input.method ?? existing.method;
          const urlTemplate = input.urlTemplate ?? existing.url_template;
          const templateParameters =
            input.templateParameters !== undefined
              ? (input.templateParameters ?? [])
              : (parseJsonArray(existing.template_parameters) as TemplateParameter[]);
          checkTemplateParameters(urlTemplate, templateParameters);
          await checkRouteFree(tx, apiId, id, method, urlTemplate);
          await tx.apis.updateOperation(apiId, id, {
            ...(input.displayName !== undefined ? { display_name: input.displayName } : {}),
            ...(input.description !== undefined ? { description: input.description } : {}),
            ...(input.request !== undefined ? { request: descriptionJson(input.request) } : {}),
            ...(input.responses !== undefined ? { responses: descriptionJson(input.responses) } : {}),
            method,
            url_template: urlTemplate,
            template_parameters: JSON.stringify(templateParameters),
            etag: w.etag(),
          });
          await changed(w, apiId, { action: 'api.operation-updated', detail: { api: apiId, operation: id } });
          return apiOperationView(await loadOperation(tx, apiId, id));
        },
      });
    },

    /** False when there was no such operation (the API itself must exist). */
    async removeOperation(apiId: string, id: string, ifMatchHeader: string | undefined, ctx: ActorContext = SYSTEM): Promise<boolean> {
      return deleteInWrite(deps, ctx, ifMatchHeader, {
        find: async (tx) => {
          await load(tx, apiId, true);
          return tx.apis.findOperation(apiId, id, true);
        },
        remove: async (w) => {
          await w.tx.apis.deleteOperation(apiId, id);
          await changed(w, apiId, { action: 'api.operation-deleted', detail: { api: apiId, operation: id } });
        },
      });
    },

    /** The products that include the API. */
    async listProducts(apiId: string, page: PageRequest): Promise<Page<ProductView>> {
      const filter = page.filter ? parseFilter(page.filter, API_PRODUCT_FILTER_FIELDS) : undefined;
      await load(store, apiId);
      const { rows, count } = await store.apis.listProductsOfApi(apiId, { filter, top: page.top, skip: page.skip });
      return { items: rows.map((r) => productView(r)), count };
    },

    // The API's schemas (listSchemas, listSchemaPage, getSchema, createOrUpdateSchema, removeSchema).
    ...apiSchemaUseCases(deps, load),
  };
}

export type ApiService = ReturnType<typeof createApiService>;
