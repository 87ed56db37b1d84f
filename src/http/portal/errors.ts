/**
 * The portal's error handler: an HTML page, never JSON and never a stack trace. Expected failures
 * (AppErrors) say what went wrong; a refused form token says the form expired; anything else is
 * logged in full on the server and answered with a generic 500 page.
 */
import { STATUS_OF_KIND } from '../error-mapper.js';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.js';
import type { PortalContext } from './context.js';
import { CsrfError } from '../web/csrf.js';
import { field, formOf } from '../web/form.js';
import { html } from '../web/html.js';
import { messagePage } from './render.js';
import { sentence } from '../web/form-errors.js';


const TITLES: Readonly<Record<number, string>> = {
  400: 'Something is wrong with the request',
  401: 'Sign-in needed',
  403: 'Not allowed',
  404: 'Page not found',
  409: 'Conflict',
  413: 'The form is too large',
  415: 'Unsupported form',
  500: 'Something went wrong',
};

/** Where "try again" leads after a refused form: the page that shows the form. */
function retryLocation(request: FastifyRequest): string {
  const path = (request.url.split('?')[0] ?? '/').toLowerCase().replace(/\/+$/, '');
  const token = field(formOf(request.body), 'token');
  const withToken = (page: string) => (token && token.length <= 200 ? `${page}?token=${encodeURIComponent(token)}` : page);
  switch (path) {
    case '/signin':
    case '/signup':
    case '/forgot-password':
      return path;
    case '/invitation':
    case '/reset-password':
    case '/confirm/signup':
    case '/confirm/email':
      return withToken(path);
    case '/profile/password':
    case '/profile/email':
    case '/profile/close':
      return '/profile';
    default:
      break;
  }
  // The catalogue's and My subscriptions' forms: back to the page that shows them.
  const subscribe = /^(\/products\/[^/]+)\/subscribe$/i.exec(request.url.split('?')[0]?.replace(/\/+$/, '') ?? '');
  if (subscribe) return subscribe[1]!;
  if (/^\/subscriptions\/[^/]+\/(regenerate|cancel)$/.test(path)) return '/subscriptions';
  return '/';
}

function fromFastify(error: FastifyError): { status: number; message: string } | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, message: 'The form is too large to be sent.' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, message: 'The page only accepts forms sent by a browser.' };
    default:
      break;
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return { status: 400, message: 'The request could not be understood.' };
  }
  return undefined;
}

export function portalErrorHandler(portal: PortalContext) {
  return function handle(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
    if (error instanceof CsrfError) {
      return messagePage(portal, request, reply, {
        title: 'The form expired',
        message: 'The form expired, please try again.',
        role: 'alert',
        status: 403,
        next: html`<p class="actions"><a class="button" href="${retryLocation(request)}">Try again</a></p>`,
      });
    }
    const known =
      error instanceof AppError ? { status: STATUS_OF_KIND[error.kind], message: sentence(error.message) } : fromFastify(error as FastifyError);
    if (known) {
      return messagePage(portal, request, reply, {
        title: TITLES[known.status] ?? 'Something is wrong with the request',
        message: known.message,
        role: 'alert',
        status: known.status,
        next: html`<p><a href="/">Go to the home page</a></p>`,
      });
    }
    request.log.error({ err: error }, 'unhandled error on a portal page');
    return messagePage(portal, request, reply, {
      title: TITLES[500]!,
      message: 'An internal error occurred. Please try again in a moment.',
      role: 'alert',
      status: 500,
      next: html`<p><a href="/">Go to the home page</a></p>`,
    });
  };
}
