/**
 * + Invite user: the account is created Pending and the invitation email (with its link to choose
 * a password) is queued in the same transaction: the user service's createOrUpdate with
 * `confirmation: 'invite'` and `notify: true`, as Azure's PUT /users/{id}?notify=true does.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../domain/errors.js';
import { userCreateInput } from '../../../domain/user-input.js';
import { parseInput } from '../../../domain/validate.js';
import { EMPTY_FORM, button, csrfInput, errorSummary, input, type FormState } from '../../web/components.js';
import { formErrors } from '../../web/form-errors.js';
import { field, formOf } from '../../web/form.js';
import { html } from '../../web/html.js';
import { adminRoute, type AdminContext } from '../context.js';
import { pageHead, redirectWithNotice, sendAdminPage } from '../render.js';
import { adminActor, adminFormToken } from '../state.js';

const INVITE_IDS = { email: 'invite-email', firstName: 'invite-first-name', lastName: 'invite-last-name' };
const INVITE_TARGETS = { email: 'email', firstName: 'firstName', lastName: 'lastName' };

function invitePage(ctx: AdminContext, request: FastifyRequest, reply: FastifyReply, state: FormState, status?: number): FastifyReply {
  const main = html`<p class="breadcrumb"><a href="/admin/users">Users</a></p>
${pageHead('Invite a user')}
<section class="panel users-form-panel" aria-label="Invitation">
  <p>We email an invitation with a link to choose a password. The user stays <strong>Pending</strong> until they accept it, and is in the Developers group.</p>
  ${errorSummary(state, INVITE_IDS)}
  <form method="post" action="/admin/users/invite">
    ${csrfInput(adminFormToken(request))}
    ${input({ id: INVITE_IDS.email, name: 'email', label: 'Email address', kind: 'email' }, state)}
    <div class="users-name-fields">
      ${input({ id: INVITE_IDS.firstName, name: 'firstName', label: 'First name', kind: 'given-name' }, state)}
      ${input({ id: INVITE_IDS.lastName, name: 'lastName', label: 'Last name', kind: 'family-name' }, state)}
    </div>
    <div class="actions">${button('Send invitation')} <a href="/admin/users">Cancel</a></div>
  </form>
</section>`;
  return sendAdminPage(ctx, request, reply, { title: 'Invite a user', section: 'users', main, status });
}

export function registerUserInvitePages(app: FastifyInstance, ctx: AdminContext): void {
  app.get('/admin/users/invite', adminRoute(), async (request, reply) => invitePage(ctx, request, reply, EMPTY_FORM));

  app.post('/admin/users/invite', adminRoute(), async (request, reply) => {
    const form = formOf(request.body);
    const values = { email: field(form, 'email'), firstName: field(form, 'firstName'), lastName: field(form, 'lastName') };
    try {
      const input = parseInput(userCreateInput, { ...values, confirmation: 'invite' });
      const { user } = await ctx.users.createOrUpdate(ctx.ids.next(), input, { notify: true, ctx: adminActor(request) });
      return redirectWithNotice(reply, `/admin/users/${encodeURIComponent(user.id)}`, `Invited ${user.email}: the invitation email is on its way.`);
    } catch (error) {
      if (!(error instanceof AppError) || (error.kind !== 'validation' && error.kind !== 'conflict')) throw error;
      return invitePage(ctx, request, reply, formErrors(error, values, INVITE_TARGETS), 400);
    }
  });
}
