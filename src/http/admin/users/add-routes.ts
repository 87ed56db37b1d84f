/**
 * + Add user: an account created Active in Developers by an administrator, through the user
 * service's createOrUpdate (as the management API's PUT /users/{id}), so that its rules (a unique
 * email, the password policy) are the service's. No email is sent.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../../domain/password-policy.js';
import { NOTE_MAX } from '../../../domain/user.js';
import { userCreateInput } from '../../../domain/user-input.js';
import { parseInput } from '../../../domain/validate.js';
import { EMPTY_FORM, input, type FormState } from '../../web/components.js';
import { field, formOf } from '../../web/form.js';
import { html, type SafeHtml } from '../../web/html.js';
import type { AdminContext } from '../context.js';
import { page } from '../../web/face.js';
import { attempt, isUserFormError } from '../forms.js';
import { redirectWithNotice } from '../render.js';
import { actorOf } from '../../web/request-state.js';
import { userFormPage } from './form-page.js';

const ADD_IDS = { firstName: 'add-first-name', lastName: 'add-last-name', email: 'add-email', password: 'add-password', note: 'add-note' };
/** The service's error targets are the form's field names. */
const ADD_TARGETS = { firstName: 'firstName', lastName: 'lastName', email: 'email', password: 'password', note: 'note' };

function describedBy(...ids: (string | false | undefined)[]): SafeHtml | '' {
  const list = ids.filter((id): id is string => typeof id === 'string').join(' ');
  return list ? html` aria-describedby="${list}"` : '';
}

/** The optional password: never shown back, not required. */
function optionalPassword(state: FormState): SafeHtml {
  const id = ADD_IDS.password;
  const error = state.errors.password;
  return html`<div class="field">
  <label for="${id}">Password <span class="users-optional">(optional)</span></label>
  <p class="hint" id="${id}-hint">At least ${PASSWORD_MIN_LENGTH} characters; not a common password. Leave it empty and the user chooses one with “Forgot your password?” on the developer portal.</p>
  <input id="${id}" name="password" type="password" autocomplete="new-password" minlength="${PASSWORD_MIN_LENGTH}" maxlength="${PASSWORD_MAX_LENGTH}"${describedBy(
    `${id}-hint`,
    error && `${id}-error`,
  )}${error && html` aria-invalid="true"`}>
  ${error && html`<p class="field-error" id="${id}-error">${error}</p>`}
</div>`;
}

function noteField(state: FormState): SafeHtml {
  const id = ADD_IDS.note;
  const error = state.errors.note;
  return html`<div class="field">
  <label for="${id}">Note <span class="users-optional">(optional)</span></label>
  <p class="hint" id="${id}-hint">Seen by administrators only.</p>
  <textarea id="${id}" name="note" rows="3" maxlength="${NOTE_MAX}" class="note"${describedBy(`${id}-hint`, error && `${id}-error`)}${
    error && html` aria-invalid="true"`
  }>${state.values.note ?? ''}</textarea>
  ${error && html`<p class="field-error" id="${id}-error">${error}</p>`}
</div>`;
}

function addPage(ctx: AdminContext, request: FastifyRequest, reply: FastifyReply, state: FormState, status?: number): FastifyReply {
  return userFormPage(ctx, request, reply, {
    title: 'Add a user',
    label: 'New user',
    intro: html`<p>The user is created <strong>Active</strong>, in the Developers group. No email is sent.</p>`,
    state,
    ids: ADD_IDS,
    action: '/admin/users/new',
    fields: html`<div class="users-name-fields">
      ${input({ id: ADD_IDS.firstName, name: 'firstName', label: 'First name', kind: 'given-name' }, state)}
      ${input({ id: ADD_IDS.lastName, name: 'lastName', label: 'Last name', kind: 'family-name' }, state)}
    </div>
    ${input({ id: ADD_IDS.email, name: 'email', label: 'Email address', kind: 'email' }, state)}
    ${optionalPassword(state)}
    ${noteField(state)}`,
    submit: 'Add user',
    status,
  });
}

export function registerUserAddPages(app: FastifyInstance, ctx: AdminContext): void {
  app.get('/admin/users/new', page(), async (request, reply) => addPage(ctx, request, reply, EMPTY_FORM));

  app.post('/admin/users/new', page(), async (request, reply) => {
    const form = formOf(request.body);
    const values = {
      firstName: field(form, 'firstName'),
      lastName: field(form, 'lastName'),
      email: field(form, 'email'),
      note: field(form, 'note'),
    };
    const password = field(form, 'password');
    const result = await attempt(
      () =>
        ctx.users.add(
          parseInput(userCreateInput, {
            firstName: values.firstName,
            lastName: values.lastName,
            email: values.email,
            state: 'active',
            ...(password !== '' ? { password } : {}),
            ...(values.note.trim() !== '' ? { note: values.note } : {}),
          }),
          { ctx: actorOf(request) },
        ),
      values,
      ADD_TARGETS,
      isUserFormError,
    );
    if (!result.ok) return addPage(ctx, request, reply, result.state, 400);
    return redirectWithNotice(reply, `/admin/users/${encodeURIComponent(result.value.id)}`, 'user-added');
  });
}
