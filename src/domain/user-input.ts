/**
 * What a caller may send to create or change a user, as zod schemas shared by the management API,
 * the admin UI's forms and the portal's sign-up. Limits come from Azure's specification.
 */
import { z } from 'zod';
import { text } from './validate.js';
import { EMAIL_MAX, NAME_MAX, NOTE_MAX, USER_STATES } from './user.js';
import { isEmailAddress } from './email-address.js';
import { PASSWORD_MAX_LENGTH } from './password-policy.js';

/** An email address, trimmed. */
export const emailInput = text()
  .trim()
  .min(1, 'is required')
  .max(EMAIL_MAX, `must be at most ${EMAIL_MAX} characters`)
  .refine(isEmailAddress, 'is not a valid email address');
/** A first or last name, trimmed. */
export const nameInput = text().trim().min(1, 'is required').max(NAME_MAX, `must be at most ${NAME_MAX} characters`);
const email = emailInput;
const name = nameInput;
// The policy (length, common passwords) is checked by the service with the user's other fields; this only bounds the size.
const password = text().max(PASSWORD_MAX_LENGTH * 4, 'is too long');
const note = text().max(NOTE_MAX, `must be at most ${NOTE_MAX} characters`).nullable();
const state = z.enum(USER_STATES, { error: `must be one of ${USER_STATES.join(', ')}` });
export const IDENTITY_PROVIDERS = ['Basic', 'Azure', 'Aad', 'AadB2C', 'Microsoft', 'Facebook', 'Google', 'Twitter'] as const;
const identity = z.object({
  provider: text().min(1).max(100),
  id: text().min(1).max(EMAIL_MAX),
});
const identities = z
  .array(identity)
  .max(20, 'at most 20 identities')
  .refine((list) => new Set(list.map((i) => JSON.stringify([i.provider, i.id]))).size === list.length, 'must not repeat an identity')
  .nullable();
export const APP_TYPES = ['portal', 'developerPortal'] as const;
const appType = z.enum(APP_TYPES, { error: `must be one of ${APP_TYPES.join(', ')}` });

export const userCreateInput = z.object({
  email,
  firstName: name,
  lastName: name,
  password: password.optional(),
  state: state.optional(),
  note: note.optional(),
  identities: identities.optional(),
  appType: appType.optional(),
  confirmation: z.enum(['signup', 'invite'], { error: 'must be signup or invite' }).optional(),
});
export type UserCreateInput = z.output<typeof userCreateInput>;

export const userUpdateInput = z.object({
  email: email.optional(),
  firstName: name.optional(),
  lastName: name.optional(),
  password: password.optional(),
  state: state.optional(),
  note: note.optional(),
  identities: identities.optional(),
});
export type UserUpdateInput = z.output<typeof userUpdateInput>;

export const tokenInput = z.object({
  keyType: z.enum(['primary', 'secondary'], { error: 'must be primary or secondary' }).default('primary'),
  expiry: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time, e.g. 2026-01-31T00:00:00Z' }),
});
export type TokenInput = z.output<typeof tokenInput>;

/** A developer signing up on the portal: who they are; the password is chosen behind the emailed link. */
export const signUpInput = z.object({ email, firstName: name, lastName: name });
export type SignUpInput = z.input<typeof signUpInput>;
