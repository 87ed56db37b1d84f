/**
 * Where the call goes: set-backend-service (another base URL), rewrite-uri (another path, with
 * the operation's template parameters and the query as the template says), forward-request (its
 * timeout).
 *
 * rewrite-uri's `{name}` takes the value of the operation's URL template parameter of that name
 * as the client sent it (still encoded), else of the query parameter of that name; with
 * copy-unmatched-params (the default), the query parameters the template did not use follow the
 * template's own.
 */
import type { ForwardRequestElement, RewriteUriElement, SetBackendServiceElement } from '../../domain/policy/types.js';
import { parseServiceUrl } from '../routing.js';
import { queryName } from '../subscription-key.js';
import type { Exchange, Step } from './exchange.js';
import { PolicyCompileError } from './types.js';

export function compileSetBackendService(e: SetBackendServiceElement): Step {
  const target = parseServiceUrl(e.baseUrl);
  if (!target) throw new PolicyCompileError(`set-backend-service (line ${e.at.line}): '${e.baseUrl}' is not an http(s) URL`);
  return (x) => {
    x.target = target;
    return undefined;
  };
}

/** The timeout forward-request asks for, within the gateway's own. */
export function forwardTimeoutMs(e: ForwardRequestElement, gatewayTimeoutMs: number): number {
  return Math.min(e.timeoutSeconds * 1000, gatewayTimeoutMs);
}

type Piece = { literal: string } | { param: string };

function pieces(text: string): Piece[] {
  const out: Piece[] = [];
  for (const chunk of text.split(/(\{[^{}]*\})/)) {
    if (chunk === '') continue;
    out.push(/^\{[^{}]*\}$/.test(chunk) ? { param: chunk.slice(1, -1) } : { literal: chunk });
  }
  return out;
}

export function compileRewriteUri(e: RewriteUriElement): Step {
  const q = e.template.indexOf('?');
  const pathText = q < 0 ? e.template : e.template.slice(0, q);
  const path = pieces(pathText.startsWith('/') || pathText === '' ? pathText : `/${pathText}`);
  const query = q < 0 ? [] : pieces(e.template.slice(q + 1));
  const copyUnmatched = e.copyUnmatchedParams;
  return (x: Exchange) => {
    const params = x.operation.template.params(x.rest) ?? new Map<string, string>();
    const queryParts = x.query === '' ? [] : x.query.split('&');
    const used = new Set<number>();
    const value = (name: string): string => {
      const p = params.get(name);
      if (p !== undefined) return p;
      const i = queryParts.findIndex((part, index) => !used.has(index) && queryName(part) === name);
      if (i < 0) return '';
      used.add(i);
      const part = queryParts[i]!;
      return part.includes('=') ? part.slice(part.indexOf('=') + 1) : '';
    };
    const render = (ps: Piece[]) => ps.map((p) => ('literal' in p ? p.literal : value(p.param))).join('');
    x.path = render(path);
    const own = query.length > 0 ? render(query) : '';
    const copied = copyUnmatched ? queryParts.filter((_, i) => !used.has(i)) : [];
    x.query = [own, ...copied].filter((s) => s !== '').join('&');
    return undefined;
  };
}
