/** Group and group-membership operations of apimgroups.json. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseInput } from '../../domain/validate.js';
import { groupCreateInput, groupUpdateInput } from '../../domain/group-input.js';
import { quoteEtag } from '../../domain/etag.js';
import { GROUP_ID_MAX } from '../../domain/group.js';
import { USER_ID_MAX } from '../../domain/user.js';
import { actorOf } from './actor.js';
import type { ManagementDeps } from './deps.js';
import { groupResource, userResource } from './resources.js';
import { bodyProperties, header, listResponse, pageRequest, pathId, servicePath } from './request.js';

export function registerGroupRoutes(app: FastifyInstance, deps: ManagementDeps): void {
  const { groups, users } = deps;
  const groupId = (req: FastifyRequest) => pathId(req, 'groupId', GROUP_ID_MAX);
  const userId = (req: FastifyRequest) => pathId(req, 'userId', USER_ID_MAX);

  app.get('/groups', async (req) => {
    const page = pageRequest(req);
    const result = await groups.list(page);
    const svc = servicePath(req);
    return listResponse(req, deps.publicUrl, page, result, (g) => groupResource(svc, g));
  });

  app.head('/groups/:groupId', async (req, reply) => {
    const group = await groups.get(groupId(req));
    return reply.header('etag', quoteEtag(group.etag)).status(200).send();
  });

  app.get('/groups/:groupId', async (req, reply) => {
    const group = await groups.get(groupId(req));
    return reply.header('etag', quoteEtag(group.etag)).send(groupResource(servicePath(req), group));
  });

  app.put('/groups/:groupId', async (req, reply) => {
    const id = groupId(req);
    const input = parseInput(groupCreateInput, bodyProperties(req));
    const { group, created } = await groups.createOrUpdate(id, input, header(req, 'if-match'), actorOf(req));
    return reply.status(created ? 201 : 200).header('etag', quoteEtag(group.etag)).send(groupResource(servicePath(req), group));
  });

  app.patch('/groups/:groupId', async (req, reply) => {
    const id = groupId(req);
    const input = parseInput(groupUpdateInput, bodyProperties(req));
    const group = await groups.update(id, input, header(req, 'if-match'), actorOf(req));
    return reply.header('etag', quoteEtag(group.etag)).send(groupResource(servicePath(req), group));
  });

  app.delete('/groups/:groupId', async (req, reply) => {
    const removed = await groups.remove(groupId(req), header(req, 'if-match'), actorOf(req));
    return reply.status(removed ? 200 : 204).send();
  });

  app.get('/groups/:groupId/users', async (req) => {
    const page = pageRequest(req);
    const result = await users.listByGroup(groupId(req), page);
    const svc = servicePath(req);
    return listResponse(req, deps.publicUrl, page, result, (u) => userResource(svc, u, 'groups/users'));
  });

  app.head('/groups/:groupId/users/:userId', async (req, reply) => {
    const member = await groups.hasMember(groupId(req), userId(req));
    return reply.status(member ? 204 : 404).send();
  });

  app.put('/groups/:groupId/users/:userId', async (req, reply) => {
    const { user, created } = await groups.addMember(groupId(req), userId(req), actorOf(req));
    return reply.status(created ? 201 : 200).send(userResource(servicePath(req), user, 'groups/users'));
  });

  app.delete('/groups/:groupId/users/:userId', async (req, reply) => {
    const removed = await groups.removeMember(groupId(req), userId(req), actorOf(req));
    return reply.status(removed ? 200 : 204).send();
  });
}
