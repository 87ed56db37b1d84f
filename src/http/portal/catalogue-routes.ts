/**
 * The product catalogue: the published products the visitor's groups see (`guests` when signed
 * out), a product's page with its APIs, their operations and where to call them on the gateway,
 * and subscribing to it.
 *
 *   GET  /products                 the catalogue
 *   GET  /products/{id}            a product (404 when the visitor may not see it)
 *   POST /products/{id}/subscribe  subscribe (signed in) → /subscriptions with a notice
 *
 * Descriptions and terms are text: Azure lets them hold HTML, and here it is shown escaped like
 * every other value, line breaks kept.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.js';
import { STATUS_OF_KIND } from '../error-mapper.js';
import { developerOf, type CatalogueApi, type CatalogueProduct, type PortalCatalogue } from './catalogue.js';
import { EMPTY_FORM, button, checkbox, csrfInput, errorSummary, type FormState } from '../web/components.js';
import type { PortalContext } from './context.js';
import { sessionFormToken } from '../web/csrf.js';
import { field, formOf } from '../web/form.js';
import { html, type SafeHtml } from '../web/html.js';
import { messagePage, sendPage } from './render.js';
import { formErrors } from '../web/form-errors.js';
import { seeOther } from '../web/notices.js';
import { currentSession, sessionOf } from '../web/request-state.js';
import { signInLocation } from '../web/face-plugin.js';
import type { WebFace } from '../web/face.js';
import { SUBSCRIPTION_DISPLAY_NAME_MAX } from '../../domain/subscription-input.js';
import { checkSubscriptionName } from './fields.js';
import { page } from '../web/face.js';
import { apiPath, operationPath } from './reference-paths.js';

export interface CatalogueDeps {
  catalogue: PortalCatalogue;
  /** The gateway's public base URL, without a trailing slash. */
  gatewayUrl: string;
}


const SUBSCRIBE_IDS = { displayName: 'subscription-name', acceptTerms: 'accept-terms' };

export function productPath(id: string): string {
  return `/products/${encodeURIComponent(id)}`;
}

/** `${gatewayUrl}/${api.path}${urlTemplate}`, without a doubled slash when the API sits at the root. */
export function gatewayAddress(gatewayUrl: string, apiPath: string, urlTemplate = ''): string {
  const path = apiPath.replace(/^\/+|\/+$/g, '');
  const template = urlTemplate === '' || urlTemplate.startsWith('/') ? urlTemplate : `/${urlTemplate}`;
  return `${gatewayUrl}${path === '' ? '' : `/${path}`}${template}`;
}

/** A 404 that says nothing about whether the product exists for someone else. */
export function notFoundPage(portal: PortalContext, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return messagePage(portal, request, reply, {
    title: 'Page not found',
    message: 'There is no page at this address. Check the link, or start again from the products.',
    role: 'alert',
    status: 404,
    next: html`<p><a href="/products">See all products</a></p>`,
  });
}

function approvalTag(product: CatalogueProduct): SafeHtml {
  if (!product.subscriptionRequired) return html`<span class="tag neutral">Open: no subscription needed</span>`;
  return product.approvalRequired
    ? html`<span class="tag warning">Needs approval</span>`
    : html`<span class="tag success">Instant access</span>`;
}

/**
 * The product's limits in words, from its policy and the global one. A product that sets none
 * shows no line: an API's or operation's own policy may still limit some calls, so "no limits"
 * would not be sure to be true.
 */
function limitsLine(limits: readonly string[]): SafeHtml | false {
  return limits.length > 0 && html`<p class="limits"><strong>Limits:</strong> ${limits.join(', ')}</p>`;
}

function text(value: string, fallback: string): SafeHtml {
  return value.trim() === '' ? html`<p class="muted">${fallback}</p>` : html`<p class="prose">${value.trim()}</p>`;
}

function catalogueMain(face: WebFace, products: readonly CatalogueProduct[], signedIn: boolean): SafeHtml {
  const intro = signedIn
    ? html`<p class="muted">The products available to you. Open one to see its APIs and subscribe.</p>`
    : html`<p class="muted">The products open to everyone. <a href="${signInLocation(face, '/products')}">Sign in</a> to see the products of your account and subscribe.</p>`;
  const list =
    products.length === 0
      ? html`<p>There are no products to show yet.</p>`
      : html`<ul class="product-list">
    ${products.map(
      (p) => html`<li class="product">
      <h2><a href="${productPath(p.id)}">${p.name}</a></h2>
      <p class="tags">${approvalTag(p)}</p>
      ${text(p.description, 'No description.')}
    </li>`,
    )}
  </ul>`;
  return html`<section class="card broad" aria-labelledby="page-heading">
  <h1 id="page-heading">Products</h1>
  ${intro}
  ${list}
</section>`;
}

