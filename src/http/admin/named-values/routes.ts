/**
 * Named values: the constants policies name as `{{name}}`.
 *
 *   GET  /admin/named-values              the list (a secret's value shown as "Secret", never itself)
 *   GET  /admin/named-values/new, POST    create
 *   GET  /admin/named-values/{id}, POST   its page: edit (If-Match from the form's etag)
 *   POST /admin/named-values/{id}/value   its page with the value shown (the one way to see a secret's)
 *   GET  /admin/named-values/{id}/delete, POST   delete, refused while a policy uses it
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../domain/errors.js';
import { alreadyExists, checkNewId, newIdFor } from '../../../services/entity-ids.js';
import type { NamedValueView } from '../../../services/named-values.js';
import { button, errorSummary, type FormState } from '../../web/components.js';
import { page } from '../../web/face.js';
import { field, formOf } from '../../web/form.js';
import { html, type SafeHtml } from '../../web/html.js';
import { actorOf } from '../../web/request-state.js';
import type { AdminContext } from '../context.js';
import { registerCreatePage } from '../entity-form-pages.js';
import { attempt, buttonRow, confirmPage, etagOf, postForm } from '../forms.js';
import { dataTable, entityTrail, notice, pageHead, redirectWithNotice, seg, sendAdminPage, skipOf, stateBadge } from '../render.js';
import { policiesSubnav } from '../policies/subnav.js';
import { NAMED_VALUE_IDS, NAMED_VALUE_TARGETS, createInputOf, namedValueFields, updateInputOf, valuesOf, valuesOfNamedValue, type NamedValueValues } from './form.js';

const PER_PAGE = 50;
const SEARCH_MAX = 256;

function namedValuePath(id: string): string {
  return `/admin/named-values/${seg(id)}`;
}

/** The Policies section's links above the trail of a named value's pages. */
function trail(v?: NamedValueView, last?: string): SafeHtml {
  return html`${policiesSubnav('named-values')}
${entityTrail({ href: '/admin/named-values', label: 'Named values' }, v && { href: namedValuePath(v.id), label: v.displayName }, last)}`;
}

/** `?q=`: the names that contain it (ignoring case), as the management API's $filter says it. */
function searchOf(request: FastifyRequest): string {
  const q = (request.query as Record<string, unknown> | undefined)?.q;
  return typeof q === 'string' ? q.trim().slice(0, SEARCH_MAX) : '';
}

function valueCell(v: NamedValueView): SafeHtml {
  return v.secret ? stateBadge('sealed', 'Secret') : html`<code class="named-value">${v.value ?? ''}</code>`;
}

