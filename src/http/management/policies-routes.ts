/**
 * Policy operations at the four scopes: Policy_* (global, apimpolicies.json), ProductPolicy_*
 * (apimproducts.json), ApiPolicy_* and ApiOperationPolicy_* (apimapis.json). The policy id is
 * always `policy`. GET takes `?format=xml` (the default) or `rawxml`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { API_ID_MAX, API_ID_PATTERN, OPERATION_ID_MAX } from '../../domain/api-input.js';
import { invalidField } from '../../domain/errors.js';
import { quoteEtag } from '../../domain/etag.js';
import { policyInput } from '../../domain/policy-input.js';
import { PRODUCT_ID_MAX } from '../../domain/product-input.js';
import { parseInput } from '../../domain/validate.js';
import type { PolicyTarget } from '../../services/policies.js';
import { actorOf } from './actor.js';
import type { ManagementDeps } from './deps.js';
import { policyResource } from './resources.js';
import { bodyProperties, enumQuery, header, pathId, servicePath } from './request.js';

/** Each scope: the route prefix of its parent and how a request names its target. */
const SCOPES: readonly { prefix: string; target(req: FastifyRequest): PolicyTarget }[] = [
  { prefix: '', target: () => ({ scope: 'global' }) },
  { prefix: '/products/:productId', target: (req) => ({ scope: 'product', productId: pathId(req, 'productId', PRODUCT_ID_MAX) }) },
  { prefix: '/apis/:apiId', target: (req) => ({ scope: 'api', apiId: apiIdOf(req) }) },
  {
    prefix: '/apis/:apiId/operations/:operationId',
    target: (req) => ({ scope: 'operation', apiId: apiIdOf(req), operationId: pathId(req, 'operationId', OPERATION_ID_MAX) }),
  },
];

function apiIdOf(req: FastifyRequest): string {
  return pathId(req, 'apiId', API_ID_MAX, API_ID_PATTERN);
}

/** PolicyIdParameter: the one value `policy` (clients may spell it in another case). */
function checkPolicyId(req: FastifyRequest): void {
  const id = (req.params as { policyId?: string }).policyId ?? '';
  if (id.toLowerCase() !== 'policy') throw invalidField('policyId', "must be 'policy'.");
}

export function registerPolicyRoutes(app: FastifyInstance, deps: ManagementDeps): void {
  const { policies } = deps;
  for (const { prefix, target } of SCOPES) {
    const format = (req: FastifyRequest) => enumQuery(req, 'format', ['xml', 'rawxml'] as const) ?? 'xml';

    app.get(`${prefix}/policies`, async (req) => {
      const fmt = format(req);
      const items = await policies.list(target(req));
      const svc = servicePath(req);
      return { value: items.map((p) => policyResource(svc, p, fmt)), count: items.length, nextLink: '' };
    });

    app.head(`${prefix}/policies/:policyId`, async (req, reply) => {
      const t = target(req);
      checkPolicyId(req);
      const policy = await policies.get(t);
      return reply.header('etag', quoteEtag(policy.etag)).status(200).send();
    });

    app.get(`${prefix}/policies/:policyId`, async (req, reply) => {
      const t = target(req);
      checkPolicyId(req);
      const fmt = format(req);
      const policy = await policies.get(t);
      return reply.header('etag', quoteEtag(policy.etag)).send(policyResource(servicePath(req), policy, fmt));
    });

    app.put(`${prefix}/policies/:policyId`, async (req, reply) => {
      const t = target(req);
      checkPolicyId(req);
      const input = parseInput(policyInput, bodyProperties(req));
      const { policy, created } = await policies.createOrUpdate(t, input, header(req, 'if-match'), actorOf(req));
      return reply.status(created ? 201 : 200).header('etag', quoteEtag(policy.etag)).send(policyResource(servicePath(req), policy));
    });

    app.delete(`${prefix}/policies/:policyId`, async (req, reply) => {
      const t = target(req);
      checkPolicyId(req);
      const removed = await policies.remove(t, header(req, 'if-match'), actorOf(req));
      return reply.status(removed ? 200 : 204).send();
    });
  }
}
