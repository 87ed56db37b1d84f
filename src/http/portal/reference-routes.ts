/**
 * The API reference: an API's page, an operation's page with its "Try it" console, and the API's
 * OpenAPI document, each visible exactly when the API is in a product the visitor sees (else the
 * portal's 404, which says nothing about whether it exists).
 *
 *   GET  /apis/{apiId}                                the API and its operations
 *   GET  /apis/{apiId}/openapi.json | openapi.yaml    its OpenAPI 3 document, the gateway as server
 *   GET  /apis/{apiId}/operations/{operationId}       an operation
 *   POST /apis/{apiId}/operations/{operationId}/try   Try it (signed in): the page again, with the answer
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.js';
import { operationParameters } from '../../domain/api-reference/operation.js';
import { fieldName } from '../../domain/api-reference/try-it.js';
import type { TryItService } from '../../services/try-it.js';
import type { ApiOperationView } from '../../services/views.js';
import { STATUS_OF_KIND } from '../error-mapper.js';
import { EMPTY_FORM, type FormState } from '../web/components.js';
import { sessionFormToken } from '../web/csrf.js';
import { page } from '../web/face.js';
import { signInLocation } from '../web/face-plugin.js';
import { formErrors } from '../web/form-errors.js';
import { formOf } from '../web/form.js';
import { applyNoStore, applySecurityHeaders } from '../web/headers.js';
import { currentSession, sessionOf } from '../web/request-state.js';
import { gatewayAddress, notFoundPage } from './catalogue-routes.js';
import type { PortalContext } from './context.js';
import type { PortalReference, VisibleApi } from './reference.js';
import { apiMain, operationMain } from './reference-pages.js';
import { operationPath } from './reference-paths.js';
import { sendPage } from './render.js';
import { tryItSection, type TryItState } from './try-it-html.js';
import type { TryItAnswer } from '../../services/try-it.js';

export interface ReferenceRouteDeps {
  reference: PortalReference;
  tryIt: TryItService;
  /** The gateway's public base URL, without a trailing slash. */
  gatewayUrl: string;
}

interface OperationParams {
  apiId: string;
  operationId: string;
}

export function registerReferenceRoutes(app: FastifyInstance, portal: PortalContext, deps: ReferenceRouteDeps): void {
  const visibleApi = (request: FastifyRequest, apiId: string) => deps.reference.visibleApi(currentSession(request)?.user.id, apiId);

  async function operationPage(
    request: FastifyRequest,
    reply: FastifyReply,
    visible: VisibleApi,
    operation: ApiOperationView,
    tryIt: { form: FormState; answer?: TryItAnswer; status?: number },
  ): Promise<FastifyReply> {
    const session = currentSession(request);
    const { api } = visible;
    const [schemas, subscriptions] = await Promise.all([deps.reference.schemas(api.id), session ? deps.tryIt.usableSubscriptions(session.user.id, api.id) : Promise.resolve([])]);
    const state: TryItState = {
      signInHref: session ? undefined : signInLocation(portal.face, operationPath(api.id, operation.id)),
      formToken: session ? sessionFormToken(session.csrfSecret) : undefined,
      subscriptions,
      products: visible.products,
      form: tryIt.form,
      answer: tryIt.answer,
    };
    const section = tryItSection(api, operation, operationParameters(operation), state);
    const main = operationMain(deps.gatewayUrl, visible, operation, schemas, section);
    // portal.js posts the form with fetch and swaps in the answer: script and connect to ourselves only.
    return sendPage(portal, request, reply, { title: `${operation.displayName} · ${api.displayName}`, main, status: tryIt.status, script: true, connect: true });
  }

  app.get('/apis/:apiId', page({}), async (request, reply) => {
    const { apiId } = request.params as { apiId: string };
    const visible = await visibleApi(request, apiId);
    if (!visible) return notFoundPage(portal, request, reply);
    const operations = await deps.reference.operations(apiId);
    return sendPage(portal, request, reply, { title: visible.api.displayName, main: apiMain(deps.gatewayUrl, visible, operations) });
  });

  app.get('/apis/:apiId/:file', page({}), async (request, reply) => {
    const { apiId, file } = request.params as { apiId: string; file: string };
    const as = file === 'openapi.json' ? 'json' : file === 'openapi.yaml' ? 'yaml' : undefined;
    const visible = as && (await visibleApi(request, apiId));
    if (!as || !visible) return notFoundPage(portal, request, reply);
    const document = await deps.reference.openApi(apiId, as, gatewayAddress(deps.gatewayUrl, visible.api.path));
    applySecurityHeaders(reply);
    applyNoStore(reply);
    return reply
      .type(`${document.contentType}; charset=utf-8`)
      .header('content-disposition', `attachment; filename="${document.fileName}"`)
      .send(document.body);
  });

  app.get('/apis/:apiId/operations/:operationId', page({}), async (request, reply) => {
    const { apiId, operationId } = request.params as OperationParams;
    const visible = await visibleApi(request, apiId);
    const operation = visible && (await deps.reference.operation(apiId, operationId));
    if (!visible || !operation) return notFoundPage(portal, request, reply);
    return operationPage(request, reply, visible, operation, { form: EMPTY_FORM });
  });

  app.post('/apis/:apiId/operations/:operationId/try', page({ auth: 'required', csrf: 'session' }), async (request, reply) => {
    const { apiId, operationId } = request.params as OperationParams;
    const visible = await visibleApi(request, apiId);
    const operation = visible && (await deps.reference.operation(apiId, operationId));
    if (!visible || !operation) return notFoundPage(portal, request, reply);
    const form = formOf(request.body);
    const values = { ...form };
    const input = {
      values: new Map(Object.entries(form)),
      body: form.body ?? '',
      contentType: form.contentType ?? '',
    };
    const { api } = visible;
    try {
      const answer = await deps.tryIt.send(
        sessionOf(request).user.id,
        { id: api.id, path: api.path, keyHeader: api.subscriptionKeyParameterNames.header, subscriptionRequired: api.subscriptionRequired },
        { method: operation.method, urlTemplate: operation.urlTemplate, parameters: operationParameters(operation) },
        form.subscription ?? '',
        input,
      );
      return operationPage(request, reply, visible, operation, { form: { values, errors: {} }, answer });
    } catch (error) {
      if (!(error instanceof AppError) || (error.kind !== 'validation' && error.kind !== 'too-many-requests')) throw error;
      const fields = [...operationParameters(operation).map(fieldName), 'subscription', 'body', 'contentType'];
      const refused = formErrors(error, values, Object.fromEntries(fields.map((k) => [k, k])));
      return operationPage(request, reply, visible, operation, { form: refused, status: STATUS_OF_KIND[error.kind] });
    }
  });
}
