/**
 * The admin UI's import in two steps: a preview of what an import would do (read the definition
 * with readImport, plan it against the API's stored operations with the plan the import itself
 * applies: src/domain/openapi/import-plan.ts; nothing written), then applying exactly that
 * definition through `apis.importApi`, the path the management API's PUT takes (so the audit log,
 * the change feed and the gateway follow as they do for it), refused when the API or its operations
 * changed since the preview.
 *
 * A definition given as a URL is downloaded once, for the preview (with the limits and the
 * IMPORT_LINKS rule of the management API's `-link` formats); what is applied is the downloaded
 * text, so the apply imports what was previewed even if the URL's document has changed since.
 */
import { createHash } from 'node:crypto';
import { AppError, preconditionFailed, validationError } from '../domain/errors.js';
import type { ApiCreateInput, ApiImportRequest } from '../domain/api-input.js';
import type { ImportedOperation } from '../domain/openapi/derive.js';
import { INLINE_FORMATS, type InlineFormat } from '../domain/openapi/document.js';
import { apiPropertyChanges, importedProperties, planImport, plannedOf, type ApiPropertyChange, type ImportPlan } from '../domain/openapi/import-plan.js';
import { readImport, type ImportLinks } from './api-import.js';
import type { ApiService } from './apis.js';
import type { ActorContext } from './audit.js';
import { fetchDefinition } from './definition-fetch.js';
import type { ApiOperationView, ApiView } from './views.js';

/** What the admin form says to import: the text, or a URL to download it from, and its format ('auto': guessed from the text). */
export interface ImportSource {
  format: InlineFormat | 'auto';
  text?: string | undefined;
  url?: string | undefined;
  translateRequiredQueryParameters: 'template' | 'query';
}

/** The state a preview was made against: Apply refuses when it has moved. */
export interface PreviewedState {
  /** The API's ETag, or undefined when the API did not exist. */
  etag: string | undefined;
  /** A digest of the operations' names and ETags (an operation can change without the API's ETag changing). */
  operations: string;
}

export interface ImportPreview {
  /** The inline definition the preview read: what Apply imports. */
  request: ApiImportRequest;
  /** The API as it is; undefined for a new one. */
  api: ApiView | undefined;
  state: PreviewedState;
  apiChanges: ApiPropertyChange[];
  plan: ImportPlan<ImportedOperation>;
}

/**
 * The format of a pasted or downloaded definition: JSON (its first character a brace) is Swagger
 * 2.0 when it says so, else OpenAPI 3; anything else is read as YAML (OpenAPI 3). A guess only:
 * the import checks the version the format promises and says so when it is wrong.
 */
export function detectFormat(text: string): InlineFormat {
  const start = text.trimStart();
  if (!start.startsWith('{')) return 'openapi';
  return /"swagger"\s*:\s*"2\.0"/.test(start) ? 'swagger-json' : 'openapi+json';
}

function operationsDigest(operations: readonly ApiOperationView[]): string {
  const listed = operations.map((o) => `${o.id}\u0000${o.etag}`).sort().join('\u0001');
  return createHash('sha256').update(listed).digest('base64url').slice(0, 22);
}

/** The API's properties after the import, as `apis.importApi` merges them: those given win over the document's. */
export function createApiImportPreviewService(deps: { apis: ApiService; importLinks: ImportLinks }) {
  const { apis } = deps;

  /** The API and its operations, or nothing for an API that does not exist. */
  async function current(apiId: string): Promise<{ api: ApiView | undefined; operations: ApiOperationView[] }> {
    try {
      const api = await apis.get(apiId);
      return { api, operations: await apis.listOperations(apiId) };
    } catch (error) {
      if (error instanceof AppError && error.kind === 'not-found') return { api: undefined, operations: [] };
      throw error;
    }
  }

  return {
    /** The inline definition of `source`: its text, or the document downloaded from its URL (once). */
    async definition(source: ImportSource): Promise<ApiImportRequest> {
      const url = source.url?.trim() ?? '';
      let text = source.text ?? '';
      if (url !== '') {
        if (text.trim() !== '') throw validationError('Give the definition one way.', [{ code: 'ValidationError', target: 'url', message: 'Give either a URL or the text of the definition, not both.' }]);
        if (deps.importLinks.mode === 'off') {
          throw validationError('Importing from a URL is turned off.', [{ code: 'ValidationError', target: 'url', message: 'Importing from a URL is turned off on this instance (IMPORT_LINKS=off): paste the definition or upload its file.' }]);
        }
        try {
          text = (await fetchDefinition(url, { ...deps.importLinks.fetch, publicOnly: deps.importLinks.mode === 'public' })).text;
        } catch (error) {
          // The fetcher names `value` (the management API's field); here it is the URL field.
          if (error instanceof AppError) throw new AppError(error.kind, error.code, error.message, error.details.map((d) => ({ ...d, target: 'url' })));
          throw error;
        }
      } else if (text.trim() === '') {
        throw validationError('The definition is missing.', [{ code: 'ValidationError', target: 'value', message: 'Upload the definition file, paste its text, or give its URL.' }]);
      }
      const format = source.format === 'auto' ? detectFormat(text) : source.format;
      if (!(INLINE_FORMATS as readonly string[]).includes(format)) throw validationError('Unknown format.', [{ code: 'ValidationError', target: 'format', message: `must be one of ${INLINE_FORMATS.join(', ')}.` }]);
      return { format, value: text, translateRequiredQueryParameters: source.translateRequiredQueryParameters };
    },

    /** What importing `request` into the API `apiId` (with the properties `input`) would do; nothing is written. */
    async previewImport(apiId: string, input: ApiCreateInput, request: ApiImportRequest): Promise<ImportPreview> {
      const imported = await readImport(request, deps.importLinks);
      const { api, operations } = await current(apiId);
      return {
        request,
        api,
        state: { etag: api?.etag, operations: operationsDigest(operations) },
        apiChanges: apiPropertyChanges(api, importedProperties(input, imported)),
        plan: planImport(operations.map(plannedOf), imported.operations),
      };
    },

    /**
     * Imports `request` as the management API's PUT does, unless the API is not as `previewed`
     * (412): created meanwhile, changed, deleted, or one of its operations changed. The check of
     * the operations comes just before the import's own transaction, which checks the API's ETag.
     */
    async applyImport(apiId: string, input: ApiCreateInput, request: ApiImportRequest, previewed: PreviewedState, ctx: ActorContext): Promise<{ api: ApiView; created: boolean }> {
      const { api, operations } = await current(apiId);
      if (api?.etag !== previewed.etag || operationsDigest(operations) !== previewed.operations) throw preconditionFailed();
      const imported = await readImport(request, deps.importLinks);
      return apis.importApi(apiId, input, imported, previewed.etag, ctx);
    },
  };
}

export type ApiImportPreviewService = ReturnType<typeof createApiImportPreviewService>;
