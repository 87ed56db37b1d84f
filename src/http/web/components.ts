/**
 * The building blocks of the forms: labelled inputs with their error next to them, the error
 * summary, status messages, and the hidden form token.
 */
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../domain/password-policy.js';
import { EMAIL_MAX, NAME_MAX } from '../../domain/user.js';
import { CSRF_FIELD } from './csrf.js';
import { html, type HtmlValue, type SafeHtml } from './html.js';

/** What a form shows again after a failed submission: the typed values (never passwords) and the errors. */
export interface FormState {
  values: Readonly<Record<string, string>>;
  /** Field name → message shown next to it. */
  errors: Readonly<Record<string, string>>;
  /** A message for the whole form (shown in the summary). */
  message?: string | undefined;
}

export const EMPTY_FORM: FormState = { values: {}, errors: {} };

export type FieldKind = 'email' | 'current-password' | 'new-password' | 'given-name' | 'family-name';

interface FieldOptions {
  /** Unique in the page (a page can hold several forms). */
  id: string;
  name: string;
  label: string;
  kind: FieldKind;
  hint?: string;
}

const INPUTS: Readonly<Record<FieldKind, { type: string; autocomplete: string; limits: SafeHtml }>> = {
  email: { type: 'email', autocomplete: 'email', limits: html`maxlength="${EMAIL_MAX}" spellcheck="false" autocapitalize="none"` },
  'current-password': { type: 'password', autocomplete: 'current-password', limits: html`maxlength="${PASSWORD_MAX_LENGTH * 4}"` },
  'new-password': {
    type: 'password',
    autocomplete: 'new-password',
    limits: html`minlength="${PASSWORD_MIN_LENGTH}" maxlength="${PASSWORD_MAX_LENGTH}"`,
  },
  'given-name': { type: 'text', autocomplete: 'given-name', limits: html`maxlength="${NAME_MAX}"` },
  'family-name': { type: 'text', autocomplete: 'family-name', limits: html`maxlength="${NAME_MAX}"` },
};

interface Described {
  /** Unique in the page. */
  id: string;
  name: string;
  hint?: string | undefined;
}

/**
 * A field's hint (before the control), its error (after it), and the control's attributes that
 * point at both: the one way every form control here is described to assistive technology.
 */
export function hintAndError(options: Described, error: string | undefined): { before: HtmlValue; after: HtmlValue; attrs: SafeHtml } {
  const hintId = options.hint ? `${options.id}-hint` : undefined;
  const errorId = error ? `${options.id}-error` : undefined;
  const ids = [hintId, errorId].filter((v): v is string => v !== undefined).join(' ');
  return {
    before: options.hint && html`<p class="hint" id="${hintId}">${options.hint}</p>`,
    after: error && html`<p class="field-error" id="${errorId}">${error}</p>`,
    attrs: html`${ids && html` aria-describedby="${ids}"`}${error && html` aria-invalid="true"`}`,
  };
}

/** A labelled input; a password input never shows a value back. */
export function input(options: FieldOptions, state: FormState): SafeHtml {
  const spec = INPUTS[options.kind];
  const error = state.errors[options.name];
  const isPassword = spec.type === 'password';
  const value = isPassword ? undefined : state.values[options.name];
  const p = hintAndError(options, error);
  return html`<div class="field">
  <label for="${options.id}">${options.label}</label>
  ${p.before}
  <input id="${options.id}" name="${options.name}" type="${spec.type}" autocomplete="${spec.autocomplete}" required ${spec.limits}${
    value !== undefined && value !== '' ? html` value="${value}"` : ''
  }${p.attrs}>
  ${p.after}
</div>`;
}

export function checkbox(options: { id: string; name: string; label: string }, state: FormState): SafeHtml {
  const error = state.errors[options.name];
  const errorId = `${options.id}-error`;
  return html`<div class="field">
  <div class="checkbox">
    <input id="${options.id}" name="${options.name}" type="checkbox" value="yes" required${error && html` aria-invalid="true" aria-describedby="${errorId}"`}>
    <label for="${options.id}">${options.label}</label>
  </div>
  ${error && html`<p class="field-error" id="${errorId}">${error}</p>`}
</div>`;
}

export function hidden(name: string, value: string): SafeHtml {
  return html`<input type="hidden" name="${name}" value="${value}">`;
}

export function csrfInput(token: string): SafeHtml {
  return hidden(CSRF_FIELD, token);
}

/**
 * The summary at the top of a form that failed: announced at once (role="alert"), with a link to
 * each field in error. `fieldIds` maps field names to the ids of their inputs.
 */
export function errorSummary(state: FormState, fieldIds: Readonly<Record<string, string>> = {}): SafeHtml | false {
  const entries = Object.entries(state.errors);
  if (!state.message && entries.length === 0) return false;
  const items = entries.map(([name, message]) => {
    const id = fieldIds[name];
    return id ? html`<li><a href="#${id}">${message}</a></li>` : html`<li>${message}</li>`;
  });
  return html`<div class="alert error" role="alert">
  <p>${state.message ?? 'Please correct the following:'}</p>
  ${items.length > 0 && html`<ul>${items}</ul>`}
</div>`;
}

export function statusMessage(message: string | undefined): SafeHtml | false {
  return message !== undefined && html`<div class="alert success" role="status"><p>${message}</p></div>`;
}

export function button(label: string, variant: 'primary' | 'secondary' | 'danger' = 'primary'): SafeHtml {
  return html`<button type="submit" class="${variant === 'primary' ? 'button' : `button ${variant}`}">${label}</button>`;
}

/** A page's content in a centered card, headed by the page's heading. */
export function card(heading: string, ...content: HtmlValue[]): SafeHtml {
  return html`<section class="card" aria-labelledby="page-heading">
  <h1 id="page-heading">${heading}</h1>
  ${content}
</section>`;
}

/** The Sign out button of a signed-in page's header: its own small form, with the session's token. */
export function signOutForm(action: string, formToken: string): SafeHtml {
  return html`<form method="post" action="${action}">
            ${csrfInput(formToken)}
            <button type="submit" class="link-button">Sign out</button>
          </form>`;
}
