/**
 * The API reference pages' main content: an API (what it is, where it answers on the gateway, the
 * key it takes, its operations listed by name only, so a thousand of them stay a small page) and
 * an operation (its URL, parameters, request bodies, responses; the "Try it" form is
 * try-it-html.ts's).
 */
import type { ApiSchema } from '../../domain/api-schema.js';
import { operationParameters, requestOf, responsesOf, type ReferenceParameter } from '../../domain/api-reference/operation.js';
import type { ApiOperationView, ApiView } from '../../services/views.js';
import { html, type SafeHtml } from '../web/html.js';
import { gatewayAddress, productPath } from './catalogue-routes.js';
import type { VisibleApi } from './reference.js';
import { apiPath, operationPath } from './reference-paths.js';
import { methodBadge, parameterTable, representations } from './schema-html.js';


/** What the gateway takes the key as: the API's header and query parameter names. */
function keyDetails(api: ApiView): SafeHtml {
  if (!api.subscriptionRequired) return html`<dt>Subscription key</dt><dd>Not needed: this API answers without one.</dd>`;
  const names = api.subscriptionKeyParameterNames;
  return html`<dt>Key header</dt><dd><code>${names.header}</code></dd>
      <dt>Or query parameter</dt><dd><code>${names.query}</code></dd>`;
}

function productLinks(visible: VisibleApi): SafeHtml {
  return html`${visible.products.map((p, i) => html`${i > 0 ? ', ' : ''}<a href="${productPath(p.id)}">${p.name}</a>`)}`;
}

/** Operations by the first segment of their path (`/pet/{id}` → `pet`), in path order. */
function groups(operations: readonly ApiOperationView[]): [string, ApiOperationView[]][] {
  const sorted = operations.slice().sort((a, b) => (a.urlTemplate < b.urlTemplate ? -1 : a.urlTemplate > b.urlTemplate ? 1 : a.method < b.method ? -1 : 1));
  const out = new Map<string, ApiOperationView[]>();
  for (const o of sorted) {
    const first = o.urlTemplate.replace(/^\/+/, '').split(/[/?]/)[0] ?? '';
    const key = first === '' ? '/' : `/${first}`;
    const list = out.get(key) ?? [];
    list.push(o);
    out.set(key, list);
  }
  return [...out];
}

export function apiMain(gatewayUrl: string, visible: VisibleApi, operations: readonly ApiOperationView[]): SafeHtml {
  const { api } = visible;
  const download = apiPath(api.id);
  return html`<section class="card broad" aria-labelledby="page-heading">
  <p class="breadcrumb"><a href="/products">Products</a> › ${productLinks(visible)}</p>
  <h1 id="page-heading">${api.displayName}</h1>
  ${api.description?.trim() ? html`<p class="prose">${api.description.trim()}</p>` : html`<p class="muted">No description.</p>`}
  <dl class="details">
    <dt>Base URL</dt><dd><code>${gatewayAddress(gatewayUrl, api.path)}</code></dd>
    ${keyDetails(api)}
  </dl>
  <p class="actions"><a class="button secondary small" href="${download}/openapi.json" download>OpenAPI (JSON)</a> <a class="button secondary small" href="${download}/openapi.yaml" download>OpenAPI (YAML)</a></p>
</section>
<section class="card broad" aria-labelledby="operations-heading">
  <h2 id="operations-heading">Operations <span class="count">${operations.length}</span></h2>
  ${
    operations.length === 0
      ? html`<p class="muted">This API has no operations yet.</p>`
      : groups(operations).map(
          ([group, list]) => html`<h3 class="group">${group}</h3>
  <ul class="operation-list">
    ${list.map((o) => html`<li><a href="${operationPath(api.id, o.id)}">${methodBadge(o.method)} <span class="name">${o.displayName}</span></a> <code class="template">${o.urlTemplate}</code></li>`)}
  </ul>`,
        )
  }
</section>`;
}

const byLocation = (ps: readonly ReferenceParameter[], location: ReferenceParameter['location']) => ps.filter((p) => p.location === location);

function requestSection(operation: ApiOperationView, schemas: readonly ApiSchema[]): SafeHtml {
  const parameters = operationParameters(operation);
  const request = requestOf(operation);
  const bodies = request.representations ?? [];
  const tables = (['path', 'query', 'header'] as const).flatMap((where) => {
    const list = byLocation(parameters, where);
    const title = where === 'path' ? 'Path parameters' : where === 'query' ? 'Query parameters' : 'Headers';
    return list.length === 0 ? [] : [html`<h3>${title}</h3>${parameterTable(list, `${title} of ${operation.displayName}`, false)}`];
  });
  return html`<section class="card broad" aria-labelledby="request-heading">
  <h2 id="request-heading">Request</h2>
  ${tables.length === 0 ? html`<p class="muted">No parameters.</p>` : tables}
  ${
    bodies.length > 0 &&
    html`<h3>Body</h3>
  ${request.description && html`<p class="prose">${request.description}</p>`}
  ${representations(bodies, schemas, `the request body of ${operation.displayName}`)}`
  }
</section>`;
}

function responsesSection(operation: ApiOperationView, schemas: readonly ApiSchema[]): SafeHtml {
  const responses = responsesOf(operation);
  return html`<section class="card broad" aria-labelledby="responses-heading">
  <h2 id="responses-heading">Responses</h2>
  ${
    responses.length === 0
      ? html`<p class="muted">No responses are described.</p>`
      : responses.map(
          (r) => html`<div class="response">
    <h3><span class="status status-${String(r.statusCode)[0]}xx">${r.statusCode}</span> ${r.description ?? ''}</h3>
    ${
      (r.headers ?? []).length > 0 &&
      parameterTable(
        (r.headers ?? []).map((h) => ({ name: h.name, location: 'header', type: h.type, required: h.required === true, description: h.description, defaultValue: h.defaultValue, values: h.values })),
        `Headers of the ${r.statusCode} response`,
        false,
      )
    }
    ${representations(r.representations ?? [], schemas, `the ${r.statusCode} response`)}
  </div>`,
        )
  }
</section>`;
}

export function operationMain(gatewayUrl: string, visible: VisibleApi, operation: ApiOperationView, schemas: readonly ApiSchema[], tryIt: SafeHtml): SafeHtml {
  const { api } = visible;
  return html`<section class="card broad" aria-labelledby="page-heading">
  <p class="breadcrumb"><a href="/products">Products</a> › ${productLinks(visible)} › <a href="${apiPath(api.id)}">${api.displayName}</a></p>
  <h1 id="page-heading">${operation.displayName}</h1>
  <p class="endpoint">${methodBadge(operation.method)} <code>${gatewayAddress(gatewayUrl, api.path, operation.urlTemplate)}</code></p>
  ${operation.description?.trim() && html`<p class="prose">${operation.description.trim()}</p>`}
  <dl class="details">${keyDetails(api)}</dl>
</section>
${requestSection(operation, schemas)}
${responsesSection(operation, schemas)}
${tryIt}`;
}
