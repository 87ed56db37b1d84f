/**
 * The four places a policy document lives in the admin UI, and what a page needs to know about
 * one: the service's target, where its editor is, the trail above it, the section it belongs to,
 * what it is called in sentences, and the default text of its editor when nothing is stored.
 * Loading a scope loads its product, API or operation, so an unknown one is a 404 page.
 */
import type { FastifyRequest } from 'fastify';
import { DEFAULT_GLOBAL_POLICY_XML, EMPTY_SCOPE_POLICY_XML } from '../../../domain/policy/defaults.js';
import type { PolicyTarget } from '../../../services/policies.js';
import type { ApiOperationView } from '../../../services/views.js';
import type { SafeHtml } from '../../web/html.js';
import type { AdminContext } from '../context.js';
import type { SectionId } from '../layout.js';
import { breadcrumb, seg } from '../render.js';
import { policiesSubnav } from './subnav.js';

export type ScopeKind = PolicyTarget['scope'];

export interface PolicyScopePage {
  target: PolicyTarget;
  section: SectionId;
  /** The page's heading: "Global policy", "Policy of Starter". */
  title: string;
  /** What the document applies to, in a sentence: "every call", "the calls of Starter's subscriptions". */
  appliesTo: string;
  /** The editor's address; its actions are under it (`/delete`). */
  path: string;
  /** The page of the product, API or operation (or the overview for the global policy). */
  owner: { href: string; label: string };
  trail: SafeHtml;
  /** What the editor shows when the scope has no document: Azure's default global policy, or all-`<base />`. */
  defaultXml: string;
  /** Set for an operation: the effective policy is shown on its page. */
  operation?: ApiOperationView;
}

/** The editor's address of a scope. */
export function policyPath(target: PolicyTarget): string {
  switch (target.scope) {
    case 'global':
      return '/admin/policy';
    case 'product':
      return `/admin/products/${seg(target.productId)}/policy`;
    case 'api':
      return `/admin/apis/${seg(target.apiId)}/policy`;
    case 'operation':
      return `/admin/apis/${seg(target.apiId)}/operations/${seg(target.operationId)}/policy`;
  }
}

/** The routes of each scope's editor, as Fastify patterns, and the target its parameters name. */
export const SCOPE_ROUTES: readonly { kind: ScopeKind; pattern: string }[] = [
  { kind: 'global', pattern: '/admin/policy' },
  { kind: 'product', pattern: '/admin/products/:productId/policy' },
  { kind: 'api', pattern: '/admin/apis/:apiId/policy' },
  { kind: 'operation', pattern: '/admin/apis/:apiId/operations/:operationId/policy' },
];

type ScopeParams = { productId?: string; apiId?: string; operationId?: string };

function targetOf(kind: ScopeKind, params: ScopeParams): PolicyTarget {
  switch (kind) {
    case 'global':
      return { scope: 'global' };
    case 'product':
      return { scope: 'product', productId: params.productId! };
    case 'api':
      return { scope: 'api', apiId: params.apiId! };
    case 'operation':
      return { scope: 'operation', apiId: params.apiId!, operationId: params.operationId! };
  }
}

/** The scope a request's path names, its product, API or operation loaded (404 when it does not exist). */
export async function loadScope(ctx: AdminContext, kind: ScopeKind, request: FastifyRequest): Promise<PolicyScopePage> {
  const target = targetOf(kind, request.params as ScopeParams);
  const path = policyPath(target);
  switch (target.scope) {
    case 'global':
      return {
        target,
        section: 'policy',
        title: 'Global policy',
        appliesTo: 'every call of every API',
        path,
        owner: { href: '/admin', label: 'Overview' },
        trail: policiesSubnav('global'),
        defaultXml: DEFAULT_GLOBAL_POLICY_XML,
      };
    case 'product': {
      const product = await ctx.products.get(target.productId);
      const owner = { href: `/admin/products/${seg(product.id)}`, label: product.displayName };
      return {
        target,
        section: 'products',
        title: `Policy of ${product.displayName}`,
        appliesTo: `the calls made with a subscription to ${product.displayName}`,
        path,
        owner,
        trail: breadcrumb({ href: '/admin/products', label: 'Products' }, owner, { label: 'Policy' }),
        defaultXml: EMPTY_SCOPE_POLICY_XML,
      };
    }
    case 'api': {
      const api = await ctx.apis.get(target.apiId);
      const owner = { href: `/admin/apis/${seg(api.id)}`, label: api.displayName };
      return {
        target,
        section: 'apis',
        title: `Policy of ${api.displayName}`,
        appliesTo: `every call of ${api.displayName}`,
        path,
        owner,
        trail: breadcrumb({ href: '/admin/apis', label: 'APIs' }, owner, { label: 'Policy' }),
        defaultXml: EMPTY_SCOPE_POLICY_XML,
      };
    }
    case 'operation': {
      const [api, operation] = await Promise.all([ctx.apis.get(target.apiId), ctx.apis.getOperation(target.apiId, target.operationId)]);
      const apiLink = { href: `/admin/apis/${seg(api.id)}`, label: api.displayName };
      return {
        target,
        section: 'apis',
        title: `Policy of ${operation.displayName}`,
        appliesTo: `the calls of ${operation.method} ${operation.urlTemplate} in ${api.displayName}`,
        path,
        owner: apiLink,
        trail: breadcrumb({ href: '/admin/apis', label: 'APIs' }, apiLink, { label: `Policy of ${operation.displayName}` }),
        defaultXml: EMPTY_SCOPE_POLICY_XML,
        operation,
      };
    }
  }
}
