/**
 * The admin UI's error handler: an HTML page in the admin shell, never JSON and never a stack
 * trace. Forms that can fail validation catch their AppError themselves and show the form again
 * with what was typed; what reaches this handler is what no form can fix.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.js';
import { STATUS_OF_KIND } from '../error-mapper.js';
import { CsrfError } from '../web/csrf.js';
import { sentence } from '../web/form-errors.js';
import { html } from '../web/html.js';
import type { AdminContext } from './context.js';
import { sendAdminPage } from './render.js';

const TITLES: Readonly<Record<number, string>> = {
  400: 'Something is wrong with the request',
  401: 'Sign-in needed',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Conflict',
  412: 'Changed in the meantime',
  413: 'The form is too large',
  415: 'Unsupported form',
  500: 'Something went wrong',
};

/** The page the failed form was on: the path without its last action segment. */
function backTo(request: FastifyRequest): string {
  const path = (request.url.split('?')[0] ?? '/admin').replace(/\/+$/, '');
  if (request.method === 'GET') return '/admin';
  const parent = path.slice(0, path.lastIndexOf('/'));
  return parent.startsWith('/admin') ? parent : '/admin';
}

export function adminMessage(
  ctx: AdminContext,
  request: FastifyRequest,
  reply: FastifyReply,
  m: { title: string; message: string; status: number; back?: string },
): FastifyReply {
  return sendAdminPage(ctx, request, reply, {
    title: m.title,
    status: m.status,
    main: html`<section class="panel" aria-labelledby="page-heading">
  <h1 id="page-heading">${m.title}</h1>
  <div class="alert ${m.status >= 400 ? 'error' : 'info'}" role="${m.status >= 400 ? 'alert' : 'status'}"><p>${m.message}</p></div>
  <p><a href="${m.back ?? backTo(request)}">Go back</a></p>
</section>`,
  });
}

function fromFastify(error: FastifyError): { status: number; message: string } | undefined {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { status: 413, message: 'The form is too large to be sent.' };
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return { status: 415, message: 'The page only accepts forms sent by a browser.' };
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return { status: 400, message: 'The request could not be understood.' };
  }
  return undefined;
}

export function adminErrorHandler(ctx: AdminContext) {
  return function handle(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
    if (error instanceof CsrfError) {
      return adminMessage(ctx, request, reply, { title: 'The form expired', message: 'The form expired, please try again.', status: 403 });
    }
    const known =
      error instanceof AppError ? { status: STATUS_OF_KIND[error.kind], message: sentence(error.message) } : fromFastify(error as FastifyError);
    if (known) return adminMessage(ctx, request, reply, { title: TITLES[known.status] ?? TITLES[400]!, message: known.message, status: known.status });
    request.log.error({ err: error }, 'unhandled error on an admin page');
    return adminMessage(ctx, request, reply, { title: TITLES[500]!, message: 'An internal error occurred. Please try again in a moment.', status: 500 });
  };
}
