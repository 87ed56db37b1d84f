/**
 * The signed-in developer's profile: who they are, and three forms — change the password, change
 * the email address (confirmed by a link sent to the new one), close the account.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.js';
import type { ActiveSession } from '../../services/sessions.js';
import type { PortalContext } from './context.js';
import { EMPTY_FORM, button, checkbox, csrfInput, errorSummary, input, statusMessage, type FormState } from '../web/components.js';
import { sessionFormToken } from '../web/csrf.js';
import { field, formOf } from '../web/form.js';
import { html } from '../web/html.js';
import { sendPage } from './render.js';
import { formErrors } from '../web/form-errors.js';
import { noticeText, seeOther } from '../web/notices.js';
import { clearSessionCookie, clientOf, sessionOf } from '../web/request-state.js';
import { PORTAL_NOTICES } from './notices.js';
import { page } from '../web/face.js';
import { PASSWORD_HINT, checkEmail, checkNewPassword } from './fields.js';

const PASSWORD_IDS = { currentPassword: 'password-current', newPassword: 'password-new', newPasswordConfirm: 'password-new-confirm' };
const EMAIL_IDS = { email: 'email-new', currentPassword: 'email-current-password' };
const CLOSE_IDS = { currentPassword: 'close-current-password', confirm: 'close-confirm' };

const STATE_LABELS: Readonly<Record<string, string>> = { active: 'Active', pending: 'Waiting for confirmation', blocked: 'Blocked', deleted: 'Closed' };

interface ProfileForms {
  password?: FormState;
  email?: FormState;
  close?: FormState;
}

function formatDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleDateString('en-US', { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });
}

function profilePage(
  portal: PortalContext,
  request: FastifyRequest,
  reply: FastifyReply,
  session: ActiveSession,
  forms: ProfileForms,
  options: { notice?: string | undefined; status?: number } = {},
): FastifyReply {
  const user = session.user;
  const token = csrfInput(sessionFormToken(session.csrfSecret));
  const passwordForm = forms.password ?? EMPTY_FORM;
  const emailForm = forms.email ?? EMPTY_FORM;
  const closeForm = forms.close ?? EMPTY_FORM;
  const main = html`<section class="card wide" aria-labelledby="page-heading">
  <h1 id="page-heading">Your profile</h1>
  ${statusMessage(options.notice)}
  <dl class="details">
    <dt>Name</dt><dd>${user.first_name} ${user.last_name}</dd>
    <dt>Email address</dt><dd>${user.email}</dd>
    <dt>Registered</dt><dd><time datetime="${user.registration_date}">${formatDate(user.registration_date)}</time></dd>
    <dt>State</dt><dd>${STATE_LABELS[user.state] ?? user.state}</dd>
  </dl>
</section>
<section class="card wide" aria-labelledby="password-heading">
  <h2 id="password-heading">Change your password</h2>
  ${errorSummary(passwordForm, PASSWORD_IDS)}
  <form method="post" action="/profile/password">
    ${token}
    ${input({ id: PASSWORD_IDS.currentPassword, name: 'currentPassword', label: 'Current password', kind: 'current-password' }, passwordForm)}
    ${input({ id: PASSWORD_IDS.newPassword, name: 'newPassword', label: 'New password', kind: 'new-password', hint: PASSWORD_HINT }, passwordForm)}
    ${input({ id: PASSWORD_IDS.newPasswordConfirm, name: 'newPasswordConfirm', label: 'Confirm new password', kind: 'new-password' }, passwordForm)}
    <div class="actions">${button('Change my password')}</div>
  </form>
</section>
<section class="card wide" aria-labelledby="email-heading">
  <h2 id="email-heading">Change your email address</h2>
  <p class="muted">We will send a confirmation link to the new address; the change happens when you follow it.</p>
  ${errorSummary(emailForm, EMAIL_IDS)}
  <form method="post" action="/profile/email">
    ${token}
    ${input({ id: EMAIL_IDS.email, name: 'email', label: 'New email address', kind: 'email' }, emailForm)}
    ${input({ id: EMAIL_IDS.currentPassword, name: 'currentPassword', label: 'Current password', kind: 'current-password' }, emailForm)}
    <div class="actions">${button('Send a confirmation link')}</div>
  </form>
</section>
<section class="card wide" aria-labelledby="close-heading">
  <h2 id="close-heading">Close your account</h2>
  <p class="muted">Closing your account signs you out and cannot be undone.</p>
  ${errorSummary(closeForm, CLOSE_IDS)}
  <form method="post" action="/profile/close">
    ${token}
    ${input({ id: CLOSE_IDS.currentPassword, name: 'currentPassword', label: 'Current password', kind: 'current-password' }, closeForm)}
    ${checkbox({ id: CLOSE_IDS.confirm, name: 'confirm', label: 'I understand that my account will be closed for good.' }, closeForm)}
    <div class="actions">${button('Close my account', 'danger')}</div>
  </form>
</section>`;
  return sendPage(portal, request, reply, { title: 'Your profile', main, status: options.status });
}

const required = (value: string, message: string, name: string, errors: Record<string, string>) => {
  if (value === '') errors[name] = message;
};

export function registerProfileRoutes(app: FastifyInstance, portal: PortalContext): void {
  const signedIn = { auth: 'required', csrf: 'session' } as const;

  app.get('/profile', page({ auth: 'required' }), async (request, reply) => {
    const notice = noticeText(request, PORTAL_NOTICES, ['password-changed', 'email-sent', 'email-changed', 'welcome']);
    return profilePage(portal, request, reply, sessionOf(request), {}, { notice });
  });

  app.post('/profile/password', page(signedIn), async (request, reply) => {
    const session = sessionOf(request);
    const form = formOf(request.body);
    const current = field(form, 'currentPassword');
    const next = field(form, 'newPassword');
    const errors: Record<string, string> = {};
    required(current, 'Enter your current password.', 'currentPassword', errors);
    checkNewPassword(next, field(form, 'newPasswordConfirm'), errors, { password: 'newPassword', confirm: 'newPasswordConfirm' });
    if (Object.keys(errors).length > 0) return profilePage(portal, request, reply, session, { password: { values: {}, errors } }, { status: 400 });
    try {
      await portal.accounts.changePassword(session.user, session.idHash, current, next, clientOf(request));
    } catch (error) {
      if (!(error instanceof AppError) || error.kind !== 'validation') throw error;
      const state = formErrors(error, {}, { currentPassword: 'currentPassword', password: 'newPassword' });
      return profilePage(portal, request, reply, session, { password: state }, { status: 400 });
    }
    return seeOther(reply, '/profile', 'password-changed');
  });

  app.post('/profile/email', page(signedIn), async (request, reply) => {
    const session = sessionOf(request);
    const form = formOf(request.body);
    const values = { email: field(form, 'email').trim() };
    const password = field(form, 'currentPassword');
    const errors: Record<string, string> = {};
    const emailProblem = checkEmail(values.email);
    if (emailProblem) errors.email = emailProblem;
    required(password, 'Enter your current password.', 'currentPassword', errors);
    if (Object.keys(errors).length > 0) return profilePage(portal, request, reply, session, { email: { values, errors } }, { status: 400 });
    try {
      await portal.accounts.requestEmailChange(session.user, values.email, password, clientOf(request));
    } catch (error) {
      if (!(error instanceof AppError) || error.kind !== 'validation') throw error;
      const state = formErrors(error, values, { email: 'email', currentPassword: 'currentPassword' });
      return profilePage(portal, request, reply, session, { email: state }, { status: 400 });
    }
    return seeOther(reply, '/profile', 'email-sent');
  });

  app.post('/profile/close', page(signedIn), async (request, reply) => {
    const session = sessionOf(request);
    const form = formOf(request.body);
    const password = field(form, 'currentPassword');
    const errors: Record<string, string> = {};
    required(password, 'Enter your current password.', 'currentPassword', errors);
    if (field(form, 'confirm') !== 'yes') errors.confirm = 'Tick the box to confirm that you want to close your account.';
    if (Object.keys(errors).length > 0) return profilePage(portal, request, reply, session, { close: { values: {}, errors } }, { status: 400 });
    try {
      await portal.accounts.closeAccount(session.user, password, clientOf(request));
    } catch (error) {
      if (!(error instanceof AppError) || error.kind !== 'validation') throw error;
      const state = formErrors(error, {}, { currentPassword: 'currentPassword' });
      return profilePage(portal, request, reply, session, { close: state }, { status: 400 });
    }
    clearSessionCookie(request);
    return seeOther(reply, '/', 'account-closed');
  });
}
