/**
 * The "Try it" section of an operation page: a form that works without JavaScript (it posts to
 * the portal, which calls the gateway and draws the page again with the answer), and the answer.
 * portal.js, when it runs, posts the same form with fetch and swaps this section for the one in
 * the answer, so the page does not reload. The subscription select shows names only: the server
 * looks the key up when it sends the call.
 */
import { examplesOf, exampleText, requestOf, type ReferenceParameter } from '../../domain/api-reference/operation.js';
import { fieldName, METHODS_WITH_BODY, TRY_IT_CALLS_PER_MINUTE } from '../../domain/api-reference/try-it.js';
import type { ApiOperationView, ApiView } from '../../services/views.js';
import { TRY_IT_NO_KEY, type TryItAnswer, type UsableSubscription } from '../../services/try-it.js';
import { csrfInput, errorSummary, type FormState } from '../web/components.js';
import { html, type SafeHtml } from '../web/html.js';
import { productPath } from './catalogue-routes.js';
import { operationPath } from './reference-paths.js';

/** How much of an answer's body the page shows. */
export const SHOWN_BODY_MAX = 64 * 1024;

export interface TryItState {
  /** Not signed in: a link to sign in instead of the form. */
  signInHref?: string | undefined;
  /** The form's token (signed in). */
  formToken?: string | undefined;
  subscriptions: readonly UsableSubscription[];
  /** Products the visitor sees that bundle the API (where to subscribe when they have no subscription). */
  products: readonly { id: string; name: string }[];
  form: FormState;
  answer?: TryItAnswer | undefined;
}

const inputId = (p: ReferenceParameter) => `try-${p.location}-${p.name.replace(/[^A-Za-z0-9_-]/g, '_')}`;

function parameterInput(p: ReferenceParameter, form: FormState): SafeHtml {
  const name = fieldName(p);
  const id = inputId(p);
  const value = form.values[name] ?? p.defaultValue ?? '';
  const error = form.errors[name];
  const control =
    p.values !== undefined
      ? html`<select id="${id}" name="${name}"${error && html` aria-invalid="true" aria-describedby="${id}-error"`}>
        ${!p.required && html`<option value="">(not sent)</option>`}
        ${p.values.map((v) => html`<option value="${v}"${v === value ? html` selected` : ''}>${v}</option>`)}
      </select>`
      : html`<input id="${id}" name="${name}" type="text" autocomplete="off" spellcheck="false" value="${value}"${p.required ? html` required` : ''}${error && html` aria-invalid="true" aria-describedby="${id}-error"`}>`;
  return html`<div class="field">
      <label for="${id}"><code>${p.name}</code> <span class="muted">${p.location}${p.required ? ', required' : ''}</span></label>
      ${control}
      ${error && html`<p class="field-error" id="${id}-error">${error}</p>`}
    </div>`;
}

function subscriptionField(api: ApiView, state: TryItState): SafeHtml {
  const error = state.form.errors.subscription;
  const chosen = state.form.values.subscription;
  return html`<div class="field">
      <label for="try-subscription">Subscription</label>
      <p class="hint" id="try-subscription-hint">The call is sent with this subscription's primary key in <code>${api.subscriptionKeyParameterNames.header}</code>.</p>
      <select id="try-subscription" name="subscription" aria-describedby="try-subscription-hint${error ? ' try-subscription-error' : ''}"${error && html` aria-invalid="true"`}>
        ${!api.subscriptionRequired && html`<option value="${TRY_IT_NO_KEY}">No key (this API is open)</option>`}
        ${state.subscriptions.map((s) => html`<option value="${s.id}"${s.id === chosen ? html` selected` : ''}>${s.name}</option>`)}
      </select>
      ${error && html`<p class="field-error" id="try-subscription-error">${error}</p>`}
    </div>`;
}

