/**
 * The users list's bulk actions on the ticked users (`pick.<id>` checkboxes): block and activate at
 * once (the user service's state change), delete after a confirmation page that lists them and
 * asks whether to delete their subscriptions and to notify them. Each user is changed on their
 * own: one that cannot be (the built-in administrator, a closed account, the administrator's own
 * account) is reported on the result page without stopping the others. The result page is the
 * POST's answer (what was done, to whom), with the way back to the list as it was.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, validationError } from '../../../domain/errors.js';
import { ADMIN_USER_ID, USER_ID_MAX, type UserState } from '../../../domain/user.js';
import type { UserView } from '../../../services/views.js';
import { button, csrfInput, hidden } from '../../web/components.js';
import { sentence } from '../../web/form-errors.js';
import { field, formOf } from '../../web/form.js';
import { html, type SafeHtml } from '../../web/html.js';
import type { AdminContext } from '../context.js';
import { page } from '../../web/face.js';
import { pageHead, redirectWithNotice, sendAdminPage, stateBadge } from '../render.js';
import { localReturnTo } from '../../web/return-to.js';
import { actorOf, formToken, sessionOf } from '../../web/request-state.js';
import { USER_STATE_LABELS, displayName } from '../labels.js';

/** More than a page of the list (50): a bulk action never runs over an unbounded number of users. */
export const BULK_MAX = 100;
const PICK = 'pick.';

/** The ticked users' ids, in the form's order, each once. */
export function picksOf(fields: Readonly<Record<string, unknown>>): string[] {
  const ids: string[] = [];
  for (const [name, value] of Object.entries(fields)) {
    if (!name.startsWith(PICK) || typeof value !== 'string' || value === '') continue;
    const id = name.slice(PICK.length);
    if (id === '' || id.length > USER_ID_MAX || ids.includes(id)) continue;
    ids.push(id);
  }
  if (ids.length > BULK_MAX) throw validationError(`Select at most ${BULK_MAX} users at a time.`);
  return ids;
}

/** Back to the list as it was (its search, filter, order and page); only a users list address. */
function returnToOf(value: string): string {
  const safe = localReturnTo(value, '/admin');
  return safe !== undefined && /^\/admin\/users(\?|$)/.test(safe) ? safe : '/admin/users';
}

function plural(n: number, word = 'user'): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

async function labelOf(ctx: AdminContext, id: string): Promise<string> {
  try {
    const user = await ctx.users.get(id);
    return `${displayName(user)} (${user.email})`;
  } catch (error) {
    if (error instanceof AppError && error.kind === 'not-found') return `user ${id}`;
    throw error;
  }
}

interface Failure {
  id: string;
  message: string;
}

/** "Blocked 2 users.", then "Could not block Ada Lovelace (ada@example.com): …" for each failure. */
async function outcome(ctx: AdminContext, done: string, verb: string, count: number, failures: readonly Failure[]): Promise<string[]> {
  const lines = [count > 0 || failures.length === 0 ? `${done} ${plural(count)}.` : `No user was ${done.toLowerCase()}.`];
  for (const f of failures) lines.push(`Could not ${verb} ${await labelOf(ctx, f.id)}: ${sentence(f.message)}`);
  return lines;
}

/** What a bulk action did, as the answer to its POST, with the way back to the list. */
function resultPage(ctx: AdminContext, request: FastifyRequest, reply: FastifyReply, title: string, lines: readonly string[], returnTo: string): FastifyReply {
  const [summary, ...failures] = lines;
  const main = html`<p class="breadcrumb"><a href="${returnTo}">Users</a></p>
${pageHead(title)}
<section class="panel" aria-label="Result">
  <div class="alert ${failures.length > 0 ? 'error' : 'success'}" role="status"><p>${summary}</p>${failures.length > 0 && html`<ul>${failures.map((f) => html`<li>${f}</li>`)}</ul>`}</div>
  <p><a class="button" href="${returnTo}">Back to the users</a></p>
</section>`;
  return sendAdminPage(ctx, request, reply, { title, section: 'users', main });
}

/** Runs `change` for each user on its own; an AppError is that user's failure, anything else a bug. */
async function eachUser(ids: readonly string[], change: (id: string) => Promise<unknown>): Promise<{ count: number; failures: Failure[] }> {
  let count = 0;
  const failures: Failure[] = [];
  for (const id of ids) {
    try {
      await change(id);
      count++;
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      failures.push({ id, message: error.message });
    }
  }
  return { count, failures };
}

const OWN_ACCOUNT = 'You cannot do this to your own account here.';

/** The signed-in administrator does not block or delete themselves by a stray tick (the service refuses the built-in one with its own message). */
function isOwnAccount(id: string, self: string): boolean {
  return id === self && id !== ADMIN_USER_ID;
}

