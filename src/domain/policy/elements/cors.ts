/**
 * `cors`: origins, methods and headers a browser may use, answered at preflight. Origins are kept
 * in the form browsers send them (scheme, host and port only, lower-case), so matching is a lookup.
 */
import type { ElementReader } from '../reader.js';
import { isHeaderName } from './headers.js';
import { ALL_SCOPES, rule } from './rule.js';

/** What Azure allows when `<allowed-methods>` is absent. */
export const CORS_DEFAULT_METHODS: readonly string[] = ['GET', 'POST'];

const METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function origin(r: ElementReader): string {
  const text = r.text().trim();
  if (text === '*') return text;
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url === undefined || url.origin === 'null' || (url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '' || url.username !== '') {
    r.problem(`The origin '${text}' must be '*' or a scheme, host and optional port such as https://example.com.`);
    return text;
  }
  return url.origin;
}

/** Items in a list element (`<allowed-headers><header>…`), each checked and normalised by `item`. */
function list(r: ElementReader, child: string, item: (text: string, child: ElementReader) => string): string[] {
  const out: string[] = [];
  r.children({ [child]: (c) => out.push(item(c.text().trim(), c)) });
  return out;
}

function header(text: string, c: ElementReader): string {
  if (text !== '*' && !isHeaderName(text)) c.problem(`'${text}' is not a header name.`);
  return text.toLowerCase();
}

export const CORS_RULES = [
  rule({
    name: 'cors',
    sections: ['inbound'],
    scopes: ALL_SCOPES,
    read: (r) => {
      const allowCredentials = r.bool('allow-credentials', false);
      // Azure's attribute table says false, its note and its behaviour say true.
      const terminateUnmatchedRequest = r.bool('terminate-unmatched-request', true);
      let allowedOrigins: string[] = [];
      let allowedMethods: string[] = [...CORS_DEFAULT_METHODS];
      let preflightResultMaxAge: number | undefined;
      let allowedHeaders: string[] = [];
      let exposeHeaders: string[] = [];
      r.children(
        {
          'allowed-origins': (o) => {
            allowedOrigins = list(o, 'origin', (_, c) => origin(c));
            if (allowedOrigins.length === 0) o.problem('<allowed-origins> needs at least one <origin>.');
          },
          'allowed-methods': (m) => {
            preflightResultMaxAge = m.int('preflight-result-max-age', { min: 0, optional: true });
            allowedMethods = list(m, 'method', (text, c) => {
              if (text !== '*' && !METHOD.test(text)) c.problem(`'${text}' is not an HTTP method.`);
              return text.toUpperCase();
            });
            if (allowedMethods.length === 0) m.problem('<allowed-methods> needs at least one <method>.');
          },
          'allowed-headers': (h) => {
            allowedHeaders = list(h, 'header', header);
          },
          'expose-headers': (h) => {
            exposeHeaders = list(h, 'header', header);
          },
        },
        { once: ['allowed-origins', 'allowed-methods', 'allowed-headers', 'expose-headers'], required: ['allowed-origins'] },
      );
      if (allowCredentials && allowedOrigins.includes('*'))
        r.problem(`allow-credentials="true" cannot be used with the origin '*': browsers refuse credentials for any origin.`);
      return {
        kind: 'cors',
        at: r.at,
        allowCredentials,
        terminateUnmatchedRequest,
        allowedOrigins,
        allowedMethods,
        preflightResultMaxAge,
        allowedHeaders,
        exposeHeaders,
      };
    },
  }),
];
