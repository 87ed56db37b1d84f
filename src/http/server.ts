/**
 * The HTTP server on PORT: the management API, the developer portal and the admin UI, as sibling
 * plugins. Shared concerns live here: JSON parsing, request ids, the error mapper.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import { nestsDeeperThan } from '../domain/json-depth.js';
import { clientErrorBody, handleError, handleNotFound } from './error-mapper.js';
import { createClientErrorHandler } from '../listener/client-error.js';
import { applyLimits, serverOptions, type ListenerLimits } from '../listener/limits.js';
import { MANAGEMENT_PREFIX, managementPlugin, type ManagementDeps } from './management/plugin.js';
import { portalPlugin, type PortalDeps } from './portal/plugin.js';
import { adminPlugin, type AdminDeps } from './admin/plugin.js';
import { createLogger } from '../ops/logger.js';
import { exportRoutes } from './export-routes.js';

/** The deepest JSON body the management API reads (Azure's deepest resource nests about 8 levels). */
export const JSON_MAX_DEPTH = 32;

export interface HttpServerOptions {
  logLevel: string;
  logStream?: NodeJS.WritableStream | undefined;
  /** Timeouts and the connection cap of the listener on PORT. */
  limits: ListenerLimits;
  management: ManagementDeps;
  portal: PortalDeps;
  admin: AdminDeps;
}

export async function buildHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    // Made where every process's logger is (JSON for machines, lines for people; credentials redacted).
    loggerInstance: createLogger({ level: options.logLevel, stream: options.logStream }) as FastifyBaseLogger,
    // ARM paths are case-insensitive (`resourcegroups` and `resourceGroups` both arrive in the wild).
    // Long enough for the longest id the specification allows (256 characters, percent-encoded),
    // so that the route itself answers with a precise validation error for anything longer.
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: 4096 },
    // Errors the router raises before any route runs (bad percent-encoding...) get Azure's shape too.
    frameworkErrors: handleError,
    exposeHeadRoutes: false,
    bodyLimit: 1024 * 1024,
    requestIdHeader: false,
    genReqId: () => randomUUID(),
    // Fastify copies these two onto the server after creating it, over what `http` set.
    http: serverOptions(options.limits),
    keepAliveTimeout: options.limits.keepAliveTimeoutMs,
    requestTimeout: options.limits.requestTimeoutMs,
    // Errors Node's parser raises before Fastify sees a request (431, 400, 408) get Azure's shape too.
    clientErrorHandler: createClientErrorHandler(clientErrorBody),
  });
  applyLimits(app.server, options.limits);

  // JSON is the only body the API takes (anything else is 415). Bodiless POST/PUT calls
  // (membership, generateSsoUrl) often still say application/json.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      const error = Object.assign(new Error('invalid JSON'), { code: 'FST_ERR_CTP_INVALID_JSON_BODY', statusCode: 400 });
      return done(error, undefined);
    }
    // Nothing Azure's contract holds nests deeper; a deeper body is refused before any code walks it.
    if (nestsDeeperThan(value, JSON_MAX_DEPTH)) {
      return done(new AppError('validation', 'InvalidRequestContent', `The request body nests more than ${JSON_MAX_DEPTH} levels deep.`), undefined);
    }
    return done(null, value);
  });

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-ms-request-id', request.id);
  });
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);

  await app.register(async (scope) => managementPlugin(scope, options.management), { prefix: MANAGEMENT_PREFIX });
  await app.register(async (scope) => portalPlugin(scope, options.portal));
  await app.register(async (scope) => adminPlugin(scope, options.admin));
  // Export downloads: outside the management API's authentication, the link's token is the credential.
  await app.register(async (scope) => exportRoutes(scope, options.management.apiExport));
  return app;
}
