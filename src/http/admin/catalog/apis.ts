/**
 * APIs: the list, creating and editing an API, deleting it, and its operations (list, add,
 * delete). Every change goes through the API service, which records it in the change feed: the
 * gateways pick it up by themselves.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  API_DISPLAY_NAME_MAX,
  API_PATH_MAX,
  API_PROTOCOLS,
  API_SERVICE_URL_MAX,
  DEFAULT_KEY_HEADER,
  DEFAULT_KEY_QUERY,
  OPERATION_DISPLAY_NAME_MAX,
  URL_TEMPLATE_MAX,
  parseApiCreate,
  parseApiUpdate,
  parseOperationCreate,
} from '../../../domain/api-input.js';
import { NEW_ID_MAX } from '../../../services/entity-ids.js';
import type { ApiOperationView, ApiView } from '../../../services/views.js';
import { button, csrfInput, errorSummary, type FormState } from '../../web/components.js';
import { field, formOf, type FormFields } from '../../web/form.js';
import { html, type SafeHtml } from '../../web/html.js';
import type { AdminContext } from '../context.js';
import { page } from '../../web/face.js';
import { registerCreatePage, registerEditPage } from '../entity-form-pages.js';
import { attempt, checkField, confirmPage, etagOf, orNull, selectField, textArea, textField, ticked } from '../forms.js';
import { entityTrail, dataTable, notice, pageHead, redirectWithNotice, seg, sendAdminPage, skipOf, yesNo } from '../render.js';
import { actorOf, formToken } from '../../web/request-state.js';
import { productPath, productStateBadge } from './products.js';

const APIS_PER_PAGE = 50;
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE'] as const;

const API_IDS = {
  id: 'api-id',
  displayName: 'api-name',
  description: 'api-description',
  path: 'api-path',
  serviceUrl: 'api-service-url',
  protocols: 'api-protocol-http',
  subscriptionRequired: 'api-subscription-required',
  keyHeader: 'api-key-header',
  keyQuery: 'api-key-query',
};
const API_TARGETS: Readonly<Record<string, string>> = {
  id: 'id',
  displayName: 'displayName',
  description: 'description',
  path: 'path',
  serviceUrl: 'serviceUrl',
  protocols: 'protocols',
  'protocols.0': 'protocols',
  subscriptionRequired: 'subscriptionRequired',
  subscriptionKeyParameterNames: 'keyHeader',
  'subscriptionKeyParameterNames.header': 'keyHeader',
  'subscriptionKeyParameterNames.query': 'keyQuery',
};
const OPERATION_IDS = { id: 'operation-id', displayName: 'operation-name', method: 'operation-method', urlTemplate: 'operation-url-template' };
const OPERATION_TARGETS: Readonly<Record<string, string>> = {
  id: 'id',
  displayName: 'displayName',
  method: 'method',
  urlTemplate: 'urlTemplate',
  templateParameters: 'urlTemplate',
};

interface ApiParams {
  id: string;
}

function apiPath(id: string): string {
  return `/admin/apis/${seg(id)}`;
}

function trail(api?: ApiView, last?: string): SafeHtml {
  return entityTrail({ href: '/admin/apis', label: 'APIs' }, api && { href: apiPath(api.id), label: api.displayName }, last);
}

type ApiValues = Record<'displayName' | 'description' | 'path' | 'serviceUrl' | 'subscriptionRequired' | 'keyHeader' | 'keyQuery', string> &
  Record<string, string>;

function valuesOf(form: FormFields): ApiValues {
  const values: ApiValues = {
    displayName: field(form, 'displayName'),
    description: field(form, 'description'),
    path: field(form, 'path').trim(),
    serviceUrl: field(form, 'serviceUrl').trim(),
    subscriptionRequired: ticked(form, 'subscriptionRequired'),
    keyHeader: field(form, 'keyHeader').trim(),
    keyQuery: field(form, 'keyQuery').trim(),
  };
  for (const p of API_PROTOCOLS) values[`protocol.${p}`] = ticked(form, `protocol.${p}`);
  return values;
}

function valuesOfApi(a: ApiView): ApiValues {
  const values: ApiValues = {
    displayName: a.displayName,
    description: a.description ?? '',
    path: a.path,
    serviceUrl: a.serviceUrl ?? '',
    subscriptionRequired: a.subscriptionRequired ? 'yes' : '',
    keyHeader: a.subscriptionKeyParameterNames.header,
    keyQuery: a.subscriptionKeyParameterNames.query,
  };
  for (const p of API_PROTOCOLS) values[`protocol.${p}`] = a.protocols.includes(p) ? 'yes' : '';
  return values;
}

/** The form's values as an API's properties, for the domain's parser to check. */
function propertiesOf(v: ApiValues): Record<string, unknown> {
  return {
    displayName: v.displayName,
    description: orNull(v.description),
    path: v.path,
    serviceUrl: v.serviceUrl,
    protocols: API_PROTOCOLS.filter((p) => v[`protocol.${p}`] === 'yes'),
    subscriptionRequired: v.subscriptionRequired === 'yes',
    subscriptionKeyParameterNames: { header: v.keyHeader, query: v.keyQuery },
  };
}

