/**
 * API and API-operation operations of apimapis.json, and ApiProduct_ListByApis. The other
 * sub-resources of an API (revisions, releases, diagnostics, ...) are answered with a clear
 * 400 FeatureNotSupported rather than a 404 that would read as "the API does not exist". (Policies
 * are in policies-routes.ts.)
 *
 * Api_CreateOrUpdate and Api_Delete are long-running operations in Azure; Tollgate finishes them
 * within the request and answers 201/200 (with the body, provisioningState Succeeded) and 200/204,
 * which the SDK's pollers take as done.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.js';
import { quoteEtag } from '../../domain/etag.js';
import {
  API_ID_MAX,
  API_ID_PATTERN,
  OPERATION_ID_MAX,
  parseApiPut,
  parseApiUpdate,
  parseOperationCreate,
  parseOperationUpdate,
} from '../../domain/api-input.js';
import { readImport } from '../../services/api-import.js';
import { actorOf } from './actor.js';
import type { ManagementDeps } from './deps.js';
import { apiOperationResource, apiResource, productResource } from './resources.js';
import { bodyProperties, header, listResponse, pageRequest, pathId, queryValue, servicePath } from './request.js';

// ---------------------------------------------------------------------------------------------
// Features out of scope

/** Sub-resources of an API that Tollgate does not implement, with the words of the error message. */
const UNSUPPORTED_API_CHILDREN: Readonly<Record<string, string>> = {
  revisions: 'API revisions are',
  releases: 'API releases are',
  diagnostics: 'API diagnostics are',
  issues: 'API issues are',
  tags: 'API tags are',
  tagDescriptions: 'API tag descriptions are',
  operationsByTags: 'API operations by tags are',
  resolvers: 'API GraphQL resolvers are',
  wikis: 'API wikis are',
};

const UNSUPPORTED_OPERATION_CHILDREN: Readonly<Record<string, string>> = {
  tags: 'API operation tags are',
};