function deleteConfirmation(
  ctx: AdminContext,
  request: FastifyRequest,
  reply: FastifyReply,
  users: readonly UserView[],
  missing: number,
  returnTo: string,
): FastifyReply {
  const n = users.length;
  const list: SafeHtml[] = users.map(
    (u) => html`<li><span class="who">${displayName(u)}</span> <span class="muted">${u.email}</span> ${stateBadge(u.state, USER_STATE_LABELS[u.state])}</li>`,
  );
  const main = html`<p class="breadcrumb"><a href="${returnTo}">Users</a></p>
${pageHead(`Delete ${plural(n)}?`)}
<section class="panel danger users-form-panel" aria-label="Confirm deletion">
  <p>${n === 1 ? 'This user is' : 'These users are'} deleted for good, with their identities and group memberships. This cannot be undone.</p>
  ${missing > 0 && html`<p class="muted">${plural(missing)} of the selection no longer ${missing === 1 ? 'exists' : 'exist'}.</p>`}
  <ul class="bulk-users">${list}</ul>
  <form method="post" action="/admin/users/bulk-delete">
    ${csrfInput(formToken(request))}
    ${hidden('returnTo', returnTo)}
    ${users.map((u) => hidden(`${PICK}${u.id}`, 'yes'))}
    <fieldset>
      <legend>Options</legend>
      <div class="checkbox">
        <input id="bulk-delete-subscriptions" name="deleteSubscriptions" type="checkbox" value="yes">
        <label for="bulk-delete-subscriptions">Also delete their subscriptions (otherwise they are cancelled and kept)</label>
      </div>
      <div class="checkbox">
        <input id="bulk-delete-notify" name="notify" type="checkbox" value="yes">
        <label for="bulk-delete-notify">Notify them by email that their account was closed</label>
      </div>
    </fieldset>
    <div class="button-row">${button(`Delete ${plural(n)}`, 'danger')} <a href="${returnTo}">Cancel</a></div>
  </form>
</section>`;
  return sendAdminPage(ctx, request, reply, { title: 'Delete users', section: 'users', main });
}

export function registerUserBulkActions(app: FastifyInstance, ctx: AdminContext): void {
  app.post('/admin/users/bulk', page(), async (request, reply) => {
    const form = formOf(request.body);
    const returnTo = returnToOf(field(form, 'returnTo'));
    const action = field(form, 'action');
    const ids = picksOf(form);
    if (ids.length === 0) return redirectWithNotice(reply, returnTo, 'bulk-nothing-selected');
    if (action === '') return redirectWithNotice(reply, returnTo, 'bulk-no-action');
    if (action === 'delete') {
      const params = new URLSearchParams(ids.map((id): [string, string] => [`${PICK}${id}`, 'yes']));
      params.set('returnTo', returnTo);
      return redirectWithNotice(reply, `/admin/users/bulk-delete?${params.toString()}`);
    }
    const states: Readonly<Record<string, { state: UserState; done: string; verb: string }>> = {
      block: { state: 'blocked', done: 'Blocked', verb: 'block' },
      activate: { state: 'active', done: 'Activated', verb: 'activate' },
    };
    const change = states[action];
    if (!change) throw validationError('Choose block, activate or delete.');
    const self = sessionOf(request).user.id;
    const actor = actorOf(request);
    const result = await eachUser(ids, async (id) => {
      if (isOwnAccount(id, self) && change.state !== 'active') throw validationError(OWN_ACCOUNT);
      return ctx.users.update(id, { state: change.state }, '*', actor);
    });
    return resultPage(ctx, request, reply, `${change.done} users`, await outcome(ctx, change.done, change.verb, result.count, result.failures), returnTo);
  });

  app.get('/admin/users/bulk-delete', page(), async (request, reply) => {
    const query = (request.query ?? {}) as Readonly<Record<string, unknown>>;
    const returnTo = returnToOf(typeof query.returnTo === 'string' ? query.returnTo : '');
    const ids = picksOf(query);
    const users: UserView[] = [];
    for (const id of ids) {
      try {
        users.push(await ctx.users.get(id));
      } catch (error) {
        if (!(error instanceof AppError) || error.kind !== 'not-found') throw error;
      }
    }
    if (users.length === 0) return redirectWithNotice(reply, returnTo, 'bulk-nothing-to-delete');
    return deleteConfirmation(ctx, request, reply, users, ids.length - users.length, returnTo);
  });

  app.post('/admin/users/bulk-delete', page(), async (request, reply) => {
    const form = formOf(request.body);
    const returnTo = returnToOf(field(form, 'returnTo'));
    const ids = picksOf(form);
    if (ids.length === 0) return redirectWithNotice(reply, returnTo, 'bulk-nothing-selected');
    const notify = field(form, 'notify') === 'yes';
    const deleteSubscriptions = field(form, 'deleteSubscriptions') === 'yes';
    const self = sessionOf(request).user.id;
    const actor = actorOf(request);
    // Labels first: a deleted user can no longer be named on the result page.
    const labels = new Map<string, string>();
    for (const id of ids) labels.set(id, await labelOf(ctx, id));
    let gone = 0;
    const result = await eachUser(ids, async (id) => {
      if (isOwnAccount(id, self)) throw validationError(OWN_ACCOUNT);
      const removed = await ctx.users.remove(id, { ifMatch: '*', notify, deleteSubscriptions, ctx: actor });
      if (!removed) gone++;
    });
    const summary = [result.count - gone > 0 || result.failures.length === 0 ? `Deleted ${plural(result.count - gone)}.` : 'No user was deleted.'];
    if (gone > 0) summary.push(`${plural(gone)} had already been deleted.`);
    const lines = [summary.join(' '), ...result.failures.map((f) => `Could not delete ${labels.get(f.id) ?? f.id}: ${sentence(f.message)}`)];
    return resultPage(ctx, request, reply, 'Deleted users', lines, returnTo);
  });
}
