/** Product, product-API, product-group and product link operations of apimproducts.json (no policies, tags or wikis). */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { validationError } from '../../domain/errors.js';
import { parseInput } from '../../domain/validate.js';
import { quoteEtag } from '../../domain/etag.js';
import { GROUP_ID_MAX } from '../../domain/group.js';
import {
  API_ID_MAX,
  ARM_ID_PATTERN,
  LINK_ID_MAX,
  PRODUCT_ID_MAX,
  productApiLinkInput,
  productCreateInput,
  productGroupLinkInput,
  productUpdateInput,
} from '../../domain/product-input.js';
import { actorOf } from './actor.js';
import type { ManagementDeps } from './deps.js';
import {
  apiLinkResource,
  groupLinkResource,
  productApiResource,
  productGroupResource,
  productResource,
  subscriptionResource,
} from './resources.js';
import { bodyProperties, booleanQuery, header, listResponse, pageRequest, pathId, queryValue, servicePath } from './request.js';

export function registerProductRoutes(app: FastifyInstance, deps: ManagementDeps): void {
  const { products } = deps;
  const productId = (req: FastifyRequest) => pathId(req, 'productId', PRODUCT_ID_MAX);
  const apiId = (req: FastifyRequest) => pathId(req, 'apiId', API_ID_MAX, ARM_ID_PATTERN);
  const groupId = (req: FastifyRequest) => pathId(req, 'groupId', GROUP_ID_MAX);
  const apiLinkId = (req: FastifyRequest) => pathId(req, 'apiLinkId', LINK_ID_MAX, ARM_ID_PATTERN);
  const groupLinkId = (req: FastifyRequest) => pathId(req, 'groupLinkId', LINK_ID_MAX, ARM_ID_PATTERN);

  // -- Products ---------------------------------------------------------------------------------

  app.get('/products', async (req) => {
    const tags = queryValue(req, 'tags');
    if (tags !== undefined && tags.trim() !== '') {
      throw validationError('tags are not supported.', [{ code: 'ValidationError', target: 'tags', message: 'tags are not supported.' }]);
    }
    const page = pageRequest(req);
    const expandGroups = booleanQuery(req, 'expandGroups') ?? false;
    const result = await products.list({ ...page, expandGroups });
    const svc = servicePath(req);
    return listResponse(req, deps.publicUrl, page, result, (p) => productResource(svc, p));
  });

  app.head('/products/:productId', async (req, reply) => {
    const product = await products.get(productId(req));
    return reply.header('etag', quoteEtag(product.etag)).status(200).send();
  });

  app.get('/products/:productId', async (req, reply) => {
    const product = await products.get(productId(req));
    return reply.header('etag', quoteEtag(product.etag)).send(productResource(servicePath(req), product));
  });

  app.put('/products/:productId', async (req, reply) => {
    const id = productId(req);
    const input = parseInput(productCreateInput, bodyProperties(req));
    const { product, created } = await products.createOrUpdate(id, input, header(req, 'if-match'), actorOf(req));
    return reply.status(created ? 201 : 200).header('etag', quoteEtag(product.etag)).send(productResource(servicePath(req), product));
  });

  app.patch('/products/:productId', async (req, reply) => {
    const id = productId(req);
    const input = parseInput(productUpdateInput, bodyProperties(req));
    const product = await products.update(id, input, header(req, 'if-match'), actorOf(req));
    return reply.header('etag', quoteEtag(product.etag)).send(productResource(servicePath(req), product));
  });

  app.delete('/products/:productId', async (req, reply) => {
    const id = productId(req);
    const deleteSubscriptions = booleanQuery(req, 'deleteSubscriptions') ?? false;
    const removed = await products.remove(id, header(req, 'if-match'), deleteSubscriptions, actorOf(req));
    return reply.status(removed ? 200 : 204).send();
  });

  // -- Product ↔ API ----------------------------------------------------------------------------

  app.get('/products/:productId/apis', async (req) => {
    const page = pageRequest(req);
    const result = await products.listApis(productId(req), page);
    const svc = servicePath(req);
    return listResponse(req, deps.publicUrl, page, result, (a) => productApiResource(svc, a));
  });

  app.head('/products/:productId/apis/:apiId', async (req, reply) => {
    const linked = await products.hasApi(productId(req), apiId(req));
    return reply.status(linked ? 204 : 404).send();
  });

  app.put('/products/:productId/apis/:apiId', async (req, reply) => {
    const { api, created } = await products.addApi(productId(req), apiId(req), actorOf(req));
    return reply.status(created ? 201 : 200).send(productApiResource(servicePath(req), api));
  });

  app.delete('/products/:productId/apis/:apiId', async (req, reply) => {
    const removed = await products.removeApi(productId(req), apiId(req), actorOf(req));
    return reply.status(removed ? 200 : 204).send();
  });

  // -- Product ↔ group --------------------------------------------------------------------------

  app.get('/products/:productId/groups', async (req) => {
    const page = pageRequest(req);
    const result = await products.listGroups(productId(req), page);
    const svc = servicePath(req);
    return listResponse(req, deps.publicUrl, page, result, (g) => productGroupResource(svc, g));
  });

  app.head('/products/:productId/groups/:groupId', async (req, reply) => {
    const linked = await products.hasGroup(productId(req), groupId(req));
    return reply.status(linked ? 204 : 404).send();
  });

  app.put('/products/:productId/groups/:groupId', async (req, reply) => {
    const { group, created } = await products.addGroup(productId(req), groupId(req), actorOf(req));
    return reply.status(created ? 201 : 200).send(productGroupResource(servicePath(req), group));
  });

  app.delete('/products/:productId/groups/:groupId', async (req, reply) => {
    const removed = await products.removeGroup(productId(req), groupId(req), actorOf(req));
    return reply.status(removed ? 200 : 204).send();
  });

  // -- Link resources ---------------------------------------------------------------------------

  app.get('/products/:productId/apiLinks', async (req) => {
    const page = pageRequest(req);
    const pid = productId(req);
    const result = await products.listApiLinks(pid, page);
    const svc = servicePath(req);
    return listResponse(req, deps.publicUrl, page, result, (l) => apiLinkResource(svc, pid, l));
  });

  app.get('/products/:productId/apiLinks/:apiLinkId', async (req) => {
    const pid = productId(req);
    const link = await products.getApiLink(pid, apiLinkId(req));
    return apiLinkResource(servicePath(req), pid, link);
  });

  app.put('/products/:productId/apiLinks/:apiLinkId', async (req, reply) => {
    const pid = productId(req);
    const linkId = apiLinkId(req);
    const input = parseInput(productApiLinkInput, bodyProperties(req));
    const { link, created } = await products.putApiLink(pid, linkId, input.apiId, actorOf(req));
    return reply.status(created ? 201 : 200).send(apiLinkResource(servicePath(req), pid, link));
  });

  app.delete('/products/:productId/apiLinks/:apiLinkId', async (req, reply) => {
    const removed = await products.removeApiLink(productId(req), apiLinkId(req), actorOf(req));
    return reply.status(removed ? 200 : 204).send();
  });

  app.get('/products/:productId/groupLinks', async (req) => {
    const page = pageRequest(req);
    const pid = productId(req);
    const result = await products.listGroupLinks(pid, page);
    const svc = servicePath(req);
    return listResponse(req, deps.publicUrl, page, result, (l) => groupLinkResource(svc, pid, l));
  });

  app.get('/products/:productId/groupLinks/:groupLinkId', async (req) => {
    const pid = productId(req);
    const link = await products.getGroupLink(pid, groupLinkId(req));
    return groupLinkResource(servicePath(req), pid, link);
  });

  app.put('/products/:productId/groupLinks/:groupLinkId', async (req, reply) => {
    const pid = productId(req);
    const linkId = groupLinkId(req);
    const input = parseInput(productGroupLinkInput, bodyProperties(req));
    const { link, created } = await products.putGroupLink(pid, linkId, input.groupId, actorOf(req));
    return reply.status(created ? 201 : 200).send(groupLinkResource(servicePath(req), pid, link));
  });

  app.delete('/products/:productId/groupLinks/:groupLinkId', async (req, reply) => {
    const removed = await products.removeGroupLink(productId(req), groupLinkId(req), actorOf(req));
    return reply.status(removed ? 200 : 204).send();
  });

  // -- The product's subscriptions --------------------------------------------------------------

  app.get('/products/:productId/subscriptions', async (req) => {
    const page = pageRequest(req);
    const pid = productId(req);
    const result = await deps.subscriptions.list({ ...page, productId: pid });
    const svc = servicePath(req);
    return listResponse(req, deps.publicUrl, page, result, (s) => subscriptionResource(svc, s, { product: pid }));
  });
}
