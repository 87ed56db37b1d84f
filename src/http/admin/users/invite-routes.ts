/**
 * + Invite user: the account is created Pending and the invitation email (with its link to choose
 * a password) is queued in the same transaction: the user service's createOrUpdate with
 * `confirmation: 'invite'` and `notify: true`, as Azure's PUT /users/{id}?notify=true does.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { userCreateInput } from '../../../domain/user-input.js';
import { parseInput } from '../../../domain/validate.js';
import { EMPTY_FORM, input, type FormState } from '../../web/components.js';
import { field, formOf } from '../../web/form.js';
import { html } from '../../web/html.js';
import type { AdminContext } from '../context.js';
import { page } from '../../web/face.js';
import { attempt, isUserFormError } from '../forms.js';
import { redirectWithNotice } from '../render.js';
import { actorOf } from '../../web/request-state.js';
import { userFormPage } from './form-page.js';

const INVITE_IDS = { email: 'invite-email', firstName: 'invite-first-name', lastName: 'invite-last-name' };
const INVITE_TARGETS = { email: 'email', firstName: 'firstName', lastName: 'lastName' };

function invitePage(ctx: AdminContext, request: FastifyRequest, reply: FastifyReply, state: FormState, status?: number): FastifyReply {
  return userFormPage(ctx, request, reply, {
    title: 'Invite a user',
    label: 'Invitation',
    intro: html`<p>We email an invitation with a link to choose a password. The user stays <strong>Pending</strong> until they accept it, and is in the Developers group.</p>`,
    state,
    ids: INVITE_IDS,
    action: '/admin/users/invite',
    fields: html`${input({ id: INVITE_IDS.email, name: 'email', label: 'Email address', kind: 'email' }, state)}
    <div class="users-name-fields">
      ${input({ id: INVITE_IDS.firstName, name: 'firstName', label: 'First name', kind: 'given-name' }, state)}
      ${input({ id: INVITE_IDS.lastName, name: 'lastName', label: 'Last name', kind: 'family-name' }, state)}
    </div>`,
    submit: 'Send invitation',
    status,
  });
}

export function registerUserInvitePages(app: FastifyInstance, ctx: AdminContext): void {
  app.get('/admin/users/invite', page(), async (request, reply) => invitePage(ctx, request, reply, EMPTY_FORM));

  app.post('/admin/users/invite', page(), async (request, reply) => {
    const form = formOf(request.body);
    const values = { email: field(form, 'email'), firstName: field(form, 'firstName'), lastName: field(form, 'lastName') };
    const result = await attempt(
      () => ctx.users.add(parseInput(userCreateInput, { ...values, confirmation: 'invite' }), { notify: true, ctx: actorOf(request) }),
      values,
      INVITE_TARGETS,
      isUserFormError,
    );
    if (!result.ok) return invitePage(ctx, request, reply, result.state, 400);
    return redirectWithNotice(reply, `/admin/users/${encodeURIComponent(result.value.id)}`, 'user-invited');
  });
}
