/**
 * "Import from OpenAPI" (a new API, from the APIs list), "Re-import" and "Export" (an API's page).
 * Import is two POSTs: the form to the preview (the definition read and planned, nothing written),
 * then the preview's Apply, which imports the previewed definition through the import the
 * management API's PUT uses (services/api-import-preview.ts), or says that the API changed since
 * the preview. Export serves the OpenAPI document itself, as a download.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseApiCreate, type ApiCreateInput, type ApiImportRequest } from '../../../domain/api-input.js';
import { AppError } from '../../../domain/errors.js';
import { INLINE_FORMATS, type InlineFormat } from '../../../domain/openapi/document.js';
import { EXPORT_FORMATS, type ExportFormat } from '../../../services/api-export.js';
import { alreadyExists, checkNewId, idFromName } from '../../../services/entity-ids.js';
import type { ApiView } from '../../../services/views.js';
import { BadFormError, field, formOf } from '../../web/form.js';
import { page } from '../../web/face.js';
import { actorOf } from '../../web/request-state.js';
import type { AdminContext } from '../context.js';
import { etagOf, ticked } from '../forms.js';
import { adminMessage, redirectWithNotice, seg } from '../render.js';
import { DEFINITION_MAX, IMPORT_FORM_LIMIT, importErrors, importFormPage, importSource, importValues, unpackDefinition, type ImportValues } from './api-import-form.js';
import { previewPage } from './api-import-preview.js';

interface ApiParams {
  id: string;
}

/** The properties of the API an import creates or changes: only its path (the definition gives the rest). */
function importInput(path: string): ApiCreateInput {
  return parseApiCreate({ path });
}

function tooLarge(values: ImportValues): AppError | undefined {
  if (values.value.length <= DEFINITION_MAX) return undefined;
  return new AppError('validation', 'ValidationError', 'The definition is too large.', [{ code: 'ValidationError', target: 'value', message: `is longer than ${DEFINITION_MAX / 1024 / 1024} MB; give its URL instead, or import it with the management API.` }]);
}

export function registerApiImportPages(app: FastifyInstance, ctx: AdminContext): void {
  const bigForm = { ...page(), bodyLimit: IMPORT_FORM_LIMIT };

  /** The form posted: the preview, or the form again with what is wrong. */
  async function preview(request: FastifyRequest, reply: FastifyReply, api: ApiView | undefined): Promise<FastifyReply> {
    const values = importValues(formOf(request.body));
    try {
      const big = tooLarge(values);
      if (big) throw big;
      const path = api ? api.path : values.path;
      const input = importInput(path);
      const apiId = api ? api.id : values.id || idFromName(input.path);
      if (!api) checkNewId(apiId);
      const definition = await ctx.apiImports.definition(importSource(values));
      const result = await ctx.apiImports.previewImport(apiId, input, definition);
      // A new import never changes an existing API: that is the re-import from its page.
      if (!api && result.api) throw alreadyExists('An API', apiId);
      return previewPage(ctx, request, reply, { apiId, path: input.path }, result);
    } catch (error) {
      if (!(error instanceof AppError) || (error.kind !== 'validation' && error.kind !== 'conflict')) throw error;
      return importFormPage(ctx, request, reply, api, importErrors(error, values), 400);
    }
  }

  app.get('/admin/apis/new/import', page(), async (request, reply) => importFormPage(ctx, request, reply, undefined, { values: { format: 'auto' }, errors: {} }));
  app.post('/admin/apis/new/import', bigForm, async (request, reply) => preview(request, reply, undefined));

  app.get<{ Params: ApiParams }>('/admin/apis/:id/import', page(), async (request, reply) =>
    importFormPage(ctx, request, reply, await ctx.apis.get(request.params.id), { values: { format: 'auto' }, errors: {} }),
  );
  app.post<{ Params: ApiParams }>('/admin/apis/:id/import', bigForm, async (request, reply) => preview(request, reply, await ctx.apis.get(request.params.id)));

  app.post<{ Params: ApiParams }>('/admin/apis/:id/import/apply', bigForm, async (request, reply) => {
    const apiId = request.params.id;
    const form = formOf(request.body);
    const format = field(form, 'format');
    if (!(INLINE_FORMATS as readonly string[]).includes(format)) throw new BadFormError();
    const definition: ApiImportRequest = {
      format: format as InlineFormat,
      value: unpackDefinition(field(form, 'definition')),
      translateRequiredQueryParameters: ticked(form, 'query') === 'yes' ? 'query' : 'template',
    };
    const etag = etagOf(form);
    try {
      const { created } = await ctx.apiImports.applyImport(apiId, importInput(field(form, 'path')), definition, { etag: etag === '' ? undefined : etag, operations: field(form, 'operations') }, actorOf(request));
      return redirectWithNotice(reply, `/admin/apis/${seg(apiId)}`, created ? 'api-imported' : 'api-reimported');
    } catch (error) {
      if (!(error instanceof AppError) || error.kind !== 'precondition-failed') throw error;
      return adminMessage(ctx, request, reply, {
        title: 'The API changed since the preview',
        message: 'Someone changed, created or deleted this API or one of its operations after the preview was made, so nothing was imported. Preview the import again to see what it does now.',
        status: 412,
        back: `/admin/apis/${seg(apiId)}`,
      });
    }
  });

  app.get<{ Params: ApiParams; Querystring: { format?: string } }>('/admin/apis/:id/export', page(), async (request, reply) => {
    const format = request.query.format ?? '';
    if (!(EXPORT_FORMATS as string[]).includes(format)) {
      return adminMessage(ctx, request, reply, { title: 'No such export', message: 'Choose one of the export links on the API\u2019s page.', status: 404, back: `/admin/apis/${seg(request.params.id)}` });
    }
    const file = await ctx.apiExport.file(request.params.id, format as ExportFormat);
    return reply
      .header('content-type', `${file.contentType}; charset=utf-8`)
      .header('content-disposition', `attachment; filename="${file.fileName}"`)
      .send(file.body);
  });
}
