/**
 * Users: the list (search by name or email, a state filter, sortable columns, 50 a page, paged by
 * the database), with checkboxes for the bulk actions; + Add and + Invite (add-routes.ts,
 * invite-routes.ts) and the bulk actions themselves (bulk-routes.ts) are registered from here.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isUserState, type UserState } from '../../../domain/user.js';
import { USER_SORT_KEYS, type DirectoryUser, type UserSortKey } from '../../../services/user-directory.js';
import { csrfInput, hidden } from '../../web/components.js';
import { html, raw, type SafeHtml } from '../../web/html.js';
import type { AdminContext } from '../context.js';
import { page } from '../../web/face.js';
import { dataTable, dateTime, notice, pageHead, pagination, sendAdminPage, stateBadge } from '../render.js';
import { formToken } from '../../web/request-state.js';
import { registerUserAddPages } from './add-routes.js';
import { USER_STATE_LABELS, displayName } from '../labels.js';
import { registerUserBulkActions } from './bulk-routes.js';
import { registerUserInvitePages } from './invite-routes.js';

export const USERS_PAGE_SIZE = 50;
/** A search longer than this is cut: nobody types 200 characters into a search box. */
const QUERY_MAX = 200;
const DEFAULT_SORT: UserSortKey = 'name';

const SORT_LABELS: Readonly<Record<UserSortKey, string>> = { name: 'name', email: 'email', registered: 'registration date', state: 'state' };

/** What the list shows: its search, filter, order and page, read from the query string. */
export interface UserListView {
  q: string;
  state: UserState | undefined;
  sort: UserSortKey;
  descending: boolean;
  skip: number;
}

