/**
 * Signing in with an email and a password, the same on every face: the form, its check, the call
 * to accounts.signIn with the face's session scope (the same lockout, audit and answers that never
 * tell whether an address has an account), a new session in the face's cookie, and the way back.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.js';
import { SIGN_IN_FAILED, type AccountService } from '../../services/accounts.js';
import type { SessionService } from '../../services/sessions.js';
import { button, csrfInput, errorSummary, hidden, input, type FormState } from './components.js';
import type { WebFace } from './face.js';
import { field, formOf } from './form.js';
import { html, type SafeHtml } from './html.js';
import { seeOther } from './notices.js';
import { anonymousToken, clientOf, setSessionCookie, stateOf } from './request-state.js';
import { localReturnTo } from './return-to.js';

export const SIGN_IN_FIELD_IDS = { email: 'signin-email', password: 'signin-password' };

/** The sign-in form (posting to `action`, with the way back), preceded by what went wrong. */
export function signInForm(request: FastifyRequest, action: string, state: FormState, returnTo: string | undefined): SafeHtml {
  return html`${errorSummary(state, SIGN_IN_FIELD_IDS)}
<form method="post" action="${action}">
  ${csrfInput(anonymousToken(request))}
  ${returnTo && hidden('returnTo', returnTo)}
  ${input({ id: SIGN_IN_FIELD_IDS.email, name: 'email', label: 'Email address', kind: 'email' }, state)}
  ${input({ id: SIGN_IN_FIELD_IDS.password, name: 'password', label: 'Password', kind: 'current-password' }, state)}
  <div class="actions">${button('Sign in')}</div>
</form>`;
}

/** How a sign-in page shows a refused sign-in; undefined for an error that is not about signing in. */
export function signInFailure(error: AppError): { status: number; message: string } | undefined {
  switch (error.code) {
    case 'SignInFailed':
      return { status: 401, message: SIGN_IN_FAILED };
    case 'SignInLocked':
      return { status: 429, message: error.message };
    case 'AccountNotActive':
    case 'NotAnAdministrator':
      return { status: 403, message: error.message };
    default:
      return undefined;
  }
}

export type SignInPage = (request: FastifyRequest, reply: FastifyReply, state: FormState, returnTo: string | undefined, status: number) => FastifyReply;

/**
 * The POST of a sign-in form: the two fields, then accounts.signIn for the face's scope; a refusal
 * is shown on the form again (`page`), a success ends the browser's previous session (one browser,
 * one session), sets the new one's cookie and goes back to `returnTo` or the face's home.
 */
export async function postSignIn(
  face: WebFace,
  services: { accounts: AccountService; sessions: SessionService },
  request: FastifyRequest,
  reply: FastifyReply,
  page: SignInPage,
): Promise<FastifyReply> {
  const form = formOf(request.body);
  const email = field(form, 'email').trim();
  const password = field(form, 'password');
  const returnTo = localReturnTo(field(form, 'returnTo'), face.cookiePath);
  const values = { email };
  const missing: Record<string, string> = {};
  if (email === '') missing.email = 'Enter your email address.';
  if (password === '') missing.password = 'Enter your password.';
  if (Object.keys(missing).length > 0) return page(request, reply, { values, errors: missing }, returnTo, 400);
  let sessionId: string;
  try {
    sessionId = await services.accounts.signIn(email, password, clientOf(request), face.scope);
  } catch (error) {
    const failure = error instanceof AppError ? signInFailure(error) : undefined;
    if (!failure) throw error;
    return page(request, reply, { values, errors: {}, message: failure.message }, returnTo, failure.status);
  }
  await services.sessions.destroy(stateOf(request).sessionId);
  setSessionCookie(request, sessionId);
  return seeOther(reply, returnTo ?? face.home);
}
