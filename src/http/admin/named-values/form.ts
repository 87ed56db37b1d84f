/**
 * The named value form (new and edit): its fields, what was typed, and the input the service is
 * given. A secret's value is never put back in the form: editing one leaves the field empty, and
 * an empty field keeps the value as it is.
 */
import { namedValueCreateInput, namedValueUpdateInput, NAMED_VALUE_DISPLAY_NAME_MAX, NAMED_VALUE_VALUE_MAX, type NamedValueCreateInput, type NamedValueUpdateInput } from '../../../domain/named-value-input.js';
import { parseInput } from '../../../domain/validate.js';
import { NEW_ID_MAX } from '../../../services/entity-ids.js';
import type { NamedValueView } from '../../../services/named-values.js';
import { hintAndError, type FormState } from '../../web/components.js';
import { field, type FormFields } from '../../web/form.js';
import { html, type SafeHtml } from '../../web/html.js';
import { checkField, textField, ticked } from '../forms.js';

export const NAMED_VALUE_IDS = {
  id: 'named-value-id',
  displayName: 'named-value-name',
  value: 'named-value-value',
  secret: 'named-value-secret',
  tags: 'named-value-tags',
};

/** The service's error targets → the form's fields. */
export const NAMED_VALUE_TARGETS: Readonly<Record<string, string>> = {
  id: 'id',
  displayName: 'displayName',
  value: 'value',
  secret: 'secret',
  tags: 'tags',
  ...Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`tags.${i}`, 'tags'])),
};

export type NamedValueValues = Record<'displayName' | 'value' | 'secret' | 'tags', string> & Record<string, string>;

export function valuesOf(form: FormFields): NamedValueValues {
  return { displayName: field(form, 'displayName').trim(), value: field(form, 'value'), secret: ticked(form, 'secret'), tags: field(form, 'tags') };
}

/** The form of an existing named value: a secret's value left out. */
export function valuesOfNamedValue(v: NamedValueView): NamedValueValues {
  return { displayName: v.displayName, value: v.secret ? '' : (v.value ?? ''), secret: v.secret ? 'yes' : '', tags: v.tags.join(', ') };
}

function tagsOf(text: string): string[] {
  return text
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
}

export function createInputOf(v: NamedValueValues): NamedValueCreateInput {
  return parseInput(namedValueCreateInput, { displayName: v.displayName, value: v.value, secret: v.secret === 'yes', tags: tagsOf(v.tags) });
}

/** An edit: a secret's empty value field keeps its value. */
export function updateInputOf(v: NamedValueValues, existing: NamedValueView): NamedValueUpdateInput {
  const keep = existing.secret && v.value === '';
  return parseInput(namedValueUpdateInput, {
    displayName: v.displayName,
    ...(keep ? {} : { value: v.value }),
    secret: v.secret === 'yes',
    tags: tagsOf(v.tags),
  });
}

function valueField(state: FormState, existingSecret: boolean): SafeHtml {
  const hint = existingSecret
    ? 'The value is secret and not shown. Leave the field empty to keep it, or type a new one.'
    : 'Policies name it as {{name}}; the gateway puts the value in its place.';
  const p = hintAndError({ id: NAMED_VALUE_IDS.value, name: 'value', hint }, state.errors.value);
  return html`<div class="field">
  <label for="${NAMED_VALUE_IDS.value}">Value${existingSecret && html` <span class="optional">(optional)</span>`}</label>
  ${p.before}
  <textarea id="${NAMED_VALUE_IDS.value}" name="value" rows="3" maxlength="${NAMED_VALUE_VALUE_MAX}" spellcheck="false" autocomplete="off" autocapitalize="off" class="named-value-input"${p.attrs}>
${state.values.value ?? ''}</textarea>
  ${p.after}
</div>`;
}

export function namedValueFields(state: FormState, options: { creating: boolean; existingSecret: boolean }): SafeHtml {
  return html`${textField(
    {
      id: NAMED_VALUE_IDS.displayName,
      name: 'displayName',
      label: 'Name',
      hint: 'Letters, digits, periods, dashes and underscores: what policies write between {{ and }}.',
      required: true,
      maxlength: NAMED_VALUE_DISPLAY_NAME_MAX,
      code: true,
    },
    state,
  )}
${
  options.creating &&
  textField(
    { id: NAMED_VALUE_IDS.id, name: 'id', label: 'Id', hint: 'Used in addresses and by the management API. Leave empty to derive it from the name.', maxlength: NEW_ID_MAX, code: true },
    state,
  )
}
${valueField(state, options.existingSecret)}
${checkField({ id: NAMED_VALUE_IDS.secret, name: 'secret', label: 'Secret', hint: 'Sealed at rest, and shown nowhere but by an explicit Show value.' }, state)}
${textField({ id: NAMED_VALUE_IDS.tags, name: 'tags', label: 'Tags', hint: 'Separated by commas.', maxlength: 8 * 1024 }, state)}`;
}
