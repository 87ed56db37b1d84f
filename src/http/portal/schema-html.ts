/**
 * The reference pages' building blocks in HTML: a schema as a table of its properties (rows from
 * src/domain/api-reference/schema-view.ts, indented by depth with classes, not inline styles), a
 * representation (content type, schema, examples pretty-printed), a parameter table, and the
 * method badge. Everything goes through html``: names, descriptions and examples come from an
 * imported document, which anyone may have written.
 */
import { schemaOf, type ApiSchema } from '../../domain/api-schema.js';
import { examplesOf, exampleText, type ReferenceParameter, type Representation } from '../../domain/api-reference/operation.js';
import { schemaView, type SchemaRow } from '../../domain/api-reference/schema-view.js';
import { html, type SafeHtml } from '../web/html.js';

const KNOWN_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'trace']);

export function methodBadge(method: string): SafeHtml {
  const lower = method.toLowerCase();
  return html`<span class="method-badge ${KNOWN_METHODS.has(lower) ? `method-${lower}` : 'method-other'}">${method.toUpperCase()}</span>`;
}

const requiredTag = (required: boolean) => (required ? html`<span class="req">required</span>` : html`<span class="muted">optional</span>`);

function valuesLine(label: string, values: readonly string[] | undefined): SafeHtml | false {
  return values !== undefined && values.length > 0 && html`<p class="facts">${label}: ${values.map((v, i) => html`${i > 0 ? ', ' : ''}<code>${v}</code>`)}</p>`;
}

function defaultLine(value: string | undefined): SafeHtml | false {
  return value !== undefined && value !== '' && html`<p class="facts">Default: <code>${value}</code></p>`;
}

function schemaRow(row: SchemaRow): SafeHtml {
  return html`<tr>
        <th scope="row" class="depth-${Math.min(row.depth, 8)}"><code>${row.name}</code></th>
        <td><code class="type">${row.type}</code>${row.format && html` <span class="muted">(${row.format})</span>`}</td>
        <td>${requiredTag(row.required)}</td>
        <td>${row.description && html`<p class="prose">${row.description}</p>`}${valuesLine('One of', row.enum)}${defaultLine(row.defaultValue)}${row.example !== undefined && html`<p class="facts">Example: <code>${row.example}</code></p>`}${row.flags && html`<p class="facts">${row.flags.join(', ')}</p>`}${row.note && html`<p class="facts note">${row.note}</p>`}</td>
      </tr>`;
}

/** A schema and the document its `$ref`s point into, as a table (or one line for a schema without properties). */
export function schemaTable(schema: unknown, document: Record<string, unknown>, caption: string, typeName?: string): SafeHtml {
  const view = schemaView(schema, document);
  const head = html`<p class="schema-type">Schema: ${typeName && html`<strong>${typeName}</strong> `}<code class="type">${view.type}</code></p>${view.description && html`<p class="prose muted">${view.description}</p>`}`;
  if (view.rows.length === 0) return head;
  return html`${head}
    <div class="table-scroll"><table class="reference schema">
      <caption class="visually-hidden">${caption}</caption>
      <thead><tr><th scope="col">Property</th><th scope="col">Type</th><th scope="col">Required</th><th scope="col">Description</th></tr></thead>
      <tbody>
      ${view.rows.map(schemaRow)}
      </tbody>
    </table></div>
    ${view.truncated && html`<p class="muted">The schema is larger than this page shows; download the OpenAPI document for all of it.</p>`}`;
}

function examples(r: Representation): SafeHtml | false {
  const list = examplesOf(r);
  return (
    list.length > 0 &&
    html`${list.map(
      (e) => html`<figure class="example">
      <figcaption>Example${list.length > 1 || e.name !== 'default' ? html` <code>${e.name}</code>` : ''}${e.summary && html`: ${e.summary}`}</figcaption>
      ${e.description && html`<p class="prose muted">${e.description}</p>`}
      <pre class="code"><code>${exampleText(e.value)}</code></pre>
    </figure>`,
    )}`
  );
}

/** One content type of a body (or several that share one schema and have no examples): its schema (found by schemaId and typeName among the API's schemas) and examples. */
function representation(r: Representation, contentTypes: readonly string[], schemas: readonly ApiSchema[], where: string): SafeHtml {
  const found = schemaOf(schemas, r.schemaId, r.typeName);
  const form = r.formParameters ?? [];
  return html`<div class="representation">
    <h4>${contentTypes.map((type, i) => html`${i > 0 ? ', ' : ''}<code>${type}</code>`)}</h4>
    ${found ? schemaTable(found.schema, found.document, `Schema of ${where}, ${contentTypes.join(', ')}`, r.typeName) : r.typeName && html`<p class="schema-type">Schema: <code class="type">${r.typeName}</code></p>`}
    ${form.length > 0 && parameterTable(form.map((p) => ({ name: p.name, location: 'query', type: p.type, required: p.required === true, description: p.description, defaultValue: p.defaultValue, values: p.values })), `Form fields of ${where}`, false)}
    ${examples(r)}
    ${!found && !r.typeName && form.length === 0 && examplesOf(r).length === 0 && html`<p class="muted">No schema or example is given for this content type.</p>`}
  </div>`;
}

/** The parameters as a table; `withLocation` adds the column that says where each goes. */
export function parameterTable(parameters: readonly ReferenceParameter[], caption: string, withLocation = true): SafeHtml {
  return html`<div class="table-scroll"><table class="reference parameters">
      <caption class="visually-hidden">${caption}</caption>
      <thead><tr><th scope="col">Name</th>${withLocation && html`<th scope="col">In</th>`}<th scope="col">Type</th><th scope="col">Required</th><th scope="col">Description</th></tr></thead>
      <tbody>
      ${parameters.map(
        (p) => html`<tr>
        <th scope="row"><code>${p.name}</code></th>
        ${withLocation && html`<td>${p.location}</td>`}
        <td><code class="type">${p.type}</code></td>
        <td>${requiredTag(p.required)}</td>
        <td>${p.description && html`<p class="prose">${p.description}</p>`}${valuesLine('One of', p.values)}${defaultLine(p.defaultValue)}</td>
      </tr>`,
      )}
      </tbody>
    </table></div>`;
}

/** A body's representations; those that only name the same schema (XML and JSON of one type, say) are shown once. */
export function representations(list: readonly Representation[], schemas: readonly ApiSchema[], where: string): SafeHtml {
  const plain = (r: Representation) => examplesOf(r).length === 0 && (r.formParameters ?? []).length === 0;
  const groups: { first: Representation; types: string[] }[] = [];
  for (const r of list) {
    const same = plain(r) && groups.find((g) => plain(g.first) && g.first.schemaId === r.schemaId && g.first.typeName === r.typeName);
    if (same) same.types.push(r.contentType);
    else groups.push({ first: r, types: [r.contentType] });
  }
  return html`${groups.map((g) => representation(g.first, g.types, schemas, where))}`;
}
