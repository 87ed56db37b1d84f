/**
 * Products: the list, creating and editing a product, deleting it (optionally with its
 * subscriptions), publishing and unpublishing it, and the APIs it bundles and the groups that see it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  PRODUCT_DESCRIPTION_MAX,
  PRODUCT_DISPLAY_NAME_MAX,
  productCreateInput,
  productUpdateInput,
  type ProductState,
} from '../../../domain/product-input.js';
import { parseInput } from '../../../domain/validate.js';
import { AppError } from '../../../domain/errors.js';
import { NEW_ID_MAX } from '../../../services/entity-ids.js';
import type { ProductView } from '../../../services/views.js';
import { EMPTY_FORM, button, csrfInput, errorSummary, hidden, type FormState } from '../../web/components.js';
import { field, formOf, type FormFields } from '../../web/form.js';
import { formErrors } from '../../web/form-errors.js';
import { html, type SafeHtml } from '../../web/html.js';
import type { AdminContext } from '../context.js';
import { page } from '../../web/face.js';
import { registerCreatePage, registerEditPage } from '../entity-form-pages.js';
import { checkField, confirmPage, etagOf, orNull, removeForm, selectField, textArea, textField, ticked } from '../forms.js';
import { entityTrail, dataTable, notice, pageHead, redirectWithNotice, seg, sendAdminPage, skipOf, stateBadge, yesNo } from '../render.js';
import { actorOf, formToken } from '../../web/request-state.js';
import { usageOf, usagePanel } from '../analytics/usage-panel.js';

const PRODUCTS_PER_PAGE = 50;
/** The choices of the "add an API / a group" selects. */
const CHOICES_MAX = 500;

const PRODUCT_IDS = {
  id: 'product-id',
  displayName: 'product-name',
  description: 'product-description',
  terms: 'product-terms',
  subscriptionRequired: 'product-subscription-required',
  approvalRequired: 'product-approval-required',
  subscriptionsLimit: 'product-subscriptions-limit',
};
const PRODUCT_TARGETS: Readonly<Record<string, string>> = {
  id: 'id',
  displayName: 'displayName',
  description: 'description',
  terms: 'terms',
  subscriptionRequired: 'subscriptionRequired',
  approvalRequired: 'approvalRequired',
  subscriptionsLimit: 'subscriptionsLimit',
};
const ADD_API_IDS = { apiId: 'add-api' };
const ADD_GROUP_IDS = { groupId: 'add-group' };

interface ProductParams {
  id: string;
}

export function productPath(id: string): string {
  return `/admin/products/${seg(id)}`;
}

export function productStateBadge(state: ProductState): SafeHtml {
  return stateBadge(state, state === 'published' ? 'Published' : 'Not published');
}

function trail(product?: ProductView, last?: string): SafeHtml {
  return entityTrail({ href: '/admin/products', label: 'Products' }, product && { href: productPath(product.id), label: product.displayName }, last);
}

function limitText(product: ProductView): string {
  if (!product.subscriptionRequired) return '–';
  return product.subscriptionsLimit === null ? 'Unlimited' : String(product.subscriptionsLimit);
}

/** What the product's policy, composed with the global one, limits, in words. */
function limitsText(limits: readonly string[]): string {
  return limits.length > 0 ? limits.join(', ') : 'None';
}

type ProductValues = Record<'displayName' | 'description' | 'terms' | 'subscriptionRequired' | 'approvalRequired' | 'subscriptionsLimit', string>;

function valuesOf(form: FormFields): ProductValues {
  return {
    displayName: field(form, 'displayName'),
    description: field(form, 'description'),
    terms: field(form, 'terms'),
    subscriptionRequired: ticked(form, 'subscriptionRequired'),
    approvalRequired: ticked(form, 'approvalRequired'),
    subscriptionsLimit: field(form, 'subscriptionsLimit').trim(),
  };
}

