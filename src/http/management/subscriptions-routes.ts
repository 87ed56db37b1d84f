/**
 * Subscription operations of apimsubscriptions.json. Keys never appear in a resource: only
 * listSecrets returns them.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseInput } from '../../domain/validate.js';
import {
  SUBSCRIPTION_ID_MAX,
  SUBSCRIPTION_ID_PATTERN,
  subscriptionCreateInput,
  subscriptionUpdateInput,
} from '../../domain/subscription-input.js';
import { APP_TYPES } from '../../domain/user-input.js';
import { quoteEtag } from '../../domain/etag.js';
import { actorOf } from './actor.js';
import type { ManagementDeps } from './deps.js';
import { subscriptionResource } from './resources.js';
import { bodyProperties, booleanQuery, enumQuery, header, listResponse, noStore, pageRequest, pathId, servicePath } from './request.js';

export function registerSubscriptionRoutes(app: FastifyInstance, deps: ManagementDeps): void {
  const { subscriptions } = deps;
  const sid = (req: FastifyRequest) => pathId(req, 'sid', SUBSCRIPTION_ID_MAX, SUBSCRIPTION_ID_PATTERN);
  const writeOptions = (req: FastifyRequest) => ({
    ctx: actorOf(req),
    ifMatch: header(req, 'if-match'),
    notify: booleanQuery(req, 'notify'),
    appType: enumQuery(req, 'appType', APP_TYPES),
  });

  app.get('/subscriptions', async (req) => {
    const page = pageRequest(req);
    const result = await subscriptions.list(page);
    const svc = servicePath(req);
    return listResponse(req, deps.publicUrl, page, result, (s) => subscriptionResource(svc, s));
  });

  app.head('/subscriptions/:sid', async (req, reply) => {
    const s = await subscriptions.get(sid(req));
    return reply.header('etag', quoteEtag(s.etag)).status(200).send();
  });

  app.get('/subscriptions/:sid', async (req, reply) => {
    const s = await subscriptions.get(sid(req));
    return reply.header('etag', quoteEtag(s.etag)).send(subscriptionResource(servicePath(req), s));
  });

  app.put('/subscriptions/:sid', async (req, reply) => {
    const id = sid(req);
    const input = parseInput(subscriptionCreateInput, bodyProperties(req));
    const { subscription, created } = await subscriptions.createOrUpdate(id, input, writeOptions(req));
    return reply
      .status(created ? 201 : 200)
      .header('etag', quoteEtag(subscription.etag))
      .send(subscriptionResource(servicePath(req), subscription));
  });

  app.patch('/subscriptions/:sid', async (req, reply) => {
    const id = sid(req);
    const input = parseInput(subscriptionUpdateInput, bodyProperties(req));
    const subscription = await subscriptions.update(id, input, writeOptions(req));
    return reply.header('etag', quoteEtag(subscription.etag)).send(subscriptionResource(servicePath(req), subscription));
  });

  app.delete('/subscriptions/:sid', async (req, reply) => {
    const removed = await subscriptions.remove(sid(req), header(req, 'if-match'), actorOf(req));
    return reply.status(removed ? 200 : 204).send();
  });

  app.post('/subscriptions/:sid/regeneratePrimaryKey', async (req, reply) => {
    await subscriptions.regenerate(sid(req), 'primary', actorOf(req));
    return reply.status(204).send();
  });

  app.post('/subscriptions/:sid/regenerateSecondaryKey', async (req, reply) => {
    await subscriptions.regenerate(sid(req), 'secondary', actorOf(req));
    return reply.status(204).send();
  });

  app.post('/subscriptions/:sid/listSecrets', async (req, reply) => {
    const { primaryKey, secondaryKey, etag } = await subscriptions.listSecrets(sid(req));
    // The keys themselves: no cache may keep them.
    return noStore(reply).header('etag', quoteEtag(etag)).send({ primaryKey, secondaryKey });
  });
}
