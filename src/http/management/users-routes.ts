/** User operations of apimusers.json. */
import type { FastifyInstance } from 'fastify';
import { parseInput } from '../../domain/validate.js';
import { tokenInput, userCreateInput, userUpdateInput, APP_TYPES } from '../../domain/user-input.js';
import { quoteEtag } from '../../domain/etag.js';
import { USER_ID_MAX } from '../../domain/user.js';
import { SUBSCRIPTION_ID_MAX, SUBSCRIPTION_ID_PATTERN } from '../../domain/subscription-input.js';
import { actorOf } from './actor.js';
import type { ManagementDeps } from './deps.js';
import { groupResource, subscriptionResource, userResource } from './resources.js';
import { bodyProperties, booleanQuery, enumQuery, header, listResponse, noStore, pageRequest, pathId, servicePath } from './request.js';

export function registerUserRoutes(app: FastifyInstance, deps: ManagementDeps): void {
  const { users } = deps;
  const userId = (req: Parameters<typeof pathId>[0]) => pathId(req, 'userId', USER_ID_MAX);

  app.get('/users', async (req) => {
    const page = pageRequest(req);
    const expandGroups = booleanQuery(req, 'expandGroups') ?? false;
    const result = await users.list({ ...page, expandGroups });
    const svc = servicePath(req);
    return listResponse(req, deps.publicUrl, page, result, (u) => userResource(svc, u));
  });

  app.head('/users/:userId', async (req, reply) => {
    const etag = await users.etag(userId(req));
    return reply.header('etag', quoteEtag(etag)).status(200).send();
  });

  app.get('/users/:userId', async (req, reply) => {
    const user = await users.get(userId(req));
    return reply.header('etag', quoteEtag(user.etag)).send(userResource(servicePath(req), user));
  });

  app.put('/users/:userId', async (req, reply) => {
    const id = userId(req);
    const input = parseInput(userCreateInput, bodyProperties(req));
    const { user, created } = await users.createOrUpdate(id, input, {
      ifMatch: header(req, 'if-match'),
      notify: booleanQuery(req, 'notify'),
      ctx: actorOf(req),
    });
    return reply.status(created ? 201 : 200).header('etag', quoteEtag(user.etag)).send(userResource(servicePath(req), user));
  });

  app.patch('/users/:userId', async (req, reply) => {
    const id = userId(req);
    const input = parseInput(userUpdateInput, bodyProperties(req));
    const user = await users.update(id, input, header(req, 'if-match'), actorOf(req));
    return reply.header('etag', quoteEtag(user.etag)).send(userResource(servicePath(req), user));
  });

  app.delete('/users/:userId', async (req, reply) => {
    await users.remove(userId(req), {
      ifMatch: header(req, 'if-match'),
      notify: booleanQuery(req, 'notify'),
      deleteSubscriptions: booleanQuery(req, 'deleteSubscriptions'),
      appType: enumQuery(req, 'appType', APP_TYPES),
      ctx: actorOf(req),
    });
    return reply.status(204).send();
  });

  // Both answers are credentials: no cache may keep them.
  app.post('/users/:userId/generateSsoUrl', async (req, reply) => noStore(reply).send({ value: await users.generateSsoUrl(userId(req)) }));

  app.post('/users/:userId/token', async (req, reply) => {
    const id = userId(req);
    const input = parseInput(tokenInput, bodyProperties(req));
    return noStore(reply).send({ value: await users.sharedAccessToken(id, input) });
  });

  app.get('/users/:userId/groups', async (req) => {
    const id = userId(req);
    const page = pageRequest(req);
    const result = await users.listGroups(id, page);
    const svc = servicePath(req);
    return listResponse(req, deps.publicUrl, page, result, (g) => groupResource(svc, g, id));
  });

  app.get('/users/:userId/subscriptions', async (req) => {
    const id = userId(req);
    const page = pageRequest(req);
    const result = await deps.subscriptions.list({ ...page, userId: id });
    const svc = servicePath(req);
    return listResponse(req, deps.publicUrl, page, result, (s) => subscriptionResource(svc, s, { user: id }));
  });

  app.get('/users/:userId/subscriptions/:sid', async (req, reply) => {
    const id = userId(req);
    const s = await deps.subscriptions.getOfUser(id, pathId(req, 'sid', SUBSCRIPTION_ID_MAX, SUBSCRIPTION_ID_PATTERN));
    return reply.header('etag', quoteEtag(s.etag)).send(subscriptionResource(servicePath(req), s, { user: id }));
  });

  app.get('/users/:userId/identities', async (req) => {
    const identities = await users.listIdentities(userId(req));
    return { value: identities, count: identities.length, nextLink: '' };
  });

  app.post('/users/:userId/confirmations/password/send', async (req, reply) => {
    await users.sendPasswordConfirmation(userId(req), enumQuery(req, 'appType', APP_TYPES), actorOf(req));
    return reply.status(204).send();
  });
}
