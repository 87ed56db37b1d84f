/**
 * Answering without (or instead of) the backend: `return-response` (`set-status`, `set-header`,
 * `set-body`) and `mock-response`.
 */
import type { ElementReader } from '../reader.js';
import type { Expr, ReturnResponseElement, SetHeaderElement } from '../types.js';
import { readSetHeader } from './headers.js';
import { ALL_SCOPES, rule } from './rule.js';

export const MOCK_CONTENT_TYPE_DEFAULT = 'application/json';

function statusCode(r: ElementReader, attribute: string, fallback?: number): number {
  return r.int(attribute, { min: 100, max: 599, ...(fallback === undefined ? {} : { fallback }) });
}

export const RESPONSE_RULES = [
  rule({
    name: 'return-response',
    sections: ['inbound', 'backend', 'outbound', 'on-error'],
    scopes: ALL_SCOPES,
    azureOnly: ['response-variable-name'],
    read: (r) => {
      let status: ReturnResponseElement['status'];
      const headers: SetHeaderElement[] = [];
      let body: Expr | undefined;
      r.children(
        {
          'set-status': (s) => {
            status = { code: statusCode(s, 'code'), reason: s.string('reason') };
          },
          'set-header': (h) => headers.push(readSetHeader(h)),
          'set-body': (b) => {
            body = b.textExpr();
            b.finish(['template', 'xsi-nil', 'parse-date']);
          },
        },
        { once: ['set-status', 'set-body'] },
      );
      return { kind: 'return-response', at: r.at, status, headers, body };
    },
  }),
  rule({
    name: 'mock-response',
    sections: ['inbound', 'outbound', 'on-error'],
    scopes: ALL_SCOPES,
    azureOnly: ['index'],
    read: (r) => {
      const contentType = r.string('content-type') ?? MOCK_CONTENT_TYPE_DEFAULT;
      if (contentType.trim() === '') r.problem(`The attribute 'content-type' must not be empty.`);
      return { kind: 'mock-response', at: r.at, statusCode: statusCode(r, 'status-code', 200), contentType: contentType.trim() };
    },
  }),
];
