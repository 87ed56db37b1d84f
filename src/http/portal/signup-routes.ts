/**
 * Self sign-up: the form (who you are), then "Check your email", the same page whether or not the
 * address already had an account (accounts.signUp changes nothing for a known address). The
 * password is chosen on the page behind the emailed link (link-routes.ts), so only the owner of
 * the mailbox can finish. Too many sign-ups from one address, or for one email, answer 429.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.js';
import type { PortalContext } from './context.js';
import { EMPTY_FORM, button, csrfInput, errorSummary, input, type FormState } from '../web/components.js';
import { page } from '../web/face.js';
import { field, formOf } from '../web/form.js';
import { formErrors } from '../web/form-errors.js';
import { html } from '../web/html.js';
import { seeOther } from '../web/notices.js';
import { anonymousToken, clientOf, currentSession } from '../web/request-state.js';
import { checkEmail, checkName } from './fields.js';
import { card, messagePage, sendPage } from './render.js';

const FIELD_IDS = {
  firstName: 'signup-first-name',
  lastName: 'signup-last-name',
  email: 'signup-email',
};

function signUpPage(portal: PortalContext, request: FastifyRequest, reply: FastifyReply, state: FormState, status?: number): FastifyReply {
  const main = card(
    'Sign up',
    html`<p>Tell us who you are. We will email you a link to choose your password and activate your account.</p>`,
    errorSummary(state, FIELD_IDS),
    html`<form method="post" action="/signup">
  ${csrfInput(anonymousToken(request))}
  ${input({ id: FIELD_IDS.firstName, name: 'firstName', label: 'First name', kind: 'given-name' }, state)}
  ${input({ id: FIELD_IDS.lastName, name: 'lastName', label: 'Last name', kind: 'family-name' }, state)}
  ${input({ id: FIELD_IDS.email, name: 'email', label: 'Email address', kind: 'email' }, state)}
  <div class="actions">${button('Create my account')}</div>
</form>
<div class="links"><p>Already have an account? <a href="/signin">Sign in</a></p></div>`,
  );
  return sendPage(portal, request, reply, { title: 'Sign up', main, status });
}

export function registerSignUpRoutes(app: FastifyInstance, portal: PortalContext): void {
  app.get('/signup', page({}), async (request, reply) => {
    if (currentSession(request)) return seeOther(reply, portal.face.home);
    return signUpPage(portal, request, reply, EMPTY_FORM);
  });

  app.post('/signup', page({ csrf: 'anonymous' }), async (request, reply) => {
    const form = formOf(request.body);
    const values = {
      firstName: field(form, 'firstName').trim(),
      lastName: field(form, 'lastName').trim(),
      email: field(form, 'email').trim(),
    };
    const errors: Record<string, string> = {};
    const problems = {
      firstName: checkName(values.firstName, 'first name'),
      lastName: checkName(values.lastName, 'last name'),
      email: checkEmail(values.email),
    };
    for (const [name, message] of Object.entries(problems)) if (message) errors[name] = message;
    if (Object.keys(errors).length > 0) return signUpPage(portal, request, reply, { values, errors }, 400);

    try {
      await portal.accounts.signUp(values, clientOf(request));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      // Two sign-ups for one address at once: the loser learns no more than anyone else would.
      if (error.kind === 'conflict') return seeOther(reply, '/signup/check-email');
      if (error.kind === 'too-many-requests') {
        return signUpPage(portal, request, reply, { values, errors: {}, message: 'Too many sign-ups. Try again in an hour.' }, 429);
      }
      if (error.kind !== 'validation') throw error;
      return signUpPage(portal, request, reply, formErrors(error, values, { firstName: 'firstName', lastName: 'lastName', email: 'email' }), 400);
    }
    return seeOther(reply, '/signup/check-email');
  });

  app.get('/signup/check-email', page({}), async (request, reply) =>
    messagePage(portal, request, reply, {
      title: 'Check your email',
      message:
        'We sent you an email with a link to choose your password and activate your account. Follow it to finish signing up. If it does not arrive within a few minutes, look in your spam folder.',
      next: html`<p><a href="/signin">Go to sign in</a></p>`,
    }),
  );
}
