/**
 * ApiSchema_* of apimapis.json: the schemas of an API (documents of named types its operations'
 * representations refer to by schemaId and typeName). ApiSchema_CreateOrUpdate is a long-running
 * operation in Azure; Tollgate finishes it within the request and answers 201/200 with the body
 * (provisioningState Succeeded), which the SDK's poller takes as done. Documentation only: the
 * gateway does not read schemas.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { quoteEtag } from '../../domain/etag.js';
import { API_ID_MAX, API_ID_PATTERN } from '../../domain/api-input.js';
import { parseApiSchema, SCHEMA_ID_MAX } from '../../domain/api-schema-input.js';
import { ARM_ID_PATTERN } from '../../domain/product-input.js';
import { actorOf } from './actor.js';
import { IMPORT_BODY_LIMIT } from './apis-routes.js';
import type { ManagementDeps } from './deps.js';
import { apiSchemaResource } from './resources.js';
import { bodyProperties, header, listResponse, pageRequest, pathId, servicePath } from './request.js';

export function registerApiSchemaRoutes(app: FastifyInstance, deps: ManagementDeps): void {
  const { apis } = deps;
  const apiId = (req: FastifyRequest) => pathId(req, 'apiId', API_ID_MAX, API_ID_PATTERN);
  const schemaId = (req: FastifyRequest) => pathId(req, 'schemaId', SCHEMA_ID_MAX, ARM_ID_PATTERN);

  app.get('/apis/:apiId/schemas', async (req) => {
    const id = apiId(req);
    const page = pageRequest(req);
    const result = await apis.listSchemaPage(id, page);
    const svc = servicePath(req);
    return listResponse(req, deps.publicUrl, page, result, (s) => apiSchemaResource(svc, s));
  });

  app.head('/apis/:apiId/schemas/:schemaId', async (req, reply) => {
    const schema = await apis.getSchema(apiId(req), schemaId(req));
    return reply.header('etag', quoteEtag(schema.etag)).status(200).send();
  });

  app.get('/apis/:apiId/schemas/:schemaId', async (req, reply) => {
    const schema = await apis.getSchema(apiId(req), schemaId(req));
    return reply.header('etag', quoteEtag(schema.etag)).send(apiSchemaResource(servicePath(req), schema));
  });

  // A schema is as large as the named types of an imported definition can be.
  app.put('/apis/:apiId/schemas/:schemaId', { bodyLimit: IMPORT_BODY_LIMIT }, async (req, reply) => {
    const api = apiId(req);
    const id = schemaId(req);
    const input = parseApiSchema(bodyProperties(req));
    const { schema, created } = await apis.createOrUpdateSchema(api, id, input, header(req, 'if-match'), actorOf(req));
    return reply
      .status(created ? 201 : 200)
      .header('etag', quoteEtag(schema.etag))
      .send(apiSchemaResource(servicePath(req), schema, true));
  });

  app.delete('/apis/:apiId/schemas/:schemaId', async (req, reply) => {
    const removed = await apis.removeSchema(apiId(req), schemaId(req), header(req, 'if-match'), actorOf(req));
    return reply.status(removed ? 200 : 204).send();
  });
}
