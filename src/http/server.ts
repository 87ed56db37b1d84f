/**
 * The HTTP server on PORT: today the management API; the admin UI and developer portal join it as
 * sibling plugins. Shared concerns live here: JSON parsing, request ids, the error mapper.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { handleError, handleNotFound } from './error-mapper.js';
import { MANAGEMENT_PREFIX, managementPlugin, type ManagementDeps } from './management/plugin.js';

export interface HttpServerOptions {
  logLevel: string;
  management: ManagementDeps;
}

export async function buildHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: options.logLevel,
      // Never log credentials, even at debug level.
      redact: ['req.headers.authorization', 'req.headers.cookie'],
    },
    // ARM paths are case-insensitive (`resourcegroups` and `resourceGroups` both arrive in the wild).
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true },
    exposeHeadRoutes: false,
    bodyLimit: 1024 * 1024,
    requestIdHeader: false,
    genReqId: () => randomUUID(),
  });

  // Bodiless POST/PUT calls (membership, generateSsoUrl) often still say application/json.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      const error = Object.assign(new Error('invalid JSON'), { code: 'FST_ERR_CTP_INVALID_JSON_BODY', statusCode: 400 });
      done(error, undefined);
    }
  });

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-ms-request-id', request.id);
  });
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);

  await app.register(async (scope) => managementPlugin(scope, options.management), { prefix: MANAGEMENT_PREFIX });
  return app;
}
