/**
 * `set-header` and `set-query-parameter`: `name`, `exists-action` and repeated `<value>`s, each
 * value literal text or a supported expression.
 */
import type { ElementReader } from '../reader.js';
import type { ExistsAction, Expr, SetHeaderElement } from '../types.js';
import { ALL_SCOPES, ALL_SECTIONS, rule } from './rule.js';

const EXISTS_ACTIONS: readonly ExistsAction[] = ['override', 'skip', 'append', 'delete'];

/** RFC 9110 token characters. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Framing and hop-by-hop headers belong to the connection, not to a policy (Azure refuses them too). */
const UNSETTABLE = new Set(['connection', 'content-length', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

export function isHeaderName(name: string): boolean {
  return TOKEN.test(name);
}

/** An optional attribute naming a header; checked to be a valid header name. */
export function readHeaderName(r: ElementReader, attribute: string): string | undefined {
  const name = r.string(attribute);
  if (name !== undefined && !isHeaderName(name)) r.problem(`The attribute '${attribute}' must be a header name, not '${name}'.`);
  return name;
}

function values(r: ElementReader): Expr[] {
  const out: Expr[] = [];
  // Surrounding white space cannot be sent in a header or a query string anyway.
  r.children({ value: (v) => out.push(v.textExpr({ trim: true })) });
  return out;
}

export function readSetHeader(r: ElementReader): SetHeaderElement {
  const name = r.string('name', { required: true });
  if (r.has('name') && !isHeaderName(name)) r.problem(`'${name}' is not a valid header name.`);
  else if (UNSETTABLE.has(name.toLowerCase())) r.problem(`The header '${name}' cannot be set by a policy.`);
  return { kind: 'set-header', at: r.at, name, existsAction: r.choice('exists-action', EXISTS_ACTIONS, 'override'), values: values(r) };
}

export const HEADER_RULES = [
  rule({ name: 'set-header', sections: ALL_SECTIONS, scopes: ALL_SCOPES, read: readSetHeader }),
  rule({
    name: 'set-query-parameter',
    sections: ['inbound', 'backend'],
    scopes: ALL_SCOPES,
    read: (r) => {
      const name = r.string('name', { required: true });
      if (r.has('name') && name.trim() === '') r.problem(`The attribute 'name' must not be empty.`);
      return { kind: 'set-query-parameter', at: r.at, name, existsAction: r.choice('exists-action', EXISTS_ACTIONS, 'override'), values: values(r) };
    },
  }),
];
