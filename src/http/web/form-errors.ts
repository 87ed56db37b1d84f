/**
 * Turning a service's AppError into a form's errors (portal and admin UI alike).
 */
import type { AppError } from '../../domain/errors.js';
import type { FormState } from './components.js';

/** A service message about a field reads as a sentence: "is not a valid email address" → "This is not a valid email address." */
export function sentence(message: string): string {
  const text = /^[a-z]/.test(message) ? `This ${message}` : message;
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/**
 * The errors of a form from an AppError: details whose `target` is a field of the form (`targets`
 * maps a service's target to the form's field name) go next to that field; the others, and the
 * error's message when it has no details, go to the summary.
 */
export function formErrors(error: AppError, values: Record<string, string>, targets: Readonly<Record<string, string>>): FormState {
  const errors: Record<string, string> = {};
  const others: string[] = [];
  for (const detail of error.details) {
    const name = detail.target !== undefined ? targets[detail.target] : undefined;
    if (name !== undefined && errors[name] === undefined) errors[name] = sentence(detail.message);
    else others.push(sentence(detail.message));
  }
  if (error.details.length === 0) others.push(sentence(error.message));
  return { values, errors, message: others.length > 0 ? others.join(' ') : undefined };
}
