/** Email template operations of apimemailtemplates.json. Names match case-insensitively. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseInput } from '../../domain/validate.js';
import { quoteEtag } from '../../domain/etag.js';
import { templateInput } from '../../services/email-templates.js';
import { actorOf } from './actor.js';
import type { ManagementDeps } from './deps.js';
import { templateResource } from './resources.js';
import { bodyProperties, header, listResponse, pageRequest, pathId, servicePath } from './request.js';

export function registerTemplateRoutes(app: FastifyInstance, deps: ManagementDeps): void {
  const { templates } = deps;
  const name = (req: FastifyRequest) => pathId(req, 'templateName', 100);

  app.get('/templates', async (req) => {
    const page = pageRequest(req);
    const result = await templates.list(page);
    const svc = servicePath(req);
    return listResponse(req, deps.publicUrl, page, result, (t) => templateResource(svc, t));
  });

  app.head('/templates/:templateName', async (req, reply) => {
    const t = await templates.get(name(req));
    return reply.header('etag', quoteEtag(t.etag)).status(200).send();
  });

  app.get('/templates/:templateName', async (req, reply) => {
    const t = await templates.get(name(req));
    return reply.header('etag', quoteEtag(t.etag)).send(templateResource(servicePath(req), t));
  });

  app.put('/templates/:templateName', async (req, reply) => {
    const n = name(req);
    const input = parseInput(templateInput, bodyProperties(req));
    const { template, created } = await templates.replace(n, input, header(req, 'if-match'), actorOf(req));
    return reply.status(created ? 201 : 200).header('etag', quoteEtag(template.etag)).send(templateResource(servicePath(req), template));
  });

  app.patch('/templates/:templateName', async (req, reply) => {
    const n = name(req);
    const input = parseInput(templateInput, bodyProperties(req));
    const template = await templates.update(n, input, header(req, 'if-match'), actorOf(req));
    return reply.header('etag', quoteEtag(template.etag)).send(templateResource(servicePath(req), template));
  });

  app.delete('/templates/:templateName', async (req, reply) => {
    const reset = await templates.reset(name(req), header(req, 'if-match'), actorOf(req));
    return reply.status(reset ? 200 : 204).send();
  });
}
