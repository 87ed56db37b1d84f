/**
 * What the API reference pages need from the services, in the portal's words: an API is shown
 * exactly when it is in a published product the visitor's groups see (the catalogue's rule), and
 * otherwise it does not exist, for the pages as for the download.
 */
import { AppError } from '../../domain/errors.js';
import type { ApiSchema } from '../../domain/api-schema.js';
import type { ApiExportService, ExportedFile } from '../../services/api-export.js';
import type { ApiService } from '../../services/apis.js';
import type { ProductService } from '../../services/products.js';
import type { ApiOperationView, ApiView } from '../../services/views.js';

export interface ReferenceDeps {
  products: Pick<ProductService, 'visibleTo' | 'productsOfApi'>;
  apis: Pick<ApiService, 'get' | 'listOperations' | 'getOperation' | 'listSchemas'>;
  apiExport: Pick<ApiExportService, 'file'>;
}

export interface VisibleApi {
  api: ApiView;
  /** The visible products that bundle it, by name (the page links back to them). */
  products: { id: string; name: string }[];
}

/** undefined for a not-found, so that the pages answer one 404 whatever the reason. */
async function orNotFound<T>(work: Promise<T>): Promise<T | undefined> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof AppError && error.kind === 'not-found') return undefined;
    throw error;
  }
}

export function portalReference(deps: ReferenceDeps) {
  return {
    async visibleApi(userId: string | undefined, apiId: string): Promise<VisibleApi | undefined> {
      const [visible, bundling] = await Promise.all([deps.products.visibleTo(userId), deps.products.productsOfApi(apiId)]);
      const ids = new Set(bundling.map((p) => p.id));
      const products = visible.filter((p) => ids.has(p.id)).map((p) => ({ id: p.id, name: p.displayName }));
      if (products.length === 0) return undefined;
      const api = await orNotFound(deps.apis.get(apiId));
      return api && { api, products: products.sort((a, b) => a.name.localeCompare(b.name)) };
    },

    /** Every operation, in one query (an API may have a thousand). */
    operations(apiId: string): Promise<ApiOperationView[]> {
      return deps.apis.listOperations(apiId);
    },

    operation(apiId: string, operationId: string): Promise<ApiOperationView | undefined> {
      return orNotFound(deps.apis.getOperation(apiId, operationId));
    },

    schemas(apiId: string): Promise<ApiSchema[]> {
      return deps.apis.listSchemas(apiId);
    },

    /** The OpenAPI 3 document (JSON or YAML) with `serverUrl` (the gateway's address of the API) as its server. */
    openApi(apiId: string, as: 'json' | 'yaml', serverUrl: string): Promise<ExportedFile> {
      return deps.apiExport.file(apiId, as === 'yaml' ? 'openapi-link' : 'openapi+json-link', { serverUrl });
    },
  };
}

export type PortalReference = ReturnType<typeof portalReference>;
