/**
 * The gateway's own answers, in Azure API Management's JSON shape `{statusCode, message}`.
 *
 * 401 means "we do not know who you are" (no key, or a key that matches no subscription); 403 means
 * "we know the key, and it may not be used here" (subscription not active or expired, owner not
 * active, scope not covering the API, product not published). Internal details never leave.
 */
import type { ServerResponse } from 'node:http';
import type { ClientErrorStatus } from '../listener/client-error.js';

export const MESSAGES = {
  notFound: 'Resource not found',
  missingKey:
    'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.',
  invalidKey:
    'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.',
  subscriptionInactive: 'Access denied: the subscription is not active.',
  subscriptionExpired: 'Access denied: the subscription has expired.',
  ownerInactive: 'Access denied: the owner of the subscription is not active.',
  productUnpublished: 'Access denied: the product of the subscription is not published.',
  outOfScope: 'Access denied: the subscription does not give access to this API.',
  badGateway: 'Bad gateway: the backend could not be reached.',
  noBackend: 'Bad gateway: the API has no backend service URL.',
  gatewayTimeout: 'Gateway timeout: the backend did not answer in time.',
  unavailable: 'Service unavailable: the gateway is starting.',
  internal: 'Internal server error.',
  unsafePath:
    'Bad request: the path contains an encoded slash or backslash, a backslash, or a . or .. segment (also percent-encoded).',
  badRequest: 'Bad request: the request could not be understood.',
  requestTimeout: 'Request timeout: the request was not received in time.',
  tooLarge: 'Request too large.',
  headersTooLarge: 'Request header fields too large: the URL and headers must not exceed 16 KB together.',
} as const;

const CLIENT_ERROR_MESSAGES: Readonly<Record<ClientErrorStatus, string>> = {
  400: MESSAGES.badRequest,
  408: MESSAGES.requestTimeout,
  413: MESSAGES.tooLarge,
  431: MESSAGES.headersTooLarge,
};

function body(statusCode: number, message: string): string {
  return JSON.stringify({ statusCode, message });
}

/** The answer to an error Node's HTTP parser raised before the gateway saw a request (see listener/client-error.ts). */
export function clientErrorBody(status: ClientErrorStatus): string {
  return body(status, CLIENT_ERROR_MESSAGES[status]);
}

export function sendError(res: ServerResponse, statusCode: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = body(statusCode, message);
  res.writeHead(statusCode, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
