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
import { card, messagePage, sendPage } from './render.js';
import { seeOther } from '../web/notices.js';
import { anonymousToken, clientOf } from '../web/request-state.js';
import { page } from '../web/face.js';
import { PASSWORD_HINT, checkEmail } from './fields.js';

const FORGOT_IDS = { email: 'forgot-email' };
const RESET_IDS = { password: 'reset-password', passwordConfirm: 'reset-password-confirm' };

function forgotPage(portal: PortalContext, request: FastifyRequest, reply: FastifyReply, state: FormState, status?: number): FastifyReply {
  const main = card(
    'Forgot your password?',
    html`<p>Enter the email address of your account and we will send you a link to choose a new password.</p>`,
    errorSummary(state, FORGOT_IDS),
    html`<form method="post" action="/forgot-password">
  ${csrfInput(anonymousToken(request))}
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
  ${csrfInput(anonymousToken(request))}
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
  app.get('/forgot-password', page({}), async (request, reply) => forgotPage(portal, request, reply, EMPTY_FORM));

  app.post('/forgot-password', page({ csrf: 'anonymous' }), async (request, reply) => {
    const email = field(formOf(request.body), 'email').trim();
    const problem = checkEmail(email);
    if (problem) return forgotPage(portal, request, reply, { values: { email }, errors: { email: problem } }, 400);
    await portal.accounts.requestPasswordReset(email, clientOf(request));
    return seeOther(reply, '/forgot-password/sent');
  });

  app.get('/forgot-password/sent', page({}), async (request, reply) =>
    messagePage(portal, request, reply, {
      title: 'Check your email',
      message: 'If an account exists for that address, we sent a link to it. Follow the link to choose a new password.',
      next: html`<p><a href="/signin">Back to sign in</a></p>`,
    }),
  );

  app.get('/reset-password', page({}), async (request, reply) =>
    linkPage(portal, request, reply, 'password-reset', (rq, rp, token) => resetPage(portal, rq, rp, token, EMPTY_FORM)),
  );

  app.post('/reset-password', page({ csrf: 'anonymous' }), async (request, reply) =>
    postPasswordWithLink(
      portal,
      request,
      reply,
      'password-reset',
      (rq, rp, token, state, status) => resetPage(portal, rq, rp, token, state, status),
      async (token, password) => {
        await portal.accounts.resetPassword(token, password, clientOf(request));
        return seeOther(reply, '/signin', 'password-reset');
      },
    ),
  );
}
