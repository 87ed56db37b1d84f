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
import { card, messagePage, sendPage } from './render.js';
import { formErrors } from '../web/form-errors.js';
import { seeOther } from '../web/notices.js';
import { anonymousToken, clientOf, currentSession, setSessionCookie, stateOf } from '../web/request-state.js';
import { linkToken } from './request-input.js';
import { page } from '../web/face.js';
import { PASSWORD_HINT } from './fields.js';

const CHOOSE_PASSWORD_IDS = { password: 'choose-password', passwordConfirm: 'choose-password-confirm' };

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
  ${csrfInput(anonymousToken(request))}
  ${hidden('token', page.token)}
  <div class="actions">${button(page.label)}</div>
</form>`,
  );
  return sendPage(portal, request, reply, { title: page.title, main });
}

/**
 * The page behind an invitation or a sign-up link: choose a password, and the account is active
 * (and signed in). Only the mailbox's owner reaches it, so nobody else ever chooses the password.
 */
function choosePasswordPage(
  portal: PortalContext,
  request: FastifyRequest,
  reply: FastifyReply,
  which: { action: '/invitation' | '/confirm/signup'; title: string; heading: string; intro: string },
  token: string,
  state: FormState,
  status?: number,
): FastifyReply {
  const main = card(
    which.heading,
    html`<p>${which.intro}</p>`,
    errorSummary(state, CHOOSE_PASSWORD_IDS),
    html`<form method="post" action="${which.action}">
  ${csrfInput(anonymousToken(request))}
  ${hidden('token', token)}
  ${input({ id: CHOOSE_PASSWORD_IDS.password, name: 'password', label: 'Password', kind: 'new-password', hint: PASSWORD_HINT }, state)}
  ${input({ id: CHOOSE_PASSWORD_IDS.passwordConfirm, name: 'passwordConfirm', label: 'Confirm password', kind: 'new-password' }, state)}
  <div class="actions">${button('Activate my account')}</div>
</form>`,
  );
  return sendPage(portal, request, reply, { title: which.title, main, status });
}

export function registerLinkRoutes(app: FastifyInstance, portal: PortalContext): void {
  const pages = {
    signup: {
      action: '/confirm/signup',
      title: 'Activate your account',
      heading: 'Activate your account',
      intro: `One more step: choose the password of your ${portal.organizationName} developer account to activate it.`,
    },
    invitation: {
      action: '/invitation',
      title: 'Accept your invitation',
      heading: 'Welcome, choose a password',
      intro: `You were invited to the ${portal.organizationName} developer portal. Choose a password to activate your account.`,
    },
  } as const;

  /** The link's page, and its POST: a new password activates the account and signs the developer in. */
  for (const purpose of ['signup', 'invitation'] as const) {
    const which = pages[purpose];
    app.get(which.action, page({}), async (request, reply) =>
      linkPage(portal, request, reply, purpose, (rq, rp, token) => choosePasswordPage(portal, rq, rp, which, token, EMPTY_FORM)),
    );

    app.post(which.action, page({ csrf: 'anonymous' }), async (request, reply) =>
      postPasswordWithLink(
        portal,
        request,
        reply,
        purpose,
        (rq, rp, token, state, status) => choosePasswordPage(portal, rq, rp, which, token, state, status),
        async (token, password) => {
          const client = clientOf(request);
          const sessionId =
            purpose === 'signup' ? await portal.accounts.confirmSignUp(token, password, client) : await portal.accounts.acceptInvitation(token, password, client);
          await portal.sessions.destroy(stateOf(request).sessionId);
          setSessionCookie(request, sessionId);
          return seeOther(reply, portal.face.home, 'welcome');
        },
      ),
    );
  }

  // Confirming a new email address (the link went to the new address).
  app.get('/confirm/email', page({}), async (request, reply) =>
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

  app.post('/confirm/email', page({ csrf: 'anonymous' }), async (request, reply) => {
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
    return seeOther(reply, currentSession(request) ? '/profile' : '/signin', 'email-changed');
  });

  // A new invitation or sign-up link, for an expired one.
  app.post('/resend', page({ csrf: 'anonymous' }), async (request, reply) => {
    const form = formOf(request.body);
    const purpose = field(form, 'purpose');
    if (purpose !== 'invitation' && purpose !== 'signup') throw new BadFormError();
    const token = linkToken(field(form, 'token'));
    if (token) await portal.accounts.resendLink(token, purpose, clientOf(request));
    return seeOther(reply, '/resend/sent');
  });

  app.get('/resend/sent', page({}), async (request, reply) =>
    messagePage(portal, request, reply, {
      title: 'Check your email',
      message: 'If the account is still waiting, we sent a new link to its email address.',
      next: html`<p><a href="/">Go to the home page</a></p>`,
    }),
  );
}