/** `index` names the section in the page (an API id may hold characters an HTML id should not). */
function apiSection(deps: CatalogueDeps, api: CatalogueApi, index: number): SafeHtml {
  const base = gatewayAddress(deps.gatewayUrl, api.path);
  return html`<section class="api" aria-labelledby="api-${index}">
    <h3 id="api-${index}"><a href="${apiPath(api.id)}">${api.name}</a></h3>
    ${api.description.trim() !== '' && html`<p class="prose">${api.description.trim()}</p>`}
    <dl class="details">
      <dt>Base URL</dt><dd><code>${base}</code></dd>
      ${api.subscriptionRequired && html`<dt>Key header</dt><dd><code>${api.keyHeader}</code></dd>`}
    </dl>
    <p><a href="${apiPath(api.id)}">API reference and Try it</a></p>
    ${
      api.operations.length === 0
        ? html`<p class="muted">No operations yet.</p>`
        : html`<div class="table-scroll"><table class="operations">
      <caption class="visually-hidden">Operations of ${api.name}</caption>
      <thead><tr><th scope="col">Operation</th><th scope="col">Method</th><th scope="col">URL</th></tr></thead>
      <tbody>
        ${api.operations.map(
          (op) => html`<tr>
          <td><a href="${operationPath(api.id, op.id)}">${op.name}</a></td>
          <td><span class="method">${op.method}</span></td>
          <td><code>${gatewayAddress(deps.gatewayUrl, api.path, op.urlTemplate)}</code></td>
        </tr>`,
        )}
      </tbody>
    </table></div>`
    }
  </section>`;
}

function subscribeSection(face: WebFace, request: FastifyRequest, product: CatalogueProduct, form: FormState): SafeHtml {
  const session = currentSession(request);
  if (!product.subscriptionRequired) {
    return html`<section class="card broad" aria-labelledby="subscribe-heading">
  <h2 id="subscribe-heading">No subscription needed</h2>
  ${errorSummary(form)}
  <p>This product is open: its APIs answer without a subscription key.</p>
</section>`;
  }
  if (!session) {
    return html`<section class="card broad" aria-labelledby="subscribe-heading">
  <h2 id="subscribe-heading">Subscribe</h2>
  <p>Sign in to subscribe to ${product.name} and get your keys.</p>
  <p class="actions"><a class="button" href="${signInLocation(face, productPath(product.id))}">Sign in to subscribe</a></p>
</section>`;
  }
  const error = form.errors.displayName;
  const value = form.values.displayName ?? product.name;
  const hintId = `${SUBSCRIBE_IDS.displayName}-hint`;
  const errorId = `${SUBSCRIBE_IDS.displayName}-error`;
  return html`<section class="card broad" aria-labelledby="subscribe-heading">
  <h2 id="subscribe-heading">Subscribe</h2>
  ${
    product.approvalRequired
      ? html`<p class="muted">An administrator approves subscriptions to this product; your keys appear once they do.</p>`
      : html`<p class="muted">Your keys are ready as soon as you subscribe.</p>`
  }
  ${errorSummary(form, SUBSCRIBE_IDS)}
  <form method="post" action="${productPath(product.id)}/subscribe">
    ${csrfInput(sessionFormToken(session.csrfSecret))}
    <div class="field">
      <label for="${SUBSCRIBE_IDS.displayName}">Subscription name</label>
      <p class="hint" id="${hintId}">To tell your subscriptions apart, for example the application that uses it.</p>
      <input id="${SUBSCRIBE_IDS.displayName}" name="displayName" type="text" autocomplete="off" required maxlength="${SUBSCRIPTION_DISPLAY_NAME_MAX}" value="${value}" aria-describedby="${hintId}${error ? ` ${errorId}` : ''}"${error && html` aria-invalid="true"`}>
      ${error && html`<p class="field-error" id="${errorId}">${error}</p>`}
    </div>
    ${product.terms.trim() !== '' && checkbox({ id: SUBSCRIBE_IDS.acceptTerms, name: 'acceptTerms', label: 'I accept the terms of use' }, form)}
    <div class="actions">${button(product.approvalRequired ? 'Request a subscription' : 'Subscribe')}</div>
  </form>
</section>`;
}

