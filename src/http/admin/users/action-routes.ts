/**
 * The actions on one user, each a POST with Post/Redirect/Get, audited with the administrator as
 * actor, and (where the user is changed) guarded by the etag the page was shown with (If-Match):
 * - block and activate (blocking ends the user's sessions; the gateway follows the change feed);
 * - delete, after a confirmation page (delete or cancel the subscriptions, notify by email);
 * - reset password (the portal's reset email) after a Yes/No page; set password (a form);
 * - resend the invitation to a pending, invited user.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../domain/errors.js';
import type { UserView } from '../../../services/views.js';
import { EMPTY_FORM, button, errorSummary, input, type FormState } from '../../web/components.js';
import { field, formOf } from '../../web/form.js';
import { html, type HtmlValue } from '../../web/html.js';
import type { AdminContext } from '../context.js';
import { page } from '../../web/face.js';
import { adminMessage } from '../render.js';
import { attempt, etagOf as formEtag, postForm } from '../forms.js';
import { redirectWithNotice, sendAdminPage } from '../render.js';
import { actorOf } from '../../web/request-state.js';
import { userIdParam, userPath } from './detail-view.js';
import { displayName } from '../labels.js';

const SET_PASSWORD_IDS = { password: 'new-password' };
const PASSWORD_HINT = 'At least 8 characters; not a common password, nor the user’s name or email address.';

/** The etag the form was shown with: sent to the service as If-Match (a concurrent change gives 412). */
function etagOf(request: FastifyRequest): string {
  return formEtag(formOf(request.body));
}

function actionPage(ctx: AdminContext, request: FastifyRequest, reply: FastifyReply, user: UserView, title: string, body: HtmlValue, status?: number): FastifyReply {
  const name = displayName(user);
  return sendAdminPage(ctx, request, reply, {
    title: `${title} · ${name}`,
    section: 'users',
    status,
    main: html`<nav aria-label="Breadcrumb" class="breadcrumb"><a href="/admin/users">Users</a> › <a href="${userPath(user.id)}">${name}</a> › <span aria-current="page">${title}</span></nav>
<section class="panel user-action" aria-labelledby="page-heading">
  <h1 id="page-heading">${title}</h1>
  ${body}
</section>`,
  });
}

/** The service refused (the built-in administrator cannot be blocked or deleted): its message, on the user's page. */
function notAllowed(ctx: AdminContext, request: FastifyRequest, reply: FastifyReply, id: string, error: unknown): FastifyReply {
  if (error instanceof AppError && error.code === 'OperationNotAllowed') {
    return adminMessage(ctx, request, reply, { title: 'Not allowed', message: error.message, status: 403, back: userPath(id) });
  }
  throw error;
}

function deletePage(ctx: AdminContext, request: FastifyRequest, reply: FastifyReply, user: UserView, subscriptions: number): FastifyReply {
  const name = displayName(user);
  return actionPage(
    ctx,
    request,
    reply,
    user,
    'Delete user',
    html`<p>Delete <strong>${name}</strong> (${user.email})? The account, its identities and its group memberships are removed for good, and they are signed out at once.</p>
  <p>${subscriptions === 0 ? 'They have no subscriptions.' : `They have ${subscriptions} subscription${subscriptions === 1 ? '' : 's'}.`}</p>
  ${postForm(request, {
    action: userPath(user.id, 'delete'),
    etag: user.etag,
    body: html`<fieldset>
      <legend>Options</legend>
      <div class="field"><div class="checkbox">
        <input id="delete-subscriptions" name="deleteSubscriptions" type="checkbox" value="yes">
        <label for="delete-subscriptions">Also delete the user’s subscriptions (otherwise they are cancelled)</label>
      </div></div>
      <div class="field"><div class="checkbox">
        <input id="delete-notify" name="notify" type="checkbox" value="yes">
        <label for="delete-notify">Notify the user by email</label>
      </div></div>
    </fieldset>
    <div class="actions">${button('Delete user', 'danger')}<a href="${userPath(user.id)}">Cancel</a></div>`,
  })}`,
  );
}

function setPasswordPage(ctx: AdminContext, request: FastifyRequest, reply: FastifyReply, user: UserView, state: FormState, status?: number): FastifyReply {
  const name = displayName(user);
  return actionPage(
    ctx,
    request,
    reply,
    user,
    'Set password',
    html`<p>The new password replaces the current one of <strong>${name}</strong> at once, and they are signed out of the developer portal everywhere. Tell them the password over a safe channel, or use <a href="${userPath(user.id, 'reset-password')}">Reset password</a> to let them choose one.</p>
  ${errorSummary(state, SET_PASSWORD_IDS)}
  ${postForm(request, {
    action: userPath(user.id, 'set-password'),
    etag: user.etag,
    body: html`${input({ id: SET_PASSWORD_IDS.password, name: 'password', label: 'New password', kind: 'new-password', hint: PASSWORD_HINT }, state)}
    <div class="actions">${button('Set password')}<a href="${userPath(user.id)}">Cancel</a></div>`,
  })}`,
    status,
  );
}