function valuesOfProduct(p: ProductView): ProductValues {
  return {
    displayName: p.displayName,
    description: p.description ?? '',
    terms: p.terms ?? '',
    subscriptionRequired: p.subscriptionRequired ? 'yes' : '',
    approvalRequired: p.approvalRequired ? 'yes' : '',
    subscriptionsLimit: p.subscriptionsLimit === null ? '' : String(p.subscriptionsLimit),
  };
}

/**
 * The form's values as the product's input, for the domain's schema to check: an empty limit is
 * "unlimited" (null), a number is a number, and anything else goes as typed so that the schema
 * says what is wrong with it.
 */
function inputOf(v: ProductValues): Record<string, unknown> {
  const limit = v.subscriptionsLimit;
  return {
    displayName: v.displayName,
    description: orNull(v.description),
    terms: orNull(v.terms),
    subscriptionRequired: v.subscriptionRequired === 'yes',
    approvalRequired: v.approvalRequired === 'yes',
    subscriptionsLimit: limit === '' ? null : /^-?\d+(\.\d+)?$/.test(limit) ? Number(limit) : limit,
  };
}

function productFields(state: FormState, creating: boolean): SafeHtml {
  return html`${
    creating &&
    textField(
      {
        id: PRODUCT_IDS.id,
        name: 'id',
        label: 'Id',
        hint: 'Used in addresses, subscriptions and by the management API. Leave empty to derive it from the name.',
        maxlength: NEW_ID_MAX,
        code: true,
      },
      state,
    )
  }
${textField({ id: PRODUCT_IDS.displayName, name: 'displayName', label: 'Name', required: true, maxlength: PRODUCT_DISPLAY_NAME_MAX }, state)}
${textArea({ id: PRODUCT_IDS.description, name: 'description', label: 'Description', maxlength: PRODUCT_DESCRIPTION_MAX, rows: 3 }, state)}
${textArea({ id: PRODUCT_IDS.terms, name: 'terms', label: 'Terms of use', hint: 'Shown to developers when they subscribe.', rows: 4 }, state)}
<fieldset>
  <legend>Subscriptions</legend>
  ${checkField({ id: PRODUCT_IDS.subscriptionRequired, name: 'subscriptionRequired', label: 'Subscription required', hint: 'Without it, the APIs of the product can be called without a key.' }, state)}
  ${checkField({ id: PRODUCT_IDS.approvalRequired, name: 'approvalRequired', label: 'Approval required', hint: 'An administrator approves each subscription request.' }, state)}
  ${textField(
    {
      id: PRODUCT_IDS.subscriptionsLimit,
      name: 'subscriptionsLimit',
      label: 'Subscriptions per developer',
      hint: 'Leave empty for no limit.',
      type: 'number',
      min: 1,
    },
    state,
  )}
</fieldset>`;
}

