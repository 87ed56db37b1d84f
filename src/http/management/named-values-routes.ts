/** Named value operations of apimnamedvalues.json (no Key Vault: refused with FeatureNotSupported, so no refreshSecret). */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { quoteEtag } from '../../domain/etag.js';
import { ARM_ID_PATTERN } from '../../domain/product-input.js';
import { NAMED_VALUE_ID_MAX, namedValueCreateInput, namedValueUpdateInput } from '../../domain/named-value-input.js';
import { parseInput } from '../../domain/validate.js';
import { AppError } from '../../domain/errors.js';
import { actorOf } from './actor.js';
import type { ManagementDeps } from './deps.js';
import { namedValueResource } from './resources.js';
import { bodyProperties, booleanQuery, header, listResponse, noStore, pageRequest, pathId, servicePath } from './request.js';

export function registerNamedValueRoutes(app: FastifyInstance, deps: ManagementDeps): void {
  const { namedValues } = deps;
  const namedValueId = (req: FastifyRequest) => pathId(req, 'namedValueId', NAMED_VALUE_ID_MAX, ARM_ID_PATTERN);

  app.get('/namedValues', async (req) => {
    // Only Key Vault references can fail to refresh, and Tollgate has none: the filter would match nothing.
    if (booleanQuery(req, 'isKeyVaultRefreshFailed') === true) {
      throw new AppError('validation', 'FeatureNotSupported', 'Named values kept in Azure Key Vault are not supported by Tollgate, so none can fail to refresh.');
    }
    const page = pageRequest(req);
    const result = await namedValues.list(page);
    const svc = servicePath(req);
    return listResponse(req, deps.publicUrl, page, result, (n) => namedValueResource(svc, n));
  });

  app.head('/namedValues/:namedValueId', async (req, reply) => {
    const namedValue = await namedValues.get(namedValueId(req));
    return reply.header('etag', quoteEtag(namedValue.etag)).status(200).send();
  });

  app.get('/namedValues/:namedValueId', async (req, reply) => {
    const namedValue = await namedValues.get(namedValueId(req));
    return reply.header('etag', quoteEtag(namedValue.etag)).send(namedValueResource(servicePath(req), namedValue));
  });

  app.put('/namedValues/:namedValueId', async (req, reply) => {
    const id = namedValueId(req);
    const input = parseInput(namedValueCreateInput, bodyProperties(req));
    const { namedValue, created } = await namedValues.createOrUpdate(id, input, header(req, 'if-match'), actorOf(req));
    return reply.status(created ? 201 : 200).header('etag', quoteEtag(namedValue.etag)).send(namedValueResource(servicePath(req), namedValue, true));
  });

  app.patch('/namedValues/:namedValueId', async (req, reply) => {
    const id = namedValueId(req);
    const input = parseInput(namedValueUpdateInput, bodyProperties(req));
    const namedValue = await namedValues.update(id, input, header(req, 'if-match'), actorOf(req));
    return reply.header('etag', quoteEtag(namedValue.etag)).send(namedValueResource(servicePath(req), namedValue, true));
  });

  app.delete('/namedValues/:namedValueId', async (req, reply) => {
    const removed = await namedValues.remove(namedValueId(req), header(req, 'if-match'), actorOf(req));
    return reply.status(removed ? 200 : 204).send();
  });

  app.post('/namedValues/:namedValueId/listValue', async (req, reply) => {
    const { value } = await namedValues.listValue(namedValueId(req));
    return noStore(reply).send({ value });
  });

  app.post('/namedValues/:namedValueId/refreshSecret', async () => {
    throw new AppError('validation', 'FeatureNotSupported', 'Named values kept in Azure Key Vault are not supported by Tollgate, so there is no secret to refresh.');
  });
}
