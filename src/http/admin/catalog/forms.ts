/**
 * The form pieces the Groups, Products and APIs pages share beyond web/components.ts: labelled
 * text, URL and number inputs, text areas, checkboxes that keep their state, selects, a
 * confirmation page for destructive actions, and turning a service's AppError into a form's errors.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../domain/errors.js';
import { button, csrfInput, errorSummary, hidden, type FormState } from '../../web/components.js';
import { formErrors } from '../../web/form-errors.js';
import { field, type FormFields } from '../../web/form.js';
import { html, type HtmlValue, type SafeHtml } from '../../web/html.js';
import type { AdminContext } from '../context.js';
import type { SectionId } from '../layout.js';
import { sendAdminPage } from '../render.js';
import { adminFormToken } from '../state.js';

interface FieldBase {
  /** Unique in the page. */
  id: string;
  name: string;
  label: string;
  hint?: string | undefined;
}

function describedBy(options: FieldBase, error: string | undefined): { ids: string; hintId?: string; errorId?: string } {
  const hintId = options.hint ? `${options.id}-hint` : undefined;
  const errorId = error ? `${options.id}-error` : undefined;
  return { ids: [hintId, errorId].filter((v): v is string => v !== undefined).join(' '), hintId, errorId };
}

function hintAndError(options: FieldBase, error: string | undefined): { before: HtmlValue; after: HtmlValue; attrs: SafeHtml } {
  const d = describedBy(options, error);
  return {
    before: options.hint && html`<p class="hint" id="${d.hintId}">${options.hint}</p>`,
    after: error && html`<p class="field-error" id="${d.errorId}">${error}</p>`,
    attrs: html`${d.ids && html` aria-describedby="${d.ids}"`}${error && html` aria-invalid="true"`}`,
  };
}

/** A labelled one-line input (text, url or number) that shows the typed value back. */
export function textField(
  options: FieldBase & { type?: 'text' | 'url' | 'number'; required?: boolean; maxlength?: number; min?: number; code?: boolean },
  state: FormState,
): SafeHtml {
  const error = state.errors[options.name];
  const value = state.values[options.name] ?? '';
  const p = hintAndError(options, error);
  const type = options.type ?? 'text';
  return html`<div class="field">
  <label for="${options.id}">${options.label}${!options.required && html` <span class="optional">(optional)</span>`}</label>
  ${p.before}
  <input id="${options.id}" name="${options.name}" type="${type}" value="${value}" autocomplete="off"${
    options.code ? html` spellcheck="false" autocapitalize="none" class="code"` : ''
  }${options.required && html` required`}${options.maxlength !== undefined && html` maxlength="${options.maxlength}"`}${
    options.min !== undefined && html` min="${options.min}" step="1"`
  }${p.attrs}>
  ${p.after}
</div>`;
}

export function textArea(options: FieldBase & { rows?: number; maxlength?: number }, state: FormState): SafeHtml {
  const error = state.errors[options.name];
  const p = hintAndError(options, error);
  return html`<div class="field">
  <label for="${options.id}">${options.label} <span class="optional">(optional)</span></label>
  ${p.before}
  <textarea id="${options.id}" name="${options.name}" rows="${options.rows ?? 4}" class="prose-input"${
    options.maxlength !== undefined && html` maxlength="${options.maxlength}"`
  }${p.attrs}>${state.values[options.name] ?? ''}</textarea>
  ${p.after}
</div>`;
}

/** A checkbox that is ticked when the form's value is `yes` (what it sends). */
export function checkField(options: FieldBase, state: FormState): SafeHtml {
  const error = state.errors[options.name];
  const p = hintAndError(options, error);
  return html`<div class="field">
  <div class="checkbox">
    <input id="${options.id}" name="${options.name}" type="checkbox" value="yes"${state.values[options.name] === 'yes' && html` checked`}${p.attrs}>
    <label for="${options.id}">${options.label}</label>
  </div>
  ${p.before}
  ${p.after}
</div>`;
}

export interface Choice {
  value: string;
  label: string;
}

