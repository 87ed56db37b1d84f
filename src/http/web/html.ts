/**
 * HTML that is escaped by default. Pages are built only with the `html` tagged template: every
 * interpolated string or number is escaped, so user data can never become markup. A fragment that
 * is already HTML is a SafeHtml (the result of another `html` template); `raw()` wraps a constant
 * of the code itself and must never be given data.
 */

import { escapeHtml } from '../../domain/escape-html.js';

export { escapeHtml };

/** A fragment of HTML that is safe to insert as it is. */
export class SafeHtml {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  toString(): string {
    return this.#value;
  }
}

/**
 * What a template accepts: text (escaped), numbers, safe fragments and lists of them; `false`,
 * `null` and `undefined` render nothing, so that `${condition && html`...`}` reads naturally.
 */
export type HtmlValue = SafeHtml | string | number | readonly HtmlValue[] | false | null | undefined;

function render(value: HtmlValue): string {
  if (value === false || value === null || value === undefined) return '';
  if (value instanceof SafeHtml) return value.toString();
  if (typeof value === 'number') return escapeHtml(String(value));
  if (typeof value === 'string') return escapeHtml(value);
  return value.map(render).join('');
}

export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** A constant of the code (a doctype, an inline SVG) as HTML. Never pass it anything that came from a request or the database. */
export function raw(constant: string): SafeHtml {
  return new SafeHtml(constant);
}
