/**
 * The "Import from OpenAPI" form (a new API, or a re-import from an API's page): the definition as
 * pasted text or a URL, and with the script (scripts/api-import.ts) an uploaded file, which the
 * browser reads into the text field: the admin UI posts urlencoded forms only, and paste and URL
 * work without JavaScript. Errors of the definition are listed with where they are (a JSON pointer,
 * or a line and column of the text).
 *
 * Also how the previewed definition travels to Apply: compressed into a hidden field of the preview
 * page (see packDefinition) rather than kept in this process, which another process of a cluster
 * would not see, and which no restart or second tab can lose.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { API_PATH_MAX } from '../../../domain/api-input.js';
import type { AppError, ErrorDetail } from '../../../domain/errors.js';
import { INLINE_FORMATS } from '../../../domain/openapi/document.js';
import type { ImportSource } from '../../../services/api-import-preview.js';
import { NEW_ID_MAX } from '../../../services/entity-ids.js';
import type { ApiView } from '../../../services/views.js';
import { button, errorSummary, type FormState } from '../../web/components.js';
import { sentence } from '../../web/form-errors.js';
import { BadFormError, field, type FormFields } from '../../web/form.js';
import { html, type SafeHtml } from '../../web/html.js';
import type { AdminContext } from '../context.js';
import { buttonRow, checkField, postForm, selectField, textField, ticked } from '../forms.js';
import { entityTrail, seg, sendAdminPage } from '../render.js';

/** The largest definition the form takes (characters), as the `-link` download's 10 MB. */
export const DEFINITION_MAX = 10 * 1024 * 1024;
/** The longest definition a refused form shows back in its text field. */
const SHOWN_BACK_MAX = 1024 * 1024;
/** These routes' body limit: a 10 MB definition, urlencoded (non-ASCII text takes up to 9 bytes a character, most YAML little more than 1). */
export const IMPORT_FORM_LIMIT = 32 * 1024 * 1024;

export const IMPORT_IDS = { id: 'import-id', path: 'import-path', format: 'import-format', value: 'import-value', url: 'import-url', query: 'import-query' };
/** Service targets → form fields; any other target (a pointer into the document) is listed under the definition. */
const IMPORT_TARGETS: Readonly<Record<string, string>> = { id: 'id', path: 'path', url: 'url', format: 'format', value: 'value' };

const FORMAT_CHOICES = [
  { value: 'auto', label: 'Detect from the text' },
  { value: 'openapi', label: 'OpenAPI 3.0 / 3.1, YAML' },
  { value: 'openapi+json', label: 'OpenAPI 3.0 / 3.1, JSON' },
  { value: 'swagger-json', label: 'Swagger 2.0, JSON' },
];

export interface ImportFormState extends FormState {
  /** What is wrong with the definition, each with where. */
  problems?: readonly ErrorDetail[] | undefined;
}

export function importPath(api: ApiView | undefined): string {
  return api ? `/admin/apis/${seg(api.id)}/import` : '/admin/apis/new/import';
}

export function importTrail(api: ApiView | undefined, last: string): SafeHtml {
  return entityTrail({ href: '/admin/apis', label: 'APIs' }, api && { href: `/admin/apis/${seg(api.id)}`, label: api.displayName }, last);
}

export type ImportValues = Record<'id' | 'path' | 'format' | 'value' | 'url' | 'query', string>;

/** The form's fields as strings (shown back on an error). */
export function importValues(form: FormFields): ImportValues {
  return {
    id: field(form, 'id').trim(),
    path: field(form, 'path').trim(),
    format: field(form, 'format') || 'auto',
    value: field(form, 'value'),
    url: field(form, 'url').trim(),
    query: ticked(form, 'query'),
  };
}

/** What to import, as the preview service takes it. */
export function importSource(values: ImportValues): ImportSource {
  const format = values.format === 'auto' || (INLINE_FORMATS as readonly string[]).includes(values.format) ? (values.format as ImportSource['format']) : 'auto';
  return { format, text: values.value, url: values.url, translateRequiredQueryParameters: values.query === 'yes' ? 'query' : 'template' };
}

/** A refused import as the form shows it: field errors next to their fields, the definition's problems listed with where. */
export function importErrors(error: AppError, values: ImportValues): ImportFormState {
  const errors: Record<string, string> = {};
  const problems: ErrorDetail[] = [];
  for (const d of error.details) {
    const name = d.target !== undefined ? IMPORT_TARGETS[d.target] : undefined;
    if (name !== undefined && errors[name] === undefined) errors[name] = sentence(d.message);
    else problems.push(d);
  }
  if (error.details.length === 0) problems.push({ code: error.code, message: error.message });
  if (problems.length > 0) errors.value ??= 'The definition cannot be imported: see what is wrong just below the text.';
  // A page that echoes a long definition back would be as long: past SHOWN_BACK_MAX it is not shown again.
  const tooLongToShow = values.value.length > SHOWN_BACK_MAX;
  if (tooLongToShow) problems.push({ code: 'NotShown', message: `The text (over ${SHOWN_BACK_MAX / 1024 / 1024} MB) is not shown again: upload or paste it again once corrected.` });
  return { values: { ...values, value: tooLongToShow ? '' : values.value }, errors, message: sentence(error.message), problems };
}