export function registerProductPages(app: FastifyInstance, ctx: AdminContext): void {
  // -- The list --------------------------------------------------------------------------------

  app.get('/admin/products', page(), async (request, reply) => {
    const skip = skipOf(request);
    const page = await ctx.products.list({ top: PRODUCTS_PER_PAGE, skip });
    const rows = page.items.map(
      (p) => html`<tr>
  <th scope="row"><a href="${productPath(p.id)}">${p.displayName}</a></th>
  <td>${productStateBadge(p.state)}</td>
  <td>${yesNo(p.subscriptionRequired)}</td>
  <td>${p.subscriptionRequired ? yesNo(p.approvalRequired) : '–'}</td>
  <td class="num">${limitText(p)}</td>
</tr>`,
    );
    return sendAdminPage(ctx, request, reply, {
      title: 'Products',
      section: 'products',
      main: html`${pageHead('Products', html`<a class="button" href="/admin/products/new">New product</a>`)}
${notice(request)}
${dataTable({
  caption: 'Products',
  columns: ['Name', 'State', 'Subscription required', 'Approval required', { label: 'Subscriptions limit', className: 'num' }],
  rows,
  empty: 'No products yet.',
  pages: { skip, top: PRODUCTS_PER_PAGE, count: page.count, href: (s) => `/admin/products?skip=${s}` },
})}`,
    });
  });

  // -- Create ----------------------------------------------------------------------------------

  registerCreatePage(app, ctx, {
    path: '/admin/products/new',
    title: 'New product',
    section: 'products',
    trail: trail(undefined, 'New product'),
    intro: html`<p class="muted">A new product is not published: only administrators see it until you publish it.</p>`,
    ids: PRODUCT_IDS,
    fields: (state) => productFields(state, true),
    submit: 'Create product',
    cancel: '/admin/products',
    initial: { subscriptionRequired: 'yes' },
    valuesOf: (form) => ({ id: field(form, 'id').trim(), ...valuesOf(form) }),
    targets: PRODUCT_TARGETS,
    create: (values, request) => ctx.products.create(values.id, parseInput(productCreateInput, inputOf(values)), actorOf(request)),
    created: (product) => ({ location: productPath(product.id), notice: 'product-created' }),
  });

  // -- A product -------------------------------------------------------------------------------

  async function productPage(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    forms: { api?: FormState; group?: FormState } = {},
    status?: number,
  ): Promise<FastifyReply> {
    const product = await ctx.products.get(id);
    const [apis, groups, allApis, allGroups, limits, usage] = await Promise.all([
      ctx.products.listApis(id, { top: CHOICES_MAX, skip: 0 }),
      ctx.products.listGroups(id, { top: CHOICES_MAX, skip: 0 }),
      ctx.apis.list({ top: CHOICES_MAX, skip: 0 }),
      ctx.groups.list({ top: CHOICES_MAX, skip: 0 }),
      ctx.productLimits.describe(id),
      usageOf(ctx, { kind: 'product', id }),
    ]);
    const token = csrfInput(formToken(request));
    const path = productPath(id);
    const linkedApis = new Set(apis.items.map((a) => a.id));
    const linkedGroups = new Set(groups.items.map((g) => g.id));
    const apiChoices = allApis.items.filter((a) => !linkedApis.has(a.id)).map((a) => ({ value: a.id, label: `${a.displayName} (/${a.path})` }));
    const groupChoices = allGroups.items.filter((g) => !linkedGroups.has(g.id)).map((g) => ({ value: g.id, label: g.displayName }));
    const published = product.state === 'published';

    const apiRows = apis.items.map(
      (a) => html`<tr>
  <th scope="row"><a href="/admin/apis/${seg(a.id)}">${a.displayName}</a></th>
  <td><code>/${a.path}</code></td>
  <td>
    ${removeForm(request, `${path}/apis/${seg(a.id)}/remove`, `Remove ${a.displayName} from ${product.displayName}?`, a.displayName)}
  </td>
</tr>`,
    );
    const groupRows = groups.items.map(
      (g) => html`<tr>
  <th scope="row"><a href="/admin/groups/${seg(g.id)}">${g.displayName}</a></th>
  <td>
    ${removeForm(request, `${path}/groups/${seg(g.id)}/remove`, `Hide ${product.displayName} from ${g.displayName}?`, g.displayName)}
  </td>
</tr>`,
    );
    const apiForm = forms.api ?? EMPTY_FORM;
    const groupForm = forms.group ?? EMPTY_FORM;

    return sendAdminPage(ctx, request, reply, {
      title: product.displayName,
      section: 'products',
      status,
      main: html`${trail(undefined, product.displayName)}
${pageHead(
  product.displayName,
  html`<a class="button secondary" href="${path}/edit">Edit</a> <a class="button secondary" href="${path}/policy">Policy</a> <a class="button danger" href="${path}/delete">Delete</a>`,
)}
${notice(request)}
<div class="grid-2">
<section class="panel" aria-labelledby="details-heading">
  <h2 id="details-heading">Details</h2>
  <dl class="details">
    <dt>Id</dt><dd><code>${product.id}</code></dd>
    <dt>State</dt><dd>${productStateBadge(product.state)}</dd>
    <dt>Subscription required</dt><dd>${yesNo(product.subscriptionRequired)}</dd>
    <dt>Approval required</dt><dd>${product.subscriptionRequired ? yesNo(product.approvalRequired) : '–'}</dd>
    <dt>Subscriptions per developer</dt><dd>${limitText(product)}</dd>
    <dt>Limits</dt><dd>${limitsText(limits)}</dd>
    <dt>Description</dt><dd class="prose">${product.description ?? '–'}</dd>
  </dl>
  ${product.terms && html`<h3>Terms of use</h3><div class="terms prose">${product.terms}</div>`}
</section>
<section class="panel" aria-labelledby="publish-heading">
  <h2 id="publish-heading">Publication</h2>
  ${
    published
      ? html`<p>The product is <strong>published</strong>: developers in its groups see it on the portal, and its subscriptions call its APIs.</p>
  <form method="post" action="${path}/unpublish" data-confirm="Unpublish ${product.displayName}? Its subscriptions stop working until it is published again.">
    ${token}${hidden('etag', product.etag)}
    ${button('Unpublish', 'secondary')}
  </form>`
      : html`<p>The product is <strong>not published</strong>: only administrators see it, and its subscriptions cannot call its APIs.</p>
  <form method="post" action="${path}/publish">
    ${token}${hidden('etag', product.etag)}
    ${button('Publish')}
  </form>`
  }
</section>
</div>
<section class="panel" aria-labelledby="apis-heading">
  <h2 id="apis-heading">APIs</h2>
  ${errorSummary(apiForm, ADD_API_IDS)}
  ${
    apiChoices.length > 0
      ? html`<form method="post" action="${path}/apis" class="toolbar">
    ${token}
    ${selectField({ id: ADD_API_IDS.apiId, name: 'apiId', label: 'API to add', choices: apiChoices, placeholder: 'Choose an API' }, apiForm)}
    ${button('Add API')}
  </form>`
      : html`<p class="muted">${allApis.count === 0 ? html`There are no APIs yet: <a href="/admin/apis/new">create one</a>.` : 'Every API is in this product.'}</p>`
  }
  ${dataTable({
    caption: `APIs of ${product.displayName}`,
    columns: ['API', 'Path', { label: 'Actions', hidden: true }],
    rows: apiRows,
    empty: 'No APIs in this product.',
  })}
</section>
<section class="panel" aria-labelledby="groups-heading">
  <h2 id="groups-heading">Visible to</h2>
  <p class="muted">Developers see a published product on the portal when they belong to one of these groups.</p>
  ${errorSummary(groupForm, ADD_GROUP_IDS)}
  ${
    groupChoices.length > 0 &&
    html`<form method="post" action="${path}/groups" class="toolbar">
    ${token}
    ${selectField({ id: ADD_GROUP_IDS.groupId, name: 'groupId', label: 'Group to add', choices: groupChoices, placeholder: 'Choose a group' }, groupForm)}
    ${button('Add group')}
  </form>`
  }
  ${dataTable({
    caption: `Groups that see ${product.displayName}`,
    columns: ['Group', { label: 'Actions', hidden: true }],
    rows: groupRows,
    empty: 'No groups: only administrators see this product.',
  })}
</section>
${usagePanel({ kind: 'product', id }, usage)}`,
    });
  }

  app.get<{ Params: ProductParams }>('/admin/products/:id', page(), async (request, reply) => productPage(request, reply, request.params.id));

  // -- Publish and unpublish --------------------------------------------------------------------

  for (const [action, state, done] of [
    ['publish', 'published', 'product-published'],
    ['unpublish', 'notPublished', 'product-unpublished'],
  ] as const) {
    app.post<{ Params: ProductParams }>(`/admin/products/:id/${action}`, page(), async (request, reply) => {
      const id = request.params.id;
      await ctx.products.update(id, { state }, etagOf(formOf(request.body)), actorOf(request));
      return redirectWithNotice(reply, productPath(id), done);
    });
  }

  // -- APIs and groups -------------------------------------------------------------------------

  app.post<{ Params: ProductParams }>('/admin/products/:id/apis', page(), async (request, reply) => {
    const id = request.params.id;
    const apiId = field(formOf(request.body), 'apiId');
    if (apiId === '') {
      return productPage(request, reply, id, { api: { values: {}, errors: { apiId: 'Choose the API to add.' } } }, 400);
    }
    const { created } = await ctx.products.addApi(id, apiId, actorOf(request));
    return redirectWithNotice(reply, productPath(id), created ? 'product-api-added' : 'product-api-already');
  });

  app.post<{ Params: ProductParams & { apiId: string } }>('/admin/products/:id/apis/:apiId/remove', page(), async (request, reply) => {
    const { id, apiId } = request.params;
    const removed = await ctx.products.removeApi(id, apiId, actorOf(request));
    return redirectWithNotice(reply, productPath(id), removed ? 'product-api-removed' : 'product-api-not');
  });

  app.post<{ Params: ProductParams }>('/admin/products/:id/groups', page(), async (request, reply) => {
    const id = request.params.id;
    const groupId = field(formOf(request.body), 'groupId');
    if (groupId === '') {
      return productPage(request, reply, id, { group: { values: {}, errors: { groupId: 'Choose the group to add.' } } }, 400);
    }
    const { created } = await ctx.products.addGroup(id, groupId, actorOf(request));
    return redirectWithNotice(reply, productPath(id), created ? 'product-group-added' : 'product-group-already');
  });

  app.post<{ Params: ProductParams & { groupId: string } }>('/admin/products/:id/groups/:groupId/remove', page(), async (request, reply) => {
    const { id, groupId } = request.params;
    const removed = await ctx.products.removeGroup(id, groupId, actorOf(request));
    return redirectWithNotice(reply, productPath(id), removed ? 'product-group-removed' : 'product-group-not');
  });

  // -- Edit ------------------------------------------------------------------------------------

  registerEditPage(app, ctx, {
    base: '/admin/products',
    section: 'products',
    load: (id) => ctx.products.get(id),
    trail: (product) => trail(product, 'Edit'),
    ids: PRODUCT_IDS,
    fields: (state) => productFields(state, false),
    valuesOfEntity: valuesOfProduct,
    valuesOf,
    targets: PRODUCT_TARGETS,
    update: (product, values, etag, request) => ctx.products.update(product.id, parseInput(productUpdateInput, inputOf(values)), etag, actorOf(request)),
    saved: 'product-saved',
  });

  // -- Delete ----------------------------------------------------------------------------------

  function deletePage(request: FastifyRequest, reply: FastifyReply, product: ProductView, state?: FormState, status?: number): FastifyReply {
    return confirmPage(ctx, request, reply, {
      title: `Delete ${product.displayName}?`,
      section: 'products',
      trail: trail(product, 'Delete'),
      explanation: html`<p>The product, its API list and its group list will be deleted. The APIs themselves stay. This cannot be undone.</p>`,
      action: `${productPath(product.id)}/delete`,
      etag: product.etag,
      extra: checkField(
        {
          id: 'delete-subscriptions',
          name: 'deleteSubscriptions',
          label: 'Also delete its subscriptions',
          hint: 'Without this, a product that still has active, suspended or submitted subscriptions is not deleted.',
        },
        state ?? EMPTY_FORM,
      ),
      button: 'Delete product',
      cancel: productPath(product.id),
      state,
      status,
    });
  }

  app.get<{ Params: ProductParams }>('/admin/products/:id/delete', page(), async (request, reply) =>
    deletePage(request, reply, await ctx.products.get(request.params.id)),
  );

  app.post<{ Params: ProductParams }>('/admin/products/:id/delete', page(), async (request, reply) => {
    const id = request.params.id;
    const form = formOf(request.body);
    const deleteSubscriptions = ticked(form, 'deleteSubscriptions') === 'yes';
    try {
      const removed = await ctx.products.remove(id, etagOf(form), deleteSubscriptions, actorOf(request));
      return redirectWithNotice(reply, '/admin/products', removed ? 'product-deleted' : 'product-gone');
    } catch (error) {
      // The product still has live subscriptions: ask again, with the service's reason.
      if (!(error instanceof AppError) || error.kind !== 'conflict') throw error;
      const product = await ctx.products.get(id);
      const state = formErrors(error, { deleteSubscriptions: '' }, {});
      return deletePage(request, reply, product, state, 409);
    }
  });
}
