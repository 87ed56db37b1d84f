/**
 * Groups: the list, creating, editing and deleting custom groups, and a group's members (paged;
 * added by email address, removed one by one). The system groups (Administrators, Developers,
 * Guests) are read-only: the pages offer no edit or delete for them, and the service refuses anyway.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GROUP_DESCRIPTION_MAX, GROUP_DISPLAY_NAME_MAX } from '../../../domain/group.js';
import { groupCreateInput, groupUpdateInput } from '../../../domain/group-input.js';
import { parseInput } from '../../../domain/validate.js';
import { NEW_ID_MAX } from '../../../services/entity-ids.js';
import type { GroupView } from '../../../services/views.js';
import { EMPTY_FORM, button, csrfInput, errorSummary, input, type FormState } from '../../web/components.js';
import { field, formOf } from '../../web/form.js';
import { html, type SafeHtml } from '../../web/html.js';
import type { AdminContext } from '../context.js';
import { page } from '../../web/face.js';
import { registerCreatePage, registerEditPage } from '../entity-form-pages.js';
import { attempt, confirmPage, etagOf, orNull, removeForm, textArea, textField } from '../forms.js';
import { entityTrail, dataTable, notice, pageHead, redirectWithNotice, seg, sendAdminPage, skipOf, stateBadge } from '../render.js';
import { actorOf, formToken } from '../../web/request-state.js';

const GROUPS_PER_PAGE = 50;
const MEMBERS_PER_PAGE = 20;

const GROUP_IDS = { id: 'group-id', displayName: 'group-name', description: 'group-description' };
const GROUP_TARGETS = { id: 'id', displayName: 'displayName', description: 'description' };
const MEMBER_IDS = { email: 'member-email' };

interface GroupParams {
  id: string;
}

function groupPath(id: string): string {
  return `/admin/groups/${seg(id)}`;
}

function typeBadge(group: GroupView): SafeHtml {
  return group.builtIn || group.type === 'system' ? stateBadge('system', 'System') : stateBadge(group.type, group.type === 'external' ? 'External' : 'Custom');
}

function groupsTrail(group?: GroupView, last?: string): SafeHtml {
  return entityTrail({ href: '/admin/groups', label: 'Groups' }, group && { href: groupPath(group.id), label: group.displayName }, last);
}

function groupFields(state: FormState, creating: boolean): SafeHtml {
  return html`${
    creating &&
    textField(
      {
        id: GROUP_IDS.id,
        name: 'id',
        label: 'Id',
        hint: 'Used in addresses and by the management API. Leave empty to derive it from the name.',
        maxlength: NEW_ID_MAX,
        code: true,
      },
      state,
    )
  }
${textField({ id: GROUP_IDS.displayName, name: 'displayName', label: 'Name', required: true, maxlength: GROUP_DISPLAY_NAME_MAX }, state)}
${textArea({ id: GROUP_IDS.description, name: 'description', label: 'Description', maxlength: GROUP_DESCRIPTION_MAX, rows: 3 }, state)}`;
}

export function registerGroupPages(app: FastifyInstance, ctx: AdminContext): void {
  // -- The list --------------------------------------------------------------------------------

  app.get('/admin/groups', page(), async (request, reply) => {
    const skip = skipOf(request);
    const page = await ctx.groups.list({ top: GROUPS_PER_PAGE, skip });
    const counts = await ctx.groups.memberCounts(page.items.map((g) => g.id));
    const rows = page.items.map(
      (g) => html`<tr>
  <th scope="row"><a href="${groupPath(g.id)}">${g.displayName}</a></th>
  <td>${typeBadge(g)}</td>
  <td>${g.description ?? ''}</td>
  <td class="num">${counts.get(g.id) ?? 0}</td>
</tr>`,
    );
    return sendAdminPage(ctx, request, reply, {
      title: 'Groups',
      section: 'groups',
      main: html`${pageHead('Groups', html`<a class="button" href="/admin/groups/new">New group</a>`)}
${notice(request)}
<p class="muted">Groups decide which products developers see. The system groups are managed by Tollgate and cannot be changed.</p>
${dataTable({
  caption: 'Groups',
  columns: ['Name', 'Type', 'Description', { label: 'Members', className: 'num' }],
  rows,
  empty: 'No groups.',
  pages: { skip, top: GROUPS_PER_PAGE, count: page.count, href: (s) => `/admin/groups?skip=${s}` },
})}`,
    });
  });

  // -- Create ----------------------------------------------------------------------------------

  registerCreatePage(app, ctx, {
    path: '/admin/groups/new',
    title: 'New group',
    section: 'groups',
    trail: groupsTrail(undefined, 'New group'),
    ids: GROUP_IDS,
    fields: (state) => groupFields(state, true),
    submit: 'Create group',
    cancel: '/admin/groups',
    initial: {},
    valuesOf: (form) => ({ id: field(form, 'id').trim(), displayName: field(form, 'displayName'), description: field(form, 'description') }),
    targets: GROUP_TARGETS,
    create: (values, request) =>
      ctx.groups.create(
        values.id,
        parseInput(groupCreateInput, { displayName: values.displayName, description: orNull(values.description), type: 'custom' }),
        actorOf(request),
      ),
    created: (group) => ({ location: groupPath(group.id), notice: 'group-created' }),
  });

  // -- A group and its members -----------------------------------------------------------------

  async function groupPage(request: FastifyRequest, reply: FastifyReply, id: string, memberForm: FormState, status?: number): Promise<FastifyReply> {
    const group = await ctx.groups.get(id);
    const skip = skipOf(request);
    const members = await ctx.users.listByGroup(id, { top: MEMBERS_PER_PAGE, skip });
    const token = csrfInput(formToken(request));
    const readOnly = group.builtIn;
    const rows = members.items.map(
      (u) => html`<tr>
  <th scope="row"><a href="/admin/users/${seg(u.id)}">${`${u.firstName} ${u.lastName}`.trim() || u.email}</a></th>
  <td>${u.email}</td>
  <td>${stateBadge(u.state)}</td>
  <td>
    ${removeForm(request, `${groupPath(id)}/members/${seg(u.id)}/remove`, `Remove ${u.email} from ${group.displayName}?`, u.email)}
  </td>
</tr>`,
    );
    const canAdd = group.id !== 'guests';
    return sendAdminPage(ctx, request, reply, {
      title: group.displayName,
      section: 'groups',
      status,
      main: html`${groupsTrail(undefined, group.displayName)}
${pageHead(
  group.displayName,
  !readOnly &&
    html`<a class="button secondary" href="${groupPath(id)}/edit">Edit</a> <a class="button danger" href="${groupPath(id)}/delete">Delete</a>`,
)}
${notice(request)}
<section class="panel" aria-labelledby="details-heading">
  <h2 id="details-heading">Details</h2>
  <dl class="details">
    <dt>Id</dt><dd><code>${group.id}</code></dd>
    <dt>Type</dt><dd>${typeBadge(group)}</dd>
    <dt>Description</dt><dd>${group.description ?? '–'}</dd>
  </dl>
  ${readOnly && html`<p class="muted">This is a system group: its name and description cannot be changed, and it cannot be deleted.</p>`}
</section>
<section class="panel" aria-labelledby="members-heading">
  <h2 id="members-heading">Members</h2>
  ${
    canAdd
      ? html`${errorSummary(memberForm, MEMBER_IDS)}
  <form method="post" action="${groupPath(id)}/members" class="toolbar add-member">
    ${token}
    ${input({ id: MEMBER_IDS.email, name: 'email', label: 'Email address of the user to add', kind: 'email' }, memberForm)}
    ${button('Add member')}
  </form>`
      : html`<p class="muted">Guests are the anonymous visitors of the developer portal; users cannot be added to this group.</p>`
  }
  ${dataTable({
    caption: `Members of ${group.displayName}`,
    columns: ['Name', 'Email address', 'State', { label: 'Actions', hidden: true }],
    rows,
    empty: 'No members.',
    pages: { skip, top: MEMBERS_PER_PAGE, count: members.count, href: (s) => `${groupPath(id)}?skip=${s}` },
  })}
</section>`,
    });
  }

  app.get<{ Params: GroupParams }>('/admin/groups/:id', page(), async (request, reply) => groupPage(request, reply, request.params.id, EMPTY_FORM));

  app.post<{ Params: GroupParams }>('/admin/groups/:id/members', page(), async (request, reply) => {
    const id = request.params.id;
    const values = { email: field(formOf(request.body), 'email').trim() };
    const result = await attempt(() => ctx.groups.addMemberByEmail(id, values.email, actorOf(request)), values, { email: 'email' });
    if (!result.ok) return groupPage(request, reply, id, result.state, 400);
    return redirectWithNotice(reply, groupPath(id), result.value.created ? 'member-added' : 'member-already');
  });

  app.post<{ Params: GroupParams & { userId: string } }>('/admin/groups/:id/members/:userId/remove', page(), async (request, reply) => {
    const { id, userId } = request.params;
    const removed = await ctx.groups.removeMember(id, userId, actorOf(request));
    return redirectWithNotice(reply, groupPath(id), removed ? 'member-removed' : 'member-not');
  });

  // -- Edit ------------------------------------------------------------------------------------

  function readOnlyPage(request: FastifyRequest, reply: FastifyReply, group: GroupView): FastifyReply {
    return sendAdminPage(ctx, request, reply, {
      title: group.displayName,
      section: 'groups',
      status: 400,
      main: html`${groupsTrail(group, 'Read-only')}
<section class="panel" aria-labelledby="page-heading">
  <h1 id="page-heading">${group.displayName} is a system group</h1>
  <div class="alert error" role="alert"><p>'${group.displayName}' is a system group and cannot be changed or deleted.</p></div>
  <p><a href="${groupPath(group.id)}">Back to the group</a></p>
</section>`,
    });
  }

  registerEditPage(app, ctx, {
    base: '/admin/groups',
    section: 'groups',
    load: (id) => ctx.groups.get(id),
    trail: (group) => groupsTrail(group, 'Edit'),
    readOnly: (group, request, reply) => (group.builtIn ? readOnlyPage(request, reply, group) : undefined),
    ids: GROUP_IDS,
    fields: (state) => groupFields(state, false),
    valuesOfEntity: (group) => ({ displayName: group.displayName, description: group.description ?? '' }),
    valuesOf: (form) => ({ displayName: field(form, 'displayName'), description: field(form, 'description') }),
    targets: GROUP_TARGETS,
    update: (group, values, etag, request) =>
      ctx.groups.update(group.id, parseInput(groupUpdateInput, { displayName: values.displayName, description: orNull(values.description) }), etag, actorOf(request)),
    saved: 'group-saved',
  });

  // -- Delete ----------------------------------------------------------------------------------

  app.get<{ Params: GroupParams }>('/admin/groups/:id/delete', page(), async (request, reply) => {
    const group = await ctx.groups.get(request.params.id);
    if (group.builtIn) return readOnlyPage(request, reply, group);
    const members = await ctx.groups.memberCounts([group.id]);
    const n = members.get(group.id) ?? 0;
    return confirmPage(ctx, request, reply, {
      title: `Delete ${group.displayName}?`,
      section: 'groups',
      trail: groupsTrail(group, 'Delete'),
      explanation: html`<p>The group and its ${n} membership${n === 1 ? '' : 's'} will be deleted (the users stay). Products visible only to this group will no longer be visible to its members. This cannot be undone.</p>`,
      action: `${groupPath(group.id)}/delete`,
      etag: group.etag,
      button: 'Delete group',
      cancel: groupPath(group.id),
    });
  });

  app.post<{ Params: GroupParams }>('/admin/groups/:id/delete', page(), async (request, reply) => {
    const id = request.params.id;
    const removed = await ctx.groups.remove(id, etagOf(formOf(request.body)), actorOf(request));
    return redirectWithNotice(reply, '/admin/groups', removed ? 'group-deleted' : 'group-gone');
  });
}