async function productPage(
  portal: PortalContext,
  deps: CatalogueDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  product: CatalogueProduct,
  form: FormState,
  status?: number,
): Promise<FastifyReply> {
  const [apis, limits] = await Promise.all([deps.catalogue.apisOf(product.id), deps.catalogue.limitsOf(product.id)]);
  const main = html`<section class="card broad" aria-labelledby="page-heading">
  <p class="breadcrumb"><a href="/products">Products</a></p>
  <h1 id="page-heading">${product.name}</h1>
  <p class="tags">${approvalTag(product)}</p>
  ${limitsLine(limits)}
  ${text(product.description, 'No description.')}
</section>
${
  product.terms.trim() !== '' &&
  html`<section class="card broad" aria-labelledby="terms-heading">
  <h2 id="terms-heading">Terms of use</h2>
  <div class="terms">${text(product.terms, '')}</div>
</section>`
}
<section class="card broad" aria-labelledby="apis-heading">
  <h2 id="apis-heading">APIs</h2>
  ${
    apis.length === 0
      ? html`<p class="muted">This product has no APIs yet.</p>`
      : html`<p class="muted">Call them on the gateway with your subscription key in the request header.</p>
  ${apis.map((api, i) => apiSection(deps, api, i + 1))}`
  }
</section>
${subscribeSection(portal.face, request, product, form)}`;
  return sendPage(portal, request, reply, { title: product.name, main, status });
}

/** The service's refusal names the user and product ids; the developer reads it in their own terms. */
function limitMessage(limit: number): string {
  return limit === 1
    ? 'You already have a subscription to this product, and it allows only one per developer. Cancel it on My subscriptions to subscribe again.'
    : `You already have ${limit} subscriptions to this product, the most it allows per developer. Cancel one on My subscriptions to subscribe again.`;
}

export function registerCatalogueRoutes(app: FastifyInstance, portal: PortalContext, deps: CatalogueDeps): void {
  app.get('/products', page({}), async (request, reply) => {
    const session = currentSession(request);
    const products = await deps.catalogue.visibleProducts(session?.user.id);
    return sendPage(portal, request, reply, { title: 'Products', main: catalogueMain(portal.face, products, session !== undefined) });
  });

  app.get('/products/:productId', page({}), async (request, reply) => {
    const { productId } = request.params as { productId: string };
    const product = await deps.catalogue.visibleProduct(currentSession(request)?.user.id, productId);
    if (!product) return notFoundPage(portal, request, reply);
    return productPage(portal, deps, request, reply, product, EMPTY_FORM);
  });

  app.post('/products/:productId/subscribe', page({ auth: 'required', csrf: 'session' }), async (request, reply) => {
    const { productId } = request.params as { productId: string };
    const session = sessionOf(request);
    const product = await deps.catalogue.visibleProduct(session.user.id, productId);
    if (!product) return notFoundPage(portal, request, reply);
    const form = formOf(request.body);
    const values = { displayName: field(form, 'displayName').trim() };
    const errors: Record<string, string> = {};
    const nameProblem = checkSubscriptionName(values.displayName);
    if (nameProblem) errors.displayName = nameProblem;
    if (product.terms.trim() !== '' && field(form, 'acceptTerms') !== 'yes') errors.acceptTerms = 'Tick the box to accept the terms of use.';
    if (Object.keys(errors).length > 0) return productPage(portal, deps, request, reply, product, { values, errors }, 400);
    let state: string;
    try {
      ({ state } = await deps.catalogue.subscribe(developerOf(request), product.id, values.displayName));
    } catch (error) {
      if (!(error instanceof AppError) || error.kind === 'unauthenticated') throw error;
      if (error.kind === 'not-found') return notFoundPage(portal, request, reply);
      const refused =
        error.kind === 'conflict' && product.subscriptionsLimit !== null
          ? { values, errors: {}, message: limitMessage(product.subscriptionsLimit) }
          : formErrors(error, values, { displayName: 'displayName' });
      return productPage(portal, deps, request, reply, product, refused, STATUS_OF_KIND[error.kind]);
    }
    return seeOther(reply, '/subscriptions', state === 'active' ? 'subscribed' : 'requested');
  });
}