function apiFields(state: FormState, creating: boolean): SafeHtml {
  const protocolError = state.errors.protocols;
  return html`${
    creating &&
    textField(
      {
        id: API_IDS.id,
        name: 'id',
        label: 'Id',
        hint: 'Used in addresses and by the management API. Leave empty to derive it from the name.',
        maxlength: NEW_ID_MAX,
        code: true,
      },
      state,
    )
  }
${textField({ id: API_IDS.displayName, name: 'displayName', label: 'Name', required: true, maxlength: API_DISPLAY_NAME_MAX }, state)}
${textArea({ id: API_IDS.description, name: 'description', label: 'Description', rows: 3 }, state)}
${textField(
  { id: API_IDS.path, name: 'path', label: 'Path', hint: 'The gateway serves the API under this path, e.g. orders for /orders/...', maxlength: API_PATH_MAX, code: true, required: true },
  state,
)}
${textField(
  { id: API_IDS.serviceUrl, name: 'serviceUrl', label: 'Service URL', hint: 'The backend the gateway forwards calls to (http or https).', type: 'url', maxlength: API_SERVICE_URL_MAX, code: true },
  state,
)}
<fieldset${protocolError && html` aria-describedby="api-protocols-error"`}>
  <legend>Protocols</legend>
  <div class="checkbox-row">
  ${API_PROTOCOLS.map((p) =>
    checkField({ id: p === 'http' ? API_IDS.protocols : `api-protocol-${p}`, name: `protocol.${p}`, label: p.toUpperCase() }, state),
  )}
  </div>
  ${protocolError && html`<p class="field-error" id="api-protocols-error">${protocolError}</p>`}
</fieldset>
<fieldset>
  <legend>Subscription key</legend>
  ${checkField({ id: API_IDS.subscriptionRequired, name: 'subscriptionRequired', label: 'Subscription required', hint: 'Callers must send the key of a subscription.' }, state)}
  ${textField({ id: API_IDS.keyHeader, name: 'keyHeader', label: 'Key header name', required: true, maxlength: 100, code: true }, state)}
  ${textField({ id: API_IDS.keyQuery, name: 'keyQuery', label: 'Key query parameter name', required: true, maxlength: 100, code: true }, state)}
</fieldset>`;
}