const ALL_METHODS = ['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'POST'] as const;

function featureNotSupported(what: string): AppError {
  return new AppError('validation', 'FeatureNotSupported', `${what} not supported by Tollgate.`);
}

/**
 * Azure takes inline API definitions up to 4 MB; the body around one (JSON escaping of the
 * document, the other properties) gets room on top of that. Other routes keep the server's limit.
 */
export const IMPORT_BODY_LIMIT = 5 * 1024 * 1024;

/** Azure names a revision `{apiId};rev={n}`; Tollgate keeps only revision 1, named by the bare id. */
const REVISION_SUFFIX = /;rev=/i;

// ---------------------------------------------------------------------------------------------
// Routes

export function registerApiRoutes(app: FastifyInstance, deps: ManagementDeps): void {
  const { apis } = deps;
  const apiId = (req: FastifyRequest) => {
    const id = pathId(req, 'apiId', API_ID_MAX, API_ID_PATTERN);
    if (REVISION_SUFFIX.test(id)) throw featureNotSupported('API revisions are');
    return id;
  };
  const operationId = (req: FastifyRequest) => pathId(req, 'operationId', OPERATION_ID_MAX);

  app.get('/apis', async (req) => {
    const page = pageRequest(req);
    const result = await apis.list(page);
    const svc = servicePath(req);
    return listResponse(req, deps.publicUrl, page, result, (a) => apiResource(svc, a));
  });

  app.head('/apis/:apiId', async (req, reply) => {
    const api = await apis.get(apiId(req));
    return reply.header('etag', quoteEtag(api.etag)).status(200).send();
  });

  app.get('/apis/:apiId', async (req, reply) => {
    // ApiExport_Get: the same path with export=true answers a link to the document, not the API.
    if (queryValue(req, 'export')?.toLowerCase() === 'true') {
      const id = apiId(req);
      const { format, link } = await deps.apiExport.link(id, queryValue(req, 'format'));
      return reply.send({ id: apiResource(servicePath(req), await apis.get(id)).id, format, value: { link } });
    }
    const api = await apis.get(apiId(req));
    return reply.header('etag', quoteEtag(api.etag)).send(apiResource(servicePath(req), api));
  });

  app.put('/apis/:apiId', { bodyLimit: IMPORT_BODY_LIMIT }, async (req, reply) => {
    const id = apiId(req);
    const { input, import: request } = parseApiPut(bodyProperties(req));
    // An import reads the whole definition before anything is written.
    const { api, created } = request
      ? await apis.importApi(id, input, await readImport(request, { mode: deps.importLinks }), header(req, 'if-match'), actorOf(req))
      : await apis.createOrUpdate(id, input, header(req, 'if-match'), actorOf(req));
    return reply
      .status(created ? 201 : 200)
      .header('etag', quoteEtag(api.etag))
      .send(apiResource(servicePath(req), api, true));
  });

  app.patch('/apis/:apiId', async (req, reply) => {
    const id = apiId(req);
    const input = parseApiUpdate(bodyProperties(req));
    const api = await apis.update(id, input, header(req, 'if-match'), actorOf(req));
    return reply.header('etag', quoteEtag(api.etag)).send(apiResource(servicePath(req), api));
  });

  app.delete('/apis/:apiId', async (req, reply) => {
    const removed = await apis.remove(apiId(req), header(req, 'if-match'), actorOf(req));
    return reply.status(removed ? 200 : 204).send();
  });

  app.get('/apis/:apiId/operations', async (req) => {
    const id = apiId(req);
    const page = pageRequest(req);
    const result = await apis.listOperationPage(id, page);
    const svc = servicePath(req);
    return listResponse(req, deps.publicUrl, page, result, (o) => apiOperationResource(svc, o));
  });

  app.head('/apis/:apiId/operations/:operationId', async (req, reply) => {
    const operation = await apis.getOperation(apiId(req), operationId(req));
    return reply.header('etag', quoteEtag(operation.etag)).status(200).send();
  });

  app.get('/apis/:apiId/operations/:operationId', async (req, reply) => {
    const operation = await apis.getOperation(apiId(req), operationId(req));
    return reply.header('etag', quoteEtag(operation.etag)).send(apiOperationResource(servicePath(req), operation));
  });

  app.put('/apis/:apiId/operations/:operationId', async (req, reply) => {
    const api = apiId(req);
    const id = operationId(req);
    const input = parseOperationCreate(bodyProperties(req));
    const { operation, created } = await apis.createOrUpdateOperation(api, id, input, header(req, 'if-match'), actorOf(req));
    return reply
      .status(created ? 201 : 200)
      .header('etag', quoteEtag(operation.etag))
      .send(apiOperationResource(servicePath(req), operation));
  });

  app.patch('/apis/:apiId/operations/:operationId', async (req, reply) => {
    const api = apiId(req);
    const id = operationId(req);
    const input = parseOperationUpdate(bodyProperties(req));
    const operation = await apis.updateOperation(api, id, input, header(req, 'if-match'), actorOf(req));
    return reply.header('etag', quoteEtag(operation.etag)).send(apiOperationResource(servicePath(req), operation));
  });

  app.delete('/apis/:apiId/operations/:operationId', async (req, reply) => {
    const removed = await apis.removeOperation(apiId(req), operationId(req), header(req, 'if-match'), actorOf(req));
    return reply.status(removed ? 200 : 204).send();
  });

  app.get('/apis/:apiId/products', async (req) => {
    const id = apiId(req);
    const page = pageRequest(req);
    const result = await apis.listProducts(id, page);
    const svc = servicePath(req);
    return listResponse(req, deps.publicUrl, page, result, (p) => productResource(svc, p, true));
  });

  for (const [segment, what] of Object.entries(UNSUPPORTED_API_CHILDREN)) {
    for (const url of [`/apis/:apiId/${segment}`, `/apis/:apiId/${segment}/*`]) {
      app.route({
        method: [...ALL_METHODS],
        url,
        handler: async () => {
          throw featureNotSupported(what);
        },
      });
    }
  }
  for (const [segment, what] of Object.entries(UNSUPPORTED_OPERATION_CHILDREN)) {
    for (const url of [`/apis/:apiId/operations/:operationId/${segment}`, `/apis/:apiId/operations/:operationId/${segment}/*`]) {
      app.route({
        method: [...ALL_METHODS],
        url,
        handler: async () => {
          throw featureNotSupported(what);
        },
      });
    }
  }
}
