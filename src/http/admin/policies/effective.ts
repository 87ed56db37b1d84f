/**
 * An operation's effective policy, read-only under its editor: the global, product, API and
 * operation documents composed as a call runs them. The product changes what composes, so a
 * picker (a GET form, no script needed) chooses among the products that hold the API, "no
 * product" by default (a call made without a subscription, or with one to all APIs).
 */
import { describeLimits } from '../../../domain/policy/describe.js';
import type { EffectivePolicy } from '../../../domain/policy/types.js';
import { html, type SafeHtml } from '../../web/html.js';

export interface EffectivePanel {
  /** The editor's address (the picker's form asks it again). */
  path: string;
  /** The products that hold the API. */
  products: readonly { id: string; displayName: string }[];
  productId: string | undefined;
  /** The product asked for (`?product=`) when it does not hold the API. */
  refused?: string | undefined;
  view: { policy: EffectivePolicy; xml: string };
}

function picker(p: EffectivePanel): SafeHtml {
  return html`<form method="get" action="${p.path}" class="toolbar effective-picker">
    <div class="field">
      <label for="effective-product">Called with a subscription to</label>
      <select id="effective-product" name="product">
        <option value="">No product (no subscription, or one to all APIs)</option>
        ${p.products.map((product) => html`<option value="${product.id}"${product.id === p.productId && html` selected`}>${product.displayName}</option>`)}
      </select>
    </div>
    <button type="submit" class="button secondary">Show</button>
  </form>`;
}

function body(view: EffectivePanel['view']): SafeHtml {
  const limits = describeLimits(view.policy);
  return html`${limits.length > 0 ? html`<p>Limits: <strong>${limits.join(', ')}</strong>.</p>` : html`<p class="muted">No rate limit or quota applies to these calls.</p>`}
  <pre class="policy-view" tabindex="0" aria-label="Effective policy XML"><code>${view.xml}</code></pre>`;
}

export function effectivePanel(p: EffectivePanel): SafeHtml {
  return html`<section class="panel" id="effective" aria-labelledby="effective-heading">
  <h2 id="effective-heading">Effective policy</h2>
  <p class="muted">What a call of this operation runs, read-only: the global, product, API and operation policies composed, each scope’s section where the next one’s <code>&lt;base /&gt;</code> stands. Each element is shown as written in its scope’s document, named values as <code>{{name}}</code>.</p>
  ${picker(p)}
  ${p.refused !== undefined && html`<div class="alert warning" role="status"><p>The product <code>${p.refused}</code> does not hold this API, so no call of it is made with a subscription to it. Shown without a product.</p></div>`}
  ${body(p.view)}
</section>`;
}
