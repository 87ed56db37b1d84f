/**
 * The admin UI's sign-in, sign-out and first-administrator setup. Sign-in is the portal's
 * (accounts.signIn: the same lockout, audit and answers that never tell whether an address has an
 * account) with the admin scope: only members of Administrators get a session, and it is an admin
 * session, in its own cookie.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.js';
import { SIGN_IN_FAILED } from '../../services/accounts.js';
import { EMPTY_FORM, button, csrfInput, errorSummary, hidden, input, statusMessage, type FormState } from '../web/components.js';
import { formErrors } from '../web/form-errors.js';
import { field, formOf } from '../web/form.js';
import { html } from '../web/html.js';
import { adminRoute, type AdminContext } from './context.js';
import { adminMessage } from './errors.js';
import { redirectWithNotice, sendAdminPage } from './render.js';
import { adminAnonymousToken, adminStateOf, clearAdminSessionCookie, clientOf, setAdminSessionCookie } from './state.js';

const SIGNIN_IDS = { email: 'signin-email', password: 'signin-password' };
const SETUP_IDS = { firstName: 'setup-first-name', lastName: 'setup-last-name', email: 'setup-email', password: 'setup-password' };

/** A local admin path to return to after sign-in, or undefined. */
export function safeAdminReturnTo(value: string): string | undefined {
  return /^\/admin(\/[A-Za-z0-9._~%!$&'()*+,;=:@/?-]*)?$/.test(value) && !value.includes('//') && value.length <= 500 ? value : undefined;
}

function narrow(heading: string, ...content: Parameters<typeof html>[1][]) {
  return html`<section class="card" aria-labelledby="page-heading">
  <h1 id="page-heading">${heading}</h1>
  ${content}
</section>`;
}

function signInPage(
  ctx: AdminContext,
  request: FastifyRequest,
  reply: FastifyReply,
  options: { state: FormState; returnTo?: string | undefined; notice?: string | undefined; status?: number },
): FastifyReply {
  const main = narrow(
    'Sign in to the admin UI',
    statusMessage(options.notice),
    errorSummary(options.state, SIGNIN_IDS),
    html`<form method="post" action="/admin/signin">
  ${csrfInput(adminAnonymousToken(request, ctx.secure))}
  ${options.returnTo && hidden('returnTo', options.returnTo)}
  ${input({ id: SIGNIN_IDS.email, name: 'email', label: 'Email address', kind: 'email' }, options.state)}
  ${input({ id: SIGNIN_IDS.password, name: 'password', label: 'Password', kind: 'current-password' }, options.state)}
  <div class="actions">${button('Sign in')}</div>
</form>
<div class="links"><p class="muted">Administrators only. Developers sign in on the <a href="/signin">developer portal</a>.</p></div>`,
  );
  return sendAdminPage(ctx, request, reply, { title: 'Sign in', main, status: options.status });
}

function setupPage(ctx: AdminContext, request: FastifyRequest, reply: FastifyReply, token: string, state: FormState, status?: number): FastifyReply {
  const main = narrow(
    'Create the first administrator',
    html`<p>This link works once. The account you create here signs in to the admin UI at <code>/admin</code>.</p>`,
    errorSummary(state, SETUP_IDS),
    html`<form method="post" action="/admin/setup">
  ${csrfInput(adminAnonymousToken(request, ctx.secure))}
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

const query = (request: FastifyRequest, name: string): string => {
  const value = (request.query as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
};

export function registerAdminSignInRoutes(app: FastifyInstance, ctx: AdminContext): void {
  app.get('/admin/signin', adminRoute({ auth: 'none' }), async (request, reply) => {
    const returnTo = safeAdminReturnTo(query(request, 'returnTo'));
    if (adminStateOf(request).session) return redirectWithNotice(reply, returnTo ?? '/admin');
    const notices: Record<string, string> = {
      'signed-out': 'You have signed out.',
      'session-ended': 'Your session ended. Sign in again.',
    };
    return signInPage(ctx, request, reply, { state: EMPTY_FORM, returnTo, notice: notices[query(request, 'notice')] });
  });

  app.post('/admin/signin', adminRoute({ auth: 'none', csrf: 'anonymous' }), async (request, reply) => {
    const form = formOf(request.body);
    const email = field(form, 'email').trim();
    const password = field(form, 'password');
    const returnTo = safeAdminReturnTo(field(form, 'returnTo'));
    const values = { email };
    const missing: Record<string, string> = {};
    if (email === '') missing.email = 'Enter your email address.';
    if (password === '') missing.password = 'Enter your password.';
    if (Object.keys(missing).length > 0) return signInPage(ctx, request, reply, { state: { values, errors: missing }, returnTo, status: 400 });
    let sessionId: string;
    try {
      sessionId = await ctx.accounts.signIn(email, password, clientOf(request), 'admin');
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const status: Record<string, number> = { SignInFailed: 401, SignInLocked: 429, AccountNotActive: 403, NotAnAdministrator: 403 };
      const code = status[error.code];
      if (code === undefined) throw error;
      const message = error.code === 'SignInFailed' ? SIGN_IN_FAILED : error.message;
      return signInPage(ctx, request, reply, { state: { values, errors: {}, message }, returnTo, status: code });
    }
    await ctx.sessions.destroy(adminStateOf(request).sessionId);
    setAdminSessionCookie(request, sessionId, ctx.secure);
    return redirectWithNotice(reply, returnTo ?? '/admin');
  });

  app.post('/admin/signout', adminRoute(), async (request, reply) => {
    const state = adminStateOf(request);
    if (state.session) await ctx.accounts.signOut(state.sessionId, state.session.user.id, clientOf(request));
    clearAdminSessionCookie(request, ctx.secure);
    return redirectWithNotice(reply, '/admin/signin?notice=signed-out');
  });

  app.get('/admin/setup', adminRoute({ auth: 'none' }), async (request, reply) => {
    const token = query(request, 'token').slice(0, 200);
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

  app.post('/admin/setup', adminRoute({ auth: 'none', csrf: 'anonymous' }), async (request, reply) => {
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
    setAdminSessionCookie(request, sessionId, ctx.secure);
    return redirectWithNotice(reply, '/admin', 'Welcome: you are the first administrator.');
  });
}
