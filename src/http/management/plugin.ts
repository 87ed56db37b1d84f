/**
 * The management API: Azure API Management's REST paths under
 * `/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ApiManagement/service/{serviceName}`.
 * Every request is authenticated with a management key, must name this instance's service and a
 * supported api-version; then the routes of each resource answer.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.js';
import type { ManagementKeyService } from '../../services/management-keys.js';
import { setActor } from './actor.js';
import type { ManagementDeps } from './deps.js';
import { header, queryValue } from './request.js';
import { registerUserRoutes } from './users-routes.js';
import { registerGroupRoutes } from './groups-routes.js';
import { registerTemplateRoutes } from './templates-routes.js';
import { registerApiRoutes } from './apis-routes.js';
import { registerApiSchemaRoutes } from './api-schemas-routes.js';
import { registerProductRoutes } from './products-routes.js';
import { registerSubscriptionRoutes } from './subscriptions-routes.js';
import { registerPolicyRoutes } from './policies-routes.js';
import { registerNamedValueRoutes } from './named-values-routes.js';
import { registerQuotaRoutes } from './quotas-routes.js';
import { registerReportRoutes } from './reports-routes.js';

export type { ManagementDeps } from './deps.js';

export const MANAGEMENT_PREFIX =
  '/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName/providers/Microsoft.ApiManagement/service/:serviceName';

/**
 * Stable api-versions whose user and group shapes are those of 2024-05-01. (User DELETE became a
 * long-running operation in 2024-05-01; answering 204 at once suits both styles of client.)
 */
export const SUPPORTED_API_VERSIONS = ['2022-08-01', '2024-05-01'] as const;

async function authenticate(keys: ManagementKeyService, request: FastifyRequest): Promise<void> {
  const authorization = header(request, 'authorization');
  if (!authorization) {
    throw new AppError('unauthenticated', 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.");
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  // A wrong key is counted against the client's address (429 past the limit) and audited.
  const keyId = await keys.authenticate(match?.[1] ?? '', { ip: request.ip });
  if (!keyId) {
    throw new AppError(
      'unauthenticated',
      'AuthenticationFailed',
      "Authentication failed. The 'Authorization' header must be 'Bearer <management key>' with a valid key.",
    );
  }
  setActor(request, keyId);
}

function checkServiceAndVersion(serviceName: string, request: FastifyRequest): void {
  const params = request.params as { serviceName?: string; resourceGroupName?: string };
  if (params.serviceName?.toLowerCase() !== serviceName.toLowerCase()) {
    throw new AppError(
      'not-found',
      'ResourceNotFound',
      `The Resource 'Microsoft.ApiManagement/service/${params.serviceName}' under resource group '${params.resourceGroupName}' was not found.`,
    );
  }
  const version = queryValue(request, 'api-version');
  if (version === undefined || version === '') {
    throw new AppError('validation', 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");
  }
  if (!(SUPPORTED_API_VERSIONS as readonly string[]).includes(version)) {
    throw new AppError(
      'validation',
      'InvalidApiVersionParameter',
      `The api-version '${version}' is invalid. The supported versions are '${SUPPORTED_API_VERSIONS.join(',')}'.`,
    );
  }
}

export async function managementPlugin(app: FastifyInstance, deps: ManagementDeps): Promise<void> {
  app.addHook('onRequest', async (request) => {
    await authenticate(deps.keys, request);
    checkServiceAndVersion(deps.serviceName, request);
  });
  registerUserRoutes(app, deps);
  registerGroupRoutes(app, deps);
  registerTemplateRoutes(app, deps);
  registerApiRoutes(app, deps);
  registerApiSchemaRoutes(app, deps);
  registerProductRoutes(app, deps);
  registerSubscriptionRoutes(app, deps);
  registerPolicyRoutes(app, deps);
  registerNamedValueRoutes(app, deps);
  registerQuotaRoutes(app, deps);
  registerReportRoutes(app, deps);
}
