/**
 * Sign-in and sign-out. A sign-in always starts a new session (a new id from accounts.signIn), and
 * its failures say the same thing whether the address has an account or not.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.js';
import { SIGN_IN_FAILED } from '../../services/accounts.js';
import type { PortalContext } from './context.js';
import { EMPTY_FORM, button, csrfInput, errorSummary, hidden, input, statusMessage, type FormState } from '../web/components.js';
import { field, formOf } from '../web/form.js';
import { html } from '../web/html.js';
import { card, messagePage, seeOther, sendPage } from './render.js';
import { anonymousToken, clearSessionCookie, clientOf, setSessionCookie, stateOf } from './request-state.js';
import { noticeOf, queryParam, safeReturnTo } from './request-input.js';
import { route } from './routes.js';

const FIELD_IDS = { email: 'signin-email', password: 'signin-password' };

function signInPage(
  portal: PortalContext,
  request: FastifyRequest,
  reply: FastifyReply,
  options: { state: FormState; returnTo: string | undefined; notice?: string | undefined; status?: number },
): FastifyReply {
  const main = card(
    'Sign in',
    statusMessage(options.notice),
    errorSummary(options.state, FIELD_IDS),
    html`<form method="post" action="/signin">
  ${csrfInput(anonymousToken(request, portal.secure))}
  ${options.returnTo && hidden('returnTo', options.returnTo)}
  ${input({ id: FIELD_IDS.email, name: 'email', label: 'Email address', kind: 'email' }, options.state)}
  ${input({ id: FIELD_IDS.password, name: 'password', label: 'Password', kind: 'current-password' }, options.state)}
  <div class="actions">${button('Sign in')}</div>
</form>
<div class="links">
  <p><a href="/forgot-password">Forgot your password?</a></p>
  <p>New here? <a href="/signup">Sign up</a></p>
</div>`,
  );
  return sendPage(portal, request, reply, { title: 'Sign in', main, status: options.status });
}

export function registerSignInRoutes(app: FastifyInstance, portal: PortalContext): void {
  route(app, 'GET', '/signin', {}, async (request, reply) => {
    const returnTo = safeReturnTo(queryParam(request, 'returnTo'));
    if (stateOf(request).session) return seeOther(reply, returnTo ?? '/profile');
    const notice = noticeOf(request, ['activated', 'password-reset', 'email-changed', 'session-ended']);
    return signInPage(portal, request, reply, { state: EMPTY_FORM, returnTo, notice });
  });

  route(app, 'POST', '/signin', { csrf: 'anonymous' }, async (request, reply) => {
    const form = formOf(request.body);
    const email = field(form, 'email').trim();
    const password = field(form, 'password');
    const returnTo = safeReturnTo(field(form, 'returnTo'));
    const values = { email };
    const missing: Record<string, string> = {};
    if (email === '') missing.email = 'Enter your email address.';
    if (password === '') missing.password = 'Enter your password.';
    if (Object.keys(missing).length > 0) {
      return signInPage(portal, request, reply, { state: { values, errors: missing }, returnTo, status: 400 });
    }
    let sessionId: string;
    try {
      sessionId = await portal.accounts.signIn(email, password, clientOf(request));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const failure =
        error.code === 'SignInFailed'
          ? { status: 401, message: SIGN_IN_FAILED }
          : error.code === 'SignInLocked'
            ? { status: 429, message: error.message }
            : error.code === 'AccountNotActive'
              ? { status: 403, message: error.message }
              : undefined;
      if (!failure) throw error;
      return signInPage(portal, request, reply, { state: { values, errors: {}, message: failure.message }, returnTo, status: failure.status });
    }
    // The browser's previous session, if any, ends: one browser, one session.
    await portal.sessions.destroy(stateOf(request).sessionId);
    setSessionCookie(request, sessionId, portal.secure);
    return seeOther(reply, returnTo ?? '/profile');
  });

  // Single sign-on: the link from the management API's generateSsoUrl (a signed, ten-minute, single-use token).
  route(app, 'GET', '/signin-sso', {}, async (request, reply) => {
    let sessionId: string;
    try {
      sessionId = await portal.accounts.signInWithSso(queryParam(request, 'token').slice(0, 500), clientOf(request));
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'InvalidToken') throw error;
      return messagePage(portal, request, reply, {
        title: 'This sign-in link does not work',
        message: 'Sign-in links work once, for ten minutes. Ask for a new one, or sign in with your email and password.',
        role: 'alert',
        status: 401,
        next: html`<p><a href="/signin">Go to sign in</a></p>`,
      });
    }
    await portal.sessions.destroy(stateOf(request).sessionId);
    setSessionCookie(request, sessionId, portal.secure);
    return seeOther(reply, '/profile');
  });

  route(app, 'POST', '/signout', { csrf: 'session' }, async (request, reply) => {
    const state = stateOf(request);
    // Without a live session there is nothing to end; the browser forgets its dead cookie all the same.
    if (state.session) await portal.accounts.signOut(state.sessionId, state.session.user.id, clientOf(request));
    clearSessionCookie(request, portal.secure);
    return seeOther(reply, '/?notice=signed-out');
  });
}
