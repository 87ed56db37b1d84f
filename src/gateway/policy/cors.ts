/**
 * cors, as Azure runs it. A preflight (OPTIONS with Origin and Access-Control-Request-Method) is
 * answered by the gateway itself, before any key is asked for (browsers send none with it): 200
 * with the allowed origin, methods, headers and max age when the policy allows what the browser
 * asks, and an empty 200 otherwise. A cross-origin call the policy allows gets
 * Access-Control-Allow-Origin (and -Credentials, -Expose-Headers) on its answer; one it does not
 * allow goes on without them, unless terminate-unmatched-request ends a GET or HEAD with an empty
 * 200.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { CorsElement } from '../../domain/policy/types.js';
import type { Answer, CorsGrant, Exchange, Step } from './exchange.js';
import type { IncomingMessage } from 'node:http';

export interface CompiledCors {
  /** For the calls themselves (inbound). */
  step: Step;
  /** The answer to a preflight, or undefined when this policy does not match it and leaves it to the next (terminate-unmatched-request false). */
  preflight(req: IncomingMessage): Answer | undefined;
}

const EMPTY_200 = (): Answer => ({ status: 200, headers: {}, body: '' });

export function isPreflight(method: string, req: IncomingMessage): boolean {
  return method === 'OPTIONS' && req.headers.origin !== undefined && req.headers['access-control-request-method'] !== undefined;
}

export function compileCors(e: CorsElement): CompiledCors {
  const anyOrigin = e.allowedOrigins.includes('*');
  const origins = new Set(e.allowedOrigins.map((o) => o.toLowerCase().replace(/\/+$/, '')));
  const anyMethod = e.allowedMethods.includes('*');
  const methods = new Set(e.allowedMethods.map((m) => m.toUpperCase()));
  const anyHeader = e.allowedHeaders.includes('*');
  const headers = new Set(e.allowedHeaders.map((h) => h.toLowerCase()));
  const expose = e.exposeHeaders.join(',');
  const credentials = e.allowCredentials;

  const originAllowed = (origin: string) => anyOrigin || origins.has(origin.toLowerCase().replace(/\/+$/, ''));
  // With credentials a browser refuses '*': the origin is echoed instead.
  const allowOriginFor = (origin: string) => (anyOrigin && !credentials ? '*' : origin);

  const step: Step = (x: Exchange) => {
    const origin = x.req.headers.origin;
    if (origin === undefined) return undefined;
    if (originAllowed(origin)) {
      const grant: CorsGrant = { allowOrigin: allowOriginFor(origin), credentials, exposeHeaders: expose };
      x.cors = grant;
      return undefined;
    }
    return e.terminateUnmatchedRequest && (x.method === 'GET' || x.method === 'HEAD') ? EMPTY_200() : undefined;
  };

  return {
    step,
    preflight(req) {
      const origin = req.headers.origin!;
      const method = String(req.headers['access-control-request-method']).trim().toUpperCase();
      const asked = String(req.headers['access-control-request-headers'] ?? '')
        .split(',')
        .map((h) => h.trim())
        .filter((h) => h !== '');
      const matches = originAllowed(origin) && (anyMethod || methods.has(method)) && asked.every((h) => anyHeader || headers.has(h.toLowerCase()));
      if (!matches) return e.terminateUnmatchedRequest ? EMPTY_200() : undefined;
      const out: OutgoingHttpHeaders = {
        'access-control-allow-origin': allowOriginFor(origin),
        'access-control-allow-methods': anyMethod ? method : [...methods].join(','),
      };
      if (asked.length > 0) out['access-control-allow-headers'] = asked.join(',');
      if (credentials) out['access-control-allow-credentials'] = 'true';
      if (e.preflightResultMaxAge !== undefined) out['access-control-max-age'] = String(e.preflightResultMaxAge);
      if (out['access-control-allow-origin'] !== '*') out.vary = 'Origin';
      return { status: 200, headers: out, body: '' };
    },
  };
}

/** What an allowed cross-origin call adds to the answer it gets. */
export function applyCors(headers: OutgoingHttpHeaders, grant: CorsGrant): void {
  headers['access-control-allow-origin'] = grant.allowOrigin;
  if (grant.credentials) headers['access-control-allow-credentials'] = 'true';
  if (grant.exposeHeaders) headers['access-control-expose-headers'] = grant.exposeHeaders;
  if (grant.allowOrigin !== '*') {
    const vary = headers.vary;
    headers.vary = vary === undefined ? 'Origin' : `${Array.isArray(vary) ? vary.join(', ') : String(vary)}, Origin`;
  }
}

/** A preflight no cors policy matched (terminate-unmatched-request false everywhere): still an empty 200, as Azure. */
export const unmatchedPreflight = EMPTY_200;
