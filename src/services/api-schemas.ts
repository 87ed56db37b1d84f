/**
 * Use cases on the schemas of an API (Azure's ApiSchema_*): documents of named types that the
 * representations of its operations refer to. Documentation only: the gateway never reads them,
 * so writes record an audit entry but no change for the gateways. The API service exposes these
 * (src/services/apis.ts); an import stores its schema through `withImportedSchema`.
 */
import type { ApiSchema } from '../domain/api-schema.js';
import { API_SCHEMA_FILTER_FIELDS, type ApiSchemaInput } from '../domain/api-schema-input.js';
import { notFound } from '../domain/errors.js';
import { parseFilter } from '../domain/filter/parser.js';
import type { ImportedApi, ImportedOperation } from '../domain/openapi/derive.js';
import { withSchemaId } from '../domain/openapi/schemas.js';
import type { ApiSchemaRow } from '../store/api-schemas-repo.js';
import type { Store } from '../store/index.js';
import { SYSTEM, type ActorContext } from './audit.js';
import type { ServiceDeps } from './deps.js';
import type { Page, PageRequest } from './views.js';
import { deleteInWrite, putInWrite, type Write } from './writes.js';

export interface ApiSchemaView extends ApiSchema {
  apiId: string;
  etag: string;
}

function schemaView(row: ApiSchemaRow): ApiSchemaView {
  return { apiId: row.api_id, id: row.id, contentType: row.content_type, document: JSON.parse(row.document) as Record<string, unknown>, etag: row.etag };
}

/**
 * Makes `schema` the API's imported schema, in the import's write: the one an earlier import kept
 * is replaced under its id (so the operations' schemaId stays), or a new one is made. Answers the
 * id. An unchanged document keeps its ETag and records nothing.
 */
async function storeImportedSchema(w: Write, ids: ServiceDeps['ids'], apiId: string, schema: ApiSchemaInput): Promise<string> {
  const { tx } = w;
  const existing = await tx.apiSchemas.findImportedSchema(apiId, true);
  const document = JSON.stringify(schema.document);
  if (existing) {
    if (existing.document !== document || existing.content_type !== schema.contentType) {
      await tx.apiSchemas.updateSchema(apiId, existing.id, { content_type: schema.contentType, document, etag: w.etag() });
      await w.record({ audit: { action: 'api.schema-updated', detail: { api: apiId, schema: existing.id } } });
    }
    return existing.id;
  }
  const id = ids.next();
  await tx.apiSchemas.insertSchema({ api_id: apiId, id, content_type: schema.contentType, document, imported: 1, etag: w.etag() });
  await w.record({ audit: { action: 'api.schema-created', detail: { api: apiId, schema: id } } });
  return id;
}

/** Removes the imported schema of an API whose new definition has no named types. */
async function dropImportedSchema(w: Write, apiId: string): Promise<void> {
  const existing = await w.tx.apiSchemas.findImportedSchema(apiId, true);
  if (!existing) return;
  await w.tx.apiSchemas.deleteSchema(apiId, existing.id);
  await w.record({ audit: { action: 'api.schema-deleted', detail: { api: apiId, schema: existing.id } } });
}

/**
 * In an import's write: stores the imported schema (or drops the earlier one when the definition
 * has none) and answers the operations with each typed representation naming its id.
 */
export async function withImportedSchema(w: Write, ids: ServiceDeps['ids'], apiId: string, imported: ImportedApi): Promise<ImportedOperation[]> {
  if (!imported.schema) {
    await dropImportedSchema(w, apiId);
    return imported.operations;
  }
  return withSchemaId(imported.operations, await storeImportedSchema(w, ids, apiId, imported.schema));
}

/** `loadApi` throws the API's 404 when it does not exist (and locks it when asked). */
export function apiSchemaUseCases(deps: ServiceDeps, loadApi: (tx: Store, id: string, lock?: boolean) => Promise<unknown>) {
  const { store } = deps;

  async function loadSchema(tx: Store, apiId: string, id: string): Promise<ApiSchemaRow> {
    await loadApi(tx, apiId);
    const row = await tx.apiSchemas.findSchema(apiId, id);
    if (!row) throw notFound('Schema');
    return row;
  }

  return {
    /** The API's schemas (the named types its representations refer to), in id order. */
    async listSchemas(apiId: string): Promise<ApiSchema[]> {
      return store.transaction(async (tx) => {
        await loadApi(tx, apiId);
        return (await tx.apiSchemas.schemasOfApi(apiId)).map(({ id, content_type, document }) => ({ id, contentType: content_type, document: JSON.parse(document) as Record<string, unknown> }));
      });
    },

    async listSchemaPage(apiId: string, page: PageRequest): Promise<Page<ApiSchemaView>> {
      const filter = page.filter ? parseFilter(page.filter, API_SCHEMA_FILTER_FIELDS) : undefined;
      return store.transaction(async (tx) => {
        await loadApi(tx, apiId);
        const { rows, count } = await tx.apiSchemas.listSchemas(apiId, { filter, top: page.top, skip: page.skip });
        return { items: rows.map(schemaView), count };
      });
    },

    async getSchema(apiId: string, id: string): Promise<ApiSchemaView> {
      return schemaView(await loadSchema(store, apiId, id));
    },

    async createOrUpdateSchema(apiId: string, id: string, input: ApiSchemaInput, ifMatch?: string, ctx: ActorContext = SYSTEM): Promise<{ schema: ApiSchemaView; created: boolean }> {
      const document = JSON.stringify(input.document);
      const { value, created } = await putInWrite(deps, ctx, ifMatch, {
        find: async (tx) => {
          // Locking the API keeps a concurrent delete of it from slipping in between.
          await loadApi(tx, apiId, true);
          return tx.apiSchemas.findSchema(apiId, id, true);
        },
        update: async (w) => {
          await w.tx.apiSchemas.updateSchema(apiId, id, { content_type: input.contentType, document, etag: w.etag() });
          await w.record({ audit: { action: 'api.schema-updated', detail: { api: apiId, schema: id } } });
          return schemaView((await w.tx.apiSchemas.findSchema(apiId, id))!);
        },
        insert: async (w) => {
          await w.tx.apiSchemas.insertSchema({ api_id: apiId, id, content_type: input.contentType, document, imported: 0, etag: w.etag() });
          await w.record({ audit: { action: 'api.schema-created', detail: { api: apiId, schema: id } } });
          return schemaView((await w.tx.apiSchemas.findSchema(apiId, id))!);
        },
      });
      return { schema: value, created };
    },

    /**
     * The operations of `imported` as an import into `apiId` would store them now (each typed
     * representation with the id of the API's current imported schema), so that a preview can
     * compare them with the stored ones: an unchanged operation compares equal.
     */
    async importedOperationsAsStored(apiId: string, imported: ImportedApi): Promise<ImportedOperation[]> {
      if (!imported.schema) return imported.operations;
      return withSchemaId(imported.operations, (await store.apiSchemas.findImportedSchema(apiId))?.id);
    },

    /** False when there was no such schema (the API itself must exist). */
    async removeSchema(apiId: string, id: string, ifMatchHeader: string | undefined, ctx: ActorContext = SYSTEM): Promise<boolean> {
      return deleteInWrite(deps, ctx, ifMatchHeader, {
        find: async (tx) => {
          await loadApi(tx, apiId, true);
          return tx.apiSchemas.findSchema(apiId, id, true);
        },
        remove: async (w) => {
          await w.tx.apiSchemas.deleteSchema(apiId, id);
          await w.record({ audit: { action: 'api.schema-deleted', detail: { api: apiId, schema: id } } });
        },
      });
    },
  };
}