export function registerUserActionRoutes(app: FastifyInstance, ctx: AdminContext): void {
  for (const [action, state, done] of [
    ['block', 'blocked', 'user-blocked'],
    ['activate', 'active', 'user-activated'],
  ] as const) {
    app.post(`/admin/users/:id/${action}`, page(), async (request, reply) => {
      const id = userIdParam(request);
      try {
        await ctx.users.update(id, { state }, etagOf(request), actorOf(request));
      } catch (error) {
        return notAllowed(ctx, request, reply, id, error);
      }
      return redirectWithNotice(reply, userPath(id), done);
    });
  }

  app.get('/admin/users/:id/delete', page(), async (request, reply) => {
    const id = userIdParam(request);
    const user = await ctx.users.get(id);
    const subscriptions = await ctx.subscriptions.ofUser(id, { top: 1, skip: 0 });
    return deletePage(ctx, request, reply, user, subscriptions.count);
  });

  app.post('/admin/users/:id/delete', page(), async (request, reply) => {
    const id = userIdParam(request);
    const form = formOf(request.body);
    const deleteSubscriptions = field(form, 'deleteSubscriptions') === 'yes';
    const notify = field(form, 'notify') === 'yes';
    let removed: boolean;
    try {
      removed = await ctx.users.remove(id, {
        ifMatch: etagOf(request),
        notify,
        deleteSubscriptions,
        appType: 'developerPortal',
        ctx: actorOf(request),
      });
    } catch (error) {
      return notAllowed(ctx, request, reply, id, error);
    }
    if (!removed) return redirectWithNotice(reply, '/admin/users', 'user-already-deleted');
    return redirectWithNotice(reply, '/admin/users', notify ? 'user-deleted-notified' : 'user-deleted');
  });

  app.get('/admin/users/:id/reset-password', page(), async (request, reply) => {
    const user = await ctx.users.get(userIdParam(request));
    const name = displayName(user);
    if (user.state !== 'active') {
      return adminMessage(ctx, request, reply, {
        title: 'Reset password',
        message:
          user.state === 'pending'
            ? `${name} has not confirmed the account yet: send the invitation again instead.`
            : `Only an active user can reset the password; activate ${name} first.`,
        status: 409,
        back: userPath(user.id),
      });
    }
    return actionPage(
      ctx,
      request,
      reply,
      user,
      'Reset password',
      html`<p>Send <strong>${name}</strong> an email at <strong>${user.email}</strong> with a link to choose a new password on the developer portal?</p>
  <p class="muted">Their current password keeps working until they follow the link. The link works once, for a limited time.</p>
  ${postForm(request, {
    action: userPath(user.id, 'reset-password'),
    body: html`<div class="actions">${button('Yes, send the email')}<a class="button secondary" href="${userPath(user.id)}">No</a></div>`,
  })}`,
    );
  });

  app.post('/admin/users/:id/reset-password', page(), async (request, reply) => {
    const id = userIdParam(request);
    await ctx.users.sendPasswordReset(id, actorOf(request));
    return redirectWithNotice(reply, userPath(id), 'reset-sent');
  });

  app.get('/admin/users/:id/set-password', page(), async (request, reply) => {
    const user = await ctx.users.get(userIdParam(request));
    return setPasswordPage(ctx, request, reply, user, EMPTY_FORM);
  });

  app.post('/admin/users/:id/set-password', page(), async (request, reply) => {
    const id = userIdParam(request);
    const password = field(formOf(request.body), 'password');
    const current = await ctx.users.get(id);
    // Shown again with the etag it was opened with, so that a concurrent change is still detected.
    const shown = { ...current, etag: etagOf(request) };
    if (password === '') {
      return setPasswordPage(ctx, request, reply, shown, { values: {}, errors: { password: 'Enter the new password.' } }, 400);
    }
    const result = await attempt(
      () => ctx.users.update(id, { password }, etagOf(request), actorOf(request)),
      {},
      { password: 'password' },
      (error) => error.kind === 'validation' && error.details.some((d) => d.target === 'password'),
    );
    if (!result.ok) return setPasswordPage(ctx, request, reply, shown, result.state, 400);
    return redirectWithNotice(reply, userPath(id), 'password-set');
  });

  app.post('/admin/users/:id/resend-invitation', page(), async (request, reply) => {
    const id = userIdParam(request);
    await ctx.users.resendInvitation(id, actorOf(request));
    return redirectWithNotice(reply, userPath(id), 'invitation-resent');
  });
}