export function registerApiPages(app: FastifyInstance, ctx: AdminContext): void {
  // -- The list --------------------------------------------------------------------------------

  app.get('/admin/apis', page(), async (request, reply) => {
    const skip = skipOf(request);
    const page = await ctx.apis.list({ top: APIS_PER_PAGE, skip });
    const rows = page.items.map(
      (a) => html`<tr>
  <th scope="row"><a href="${apiPath(a.id)}">${a.displayName}</a></th>
  <td><code>/${a.path}</code></td>
  <td>${a.serviceUrl ? html`<code>${a.serviceUrl}</code>` : '–'}</td>
  <td>${yesNo(a.subscriptionRequired)}</td>
</tr>`,
    );
    return sendAdminPage(ctx, request, reply, {
      title: 'APIs',
      section: 'apis',
      main: html`${pageHead('APIs', html`<a class="button secondary" href="/admin/apis/new/import">Import from OpenAPI</a> <a class="button" href="/admin/apis/new">New API</a>`)}
${notice(request)}
${dataTable({
  caption: 'APIs',
  columns: ['Name', 'Path', 'Service URL', 'Subscription required'],
  rows,
  empty: 'No APIs yet.',
  pages: { skip, top: APIS_PER_PAGE, count: page.count, href: (s) => `/admin/apis?skip=${s}` },
})}`,
    });
  });

  // -- Create ----------------------------------------------------------------------------------

  registerCreatePage(app, ctx, {
    path: '/admin/apis/new',
    title: 'New API',
    section: 'apis',
    trail: trail(undefined, 'New API'),
    ids: API_IDS,
    fields: (state) => apiFields(state, true),
    submit: 'Create API',
    cancel: '/admin/apis',
    initial: { 'protocol.https': 'yes', subscriptionRequired: 'yes', keyHeader: DEFAULT_KEY_HEADER, keyQuery: DEFAULT_KEY_QUERY },
    valuesOf: (form) => ({ ...valuesOf(form), id: field(form, 'id').trim() }),
    targets: API_TARGETS,
    create: (values, request) => ctx.apis.create(values.id, parseApiCreate(propertiesOf(values)), actorOf(request)),
    created: (api) => ({ location: apiPath(api.id), notice: 'api-created' }),
  });

  // -- An API and its operations ---------------------------------------------------------------

  async function apiPage(request: FastifyRequest, reply: FastifyReply, id: string, operationForm: FormState, status?: number): Promise<FastifyReply> {
    const api = await ctx.apis.get(id);
    const [operations, products] = await Promise.all([ctx.apis.listOperations(id), ctx.apis.listProducts(id, { top: 100, skip: 0 })]);
    const path = apiPath(id);
    const rows = operations.map(
      (o: ApiOperationView) => html`<tr>
  <th scope="row">${o.displayName}</th>
  <td><span class="method">${o.method}</span></td>
  <td><code>${o.urlTemplate}</code></td>
  <td class="row-actions"><a class="button secondary small" href="${path}/operations/${seg(o.id)}/policy">Policy<span class="visually-hidden"> of ${o.displayName}</span></a> <a class="button secondary small" href="${path}/operations/${seg(o.id)}/delete">Delete<span class="visually-hidden"> ${o.displayName}</span></a></td>
</tr>`,
    );
    const productItems = products.items.map((p) => html`<li><a href="${productPath(p.id)}">${p.displayName}</a> ${productStateBadge(p.state)}</li>`);
    return sendAdminPage(ctx, request, reply, {
      title: api.displayName,
      section: 'apis',
      status,
      main: html`${trail(undefined, api.displayName)}
${pageHead(
  api.displayName,
  html`<a class="button secondary" href="${path}/edit">Edit</a> <a class="button secondary" href="${path}/import">Re-import</a> <a class="button secondary" href="${path}/policy">Policy</a> <a class="button danger" href="${path}/delete">Delete</a>`,
)}
${notice(request)}
<div class="grid-2">
<section class="panel" aria-labelledby="details-heading">
  <h2 id="details-heading">Details</h2>
  <dl class="details">
    <dt>Id</dt><dd><code>${api.id}</code></dd>
    <dt>Path</dt><dd><code>/${api.path}</code></dd>
    <dt>Service URL</dt><dd>${api.serviceUrl ? html`<code>${api.serviceUrl}</code>` : '–'}</dd>
    <dt>Protocols</dt><dd>${api.protocols.map((p) => p.toUpperCase()).join(', ')}</dd>
    <dt>Subscription required</dt><dd>${yesNo(api.subscriptionRequired)}</dd>
    <dt>Key header</dt><dd><code>${api.subscriptionKeyParameterNames.header}</code></dd>
    <dt>Key query parameter</dt><dd><code>${api.subscriptionKeyParameterNames.query}</code></dd>
    <dt>Description</dt><dd class="prose">${api.description ?? '–'}</dd>
  </dl>
  <h3 id="export-heading">Export</h3>
  <p class="export-links"><a class="button secondary small" href="${path}/export?format=openapi-link" download>OpenAPI 3.0 YAML</a> <a class="button secondary small" href="${path}/export?format=${encodeURIComponent('openapi+json-link')}" download>OpenAPI 3.0 JSON</a> <a class="button secondary small" href="${path}/export?format=swagger-link" download>Swagger 2.0 JSON</a></p>
</section>
<section class="panel" aria-labelledby="products-heading">
  <h2 id="products-heading">In products</h2>
  ${productItems.length > 0 ? html`<ul class="plain">${productItems}</ul>` : html`<p class="muted">This API is in no product yet: add it from a product's page.</p>`}
</section>
</div>
<section class="panel" aria-labelledby="operations-heading">
  <h2 id="operations-heading">Operations</h2>
  ${dataTable({
    caption: `Operations of ${api.displayName}`,
    columns: ['Name', 'Method', 'URL template', { label: 'Actions', hidden: true }],
    rows,
    empty: 'No operations: the gateway answers 404 to every call of this API.',
  })}
  <h3 id="add-operation-heading">Add an operation</h3>
  ${errorSummary(operationForm, OPERATION_IDS)}
  <p class="muted" id="add-operation-hint">The URL template starts with / and names its parameters in braces, e.g. <code>/orders/{id}</code>. The id is derived from the name when left empty.</p>
  <form method="post" action="${path}/operations" class="operation-form" aria-labelledby="add-operation-heading" aria-describedby="add-operation-hint" novalidate>
    ${csrfInput(formToken(request))}
    <div class="operation-fields">
    ${textField({ id: OPERATION_IDS.displayName, name: 'displayName', label: 'Name', required: true, maxlength: OPERATION_DISPLAY_NAME_MAX }, operationForm)}
    ${selectField({ id: OPERATION_IDS.method, name: 'method', label: 'Method', choices: METHODS.map((m) => ({ value: m, label: m })) }, operationForm)}
    ${textField(
      { id: OPERATION_IDS.urlTemplate, name: 'urlTemplate', label: 'URL template', required: true, maxlength: URL_TEMPLATE_MAX, code: true },
      operationForm,
    )}
    ${textField({ id: OPERATION_IDS.id, name: 'id', label: 'Id', maxlength: NEW_ID_MAX, code: true }, operationForm)}
    </div>
    <div class="button-row">${button('Add operation')}</div>
  </form>
</section>`,
    });
  }

  app.get<{ Params: ApiParams }>('/admin/apis/:id', page(), async (request, reply) =>
    apiPage(request, reply, request.params.id, { values: { method: 'GET' }, errors: {} }),
  );

  app.post<{ Params: ApiParams }>('/admin/apis/:id/operations', page(), async (request, reply) => {
    const apiId = request.params.id;
    const form = formOf(request.body);
    const values = {
      id: field(form, 'id').trim(),
      displayName: field(form, 'displayName'),
      method: field(form, 'method'),
      urlTemplate: field(form, 'urlTemplate').trim(),
    };
    const result = await attempt(
      () =>
        ctx.apis.createOperation(
          apiId,
          values.id,
          parseOperationCreate({ displayName: values.displayName, method: values.method, urlTemplate: values.urlTemplate }),
          actorOf(request),
        ),
      values,
      OPERATION_TARGETS,
    );
    if (!result.ok) return apiPage(request, reply, apiId, result.state, 400);
    return redirectWithNotice(reply, apiPath(apiId), 'operation-added');
  });

  app.get<{ Params: ApiParams & { operationId: string } }>('/admin/apis/:id/operations/:operationId/delete', page(), async (request, reply) => {
    const { id, operationId } = request.params;
    const [api, operation] = await Promise.all([ctx.apis.get(id), ctx.apis.getOperation(id, operationId)]);
    return confirmPage(ctx, request, reply, {
      title: `Delete the operation ${operation.displayName}?`,
      section: 'apis',
      trail: trail(api, 'Delete an operation'),
      explanation: html`<p>Calls to <span class="method">${operation.method}</span> <code>/${api.path}${operation.urlTemplate}</code> will no longer be forwarded by the gateway.</p>`,
      action: `${apiPath(id)}/operations/${seg(operationId)}/delete`,
      etag: operation.etag,
      button: 'Delete operation',
      cancel: apiPath(id),
    });
  });

  app.post<{ Params: ApiParams & { operationId: string } }>('/admin/apis/:id/operations/:operationId/delete', page(), async (request, reply) => {
    const { id, operationId } = request.params;
    const removed = await ctx.apis.removeOperation(id, operationId, etagOf(formOf(request.body)), actorOf(request));
    return redirectWithNotice(reply, apiPath(id), removed ? 'operation-deleted' : 'operation-gone');
  });

  // -- Edit ------------------------------------------------------------------------------------

  registerEditPage(app, ctx, {
    base: '/admin/apis',
    section: 'apis',
    load: (id) => ctx.apis.get(id),
    trail: (api) => trail(api, 'Edit'),
    ids: API_IDS,
    fields: (state) => apiFields(state, false),
    valuesOfEntity: valuesOfApi,
    valuesOf,
    targets: API_TARGETS,
    update: (api, values, etag, request) => ctx.apis.update(api.id, parseApiUpdate(propertiesOf(values)), etag, actorOf(request)),
    saved: 'api-saved',
  });

  // -- Delete ----------------------------------------------------------------------------------

  app.get<{ Params: ApiParams }>('/admin/apis/:id/delete', page(), async (request, reply) => {
    const api = await ctx.apis.get(request.params.id);
    return confirmPage(ctx, request, reply, {
      title: `Delete ${api.displayName}?`,
      section: 'apis',
      trail: trail(api, 'Delete'),
      explanation: html`<p>The API and its operations will be deleted and removed from every product; subscriptions scoped to this API alone are cancelled. The gateway stops serving <code>/${api.path}</code>. This cannot be undone.</p>`,
      action: `${apiPath(api.id)}/delete`,
      etag: api.etag,
      button: 'Delete API',
      cancel: apiPath(api.id),
    });
  });

  app.post<{ Params: ApiParams }>('/admin/apis/:id/delete', page(), async (request, reply) => {
    const removed = await ctx.apis.remove(request.params.id, etagOf(formOf(request.body)), actorOf(request));
    return redirectWithNotice(reply, '/admin/apis', removed ? 'api-deleted' : 'api-gone');
  });
}
