/**
 * The gateway's own answers, in Azure API Management's JSON shape `{statusCode, message}`.
 *
 * 401 means "we do not know who you are" (no key, or a key that matches no subscription); 403 means
 * "we know the key, and it may not be used here" (subscription not active or expired, owner not
 * active, scope not covering the API, product not published). Internal details never leave.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
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
  countersUnavailable: 'Service unavailable: the rate limit and quota counters cannot be reached.',
  forbidden: 'Forbidden',
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

/** Sends the gateway's JSON error; returns the body's bytes (0 when the answer had already begun: the connection is closed). */
export function sendError(res: ServerResponse, statusCode: number, message: string): number {
  if (res.headersSent) {
    res.destroy();
    return 0;
  }
  const text = body(statusCode, message);
  const length = Buffer.byteLength(text);
  res.writeHead(statusCode, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': length,
  });
  res.end(text);
  return length;
}

/**
 * Sends an answer the gateway made (a policy's refusal, return-response, mock-response, an error
 * after on-error) with its exact length; a HEAD gets the headers only. Returns the body's bytes.
 */
export function sendAnswer(
  res: ServerResponse,
  answer: { status: number; reason?: string; headers: OutgoingHttpHeaders; body: string },
  head: boolean,
): number {
  if (res.headersSent) {
    res.destroy();
    return 0;
  }
  const body = Buffer.from(answer.body, 'utf8');
  const headers: OutgoingHttpHeaders = {};
  for (const name in answer.headers) {
    const lower = name.toLowerCase();
    if (lower !== 'content-length' && lower !== 'transfer-encoding') headers[name] = answer.headers[name];
  }
  headers['content-length'] = body.length;
  if (answer.reason !== undefined) res.writeHead(answer.status, answer.reason, headers);
  else res.writeHead(answer.status, headers);
  res.end(head ? undefined : body);
  return head ? 0 : body.length;
}
