/**
 * The pages an email link leads to when it cannot be used: expired (with a way to get a new one),
 * already used, or unknown. And reading which of these a failed use was.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.js';
import { TokenError, type TokenPurpose, type TokenState } from '../../services/tokens.js';
import type { PortalContext } from './context.js';
import { button, csrfInput, hidden } from '../web/components.js';
import { html, type SafeHtml } from '../web/html.js';
import { messagePage } from './render.js';
import { anonymousToken } from '../web/request-state.js';
import { linkToken } from './request-input.js';
import { queryParam } from '../web/query.js';
import type { FormState } from '../web/components.js';
import { field, formOf } from '../web/form.js';
import { formErrors } from '../web/form-errors.js';
import { checkNewPassword } from './fields.js';

export type LinkProblem = Exclude<TokenState, 'valid'>;

/** What a link is worth, without using it. An absent or absurd token is simply unknown. */
export async function inspect(portal: PortalContext, token: string, purpose: TokenPurpose): Promise<TokenState> {
  const value = linkToken(token);
  return value ? portal.accounts.inspectLink(value, purpose) : 'unknown';
}

/**
 * Why using a link failed, when the failure is about the link: a TokenError says; the services'
 * generic "This link is not valid" (InvalidToken) is looked at again. Undefined for other errors.
 */
export async function linkFailure(portal: PortalContext, error: unknown, token: string, purpose: TokenPurpose): Promise<LinkProblem | undefined> {
  if (error instanceof TokenError) return error.state;
  if (error instanceof AppError && error.code === 'InvalidToken') {
    const state = await inspect(portal, token, purpose);
    return state === 'valid' ? 'unknown' : state;
  }
  return undefined;
}

const STATUS: Readonly<Record<LinkProblem, number>> = { expired: 410, used: 410, unknown: 404 };
const MESSAGES: Readonly<Record<LinkProblem, string>> = {
  expired: 'Links in our emails work for a limited time, for your safety, and this one is past it. You can get a new one below.',
  used: 'Each link in our emails works once, and this one has been used already. If that was you, you are all set.',
  unknown: 'This link is not valid. Check that you copied the whole address from the email.',
};

function resendForm(request: FastifyRequest, token: string, purpose: 'invitation' | 'signup', label: string): SafeHtml {
  return html`<form method="post" action="/resend">
  ${csrfInput(anonymousToken(request))}
  ${hidden('token', token)}
  ${hidden('purpose', purpose)}
  <div class="actions">${button(label)}</div>
</form>`;
}

const SIGN_IN = html`<p><a href="/signin">Go to sign in</a></p>`;

function nextStep(request: FastifyRequest, purpose: TokenPurpose, problem: LinkProblem, token: string): SafeHtml {
  switch (purpose) {
    case 'signup':
      if (problem === 'expired') return html`${resendForm(request, token, 'signup', 'Send me a new link')}${SIGN_IN}`;
      return SIGN_IN;
    case 'invitation':
      if (problem === 'expired') return html`${resendForm(request, token, 'invitation', 'Send me a new invitation')}${SIGN_IN}`;
      return SIGN_IN;
    case 'password-reset':
      if (problem === 'used') return html`${SIGN_IN}<p><a href="/forgot-password">Request a new password reset link</a></p>`;
      return html`<p class="actions"><a class="button" href="/forgot-password">Request a new link</a></p>`;
    case 'email-change':
      return html`<p>To change your email address, request the change again from <a href="/profile">your profile</a>.</p>`;
    case 'sso':
    case 'admin-setup':
      return SIGN_IN;
  }
}

export function linkProblemPage(
  portal: PortalContext,
  request: FastifyRequest,
  reply: FastifyReply,
  purpose: TokenPurpose,
  problem: LinkProblem,
  token: string,
): FastifyReply {
  const title = problem === 'expired' ? 'This link has expired' : problem === 'used' ? 'This link has already been used' : 'This link is not valid';
  return messagePage(portal, request, reply, {
    title,
    message: MESSAGES[problem],
    role: 'alert',
    status: STATUS[problem],
    next: nextStep(request, purpose, problem, linkToken(token) ?? ''),
  });
}

/** Renders the page behind a usable link. */
export type LinkPageRenderer = (request: FastifyRequest, reply: FastifyReply, token: string) => FastifyReply | Promise<FastifyReply>;

/**
 * The GET behind an email link: the page for a usable link, the problem page (expired, used,
 * unknown) otherwise. The token is only looked at here; it is used by the page's POST.
 */
export async function linkPage(
  portal: PortalContext,
  request: FastifyRequest,
  reply: FastifyReply,
  purpose: TokenPurpose,
  render: LinkPageRenderer,
): Promise<FastifyReply> {
  const token = queryParam(request, 'token');
  const state = await inspect(portal, token, purpose);
  if (state !== 'valid') return linkProblemPage(portal, request, reply, purpose, state, token);
  return render(request, reply, token);
}

/** A page that asks for a new password with a link, shown again with errors. */
export type PasswordFormRenderer = (request: FastifyRequest, reply: FastifyReply, token: string, state: FormState, status?: number) => FastifyReply;

/**
 * The POST of a new password with a link (invitation, reset): checks the two fields, runs `use`
 * with the token and the password, and answers a broken link or a refused password the same way
 * on both pages. `use` returns the reply of a success.
 */
export async function postPasswordWithLink(
  portal: PortalContext,
  request: FastifyRequest,
  reply: FastifyReply,
  purpose: TokenPurpose,
  page: PasswordFormRenderer,
  use: (token: string, password: string) => Promise<FastifyReply>,
): Promise<FastifyReply> {
  const form = formOf(request.body);
  const token = field(form, 'token');
  const password = field(form, 'password');
  const errors: Record<string, string> = {};
  checkNewPassword(password, field(form, 'passwordConfirm'), errors);
  if (Object.keys(errors).length > 0) {
    const state = await inspect(portal, token, purpose);
    if (state !== 'valid') return linkProblemPage(portal, request, reply, purpose, state, token);
    return page(request, reply, token, { values: {}, errors }, 400);
  }
  try {
    return await use(linkToken(token) ?? '', password);
  } catch (error) {
    const problem = await linkFailure(portal, error, token, purpose);
    if (problem) return linkProblemPage(portal, request, reply, purpose, problem, token);
    if (error instanceof AppError && error.kind === 'validation') {
      return page(request, reply, token, formErrors(error, {}, { password: 'password' }), 400);
    }
    throw error;
  }
}
