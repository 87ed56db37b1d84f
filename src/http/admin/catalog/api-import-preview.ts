/**
 * The preview of an import: what it does to the API (its name, description, service URL,
 * protocols) and to its operations (created, changed with the fields that change, removed), with
 * the counts, and the Apply form that imports exactly the previewed definition. Each list shows at
 * most PREVIEW_ROWS operations and says how many more: a definition of thousands of operations
 * still makes a page of a few hundred kilobytes.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiPropertyName, OperationField, PlannedOperation } from '../../../domain/openapi/import-plan.js';
import type { ImportPreview } from '../../../services/api-import-preview.js';
import { button, hidden } from '../../web/components.js';
import { html, type SafeHtml } from '../../web/html.js';
import type { AdminContext } from '../context.js';
import { buttonRow, postForm } from '../forms.js';
import { dataTable, seg, sendAdminPage } from '../render.js';
import { importPath, importTrail, packDefinition } from './api-import-form.js';

export const PREVIEW_ROWS = 100;

const PROPERTY_LABELS: Readonly<Record<ApiPropertyName, string>> = { displayName: 'Name', description: 'Description', serviceUrl: 'Service URL', protocols: 'Protocols' };
const FIELD_LABELS: Readonly<Record<OperationField, string>> = {
  displayName: 'name',
  method: 'method',
  urlTemplate: 'URL template',
  description: 'description',
  templateParameters: 'template parameters',
  request: 'request',
  responses: 'responses',
};

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function operationCells(o: PlannedOperation): SafeHtml {
  return html`<td><span class="method">${o.method}</span></td>
  <td><code>${o.urlTemplate}</code></td>
  <th scope="row">${o.displayName} <code class="muted">${o.name}</code></th>`;
}

/** One list of the plan: at most PREVIEW_ROWS rows, then how many more. */
function section<T>(id: string, heading: string, items: readonly T[], columns: string[], row: (item: T) => SafeHtml): SafeHtml | false {
  if (items.length === 0) return false;
  const shown = items.slice(0, PREVIEW_ROWS);
  const more = items.length - shown.length;
  return html`<section class="panel import-${id}" aria-labelledby="${id}-heading">
  <h2 id="${id}-heading">${heading} <span class="count">(${items.length})</span></h2>
  ${dataTable({ caption: heading, columns, rows: shown.map(row) })}
  ${more > 0 && html`<p class="muted">and ${plural(more, 'more operation')} not listed here.</p>`}
</section>`;
}

function propertyChanges(preview: ImportPreview): SafeHtml | false {
  if (preview.apiChanges.length === 0) return false;
  const rows = preview.apiChanges.map(
    (c) => html`<tr><th scope="row">${PROPERTY_LABELS[c.field]}</th>${preview.api && html`<td>${c.before ?? '–'}</td>`}<td>${c.after ?? html`<span class="muted">none</span>`}</td></tr>`,
  );
  return html`<section class="panel" aria-labelledby="properties-heading">
  <h2 id="properties-heading">${preview.api ? 'The API changes' : 'The new API'}</h2>
  ${dataTable({ caption: 'API properties', columns: preview.api ? ['Property', 'Now', 'After the import'] : ['Property', 'Value'], rows })}
</section>`;
}

/** The preview page; `apiId` and `path` say which API the Apply creates or changes. */
export function previewPage(ctx: AdminContext, request: FastifyRequest, reply: FastifyReply, target: { apiId: string; path: string }, preview: ImportPreview): FastifyReply {
  const { plan, api } = preview;
  const title = api ? `Preview: re-import ${api.displayName}` : `Preview: import ${target.apiId}`;
  const counts = [
    plural(plan.created.length, 'operation') + ' to create',
    `${plan.changed.length} to change`,
    `${plan.removed.length} to remove`,
    `${plan.unchanged.length} unchanged`,
  ].join(', ');
  const nothing = api !== undefined && plan.created.length + plan.changed.length + plan.removed.length === 0 && preview.apiChanges.length === 0;
  const apply = postForm(request, {
    action: `/admin/apis/${seg(target.apiId)}/import/apply`,
    etag: preview.state.etag ?? '',
    body: html`${hidden('path', target.path)}
    ${hidden('operations', preview.state.operations)}
    ${hidden('format', preview.request.format)}
    ${hidden('query', preview.request.translateRequiredQueryParameters === 'query' ? 'yes' : '')}
    ${hidden('definition', packDefinition(preview.request.value))}
    ${buttonRow(button(api ? 'Apply re-import' : 'Create API'), { href: api ? `/admin/apis/${seg(api.id)}` : '/admin/apis' })}`,
  });
  return sendAdminPage(ctx, request, reply, {
    title,
    section: 'apis',
    main: html`${importTrail(api, 'Preview')}
<div class="page-head"><h1 id="page-heading">${title}</h1><div class="actions"><a class="button secondary" href="${importPath(api)}">Change the definition</a></div></div>
<section class="panel import-summary" aria-labelledby="summary-heading">
  <h2 id="summary-heading">Summary</h2>
  <p class="counts" id="import-counts">${counts}.</p>
  ${nothing ? html`<p>The API is already as the definition says: applying it changes nothing.</p>` : html`<p>Nothing has been changed yet. ${api ? html`The gateway follows as soon as the import is applied.` : html`The API is served at <code>/${target.path}</code> once created.`}</p>`}
  ${apply}
</section>
${propertyChanges(preview)}
${section('created', 'To create', plan.created, ['Method', 'URL template', 'Name'], (o) => html`<tr>${operationCells(o)}</tr>`)}
${section('changed', 'To change', plan.changed, ['Method', 'URL template', 'Name', 'What changes'], (c) => html`<tr>${operationCells(c.operation)}<td>${c.fields.map((f) => FIELD_LABELS[f]).join(', ')}${c.fields.includes('urlTemplate') && html`<br><span class="muted">was <code>${c.before.method} ${c.before.urlTemplate}</code></span>`}</td></tr>`)}
${section('removed', 'To remove', plan.removed, ['Method', 'URL template', 'Name'], (o) => html`<tr>${operationCells(o)}</tr>`)}`,
  });
}
