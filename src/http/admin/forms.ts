/**
 * The admin pages' forms: labelled text, URL and number inputs, text areas, checkboxes that keep
 * their state, selects; the form that posts with the session's token (and the entity's tag); the
 * "new X" / "edit X" page and the page that asks before a destructive action; and turning a
 * service's AppError into a form's errors.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.js';
import { button, csrfInput, errorSummary, hidden, hintAndError, type FormState } from '../web/components.js';
import { formErrors } from '../web/form-errors.js';
import { field, type FormFields } from '../web/form.js';
import { html, type HtmlValue, type SafeHtml } from '../web/html.js';
import type { AdminContext } from './context.js';
import type { SectionId } from './layout.js';
import { pageHead, sendAdminPage } from './render.js';
import { formToken } from '../web/request-state.js';

interface FieldBase {
  /** Unique in the page. */
  id: string;
  name: string;
  label: string;
  hint?: string | undefined;
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

/** The user forms show every validation error and every conflict (an email address already taken). */
export function isUserFormError(error: AppError): boolean {
  return error.kind === 'validation' || error.kind === 'conflict';
}

/**
 * Runs a service call for a form: its form error as a FormState (the typed `values` shown back,
 * each error next to its field: `targets` maps the service's targets to the form's fields), or the
 * result. `accepts` says which AppErrors the form shows (by default `isFormError`); any other
 * error goes on to the error page.
 */
export async function attempt<T>(
  call: () => Promise<T>,
  values: Record<string, string>,
  targets: Readonly<Record<string, string>>,
  accepts: (error: AppError) => boolean = isFormError,
): Promise<{ ok: true; value: T } | { ok: false; state: FormState }> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    if (!(error instanceof AppError) || !accepts(error)) throw error;
    return { ok: false, state: formErrors(error, values, targets) };
  }
}

/** The entity tag a form carries back (If-Match); the service refuses a stale one with 412. */
export function etagOf(form: FormFields): string {
  return field(form, 'etag');
}

/**
 * A form posting to `action` with the session's form token (which the plugin checks on every
 * POST) and, for a change of an entity, its tag (If-Match: the service refuses a stale one).
 */
export function postForm(
  request: FastifyRequest,
  form: {
    action: string;
    etag?: string | undefined;
    body: HtmlValue;
    novalidate?: boolean;
    className?: string;
    /** Asked first by the script (`data-confirm`); without it, the action happens at once. */
    confirm?: string | undefined;
  },
): SafeHtml {
  return html`<form method="post" action="${form.action}"${form.className !== undefined && html` class="${form.className}"`}${
    form.confirm !== undefined && html` data-confirm="${form.confirm}"`
  }${form.novalidate && html` novalidate`}>
    ${csrfInput(formToken(request))}${form.etag !== undefined && html`
    ${hidden('etag', form.etag)}`}
    ${form.body}
  </form>`;
}

/** A row's Remove button: its own small form, which the script confirms first. `what` names the row for screen readers. */
export function removeForm(request: FastifyRequest, action: string, confirm: string, what: string): SafeHtml {
  return postForm(request, {
    action,
    className: 'inline',
    confirm,
    body: html`<button type="submit" class="button secondary small">Remove<span class="visually-hidden"> ${what}</span></button>`,
  });
}

/** The submit button and the way back, in a form's last row. */
export function buttonRow(submit: SafeHtml, back: { href: string; label?: string | undefined }): SafeHtml {
  return html`<div class="button-row">${submit} <a class="button secondary" href="${back.href}">${back.label ?? 'Cancel'}</a></div>`;
}

/**
 * The page of a "new X" or "edit X" form: the trail, a panel headed by the title, what went wrong
 * (the summary links each error to its field), and the form with its fields, the submit button
 * and Cancel.
 */
export function formPage(
  ctx: AdminContext,
  request: FastifyRequest,
  reply: FastifyReply,
  page: {
    title: string;
    section: SectionId;
    status?: number | undefined;
    trail: SafeHtml;
    /** A sentence under the heading. */
    intro?: HtmlValue;
    state: FormState;
    /** Field name → id of its input, for the error summary's links. */
    ids: Readonly<Record<string, string>>;
    action: string;
    etag?: string | undefined;
    fields: HtmlValue;
    submit: string;
    cancel: string;
  },
): FastifyReply {
  return sendAdminPage(ctx, request, reply, {
    title: page.title,
    section: page.section,
    status: page.status,
    main: html`${page.trail}
<section class="panel form-panel" aria-labelledby="page-heading">
  <h1 id="page-heading">${page.title}</h1>${page.intro && html`
  ${page.intro}`}
  ${errorSummary(page.state, page.ids)}
  ${postForm(request, {
    action: page.action,
    etag: page.etag,
    novalidate: true,
    body: html`${page.fields}
    ${buttonRow(button(page.submit), { href: page.cancel })}`,
  })}
</section>`,
  });
}

/**
 * The page that asks before a destructive action (works without JavaScript): what will happen,
 * and a danger button posting the action (with the entity's tag) next to the way back. The
 * question heads the panel; or, given `name` (what the action is about), it heads the page and
 * the name heads the panel.
 */
export function confirmPage(
  ctx: AdminContext,
  request: FastifyRequest,
  reply: FastifyReply,
  page: {
    title: string;
    /** The question, when it is not the title. */
    question?: string | undefined;
    section: SectionId;
    trail?: SafeHtml | undefined;
    name?: string | undefined;
    explanation: HtmlValue;
    action: string;
    etag?: string | undefined;
    extra?: HtmlValue;
    button: string;
    cancel: string;
    cancelLabel?: string | undefined;
    state?: FormState | undefined;
    ids?: Readonly<Record<string, string>> | undefined;
    status?: number | undefined;
  },
): FastifyReply {
  const question = page.question ?? page.title;
  const form = postForm(request, {
    action: page.action,
    etag: page.etag,
    body: html`${page.extra}
    ${buttonRow(button(page.button, 'danger'), { href: page.cancel, label: page.cancelLabel })}`,
  });
  const main =
    page.name === undefined
      ? html`${page.trail}
<section class="panel danger confirm" aria-labelledby="page-heading">
  <h1 id="page-heading">${question}</h1>
  ${page.state && errorSummary(page.state, page.ids)}
  ${page.explanation}
  ${form}
</section>`
      : html`${page.trail && html`${page.trail}
`}${pageHead(question)}
<section class="panel danger" aria-labelledby="confirm-heading">
  <h2 id="confirm-heading">${page.name}</h2>
  ${page.state && errorSummary(page.state, page.ids)}
  ${page.explanation}
  ${form}
</section>`;
  return sendAdminPage(ctx, request, reply, { title: page.title, section: page.section, status: page.status, main });
}
