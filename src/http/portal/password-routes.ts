/**
 * A forgotten password: asking for a reset link (the answer never tells whether the address has an
 * account), and the page behind the link, which sets a new password and ends every session.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PortalContext } from './context.js';
import { EMPTY_FORM, button, csrfInput, errorSummary, hidden, input, type FormState } from '../web/components.js';
import { field, formOf } from '../web/form.js';
import { html } from '../web/html.js';
import { linkPage, postPasswordWithLink } from './links.js';
import { card, messagePage, seeOther, sendPage } from './render.js';
import { anonymousToken, clientOf } from './request-state.js';
import { route } from './routes.js';
import { PASSWORD_HINT, checkEmail } from './signup-routes.js';

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

  route(app, 'GET', '/reset-password', {}, async (request, reply) =>
    linkPage(portal, request, reply, 'password-reset', (rq, rp, token) => resetPage(portal, rq, rp, token, EMPTY_FORM)),
  );

  route(app, 'POST', '/reset-password', { csrf: 'anonymous' }, async (request, reply) =>
    postPasswordWithLink(
      portal,
      request,
      reply,
      'password-reset',
      (rq, rp, token, state, status) => resetPage(portal, rq, rp, token, state, status),
      async (token, password) => {
        await portal.accounts.resetPassword(token, password, clientOf(request));
        return seeOther(reply, '/signin?notice=password-reset');
      },
    ),
  );
}