export function registerNamedValuePages(app: FastifyInstance, ctx: AdminContext): void {
  const exists = (id: string) =>
    ctx.namedValues.get(id).then(
      () => true,
      (error: unknown) => {
        if (error instanceof AppError && error.kind === 'not-found') return false;
        throw error;
      },
    );

  // -- The list --------------------------------------------------------------------------------

  app.get('/admin/named-values', page(), async (request, reply) => {
    const skip = skipOf(request);
    const q = searchOf(request);
    const filter = q === '' ? undefined : `contains(displayName,'${q.replace(/'/g, "''")}')`;
    const list = await ctx.namedValues.list({ top: PER_PAGE, skip, filter });
    const rows = list.items.map(
      (v) => html`<tr>
  <th scope="row"><a href="${namedValuePath(v.id)}"><code>${v.displayName}</code></a></th>
  <td>${valueCell(v)}</td>
  <td>${v.tags.length > 0 ? v.tags.join(', ') : '–'}</td>
</tr>`,
    );
    const query = q === '' ? '' : `&q=${encodeURIComponent(q)}`;
    return sendAdminPage(ctx, request, reply, {
      title: 'Named values',
      section: 'policy',
      main: html`${policiesSubnav('named-values')}
${pageHead('Named values', html`<a class="button" href="/admin/named-values/new">New named value</a>`)}
${notice(request)}
<p class="muted">Constants that policies name as <code>{{name}}</code>, such as a backend’s address or a key it expects. A secret one is sealed at rest and shown only when you ask for it on its page.</p>
<form method="get" action="/admin/named-values" class="toolbar" role="search">
  <div class="field">
    <label for="named-value-search">Name contains</label>
    <input id="named-value-search" name="q" type="search" value="${q}" maxlength="${SEARCH_MAX}" spellcheck="false" autocapitalize="none">
  </div>
  <button type="submit" class="button secondary">Search</button>
</form>
${dataTable({
  caption: 'Named values',
  className: 'named-values',
  columns: ['Name', 'Value', 'Tags'],
  rows,
  empty: q === '' ? 'No named values yet.' : 'No named value has a name that contains this.',
  pages: { skip, top: PER_PAGE, count: list.count, href: (s) => `/admin/named-values?skip=${s}${query}` },
})}`,
    });
  });

  // -- Create ----------------------------------------------------------------------------------

  registerCreatePage<NamedValueView, NamedValueValues>(app, ctx, {
    path: '/admin/named-values/new',
    title: 'New named value',
    section: 'policy',
    trail: trail(undefined, 'New named value'),
    ids: NAMED_VALUE_IDS,
    fields: (state) => namedValueFields(state, { creating: true, existingSecret: false }),
    submit: 'Create named value',
    cancel: '/admin/named-values',
    initial: {},
    valuesOf: (form) => ({ ...valuesOf(form), id: field(form, 'id').trim() }),
    targets: NAMED_VALUE_TARGETS,
    create: async (values, request) => {
      const input = createInputOf(values);
      // A name of nothing but dots, dashes and underscores derives no id: the form then asks for one.
      const id = newIdFor(values.id ?? '', values.displayName, () => '');
      checkNewId(id);
      // A create never takes over an existing named value (the service's PUT would replace it).
      if (await exists(id)) throw alreadyExists('A named value', id);
      return (await ctx.namedValues.createOrUpdate(id, input, undefined, actorOf(request))).namedValue;
    },
    created: (v) => ({ location: namedValuePath(v.id), notice: 'named-value-created' }),
  });

  // -- A named value: edit, show the value -----------------------------------------------------

  function detailPage(
    request: FastifyRequest,
    reply: FastifyReply,
    v: NamedValueView,
    options: { state?: FormState; etag?: string; shown?: string; status?: number } = {},
  ): FastifyReply {
    const state = options.state ?? { values: valuesOfNamedValue(v), errors: {} };
    const path = namedValuePath(v.id);
    return sendAdminPage(ctx, request, reply, {
      title: `${Object.keys(state.errors).length > 0 || state.message ? 'Error: ' : ''}${v.displayName}`,
      section: 'policy',
      status: options.status,
      main: html`${trail(undefined, v.displayName)}
${pageHead(v.displayName, html`<a class="button danger" href="${path}/delete">Delete</a>`)}
${notice(request)}
<div class="grid-2 named-value-page">
<section class="panel form-panel" aria-labelledby="edit-heading">
  <h2 id="edit-heading">Edit</h2>
  ${errorSummary(state, NAMED_VALUE_IDS)}
  ${postForm(request, {
    action: path,
    etag: options.etag ?? v.etag,
    novalidate: true,
    body: html`${namedValueFields(state, { creating: false, existingSecret: v.secret })}
    ${buttonRow(button('Save changes'), { href: '/admin/named-values' })}`,
  })}
</section>
<section class="panel" aria-labelledby="value-heading">
  <h2 id="value-heading">Value</h2>
  <dl class="details">
    <dt>Id</dt><dd><code>${v.id}</code></dd>
    <dt>In a policy</dt><dd><code>{{${v.displayName}}}</code></dd>
  </dl>
  ${
    options.shown !== undefined
      ? html`<p id="named-value-shown-label">The value${v.secret ? ' (secret: do not share it)' : ''}:</p>
  <code class="secret" aria-labelledby="named-value-shown-label">${options.shown}</code>
  <p><a href="${path}">Hide the value</a></p>`
      : v.secret
        ? html`<p>The value is secret: it is sealed at rest and shown only when you ask.</p>
  ${postForm(request, { action: `${path}/value`, body: button('Show value', 'secondary') })}`
        : html`<code class="secret">${v.value ?? ''}</code>`
  }
</section>
</div>`,
    });
  }

  app.get<{ Params: { id: string } }>('/admin/named-values/:id', page(), async (request, reply) => detailPage(request, reply, await ctx.namedValues.get(request.params.id)));

  app.post<{ Params: { id: string } }>('/admin/named-values/:id', page(), async (request, reply) => {
    const existing = await ctx.namedValues.get(request.params.id);
    const form = formOf(request.body);
    const values = valuesOf(form);
    const etag = etagOf(form);
    const result = await attempt(() => ctx.namedValues.update(existing.id, updateInputOf(values, existing), etag, actorOf(request)), values, NAMED_VALUE_TARGETS);
    // The typed secret is not shown back: the field stays empty, as on the page's first showing.
    if (!result.ok) return detailPage(request, reply, existing, { state: existing.secret || values.secret === 'yes' ? { ...result.state, values: { ...values, value: '' } } : result.state, etag, status: 400 });
    return redirectWithNotice(reply, namedValuePath(existing.id), 'named-value-saved');
  });

  app.post<{ Params: { id: string } }>('/admin/named-values/:id/value', page(), async (request, reply) => {
    const v = await ctx.namedValues.get(request.params.id);
    const { value } = await ctx.namedValues.listValue(v.id);
    return detailPage(request, reply, v, { shown: value });
  });

  // -- Delete ----------------------------------------------------------------------------------

  function deletePage(request: FastifyRequest, reply: FastifyReply, v: NamedValueView, state?: FormState, status?: number): FastifyReply {
    return confirmPage(ctx, request, reply, {
      title: `Delete ${v.displayName}?`,
      section: 'policy',
      trail: trail(v, 'Delete'),
      explanation: html`<p>The named value will be deleted. A named value that a policy uses cannot be deleted: remove <code>{{${v.displayName}}}</code> from the policies first. This cannot be undone.</p>`,
      action: `${namedValuePath(v.id)}/delete`,
      etag: v.etag,
      button: 'Delete named value',
      cancel: namedValuePath(v.id),
      state,
      status,
    });
  }

  app.get<{ Params: { id: string } }>('/admin/named-values/:id/delete', page(), async (request, reply) =>
    deletePage(request, reply, await ctx.namedValues.get(request.params.id)),
  );

  app.post<{ Params: { id: string } }>('/admin/named-values/:id/delete', page(), async (request, reply) => {
    const id = request.params.id;
    try {
      const removed = await ctx.namedValues.remove(id, etagOf(formOf(request.body)), actorOf(request));
      return redirectWithNotice(reply, '/admin/named-values', removed ? 'named-value-deleted' : 'named-value-gone');
    } catch (error) {
      // Still used by a policy: asked again, with the service's reason (which names the policies).
      if (!(error instanceof AppError) || error.kind !== 'validation') throw error;
      const state: FormState = { values: {}, errors: {}, message: error.message };
      return deletePage(request, reply, await ctx.namedValues.get(id), state, 400);
    }
  });
}