export function selectField(options: FieldBase & { choices: readonly Choice[]; placeholder?: string }, state: FormState): SafeHtml {
  const error = state.errors[options.name];
  const p = hintAndError(options, error);
  const selected = state.values[options.name] ?? '';
  return html`<div class="field">
  <label for="${options.id}">${options.label}</label>
  ${p.before}
  <select id="${options.id}" name="${options.name}" required${p.attrs}>
    ${options.placeholder !== undefined && html`<option value="">${options.placeholder}</option>`}
    ${options.choices.map((c) => html`<option value="${c.value}"${c.value === selected && html` selected`}>${c.label}</option>`)}
  </select>
  ${p.after}
</div>`;
}

/** `yes` when the box was ticked, '' otherwise (an unticked checkbox is not sent). */
export function ticked(form: FormFields, name: string): 'yes' | '' {
  return field(form, name) === 'yes' ? 'yes' : '';
}

/** '' becomes null (an optional text cleared). */
export function orNull(value: string): string | null {
  return value === '' ? null : value;
}

/**
 * An AppError a form can show next to its fields: a validation error, or a conflict about a field
 * (an id or a path already taken). Anything else (404, 412...) goes to the error page.
 */
export function isFormError(error: unknown): error is AppError {
  return error instanceof AppError && (error.kind === 'validation' || (error.kind === 'conflict' && error.details.length > 0));
}

/** Runs a service call for a form: its form error as a FormState, or the result. */
export async function attempt<T>(
  call: () => Promise<T>,
  values: Record<string, string>,
  targets: Readonly<Record<string, string>>,
): Promise<{ ok: true; value: T } | { ok: false; state: FormState }> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    if (!isFormError(error)) throw error;
    return { ok: false, state: formErrors(error, values, targets) };
  }
}

/** The entity tag a form carries back (If-Match); the service refuses a stale one with 412. */
export function etagOf(form: FormFields): string {
  return field(form, 'etag');
}

/** A path segment of an entity's page. */
export function seg(id: string): string {
  return encodeURIComponent(id);
}

/**
 * The page that asks before a destructive action (works without JavaScript): what will happen,
 * and a danger button posting the action with the entity's tag.
 */
export function confirmPage(
  ctx: AdminContext,
  request: FastifyRequest,
  reply: FastifyReply,
  page: {
    title: string;
    section: SectionId;
    breadcrumb: SafeHtml;
    explanation: HtmlValue;
    action: string;
    etag?: string | undefined;
    extra?: HtmlValue;
    button: string;
    cancel: string;
    state?: FormState | undefined;
    status?: number | undefined;
  },
): FastifyReply {
  return sendAdminPage(ctx, request, reply, {
    title: page.title,
    section: page.section,
    status: page.status,
    main: html`${page.breadcrumb}
<section class="panel danger confirm" aria-labelledby="page-heading">
  <h1 id="page-heading">${page.title}</h1>
  ${page.state && errorSummary(page.state)}
  ${page.explanation}
  <form method="post" action="${page.action}">
    ${csrfInput(adminFormToken(request))}
    ${page.etag !== undefined && hidden('etag', page.etag)}
    ${page.extra}
    <div class="button-row">${button(page.button, 'danger')} <a class="button secondary" href="${page.cancel}">Cancel</a></div>
  </form>
</section>`,
  });
}

/** The trail above an entity's pages: `Products › Shop`. */
export function breadcrumb(...links: readonly { href?: string; label: string }[]): SafeHtml {
  return html`<nav class="breadcrumb" aria-label="Breadcrumb"><ol>${links.map((l, i) =>
    l.href !== undefined && i < links.length - 1 ? html`<li><a href="${l.href}">${l.label}</a></li>` : html`<li aria-current="page">${l.label}</li>`,
  )}</ol></nav>`;
}

/** Yes/No in a table cell. */
export function yesNo(value: boolean): string {
  return value ? 'Yes' : 'No';
}

/** `?skip=` of a paged list (0 when absent or not a whole number). */
export function skipOf(request: FastifyRequest): number {
  const value = (request.query as Record<string, unknown> | undefined)?.skip;
  return typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : 0;
}