function problemList(problems: readonly ErrorDetail[] | undefined): SafeHtml | false {
  if (!problems || problems.length === 0) return false;
  return html`<div class="definition-problems" id="import-problems">
  <h2>What is wrong with the definition</h2>
  <ul>${problems.map((p) => html`<li>${p.target !== undefined && html`<code class="where">${p.target}</code> `}${sentence(p.message)}</li>`)}</ul>
</div>`;
}

/** The definition's text area: always there (paste), with the file picker the script shows. */
function definitionFields(state: ImportFormState): SafeHtml {
  const error = state.errors.value;
  return html`<fieldset class="definition-source">
  <legend>The definition</legend>
  <div class="field" data-definition-file hidden>
    <label for="import-file">Upload a file <span class="optional">(OpenAPI YAML or JSON, Swagger 2.0 JSON)</span></label>
    <input id="import-file" type="file" accept=".yaml,.yml,.json,application/json,application/yaml,text/yaml">
    <p class="hint" id="import-file-status" role="status"></p>
  </div>
  <div class="field">
    <label for="${IMPORT_IDS.value}">Paste the text</label>
    <textarea id="${IMPORT_IDS.value}" name="value" rows="12" class="code" spellcheck="false"${error && html` aria-invalid="true" aria-describedby="import-value-error"`}>${state.values.value ?? ''}</textarea>
    ${error && html`<p class="field-error" id="import-value-error">${error}</p>`}
  </div>
  ${problemList(state.problems)}
  ${textField({ id: IMPORT_IDS.url, name: 'url', label: 'Or give its URL', hint: 'Downloaded once, for the preview (http or https, within 10 s and 10 MB).', type: 'url', code: true }, state)}
</fieldset>`;
}

/** The import form: for a new API (`api` undefined: its id and path too) or a re-import of `api`. */
export function importFormPage(ctx: AdminContext, request: FastifyRequest, reply: FastifyReply, api: ApiView | undefined, state: ImportFormState, status?: number): FastifyReply {
  const title = api ? `Re-import ${api.displayName}` : 'Import from OpenAPI';
  return sendAdminPage(ctx, request, reply, {
    title,
    section: 'apis',
    status,
    main: html`${importTrail(api, api ? 'Re-import' : 'Import from OpenAPI')}
<section class="panel form-panel import-panel" aria-labelledby="page-heading">
  <h1 id="page-heading">${title}</h1>
  <p>${api ? 'The operations become exactly the definition\u2019s, matched by name (the operationId): you see what is created, changed and removed before anything is applied.' : 'A new API with every operation of an OpenAPI 3.0 / 3.1 or Swagger 2.0 definition. You see the operations before anything is created.'}</p>
  ${errorSummary(state, IMPORT_IDS)}
  ${postForm(request, {
    action: importPath(api),
    novalidate: true,
    body: html`${!api && html`${textField({ id: IMPORT_IDS.path, name: 'path', label: 'Path', hint: 'The gateway serves the API under this path, e.g. pets for /pets/...', required: true, maxlength: API_PATH_MAX, code: true }, state)}
    ${textField({ id: IMPORT_IDS.id, name: 'id', label: 'Id', hint: 'Used in addresses and by the management API. Leave empty to derive it from the path.', maxlength: NEW_ID_MAX, code: true }, state)}`}
    ${definitionFields(state)}
    ${selectField({ id: IMPORT_IDS.format, name: 'format', label: 'Format', choices: FORMAT_CHOICES }, state)}
    ${checkField({ id: IMPORT_IDS.query, name: 'query', label: 'Keep required query parameters in the query', hint: 'By default (as in Azure) they become template parameters of the URL template.' }, state)}
    ${buttonRow(button('Preview import'), { href: api ? `/admin/apis/${seg(api.id)}` : '/admin/apis' })}`,
  })}
</section>`,
  });
}

/** The definition for the preview page's hidden field: deflated and base64 (OpenAPI text shrinks about tenfold). */
export function packDefinition(text: string): string {
  return deflateRawSync(Buffer.from(text, 'utf8')).toString('base64');
}

/** The definition back from the hidden field; a field that does not inflate (or inflates past the limit) is a bad form. */
export function unpackDefinition(packed: string): string {
  try {
    return inflateRawSync(Buffer.from(packed, 'base64'), { maxOutputLength: DEFINITION_MAX * 4 }).toString('utf8');
  } catch {
    throw new BadFormError();
  }
}
