/**
 * Management keys for the REST API: the list (name, created, last used as far as the audit log
 * knows, revoked), create (the key is shown once, on the page that answers the POST: it is never
 * stored, never put in a redirect, never audited) and revoke (after a confirmation page).
 *
 *   GET  /admin/keys                  the list and the form to create one
 *   POST /admin/keys                  name → the new key, shown once (200, no redirect)
 *   GET  /admin/keys/{id}/revoke      confirmation
 *   POST /admin/keys/{id}/revoke      → /admin/keys with a notice
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MANAGEMENT_KEY_NAME_MAX, type ManagementKeyInfo } from '../../../services/management-keys.js';
import { EMPTY_FORM, button, errorSummary, type FormState } from '../../web/components.js';
import { field, formOf } from '../../web/form.js';
import { html, type SafeHtml } from '../../web/html.js';
import type { AdminContext } from '../context.js';
import { page } from '../../web/face.js';
import { adminMessage } from '../render.js';
import { attempt, confirmPage, postForm } from '../forms.js';
import { dataTable, dateTime, notice, pageHead, redirectWithNotice, sendAdminPage, stateBadge } from '../render.js';
import { actorOf } from '../../web/request-state.js';

const NAME_ID = 'key-name';

function keyPath(id: string): string {
  return `/admin/keys/${encodeURIComponent(id)}`;
}

function nameField(state: FormState): SafeHtml {
  const error = state.errors.name;
  const value = state.values.name ?? '';
  return html`<div class="field">
    <label for="${NAME_ID}">Name</label>
    <p class="hint" id="${NAME_ID}-hint">What the key is for, e.g. "CI deployments". At most ${MANAGEMENT_KEY_NAME_MAX} characters.</p>
    <input id="${NAME_ID}" name="name" type="text" required maxlength="${MANAGEMENT_KEY_NAME_MAX}" autocomplete="off" aria-describedby="${NAME_ID}-hint${
      error ? ` ${NAME_ID}-error` : ''
    }"${value !== '' ? html` value="${value}"` : ''}${error && html` aria-invalid="true"`}>
    ${error && html`<p class="field-error" id="${NAME_ID}-error">${error}</p>`}
  </div>`;
}

async function listPage(
  ctx: AdminContext,
  request: FastifyRequest,
  reply: FastifyReply,
  options: { state?: FormState; status?: number } = {},
): Promise<FastifyReply> {
  const keys = await ctx.keys.listWithUse();
  const state = options.state ?? EMPTY_FORM;
  const rows = keys.map(
    (k) => html`<tr>
      <th scope="row">${k.name}</th>
      <td><code>${k.id}</code></td>
      <td>${dateTime(k.createdAt)}</td>
      <td>${k.lastUsedAt ? dateTime(k.lastUsedAt) : html`<span class="muted">Not recorded</span>`}</td>
      <td>${k.revokedAt ? html`${stateBadge('revoked', 'Revoked')} ${dateTime(k.revokedAt)}` : stateBadge('active', 'Active')}</td>
      <td>${
        k.revokedAt
          ? ''
          : html`<a class="button danger small" href="${keyPath(k.id)}/revoke" aria-label="Revoke ${k.name}">Revoke…</a>`
      }</td>
    </tr>`,
  );
  const main = html`${pageHead('Management keys')}
${notice(request)}
<p>Management keys authenticate calls to the management REST API: send one as <code>Authorization: Bearer &lt;key&gt;</code>.
A key is shown once, when it is created; only a hash of it is kept.</p>
<section class="panel key-create" aria-labelledby="create-heading">
    <h2 id="create-heading">Create a key</h2>
    ${errorSummary(state, { name: NAME_ID })}
    ${postForm(request, { action: '/admin/keys', body: html`${nameField(state)}
    <div class="button-row">${button('Create key')}</div>` })}
</section>
<section aria-labelledby="keys-heading">
  <h2 id="keys-heading">Keys</h2>
  ${
    keys.length === 0
      ? html`<p class="empty">No management key has been created yet.</p>`
      : html`${dataTable({
          caption: 'Management keys, oldest first',
          columns: ['Name', 'Id', 'Created', 'Last used', 'Status', { label: 'Actions', hidden: true }],
          rows,
          scroll: false,
        })}
  <p class="muted keys-note">"Last used" is the last change made with the key, as the audit log recorded it; reads are not recorded.</p>`
  }
  <p class="muted">The key set in the <code>TOLLGATE_ADMIN_KEY</code> environment variable, if any, is not listed: change it there.</p>
</section>`;
  return sendAdminPage(ctx, request, reply, { title: 'Management keys', section: 'keys', main, status: options.status });
}

function createdPage(ctx: AdminContext, request: FastifyRequest, reply: FastifyReply, key: string, info: ManagementKeyInfo): FastifyReply {
  const main = html`${pageHead('Key created')}
<section class="panel key-once" aria-labelledby="new-key-heading">
  <h2 id="new-key-heading">${info.name}</h2>
  <div class="alert warning" role="alert"><p><strong>Copy the key now: it will not be shown again.</strong> Only a hash of it is kept; if you lose it, revoke it and create another.</p></div>
  <p id="new-key-label">The new management key:</p>
  <code class="secret" id="new-key" aria-labelledby="new-key-label">${key}</code>
  <p>Use it as <code>Authorization: Bearer &lt;key&gt;</code> on the management API.</p>
  <p><a class="button secondary" href="/admin/keys">I have copied it: back to the keys</a></p>
</section>`;
  return sendAdminPage(ctx, request, reply, { title: 'Key created', section: 'keys', main, status: 200 });
}

async function revokePage(ctx: AdminContext, request: FastifyRequest, reply: FastifyReply, id: string): Promise<FastifyReply> {
  const info = await ctx.keys.get(id);
  if (info.revokedAt !== null) {
    return adminMessage(ctx, request, reply, { title: 'Already revoked', message: 'This key is already revoked.', status: 409, back: '/admin/keys' });
  }
  return confirmPage(ctx, request, reply, {
    title: 'Revoke a key',
    question: 'Revoke the key?',
    section: 'keys',
    trail: html`<p class="breadcrumb"><a href="/admin/keys">Management keys</a></p>`,
    name: info.name,
    explanation: html`<dl class="details">
    <dt>Id</dt><dd><code>${info.id}</code></dd>
    <dt>Created</dt><dd>${dateTime(info.createdAt)}</dd>
  </dl>
  <p>Calls made with this key are refused at once (401). Revoking cannot be undone.</p>`,
    action: `${keyPath(info.id)}/revoke`,
    button: 'Revoke key',
    cancel: '/admin/keys',
    cancelLabel: 'Go back',
  });
}

export function registerKeyPages(app: FastifyInstance, ctx: AdminContext): void {
  app.get('/admin/keys', page(), async (request, reply) => listPage(ctx, request, reply));

  app.post('/admin/keys', page(), async (request, reply) => {
    const name = field(formOf(request.body), 'name');
    const result = await attempt(() => ctx.keys.create(name, actorOf(request)), { name }, { name: 'name' }, (error) => error.kind === 'validation');
    if (!result.ok) return listPage(ctx, request, reply, { state: result.state, status: 400 });
    return createdPage(ctx, request, reply, result.value.key, result.value.info);
  });

  app.get('/admin/keys/:id/revoke', page(), async (request, reply) => {
    const { id } = request.params as { id: string };
    return revokePage(ctx, request, reply, id);
  });

  app.post('/admin/keys/:id/revoke', page(), async (request, reply) => {
    const { id } = request.params as { id: string };
    await ctx.keys.revoke(id, actorOf(request));
    return redirectWithNotice(reply, '/admin/keys', 'key-revoked');
  });
}
