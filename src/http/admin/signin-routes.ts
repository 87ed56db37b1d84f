/**
 * The admin UI's sign-in, sign-out and first-administrator setup. Sign-in is the portal's
 * (accounts.signIn: the same lockout, audit and answers that never tell whether an address has an
 * account) with the admin scope: only members of Administrators get a session, and it is an admin
 * session, in its own cookie.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.js';
import { EMPTY_FORM, button, card, csrfInput, errorSummary, hidden, input, statusMessage, type FormState } from '../web/components.js';
import { page } from '../web/face.js';
import { formErrors } from '../web/form-errors.js';
import { field, formOf } from '../web/form.js';
import { html } from '../web/html.js';
import { noticeText } from '../web/notices.js';
import { queryParam } from '../web/query.js';
import { anonymousToken, clearSessionCookie, clientOf, setSessionCookie, stateOf } from '../web/request-state.js';
import { localReturnTo } from '../web/return-to.js';
import { postSignIn, signInForm } from '../web/sign-in.js';
import type { AdminContext } from './context.js';
import { ADMIN_NOTICES } from './notices.js';
import { adminMessage, redirectWithNotice, sendAdminPage } from './render.js';

const SETUP_IDS = { firstName: 'setup-first-name', lastName: 'setup-last-name', email: 'setup-email', password: 'setup-password' };

function signInPage(
  ctx: AdminContext,
  request: FastifyRequest,
  reply: FastifyReply,
  options: { state: FormState; returnTo?: string | undefined; notice?: string | undefined; status?: number },
): FastifyReply {
  const main = card(
    'Sign in to the admin UI',
    statusMessage(options.notice),
    signInForm(request, '/admin/signin', options.state, options.returnTo),
    html`<div class="links"><p class="muted">Administrators only. Developers sign in on the <a href="/signin">developer portal</a>.</p></div>`,
  );
  return sendAdminPage(ctx, request, reply, { title: 'Sign in', main, status: options.status });
}

function setupPage(ctx: AdminContext, request: FastifyRequest, reply: FastifyReply, token: string, state: FormState, status?: number): FastifyReply {
  const main = card(
    'Create the first administrator',
    html`<p>This link works once. The account you create here signs in to the admin UI at <code>/admin</code>.</p>`,
    errorSummary(state, SETUP_IDS),
    html`<form method="post" action="/admin/setup">
  ${csrfInput(anonymousToken(request))}
  ${hidden('token', token)}
  ${input({ id: SETUP_IDS.firstName, name: 'firstName', label: 'First name', kind: 'given-name' }, state)}
  ${input({ id: SETUP_IDS.lastName, name: 'lastName', label: 'Last name', kind: 'family-name' }, state)}
  ${input({ id: SETUP_IDS.email, name: 'email', label: 'Email address', kind: 'email' }, state)}
  ${input({ id: SETUP_IDS.password, name: 'password', label: 'Password', kind: 'new-password', hint: 'At least 8 characters; not a common password.' }, state)}
  <div class="actions">${button('Create administrator')}</div>
</form>`,
  );
  return sendAdminPage(ctx, request, reply, { title: 'First administrator', main, status });
}

export function registerAdminSignInRoutes(app: FastifyInstance, ctx: AdminContext): void {
  app.get('/admin/signin', page({ auth: 'none' }), async (request, reply) => {
    const returnTo = localReturnTo(queryParam(request, 'returnTo'), ctx.face.cookiePath);
    if (stateOf(request).session) return redirectWithNotice(reply, returnTo ?? ctx.face.home);
    const notice = noticeText(request, ADMIN_NOTICES, ['signed-out', 'session-ended']);
    return signInPage(ctx, request, reply, { state: EMPTY_FORM, returnTo, notice });
  });

  app.post('/admin/signin', page({ auth: 'none', csrf: 'anonymous' }), async (request, reply) =>
    postSignIn(ctx.face, ctx, request, reply, (rq, rp, state, returnTo, status) => signInPage(ctx, rq, rp, { state, returnTo, status })),
  );

  app.post('/admin/signout', page(), async (request, reply) => {
    const state = stateOf(request);
    if (state.session) await ctx.accounts.signOut(state.sessionId, state.session.user.id, clientOf(request));
    clearSessionCookie(request);
    return redirectWithNotice(reply, '/admin/signin', 'signed-out');
  });

  app.get('/admin/setup', page({ auth: 'none' }), async (request, reply) => {
    const token = queryParam(request, 'token').slice(0, 200);
    const state = token ? await ctx.adminSetup.inspectSetupToken(token) : 'unknown';
    if (state !== 'valid' || !(await ctx.adminSetup.needsSetup())) {
      return adminMessage(ctx, request, reply, {
        title: 'This setup link does not work',
        message:
          'Setup links work once, for one hour, and only until the first administrator exists. Restart Tollgate for a new link, or sign in.',
        status: 410,
        back: '/admin/signin',
      });
    }
    return setupPage(ctx, request, reply, token, EMPTY_FORM);
  });

  app.post('/admin/setup', page({ auth: 'none', csrf: 'anonymous' }), async (request, reply) => {
    const form = formOf(request.body);
    const token = field(form, 'token').slice(0, 200);
    const values = { firstName: field(form, 'firstName').trim(), lastName: field(form, 'lastName').trim(), email: field(form, 'email').trim() };
    let sessionId: string;
    try {
      sessionId = await ctx.adminSetup.completeSetup(token, { ...values, password: field(form, 'password') }, clientOf(request));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      if (error.code === 'InvalidToken' || error.code === 'SetupDone') {
        return adminMessage(ctx, request, reply, { title: 'This setup link does not work', message: error.message, status: 410, back: '/admin/signin' });
      }
      const state = formErrors(error, values, { email: 'email', firstName: 'firstName', lastName: 'lastName', password: 'password' });
      return setupPage(ctx, request, reply, token, state, 400);
    }
    setSessionCookie(request, sessionId);
    return redirectWithNotice(reply, '/admin', 'welcome');
  });
}
