/**
 * The pages behind emailed links: confirming a sign-up, accepting an invitation, confirming a new
 * email address, and asking for a new link. A GET never uses a token (mail scanners open links):
 * it shows a button, and the POST does the work.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.js';
import type { PortalContext } from './context.js';
import { BadFormError, field, formOf } from '../web/form.js';
import { EMPTY_FORM, button, csrfInput, errorSummary, hidden, input, type FormState } from '../web/components.js';
import { html } from '../web/html.js';
import { linkFailure, linkPage, linkProblemPage, postPasswordWithLink } from './links.js';
import { card, messagePage, seeOther, sendPage } from './render.js';
import { formErrors } from '../web/form-errors.js';
import { anonymousToken, clientOf, setSessionCookie, stateOf } from './request-state.js';
import { linkToken } from './request-input.js';
import { route } from './routes.js';
import { PASSWORD_HINT } from './signup-routes.js';

const INVITATION_IDS = { password: 'invitation-password', passwordConfirm: 'invitation-password-confirm' };

/** A page with one button that uses the link (POST), so that opening the link changes nothing. */
function confirmPage(
  portal: PortalContext,
  request: FastifyRequest,
  reply: FastifyReply,
  page: { title: string; text: string; action: string; label: string; token: string },
): FastifyReply {
  const main = card(
    page.title,
    html`<p>${page.text}</p>
<form method="post" action="${page.action}">
  ${csrfInput(anonymousToken(request, portal.secure))}
  ${hidden('token', page.token)}
  <div class="actions">${button(page.label)}</div>
</form>`,
  );
  return sendPage(portal, request, reply, { title: page.title, main });
}

function invitationPage(portal: PortalContext, request: FastifyRequest, reply: FastifyReply, token: string, state: FormState, status?: number): FastifyReply {
  const main = card(
    'Welcome, choose a password',
    html`<p>You were invited to the ${portal.organizationName} developer portal. Choose a password to activate your account.</p>`,
    errorSummary(state, INVITATION_IDS),
    html`<form method="post" action="/invitation">
  ${csrfInput(anonymousToken(request, portal.secure))}
  ${hidden('token', token)}
  ${input({ id: INVITATION_IDS.password, name: 'password', label: 'Password', kind: 'new-password', hint: PASSWORD_HINT }, state)}
  ${input({ id: INVITATION_IDS.passwordConfirm, name: 'passwordConfirm', label: 'Confirm password', kind: 'new-password' }, state)}
  <div class="actions">${button('Activate my account')}</div>
</form>`,
  );
  return sendPage(portal, request, reply, { title: 'Accept your invitation', main, status });
}

export function registerLinkRoutes(app: FastifyInstance, portal: PortalContext): void {
  // Sign-up confirmation.
  route(app, 'GET', '/confirm/signup', {}, async (request, reply) =>
    linkPage(portal, request, reply, 'signup', (rq, rp, token) =>
      confirmPage(portal, rq, rp, {
        title: 'Activate your account',
        text: 'One more step: activate your account to start using the developer portal.',
        action: '/confirm/signup',
        label: 'Activate my account',
        token,
      }),
    ),
  );

  route(app, 'POST', '/confirm/signup', { csrf: 'anonymous' }, async (request, reply) => {
    const token = field(formOf(request.body), 'token');
    try {
      await portal.accounts.confirmSignUp(linkToken(token) ?? '', clientOf(request));
    } catch (error) {
      const problem = await linkFailure(portal, error, token, 'signup');
      if (problem) return linkProblemPage(portal, request, reply, 'signup', problem, token);
      throw error;
    }
    return seeOther(reply, '/signin?notice=activated');
  });

  // Invitation: choose a password, and be signed in.
  route(app, 'GET', '/invitation', {}, async (request, reply) =>
    linkPage(portal, request, reply, 'invitation', (rq, rp, token) => invitationPage(portal, rq, rp, token, EMPTY_FORM)),
  );

  route(app, 'POST', '/invitation', { csrf: 'anonymous' }, async (request, reply) =>
    postPasswordWithLink(
      portal,
      request,
      reply,
      'invitation',
      (rq, rp, token, state, status) => invitationPage(portal, rq, rp, token, state, status),
      async (token, password) => {
        const sessionId = await portal.accounts.acceptInvitation(token, password, clientOf(request));
        await portal.sessions.destroy(stateOf(request).sessionId);
        setSessionCookie(request, sessionId, portal.secure);
        return seeOther(reply, '/profile');
      },
    ),
  );

  // Confirming a new email address (the link went to the new address).
  route(app, 'GET', '/confirm/email', {}, async (request, reply) =>
    linkPage(portal, request, reply, 'email-change', (rq, rp, token) =>
      confirmPage(portal, rq, rp, {
        title: 'Confirm your new email address',
        text: 'Confirm that this is the address you want to use for your developer account.',
        action: '/confirm/email',
        label: 'Confirm my new email address',
        token,
      }),
    ),
  );

  route(app, 'POST', '/confirm/email', { csrf: 'anonymous' }, async (request, reply) => {
    const token = field(formOf(request.body), 'token');
    try {
      await portal.accounts.confirmEmailChange(linkToken(token) ?? '', clientOf(request));
    } catch (error) {
      const problem = await linkFailure(portal, error, token, 'email-change');
      if (problem) return linkProblemPage(portal, request, reply, 'email-change', problem, token);
      if (error instanceof AppError && error.kind === 'validation') {
        return messagePage(portal, request, reply, {
          title: 'Your email address was not changed',
          message: formErrors(error, {}, {}).message ?? error.message,
          role: 'alert',
          status: 409,
          next: html`<p><a href="/profile">Go to your profile</a></p>`,
        });
      }
      throw error;
    }
    return seeOther(reply, stateOf(request).session ? '/profile?notice=email-changed' : '/signin?notice=email-changed');
  });

  // A new invitation or sign-up link, for an expired one.
  route(app, 'POST', '/resend', { csrf: 'anonymous' }, async (request, reply) => {
    const form = formOf(request.body);
    const purpose = field(form, 'purpose');
    if (purpose !== 'invitation' && purpose !== 'signup') throw new BadFormError();
    const token = linkToken(field(form, 'token'));
    if (token) await portal.accounts.resendLink(token, purpose, clientOf(request));
    return seeOther(reply, '/resend/sent');
  });

  route(app, 'GET', '/resend/sent', {}, async (request, reply) =>
    messagePage(portal, request, reply, {
      title: 'Check your email',
      message: 'If the account is still waiting, we sent a new link to its email address.',
      next: html`<p><a href="/">Go to the home page</a></p>`,
    }),
  );
}
