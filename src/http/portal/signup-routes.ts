/**
 * Self sign-up: the form, then "Check your email", the same page whether or not the address
 * already had an account (accounts.signUp creates nothing and sends nothing for a known address).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.js';
import { EMAIL_MAX, NAME_MAX } from '../../domain/user.js';
import { PASSWORD_MIN_LENGTH, checkPassword } from '../../domain/password-policy.js';
import type { PortalContext } from './context.js';
import { EMPTY_FORM, button, csrfInput, errorSummary, input, type FormState } from '../web/components.js';
import { field, formOf } from '../web/form.js';
import { html } from '../web/html.js';
import { card, messagePage, seeOther, sendPage } from './render.js';
import { formErrors, sentence } from '../web/form-errors.js';
import { anonymousToken, clientOf, stateOf } from './request-state.js';
import { route } from './routes.js';

const FIELD_IDS = {
  firstName: 'signup-first-name',
  lastName: 'signup-last-name',
  email: 'signup-email',
  password: 'signup-password',
  passwordConfirm: 'signup-password-confirm',
};

export const PASSWORD_HINT = `At least ${PASSWORD_MIN_LENGTH} characters. A phrase of a few unrelated words is easy to remember and hard to guess.`;

function signUpPage(portal: PortalContext, request: FastifyRequest, reply: FastifyReply, state: FormState, status?: number): FastifyReply {
  const main = card(
    'Sign up',
    errorSummary(state, FIELD_IDS),
    html`<form method="post" action="/signup">
  ${csrfInput(anonymousToken(request, portal.secure))}
  ${input({ id: FIELD_IDS.firstName, name: 'firstName', label: 'First name', kind: 'given-name' }, state)}
  ${input({ id: FIELD_IDS.lastName, name: 'lastName', label: 'Last name', kind: 'family-name' }, state)}
  ${input({ id: FIELD_IDS.email, name: 'email', label: 'Email address', kind: 'email' }, state)}
  ${input({ id: FIELD_IDS.password, name: 'password', label: 'Password', kind: 'new-password', hint: PASSWORD_HINT }, state)}
  ${input({ id: FIELD_IDS.passwordConfirm, name: 'passwordConfirm', label: 'Confirm password', kind: 'new-password' }, state)}
  <div class="actions">${button('Create my account')}</div>
</form>
<div class="links"><p>Already have an account? <a href="/signin">Sign in</a></p></div>`,
  );
  return sendPage(portal, request, reply, { title: 'Sign up', main, status });
}

/** Checks a name field: required, bounded. */
export function checkName(value: string, label: string): string | undefined {
  if (value === '') return `Enter your ${label}.`;
  if (value.length > NAME_MAX) return `Your ${label} must be at most ${NAME_MAX} characters.`;
  return undefined;
}

export function checkEmail(value: string): string | undefined {
  if (value === '') return 'Enter your email address.';
  if (value.length > EMAIL_MAX) return `An email address has at most ${EMAIL_MAX} characters.`;
  return undefined;
}

export function checkNewPassword(password: string, confirm: string, errors: Record<string, string>, names = { password: 'password', confirm: 'passwordConfirm' }): void {
  if (password === '') errors[names.password] = 'Choose a password.';
  else if (confirm !== password) errors[names.confirm] = 'The two passwords do not match.';
}

export function registerSignUpRoutes(app: FastifyInstance, portal: PortalContext): void {
  route(app, 'GET', '/signup', {}, async (request, reply) => {
    if (stateOf(request).session) return seeOther(reply, '/profile');
    return signUpPage(portal, request, reply, EMPTY_FORM);
  });

  route(app, 'POST', '/signup', { csrf: 'anonymous' }, async (request, reply) => {
    const form = formOf(request.body);
    const values = {
      firstName: field(form, 'firstName').trim(),
      lastName: field(form, 'lastName').trim(),
      email: field(form, 'email').trim(),
    };
    const password = field(form, 'password');
    const errors: Record<string, string> = {};
    const problems = {
      firstName: checkName(values.firstName, 'first name'),
      lastName: checkName(values.lastName, 'last name'),
      email: checkEmail(values.email),
    };
    for (const [name, message] of Object.entries(problems)) if (message) errors[name] = message;
    checkNewPassword(password, field(form, 'passwordConfirm'), errors);
    if (password !== '' && errors.password === undefined) {
      // The policy now, so that every problem of the form shows at once (the service checks it again).
      try {
        checkPassword(password, values);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        errors.password = formErrors(error, {}, { password: 'password' }).errors.password ?? sentence(error.message);
      }
    }
    if (Object.keys(errors).length > 0) return signUpPage(portal, request, reply, { values, errors }, 400);

    try {
      await portal.accounts.signUp({ ...values, password }, clientOf(request));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      // Two sign-ups for one address at once: the loser learns no more than anyone else would.
      if (error.kind === 'conflict') return seeOther(reply, '/signup/check-email');
      if (error.kind !== 'validation') throw error;
      const state = formErrors(error, values, { firstName: 'firstName', lastName: 'lastName', email: 'email', password: 'password' });
      return signUpPage(portal, request, reply, state, 400);
    }
    return seeOther(reply, '/signup/check-email');
  });

  route(app, 'GET', '/signup/check-email', {}, async (request, reply) =>
    messagePage(portal, request, reply, {
      title: 'Check your email',
      message:
        'We sent you an email with a link to activate your account. Follow it to finish signing up. If it does not arrive within a few minutes, look in your spam folder.',
      next: html`<p><a href="/signin">Go to sign in</a></p>`,
    }),
  );
}
