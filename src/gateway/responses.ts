/**
 * The gateway's own answers, in Azure API Management's JSON shape `{statusCode, message}`.
 *
 * 401 means "we do not know who you are" (no key, or a key that matches no subscription); 403 means
 * "we know the key, and it may not be used here" (subscription not active or expired, owner not
 * active, scope not covering the API, product not published). Internal details never leave.
 */
import type { ServerResponse } from 'node:http';

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
} as const;

export function sendError(res: ServerResponse, statusCode: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ statusCode, message });
  res.writeHead(statusCode, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