function bodyFields(operation: ApiOperationView, form: FormState): SafeHtml | false {
  if (!METHODS_WITH_BODY.has(operation.method.toUpperCase())) return false;
  const representations = requestOf(operation).representations ?? [];
  const first = representations[0];
  const example = first && examplesOf(first)[0];
  const body = form.values.body ?? (example ? exampleText(example.value) : '');
  const types = representations.length > 0 ? representations.map((r) => r.contentType) : ['application/json'];
  const chosen = form.values.contentType ?? types[0];
  return html`<div class="field">
      <label for="try-content-type">Content type</label>
      <select id="try-content-type" name="contentType">
        ${types.map((t) => html`<option value="${t}"${t === chosen ? html` selected` : ''}>${t}</option>`)}
      </select>
    </div>
    <div class="field">
      <label for="try-body">Body</label>
      ${form.errors.body && html`<p class="field-error" id="try-body-error">${form.errors.body}</p>`}
      <textarea id="try-body" name="body" rows="10" spellcheck="false"${form.errors.body && html` aria-invalid="true" aria-describedby="try-body-error"`}>${body}</textarea>
    </div>`;
}

function answerView(answer: TryItAnswer): SafeHtml {
  const shown = exampleText(answer.body, SHOWN_BODY_MAX);
  return html`<div class="try-answer">
    <h3 id="try-it-answer" tabindex="-1">Answer <span class="status status-${String(answer.status)[0]}xx">${answer.status}</span> <span class="muted">in ${answer.durationMs} ms</span></h3>
    <p class="endpoint">${answer.method} <code>${answer.url}</code></p>
    <details class="answer-headers">
      <summary>Headers (${answer.headers.length})</summary>
      <dl class="details">${answer.headers.map(([name, value]) => html`<dt><code>${name}</code></dt><dd><code>${value}</code></dd>`)}</dl>
    </details>
    ${answer.body === '' ? html`<p class="muted">The answer has no body.</p>` : html`<pre class="code"><code>${shown}</code></pre>`}
    ${(answer.truncated || shown.length < answer.body.length) && html`<p class="muted">The answer was longer than this shows; it is cut off.</p>`}
  </div>`;
}

export function tryItSection(api: ApiView, operation: ApiOperationView, parameters: readonly ReferenceParameter[], state: TryItState): SafeHtml {
  const heading = html`<h2 id="try-it-heading">Try it</h2>`;
  if (state.signInHref !== undefined) {
    return html`<section class="card broad try-it" id="try-it" aria-labelledby="try-it-heading">${heading}
  <p><a href="${state.signInHref}">Sign in</a> to call this operation with one of your subscriptions.</p>
</section>`;
  }
  if (api.subscriptionRequired && state.subscriptions.length === 0) {
    return html`<section class="card broad try-it" id="try-it" aria-labelledby="try-it-heading">${heading}
  <p>You need an active subscription to this API to try it. Subscribe to ${state.products.map((p, i) => html`${i > 0 ? ' or ' : ''}<a href="${productPath(p.id)}">${p.name}</a>`)}.</p>
</section>`;
  }
  const ids = Object.fromEntries(parameters.map((p) => [fieldName(p), inputId(p)]));
  return html`<section class="card broad try-it" id="try-it" aria-labelledby="try-it-heading">${heading}
  <p class="muted">Sends a real call through the gateway: it counts against your subscription's limits and quotas. At most ${TRY_IT_CALLS_PER_MINUTE} calls a minute.</p>
  ${errorSummary(state.form, { ...ids, subscription: 'try-subscription', body: 'try-body', contentType: 'try-content-type' })}
  <form method="post" action="${operationPath(api.id, operation.id)}/try#try-it" data-try-it>
    ${csrfInput(state.formToken ?? '')}
    ${subscriptionField(api, state)}
    ${parameters.map((p) => parameterInput(p, state.form))}
    ${bodyFields(operation, state.form)}
    <div class="actions"><button type="submit" class="button">Send</button><span class="try-status muted" role="status" aria-live="polite"></span></div>
  </form>
  ${state.answer && answerView(state.answer)}
</section>`;
}
