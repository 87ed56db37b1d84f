/**
 * The one error mapper: every failure leaves the server as Azure's error shape
 * `{"error":{"code","message","details":[...]}}`. Expected failures are AppErrors; Fastify's own
 * (bad JSON, wrong media type, body too large) are translated; anything else is a bug, logged in
 * full on the server and answered with a generic 500 that reveals nothing.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorKind } from '../domain/errors.js';
import type { ClientErrorStatus } from '../listener/client-error.js';

/** The HTTP status of each kind of AppError, for every face (JSON API and HTML pages). */
export const STATUS_OF_KIND: Readonly<Record<ErrorKind, number>> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'precondition-failed': 412,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'too-many-requests': 429,
};

export interface ErrorBody {
  error: { code: string; message: string; details: { code: string; message: string; target?: string }[] };
}

export function errorBody(error: AppError): ErrorBody {
  return { error: { code: error.code, message: error.message, details: error.details.map((d) => ({ ...d })) } };
}

/** Fastify's own errors (raised before our handlers run) as AppErrors. */
function fromFastify(error: FastifyError): AppError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('validation', 'InvalidRequestContent', 'The request body is not valid JSON.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('unsupported-media-type', 'UnsupportedMediaType', 'The request body must be application/json.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload-too-large', 'RequestEntityTooLarge', 'The request body is too large.');
    case 'FST_ERR_BAD_URL':
      return new AppError('validation', 'InvalidUrl', 'The request URL is not valid (check its percent-encoding).');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new AppError('validation', 'ValidationError', 'A path segment of the request URL is too long.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('validation', 'InvalidRequestContent', 'The Content-Length header does not match the body.');
    default:
      break;
  }
  // Errors Fastify or a plugin raise with a 4xx status (e.g. a malformed URL) are the client's.
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new AppError('validation', 'BadRequest', 'The request could not be understood.');
  }
  return undefined;
}

export function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  const known = error instanceof AppError ? error : fromFastify(error as FastifyError);
  if (known) {
    const status = STATUS_OF_KIND[known.kind];
    if (status === 401) reply.header('www-authenticate', 'Bearer');
    void reply.status(status).send(errorBody(known));
    return;
  }
  request.log.error({ err: error }, 'unhandled error');
  void reply.status(500).send({
    error: { code: 'InternalServerError', message: 'An internal error occurred. The request was not completed.', details: [] },
  });
}

export function handleNotFound(request: FastifyRequest, reply: FastifyReply): void {
  void reply.status(404).send(
    errorBody(new AppError('not-found', 'ResourceNotFound', `No resource at ${request.method} ${request.url.split('?')[0]}.`)),
  );
}

/** Errors Node's HTTP parser raises before Fastify sees a request (see listener/client-error.ts). */
const CLIENT_ERRORS: Readonly<Record<ClientErrorStatus, { code: string; message: string }>> = {
  400: { code: 'BadRequest', message: 'The request could not be understood.' },
  408: { code: 'RequestTimeout', message: 'The request was not received in time.' },
  413: { code: 'RequestEntityTooLarge', message: 'The request is too large.' },
  431: { code: 'RequestHeaderFieldsTooLarge', message: 'The request URL and headers are too large (16 KB at most together).' },
};

export function clientErrorBody(status: ClientErrorStatus): string {
  return JSON.stringify({ error: { ...CLIENT_ERRORS[status], details: [] } });
}
