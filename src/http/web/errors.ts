/**
 * The one error handler of the browser faces: an HTML page in the face's own shell, never JSON
 * and never a stack trace. Every failure is classified here, once: an AppError says what went
 * wrong (its status from the one status table), a refused form token says the form expired,
 * Fastify's own 4xx errors (a body too large, not a form, bad percent-encoding) are the client's,
 * and anything else is logged in full on the server and answered with a generic 500 page.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.js';
import { STATUS_OF_KIND } from '../error-mapper.js';
import { CsrfError } from './csrf.js';
import { sentence } from './form-errors.js';

export interface PageFailure {
  status: number;
  title: string;
  message: string;
  /** A refused form token: the page offers to try again rather than to go back. */
  formExpired: boolean;
}

const TITLES: Readonly<Record<number, string>> = {
  400: 'Something is wrong with the request',
  401: 'Sign-in needed',
  403: 'Not allowed',
  404: 'Page not found',
  409: 'Conflict',
  410: 'Gone',
  412: 'Changed in the meantime',
  413: 'The form is too large',
  415: 'Unsupported form',
  429: 'Too many attempts',
  500: 'Something went wrong',
};

export function failureTitle(status: number): string {
  return TITLES[status] ?? TITLES[status >= 500 ? 500 : 400]!;
}

/** What the page says about `error`; undefined for an error that is a bug (500, logged by the caller). */
export function classifyFailure(error: unknown): PageFailure | undefined {
  if (error instanceof CsrfError) return { status: 403, title: 'The form expired', message: 'The form expired, please try again.', formExpired: true };
  if (error instanceof AppError) {
    const status = STATUS_OF_KIND[error.kind];
    return { status, title: failureTitle(status), message: sentence(error.message), formExpired: false };
  }
  const e = error as Partial<FastifyError> | null;
  if (e?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { status: 413, title: failureTitle(413), message: 'The form is too large to be sent.', formExpired: false };
  if (e?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return { status: 415, title: failureTitle(415), message: 'The page only accepts forms sent by a browser.', formExpired: false };
  }
  if (e?.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500) {
    return { status: 400, title: failureTitle(400), message: 'The request could not be understood.', formExpired: false };
  }
  return undefined;
}

export type FailurePage = (request: FastifyRequest, reply: FastifyReply, failure: PageFailure) => FastifyReply;

/** The face's error handler: `render` draws the page in the face's shell (with its headers). */
export function pageErrorHandler(face: string, render: FailurePage) {
  return function handle(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const known = classifyFailure(error);
    if (known) return render(request, reply, known);
    request.log.error({ err: error }, `unhandled error on a ${face} page`);
    return render(request, reply, { status: 500, title: failureTitle(500), message: 'An internal error occurred. Please try again in a moment.', formExpired: false });
  };
}