function queryValue(request: FastifyRequest, name: string): string {
  const value = (request.query as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}

/** Unknown or malformed values fall back to the defaults, so that any address shows a list. */
export function listViewOf(request: FastifyRequest): UserListView {
  const q = queryValue(request, 'q').trim().slice(0, QUERY_MAX);
  const stateText = queryValue(request, 'state');
  const sortText = queryValue(request, 'sort');
  const descending = sortText.startsWith('-');
  const sortKey = descending ? sortText.slice(1) : sortText;
  const sort = (USER_SORT_KEYS as readonly string[]).includes(sortKey) ? (sortKey as UserSortKey) : DEFAULT_SORT;
  const skipText = queryValue(request, 'skip');
  const skip = /^\d{1,9}$/.test(skipText) ? Number(skipText) : 0;
  return { q, state: isUserState(stateText) ? stateText : undefined, sort, descending: sort === sortKey && descending, skip };
}

/** The list's address with `changes` applied; defaults are left out. */
export function listHref(view: UserListView, changes: Partial<UserListView> = {}): string {
  const v = { ...view, ...changes };
  const params = new URLSearchParams();
  if (v.q) params.set('q', v.q);
  if (v.state) params.set('state', v.state);
  if (v.sort !== DEFAULT_SORT || v.descending) params.set('sort', `${v.descending ? '-' : ''}${v.sort}`);
  if (v.skip > 0) params.set('skip', String(v.skip));
  const query = params.toString();
  return query ? `/admin/users?${query}` : '/admin/users';
}

/** A column header that sorts by its column: ascending first, then the other way round. */
function sortHeader(view: UserListView, key: UserSortKey, label: string): SafeHtml {
  const current = view.sort === key;
  const nextDescending = current && !view.descending;
  const href = listHref(view, { sort: key, descending: nextDescending, skip: 0 });
  const ariaSort = current ? (view.descending ? 'descending' : 'ascending') : undefined;
  const arrow = current ? (view.descending ? '▼' : '▲') : '';
  return html`<th scope="col"${ariaSort && html` aria-sort="${ariaSort}"`}><a class="sort-link" href="${href}">${label}${
    current && html` <span aria-hidden="true">${arrow}</span>`
  }<span class="visually-hidden">, sort ${nextDescending ? 'descending' : 'ascending'}</span></a></th>`;
}

function option(value: string, label: string, selected: boolean): SafeHtml {
  return html`<option value="${value}"${selected ? raw(' selected') : ''}>${label}</option>`;
}

function searchForm(view: UserListView): SafeHtml {
  const filtered = view.q !== '' || view.state !== undefined;
  return html`<form class="toolbar users-search" method="get" action="/admin/users" role="search" aria-label="Users">
  <div class="field">
    <label for="users-q">Name or email</label>
    <input id="users-q" name="q" type="search" maxlength="${QUERY_MAX}" spellcheck="false" autocomplete="off"${view.q && html` value="${view.q}"`}>
  </div>
  <div class="field">
    <label for="users-state">State</label>
    <select id="users-state" name="state">
      ${option('', 'All states', view.state === undefined)}
      ${(Object.keys(USER_STATE_LABELS) as UserState[]).map((s) => option(s, USER_STATE_LABELS[s], view.state === s))}
    </select>
  </div>
  ${(view.sort !== DEFAULT_SORT || view.descending) && hidden('sort', `${view.descending ? '-' : ''}${view.sort}`)}
  <button type="submit" class="button secondary">Search</button>
  ${filtered && html`<a href="${listHref({ ...view, q: '', state: undefined, skip: 0 })}">Clear</a>`}
</form>`;
}

function userRow(user: DirectoryUser): SafeHtml {
  const name = displayName(user);
  const pickId = `pick-${user.id}`;
  return html`<tr>
  <td class="select"><input type="checkbox" id="${pickId}" name="pick.${user.id}" value="yes"><label for="${pickId}" class="visually-hidden">Select ${name}</label></td>
  <th scope="row"><a href="/admin/users/${encodeURIComponent(user.id)}">${name}</a></th>
  <td class="email">${user.email}</td>
  <td>${stateBadge(user.state, USER_STATE_LABELS[user.state])}</td>
  <td class="date">${dateTime(user.registrationDate)}</td>
  <td>${user.groups.length > 0 ? user.groups.map((g) => g.displayName).join(', ') : html`<span class="muted">–</span>`}</td>
</tr>`;
}

export function registerUserListPages(app: FastifyInstance, ctx: AdminContext): void {

  app.get('/admin/users', page(), async (request, reply) => {
    const view = listViewOf(request);
    const page = await ctx.userDirectory.search({
      text: view.q || undefined,
      state: view.state,
      sort: view.sort,
      descending: view.descending,
      top: USERS_PAGE_SIZE,
      skip: view.skip,
    });
    const filtered = view.q !== '' || view.state !== undefined;
    const caption = `Users${view.state ? ` (${USER_STATE_LABELS[view.state].toLowerCase()})` : ''}${view.q ? ` matching “${view.q}”` : ''}, by ${
      SORT_LABELS[view.sort]
    }${view.descending ? ', descending' : ''}`;
    const main = html`${pageHead(
      'Users',
      html`<a class="button" href="/admin/users/new">+ Add user</a>`,
      html`<a class="button secondary" href="/admin/users/invite">+ Invite user</a>`,
    )}
${notice(request)}
${searchForm(view)}
<form id="users-form" method="post" action="/admin/users/bulk">
  ${csrfInput(formToken(request))}
  ${hidden('returnTo', listHref(view))}
  <div class="toolbar users-bulk">
    <div class="field">
      <label for="users-action">With the selected users</label>
      <select id="users-action" name="action">
        ${option('', 'Choose an action', true)}
        ${option('block', 'Block', false)}
        ${option('activate', 'Activate', false)}
        ${option('delete', 'Delete…', false)}
      </select>
    </div>
    <button type="submit" class="button secondary">Apply</button>
  </div>
  ${dataTable({
    caption,
    className: 'users',
    columns: [
      {
        cell: html`<th scope="col" class="select"><input type="checkbox" id="users-select-all" data-select-all="users-form" hidden><label for="users-select-all" class="visually-hidden">Select all users on this page</label></th>`,
      },
      { cell: sortHeader(view, 'name', 'Name') },
      { cell: sortHeader(view, 'email', 'Email') },
      { cell: sortHeader(view, 'state', 'State') },
      { cell: sortHeader(view, 'registered', 'Registered') },
      'Groups',
    ],
    rows: page.items.map(userRow),
    empty: filtered ? 'No user matches this search.' : 'There are no users yet.',
  })}
</form>
${pagination({ skip: view.skip, top: USERS_PAGE_SIZE, count: page.count, href: (skip) => listHref(view, { skip }) })}`;
    return sendAdminPage(ctx, request, reply, { title: 'Users', section: 'users', main });
  });

  registerUserAddPages(app, ctx);
  registerUserInvitePages(app, ctx);
  registerUserBulkActions(app, ctx);
}
