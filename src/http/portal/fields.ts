/**
 * The checks the portal's forms make before calling a service, so that every problem of a form
 * shows at once, next to its field. The rules (lengths, what an email address is) are the
 * domain's (src/domain/user-input.ts): only the words asking for an empty field are the portal's.
 */
import type { z } from 'zod';
import { PASSWORD_MIN_LENGTH } from '../../domain/password-policy.js';
import { emailInput, nameInput } from '../../domain/user-input.js';
import { subscribeInput } from '../../domain/subscription-input.js';

import { sentence } from '../web/form-errors.js';

export const PASSWORD_HINT = `At least ${PASSWORD_MIN_LENGTH} characters. A phrase of a few unrelated words is easy to remember and hard to guess.`;

/** The field's problem: `empty` when nothing was typed, else the first rule of `schema` it breaks. */
function problemOf(schema: z.ZodType, value: string, empty: string): string | undefined {
  if (value.trim() === '') return empty;
  const result = schema.safeParse(value);
  return result.success ? undefined : sentence(result.error.issues[0]?.message ?? 'is not valid');
}

export function checkName(value: string, label: string): string | undefined {
  return problemOf(nameInput, value, `Enter your ${label}.`);
}

export function checkEmail(value: string): string | undefined {
  return problemOf(emailInput, value, 'Enter your email address.');
}

/** A new password and its confirmation: both typed, and the same. */
export function checkNewPassword(
  password: string,
  confirm: string,
  errors: Record<string, string>,
  names = { password: 'password', confirm: 'passwordConfirm' },
): void {
  if (password === '') errors[names.password] = 'Choose a password.';
  else if (confirm !== password) errors[names.confirm] = 'The two passwords do not match.';
}

export function checkSubscriptionName(value: string): string | undefined {
  return problemOf(subscribeInput.shape.displayName, value, 'Enter a name for the subscription.');
}
