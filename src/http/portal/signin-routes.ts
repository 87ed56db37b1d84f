/**
 * Sign-in and sign-out. A sign-in always starts a new session (a new id from accounts.signIn), and
 * its failures say the same thing whether the address has an account or not.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.js';
import type { PortalContext } from './context.js';
import { EMPTY_FORM, statusMessage, type FormState } from '../web/components.js';
import { page } from '../web/face.js';
import { html } from '../web/html.js';
import { noticeText, seeOther } from '../web/notices.js';
import { queryParam } from '../web/query.js';
import { clearSessionCookie, clientOf, currentSession, setSessionCookie, stateOf } from '../web/request-state.js';
import { localReturnTo } from '../web/return-to.js';
import { postSignIn, signInForm } from '../web/sign-in.js';
import { card, messagePage, sendPage } from './render.js';
import { PORTAL_NOTICES } from './notices.js';

function signInPage(
  portal: PortalContext,
  request: FastifyRequest,
  reply: FastifyReply,
  options: { state: FormState; returnTo: string | undefined; notice?: string | undefined; status?: number },
): FastifyReply {
  const main = card(
    'Sign in',
    statusMessage(options.notice),
    signInForm(request, '/signin', options.state, options.returnTo),
    html`<div class="links">
  <p><a href="/forgot-password">Forgot your password?</a></p>
  <p>New here? <a href="/signup">Sign up</a></p>
</div>`,
  );
  return sendPage(portal, request, reply, { title: 'Sign in', main, status: options.status });
}

export function registerSignInRoutes(app: FastifyInstance, portal: PortalContext): void {
  app.get('/signin', page({}), async (request, reply) => {
    const returnTo = localReturnTo(queryParam(request, 'returnTo'));
    if (currentSession(request)) return seeOther(reply, returnTo ?? portal.face.home);
    const notice = noticeText(request, PORTAL_NOTICES, ['password-reset', 'email-changed', 'session-ended']);
    return signInPage(portal, request, reply, { state: EMPTY_FORM, returnTo, notice });
  });

  app.post('/signin', page({ csrf: 'anonymous' }), async (request, reply) =>
    postSignIn(portal.face, portal, request, reply, (rq, rp, state, returnTo, status) => signInPage(portal, rq, rp, { state, returnTo, status })),
  );

  // Single sign-on: the link from the management API's generateSsoUrl (a signed, ten-minute, single-use token).
  app.get('/signin-sso', page({}), async (request, reply) => {
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
    setSessionCookie(request, sessionId);
    return seeOther(reply, portal.face.home);
  });

  app.post('/signout', page({ csrf: 'session-if-signed-in' }), async (request, reply) => {
    const state = stateOf(request);
    // Without a live session there is nothing to end; the browser forgets its dead cookie all the same.
    if (state.session) await portal.accounts.signOut(state.sessionId, state.session.user.id, clientOf(request));
    clearSessionCookie(request);
    return seeOther(reply, '/', 'signed-out');
  });
}
