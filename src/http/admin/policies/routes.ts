/**
 * The policy editors of the four scopes, each at its product's, API's or operation's address
 * (and /admin/policy for the global one):
 *
 *   GET  …/policy          the editor (an operation's also shows its effective policy, ?product=)
 *   POST …/policy          save (If-Match from the form's etag; the service validates)
 *   GET  …/policy/delete   asks first
 *   POST …/policy/delete   deletes (If-Match)
 *
 * A refused save answers the editor again (400) with the text exactly as it was posted and the
 * document's problems at their lines and columns, asked of the same service that refused it; a
 * stale form (412) keeps the text too, says so, and shows the document as it is now.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../domain/errors.js';
import { policyInput } from '../../../domain/policy-input.js';
import type { PolicyProblem } from '../../../domain/policy/types.js';
import { parseInput } from '../../../domain/validate.js';
import type { PolicyView } from '../../../services/policies.js';
import { page } from '../../web/face.js';
import { field, formOf } from '../../web/form.js';
import { sentence } from '../../web/form-errors.js';
import { html } from '../../web/html.js';
import { actorOf } from '../../web/request-state.js';
import type { AdminContext } from '../context.js';
import { confirmPage, etagOf } from '../forms.js';
import { redirectWithNotice, sendAdminPage } from '../render.js';
import { editorMain, type EditorState } from './editor.js';
import { effectivePanel } from './effective.js';
import { SCOPE_ROUTES, loadScope, type PolicyScopePage } from './scopes.js';

/** The products an operation's effective policy can be shown for: those that hold its API. */
const PRODUCT_CHOICES_MAX = 200;

export function registerPolicyPages(app: FastifyInstance, ctx: AdminContext): void {
  async function effectiveOf(request: FastifyRequest, scope: PolicyScopePage) {
    if (scope.target.scope !== 'operation') return undefined;
    const { apiId, operationId } = scope.target;
    const asked = (request.query as Record<string, unknown> | undefined)?.product;
    const products = (await ctx.apis.listProducts(apiId, { top: PRODUCT_CHOICES_MAX, skip: 0 })).items;
    const wanted = typeof asked === 'string' && asked !== '' ? asked : undefined;
    const productId = wanted !== undefined && products.some((p) => p.id === wanted) ? wanted : undefined;
    const view = await ctx.policies.effective(apiId, operationId, productId);
    return effectivePanel({ path: scope.path, products, productId, refused: productId === wanted ? undefined : wanted, view });
  }

  async function show(request: FastifyRequest, reply: FastifyReply, scope: PolicyScopePage, state: EditorState, status = 200): Promise<FastifyReply> {
    const failed = state.problems.length > 0 || state.messages.length > 0;
    return sendAdminPage(ctx, request, reply, {
      title: `${failed ? 'Error: ' : ''}${scope.title}`,
      section: scope.section,
      status,
      main: editorMain(request, scope, state, await effectiveOf(request, scope)),
    });
  }

  /** The problems of a refused document, at their places; the refusal's own words when it has none (a document too long, an empty one). */
  async function refusal(scope: PolicyScopePage, xml: string, error: AppError): Promise<{ problems: readonly PolicyProblem[]; messages: string[] }> {
    const problems = xml.trim() === '' ? [] : await ctx.policies.check(scope.target, { value: xml, format: 'xml' }).catch(() => []);
    if (problems.length > 0) return { problems, messages: [] };
    const messages = error.details.length > 0 ? error.details.map((d) => sentence(d.target === 'value' ? `The policy ${d.message}` : d.message)) : [sentence(error.message)];
    return { problems: [], messages };
  }

  for (const { kind, pattern } of SCOPE_ROUTES) {
    app.get(pattern, page(), async (request, reply) => {
      const scope = await loadScope(ctx, kind, request);
      const stored = await ctx.policies.find(scope.target);
      return show(request, reply, scope, { xml: stored?.xml ?? scope.defaultXml, etag: stored?.etag, stored, problems: [], messages: [] });
    });

    app.post(pattern, page(), async (request, reply) => {
      const scope = await loadScope(ctx, kind, request);
      const form = formOf(request.body);
      // Kept exactly as posted: what is stored, and what a refused save shows back.
      const xml = field(form, 'value');
      const etag = etagOf(form) || undefined;
      try {
        const input = parseInput(policyInput, { value: xml, format: 'xml' });
        await ctx.policies.createOrUpdate(scope.target, input, etag, actorOf(request));
        return redirectWithNotice(reply, scope.path, 'policy-saved');
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        if (error.kind === 'validation') {
          const stored = await ctx.policies.find(scope.target);
          return show(request, reply, scope, { xml, etag, stored, ...(await refusal(scope, xml, error)) }, 400);
        }
        if (error.kind === 'precondition-failed') {
          const current: PolicyView | undefined = await ctx.policies.find(scope.target);
          const messages = [
            current
              ? 'Someone changed this policy after you opened it. Your text is kept below; the policy as it is now is under it. Saving again replaces theirs with yours.'
              : 'Someone deleted this policy after you opened it. Your text is kept below; saving again stores it.',
          ];
          return show(request, reply, scope, { xml, etag: current?.etag, stored: current, problems: [], messages, current }, 412);
        }
        throw error;
      }
    });

    app.get(`${pattern}/delete`, page(), async (request, reply) => {
      const scope = await loadScope(ctx, kind, request);
      const stored = await ctx.policies.find(scope.target);
      if (!stored) return redirectWithNotice(reply, scope.path, 'policy-gone');
      const global = scope.target.scope === 'global';
      return confirmPage(ctx, request, reply, {
        title: `Delete the ${global ? 'global policy' : scope.title.replace(/^Policy/, 'policy')}?`,
        section: scope.section,
        trail: scope.trail,
        explanation: global
          ? html`<p>The gateway then runs Azure’s default global policy (the call forwarded to the backend, nothing else) for every call. This cannot be undone.</p>`
          : html`<p>This scope then inherits every section from the scopes around it, as if its document were <code>&lt;base /&gt;</code> in each section. This cannot be undone.</p>`,
        action: `${scope.path}/delete`,
        etag: stored.etag,
        button: 'Delete policy',
        cancel: scope.path,
      });
    });

    app.post(`${pattern}/delete`, page(), async (request, reply) => {
      const scope = await loadScope(ctx, kind, request);
      const removed = await ctx.policies.remove(scope.target, etagOf(formOf(request.body)), actorOf(request));
      const done = scope.target.scope === 'global' ? 'global-policy-deleted' : 'policy-deleted';
      return redirectWithNotice(reply, scope.path, removed ? done : 'policy-gone');
    });
  }
}
