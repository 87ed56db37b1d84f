/**
 * Exporting an API (`GET /apis/{id}?export=true&format=...`, Azure's ApiExport_Get). Azure answers
 * a link to a storage blob valid for five minutes; Tollgate answers a link to itself,
 * `{PUBLIC_URL}/export/apis/{token}`, the token signed with the instance's signing keys and
 * expiring after the same five minutes (src/domain/openapi/export-token.ts). The document is built
 * when the link is fetched (src/domain/openapi/export.ts), with the API's schemas as its named
 * types, so it shows the API as it is then.
 */
import { stringify } from 'yaml';
import { AppError, validationError } from '../domain/errors.js';
import { exportDocument, type ExportVersion } from '../domain/openapi/export.js';
import { signExportToken, verifyExportToken } from '../domain/openapi/export-token.js';
import type { ApiService } from './apis.js';
import type { ServiceDeps } from './deps.js';
import { signingKeys } from './signing-keys.js';

/** Azure's export formats Tollgate makes, and the format its answer names (Azure's ExportResultFormat). */
const FORMATS = {
  'openapi-link': { answered: 'openapi-link', version: 'openapi3', yaml: true },
  'openapi+json-link': { answered: 'openapi+json-link', version: 'openapi3', yaml: false },
  'swagger-link': { answered: 'swagger-link-json', version: 'swagger2', yaml: false },
} as const satisfies Record<string, { answered: string; version: ExportVersion; yaml: boolean }>;
export type ExportFormat = keyof typeof FORMATS;
export const EXPORT_FORMATS = Object.keys(FORMATS) as ExportFormat[];

/** Azure's other export formats (WADL, WSDL): for APIs Tollgate does not have. */
const UNSUPPORTED = ['wadl-link', 'wsdl-link'];

export const EXPORT_LINK_LIFETIME_MS = 5 * 60 * 1000;

export interface ExportedFile {
  contentType: string;
  fileName: string;
  body: string;
}

/** The same answer for every link that does not open, whatever the reason: nothing to learn from it. */
const linkNotFound = () => new AppError('not-found', 'ResourceNotFound', 'The export link does not exist or has expired.');

function formatOf(format: string | undefined): ExportFormat {
  if (format !== undefined && (EXPORT_FORMATS as string[]).includes(format)) return format as ExportFormat;
  if (format !== undefined && UNSUPPORTED.includes(format)) {
    throw new AppError('validation', 'FeatureNotSupported', `Exporting APIs in the format '${format}' is not supported by Tollgate.`, [
      { code: 'FeatureNotSupported', target: 'format', message: `'${format}' is not a format Tollgate exports.` },
    ]);
  }
  throw validationError('The export format is not valid.', [
    { code: 'ValidationError', target: 'format', message: `${format === undefined ? 'is required' : `'${format}' is not an export format`}; the formats are ${EXPORT_FORMATS.join(', ')}.` },
  ]);
}

export function createApiExportService(deps: ServiceDeps, apis: ApiService) {
  /**
   * The document of `apiId` in `format`, built now (a 404 when the API does not exist): the
   * link's, the admin UI's and the portal's download. `serverUrl` replaces the API's service URL as
   * the document's server: the portal's download names the gateway, where developers call the
   * API, not the backend behind it.
   */
  async function file(apiId: string, format: ExportFormat, options: { serverUrl?: string } = {}): Promise<ExportedFile> {
    const spec = FORMATS[format];
    const api = await apis.get(apiId);
    const shown = options.serverUrl === undefined ? api : { ...api, serviceUrl: options.serverUrl };
    const document = exportDocument(shown, await apis.listOperations(api.id), spec.version, await apis.listSchemas(api.id));
    const fileName = api.id.replace(/[^A-Za-z0-9._-]+/g, '_');
    return spec.yaml
      ? { contentType: 'application/yaml', fileName: `${fileName}.yaml`, body: stringify(document, { aliasDuplicateObjects: false }) }
      : { contentType: 'application/json', fileName: `${fileName}.json`, body: JSON.stringify(document, null, 2) };
  }

  return {
    /** The link of an export of `apiId` in `format` (a 404 when the API does not exist, a 400 for a bad format). */
    async link(apiId: string, format: string | undefined): Promise<{ format: string; link: string }> {
      const chosen = formatOf(format);
      const api = await apis.get(apiId);
      const { primary } = await signingKeys(deps.store);
      const token = signExportToken(primary, { apiId: api.id, format: chosen, expiresAt: new Date(deps.clock.now().getTime() + EXPORT_LINK_LIFETIME_MS) });
      return { format: FORMATS[chosen].answered, link: `${deps.publicUrl.replace(/\/+$/, '')}/export/apis/${token}` };
    },

    /** The document a link names; a 404 for a link that is bad, expired, or whose API is gone. */
    async download(token: string): Promise<ExportedFile> {
      const keys = await signingKeys(deps.store);
      const grant = verifyExportToken(token, [keys.primary, keys.secondary], deps.clock.now());
      if (!grant || !(EXPORT_FORMATS as string[]).includes(grant.format)) throw linkNotFound();
      try {
        return await file(grant.apiId, grant.format as ExportFormat);
      } catch (error) {
        if (error instanceof AppError && error.kind === 'not-found') throw linkNotFound();
        throw error;
      }
    },

    /** The document itself (the admin UI's and the portal's downloads). */
    file,
  };
}

export type ApiExportService = ReturnType<typeof createApiExportService>;
