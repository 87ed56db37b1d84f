/**
 * A forgotten password: asking for a reset link (the answer never tells whether the address has an
 * account), and the page behind the link, which sets a new password and ends every session.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.js';
import type { PortalContext } from './context.js';
import { EMPTY_FORM, button, csrfInput, errorSummary, hidden, input, type FormState } from './components.js';
import { field, formOf } from './form.js';
import { html } from './html.js';
import { inspect, linkFailure, linkProblemPage } from './links.js';
import { card, formErrors, messagePage, seeOther, sendPage } from './render.js';
import { anonymousToken, clientOf } from './request-state.js';
import { linkToken, queryParam } from './request-input.js';
import { route } from './routes.js';
import { PASSWORD_HINT, checkEmail, checkNewPassword } from './signup-routes.js';

const FORGOT_IDS = { email: 'forgot-email' };
const RESET_IDS = { password: 'reset-password', passwordConfirm: 'reset-password-confirm' };

function forgotPage(portal: PortalContext, request: FastifyRequest, reply: FastifyReply, state: FormState, status?: number): FastifyReply {
  const main = card(
    'Forgot your password?',
    html`<p>Enter the email address of your account and we will send you a link to choose a new password.</p>`,
    errorSummary(state, FORGOT_IDS),
    html`<form method="post" action="/forgot-password">
  ${csrfInput(anonymousToken(request, portal.secure))}
  ${input({ id: FORGOT_IDS.email, name: 'email', label: 'Email address', kind: 'email' }, state)}
  <div class="actions">${button('Send me a link')}</div>
</form>
<div class="links"><p><a href="/signin">Back to sign in</a></p></div>`,
  );
  return sendPage(portal, request, reply, { title: 'Forgot your password?', main, status });
}

function resetPage(portal: PortalContext, request: FastifyRequest, reply: FastifyReply, token: string, state: FormState, status?: number): FastifyReply {
  const main = card(
    'Choose a new password',
    errorSummary(state, RESET_IDS),
    html`<form method="post" action="/reset-password">
  ${csrfInput(anonymousToken(request, portal.secure))}
  ${hidden('token', token)}
  ${input({ id: RESET_IDS.password, name: 'password', label: 'New password', kind: 'new-password', hint: PASSWORD_HINT }, state)}
  ${input({ id: RESET_IDS.passwordConfirm, name: 'passwordConfirm', label: 'Confirm new password', kind: 'new-password' }, state)}
  <p class="muted">Changing your password signs you out everywhere.</p>
  <div class="actions">${button('Change my password')}</div>
</form>`,
  );
  return sendPage(portal, request, reply, { title: 'Choose a new password', main, status });
}

export function registerPasswordRoutes(app: FastifyInstance, portal: PortalContext): void {
  route(app, 'GET', '/forgot-password', {}, async (request, reply) => forgotPage(portal, request, reply, EMPTY_FORM));

  route(app, 'POST', '/forgot-password', { csrf: 'anonymous' }, async (request, reply) => {
    const email = field(formOf(request.body), 'email').trim();
    const problem = checkEmail(email);
    if (problem) return forgotPage(portal, request, reply, { values: { email }, errors: { email: problem } }, 400);
    await portal.accounts.requestPasswordReset(email, clientOf(request));
    return seeOther(reply, '/forgot-password/sent');
  });

  route(app, 'GET', '/forgot-password/sent', {}, async (request, reply) =>
    messagePage(portal, request, reply, {
      title: 'Check your email',
      message: 'If an account exists for that address, we sent a link to it. Follow the link to choose a new password.',
      next: html`<p><a href="/signin">Back to sign in</a></p>`,
    }),
  );

  route(app, 'GET', '/reset-password', {}, async (request, reply) => {
    const token = queryParam(request, 'token');
    const state = await inspect(portal, token, 'password-reset');
    if (state !== 'valid') return linkProblemPage(portal, request, reply, 'password-reset', state, token);
    return resetPage(portal, request, reply, token, EMPTY_FORM);
  });

  route(app, 'POST', '/reset-password', { csrf: 'anonymous' }, async (request, reply) => {
    const form = formOf(request.body);
    const token = field(form, 'token');
    const password = field(form, 'password');
    const errors: Record<string, string> = {};
    checkNewPassword(password, field(form, 'passwordConfirm'), errors);
    if (Object.keys(errors).length > 0) {
      const state = await inspect(portal, token, 'password-reset');
      if (state !== 'valid') return linkProblemPage(portal, request, reply, 'password-reset', state, token);
      return resetPage(portal, request, reply, token, { values: {}, errors }, 400);
    }
    try {
      await portal.accounts.resetPassword(linkToken(token) ?? '', password, clientOf(request));
    } catch (error) {
      const problem = await linkFailure(portal, error, token, 'password-reset');
      if (problem) return linkProblemPage(portal, request, reply, 'password-reset', problem, token);
      if (error instanceof AppError && error.kind === 'validation') {
        return resetPage(portal, request, reply, token, formErrors(error, {}, { password: 'password' }), 400);
      }
      throw error;
    }
    return seeOther(reply, '/signin?notice=password-reset');
  });
}
