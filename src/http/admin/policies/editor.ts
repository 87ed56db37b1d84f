/**
 * The policy editor's page: the document in a text area (what is stored, or what the scope
 * behaves as when nothing is), Save, the way to Delete, and after a refused save the text exactly
 * as it was typed with each problem at its line and column, the line itself shown with a marker
 * under the column. The script (policies.js) moves the cursor to a problem when it is clicked;
 * without it the link leads to the text area.
 */
import type { FastifyRequest } from 'fastify';
import type { PolicyProblem } from '../../../domain/policy/types.js';
import type { PolicyView } from '../../../services/policies.js';
import { csrfInput, hidden } from '../../web/components.js';
import { html, type HtmlValue, type SafeHtml } from '../../web/html.js';
import { formToken } from '../../web/request-state.js';
import { dateTime, notice, pageHead } from '../render.js';
import type { PolicyScopePage } from './scopes.js';

export const POLICY_TEXTAREA_ID = 'policy-xml';

/** What the editor shows. */
export interface EditorState {
  /** The text of the text area: as stored, the default, or as typed. */
  xml: string;
  /** The tag the form carries back (If-Match); none while nothing is stored. */
  etag: string | undefined;
  stored: PolicyView | undefined;
  /** The document's problems, each at its place. */
  problems: readonly PolicyProblem[];
  /** What went wrong that has no place in the text (a stale form, a document too long). */
  messages: readonly string[];
  /** After a refused stale save: the document as it is now. */
  current?: PolicyView | undefined;
}

/** Excerpts of longer lines are cut around the column, so that the marker stays in sight. */
const EXCERPT_WIDTH = 100;

function linesOf(xml: string): string[] {
  return xml.split(/\r\n|\r|\n/);
}

/**
 * The offending line with a `^` under the column. Tabs before the column are kept in the
 * marker's line, so that the marker sits under the same character whatever a tab's width.
 */
export function excerpt(lines: readonly string[], problem: PolicyProblem): SafeHtml | false {
  const line = lines[problem.line - 1];
  if (line === undefined) return false;
  const column = Math.min(Math.max(problem.column, 1), line.length + 1);
  let from = 0;
  let shown = line;
  if (line.length > EXCERPT_WIDTH) {
    from = Math.max(0, Math.min(column - 1 - EXCERPT_WIDTH / 2, line.length - EXCERPT_WIDTH));
    shown = line.slice(from, from + EXCERPT_WIDTH);
  }
  const before = from > 0 ? '…' : '';
  const after = from + shown.length < line.length ? '…' : '';
  const pad = (before + line.slice(from, column - 1)).replace(/[^\t]/g, ' ');
  const number = String(problem.line);
  return html`<pre class="policy-excerpt"><code><span class="gutter" aria-hidden="true">${number} | </span>${before}${shown}${after}
<span aria-hidden="true"><span class="gutter">${' '.repeat(number.length)} | </span>${pad}<span class="marker">^</span></span></code></pre>`;
}

function problemList(state: EditorState): SafeHtml | false {
  if (state.problems.length === 0 && state.messages.length === 0) return false;
  const lines = linesOf(state.xml);
  const count = state.problems.length;
  return html`<div class="alert error policy-problems" id="policy-problems" role="alert">
  <p>The policy was not saved${count > 0 ? html`: ${count === 1 ? 'one problem' : `${count} problems`} in the document` : ''}.</p>
  ${state.messages.map((m) => html`<p>${m}</p>`)}
  ${
    count > 0 &&
    html`<ol>
    ${state.problems.map(
      (p) => html`<li>
      <a href="#${POLICY_TEXTAREA_ID}" data-line="${p.line}" data-column="${p.column}">Line ${p.line}, column ${p.column}</a>: <code>${p.element}</code>: ${p.message}
      ${excerpt(lines, p)}
    </li>`,
    )}
  </ol>`
  }
</div>`;
}

/** What the gateway enforces, for the administrator writing a document. */
const ELEMENTS: readonly [string, string][] = [
  ['base', 'where the enclosing scope’s section runs'],
  ['rate-limit', 'calls per subscription in a sliding window (product scope), with api and operation children'],
  ['rate-limit-by-key', 'calls per key (counter-key), increment-condition, increment-count'],
  ['quota', 'calls or kilobytes per subscription per renewal period (product scope)'],
  ['quota-by-key', 'calls or kilobytes per key per renewal period'],
  ['ip-filter', 'allow or forbid addresses and address ranges'],
  ['check-header', 'refuse a call without the header or value'],
  ['set-header, set-query-parameter', 'override, skip, append or delete (inbound and outbound)'],
  ['rewrite-uri', 'the backend path from a template'],
  ['set-backend-service', 'another base-url'],
  ['return-response, mock-response', 'answer without calling the backend'],
  ['cors', 'cross-origin calls and preflight answers'],
  ['validate-jwt', 'tokens signed with inline keys or an OpenID configuration'],
  ['forward-request', 'the call to the backend, with its timeout (backend section)'],
];

function help(): SafeHtml {
  return html`<details class="policy-help">
  <summary>What a policy can contain</summary>
  <p>A document is <code>&lt;policies&gt;</code> with the sections <code>&lt;inbound&gt;</code>, <code>&lt;backend&gt;</code>, <code>&lt;outbound&gt;</code> and <code>&lt;on-error&gt;</code>, as in Azure API Management. Scopes compose from the global policy to the product’s, the API’s and the operation’s: a section’s <code>&lt;base /&gt;</code> is where the enclosing scope’s section runs, and without it nothing of the enclosing scopes applies to that section. <code>{{name}}</code> inserts a <a href="/admin/named-values">named value</a>. Expressions are the few of <code>@(context.…)</code> that limits and headers use (subscription, user, API, operation and product ids, the subscription key, the caller’s address and request headers). Anything the gateway does not enforce is refused, never stored.</p>
  <dl class="policy-elements">
    ${ELEMENTS.map(([name, what]) => html`<dt><code>${name}</code></dt><dd>${what}</dd>`)}
  </dl>
</details>`;
}

function status(scope: PolicyScopePage, state: EditorState): SafeHtml {
  if (state.stored) return html`<p>This policy applies to ${scope.appliesTo}. Saved ${dateTime(state.stored.updatedAt)}.</p>`;
  return scope.target.scope === 'global'
    ? html`<p>No global policy is stored: the gateway runs Azure’s default global policy, shown below. Saving stores it as the global policy.</p>`
    : html`<p>No policy is stored here: for ${scope.appliesTo}, this scope inherits every section from the scopes around it, as the document below says (<code>&lt;base /&gt;</code> in each section). Saving stores it.</p>`;
}

/** The main content of the editor's page; `after` goes below it (an operation's effective policy). */
export function editorMain(request: FastifyRequest, scope: PolicyScopePage, state: EditorState, after?: HtmlValue): SafeHtml {
  const invalid = state.problems.length > 0;
  const describedBy = `${POLICY_TEXTAREA_ID}-hint${invalid ? ' policy-problems' : ''}`;
  return html`${scope.trail}
${pageHead(scope.title, state.stored && html`<a class="button danger" href="${scope.path}/delete">Delete policy</a>`)}
${notice(request)}
<section class="panel policy-editor" aria-labelledby="editor-heading">
  <h2 id="editor-heading" class="visually-hidden">Policy document</h2>
  ${status(scope, state)}
  ${problemList(state)}
  <form method="post" action="${scope.path}" novalidate>
    ${csrfInput(formToken(request))}${state.etag !== undefined && html`
    ${hidden('etag', state.etag)}`}
    <div class="field">
      <label for="${POLICY_TEXTAREA_ID}">Policy XML</label>
      <p class="hint" id="${POLICY_TEXTAREA_ID}-hint">Checked when you save: a document the gateway cannot enforce is refused, with each problem at its line and column.</p>
      <textarea id="${POLICY_TEXTAREA_ID}" name="value" rows="24" spellcheck="false" autocapitalize="off" autocomplete="off" wrap="off" class="policy-xml" aria-describedby="${describedBy}"${
        invalid ? html` aria-invalid="true"` : ''
      }>
${state.xml}</textarea>
    </div>
    <div class="button-row"><button type="submit" class="button">Save</button> <a class="button secondary" href="${scope.owner.href}">Cancel</a></div>
  </form>
  ${
    state.current &&
    html`<details class="policy-current">
    <summary>The policy as it is now</summary>
    <pre class="policy-view"><code>${state.current.xml}</code></pre>
  </details>`
  }
  ${help()}
</section>
${after}`;
}
