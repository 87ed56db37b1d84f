/**
 * Where a finding of the OpenAPI validator (@readme/openapi-parser) is, as a JSON pointer. It says
 * it in two ways:
 * - a schema error is text with a code frame of the document printed by JSON.stringify(document,
 *   null, 2) (`> 11 |   "200": {`): `linePointers` gives, for each line of that printing, the
 *   pointer of the value on it, so the frame's line number becomes a pointer;
 * - a rule of the specification (path parameters declared and used, arrays with `items`, security
 *   schemes complete) names the place in backticks in its own notation: the path unescaped and
 *   parameters by name (`/paths/pets/{id}/get/parameters/limit`): `specPointer` finds it in the
 *   document.
 */
import type { ErrorDetail } from '../errors.js';
import { pointerSegment } from './derive.js';

/** The JSON pointer of each line (index 0 = line 1) of JSON.stringify(value, null, 2). */
export function linePointers(value: unknown): string[] {
  const lines = [''];
  const walk = (v: unknown, at: string): void => {
    if (typeof v !== 'object' || v === null) return;
    const entries: [string, unknown][] = Array.isArray(v)
      ? v.map((item, i) => [String(i), item])
      : Object.entries(v).filter(([, item]) => item !== undefined && typeof item !== 'function' && typeof item !== 'symbol');
    if (entries.length === 0) return;
    for (const [key, item] of entries) {
      const child = `${at}/${pointerSegment(key)}`;
      lines.push(child);
      walk(item, child);
    }
    lines.push(at); // the closing bracket
  };
  walk(value, '');
  return lines;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null;

/**
 * The JSON pointer of an id in the validator's notation (`/paths<path>/<method>/parameters/<name>`,
 * `/components/securitySchemes/<name>`): as deep into `document` as the id can be followed (a
 * parameter the operation inherits from its path item points at the operation); undefined when
 * not even its first member is in the document.
 */
export function specPointer(id: string, document: unknown): string | undefined {
  if (!isObject(document)) return undefined;
  let at: string;
  let node: unknown;
  let rest: string[];
  const paths = isObject(document.paths) ? document.paths : {};
  if (id.startsWith('/paths/')) {
    // The path is not escaped in the id: the longest path of the document that it starts with.
    const path = Object.keys(paths)
      .filter((p) => id === `/paths${p}` || id.startsWith(`/paths${p}/`))
      .sort((a, b) => b.length - a.length)[0];
    if (path === undefined) return undefined;
    at = `/paths/${pointerSegment(path)}`;
    node = paths[path];
    rest = id.slice(`/paths${path}`.length).split('/').filter(Boolean);
  } else {
    const [first, ...others] = id.split('/').filter(Boolean);
    if (first === undefined || !(first in document)) return undefined;
    at = `/${pointerSegment(first)}`;
    node = document[first];
    rest = others;
  }
  for (const segment of rest) {
    // Parameters are named, not numbered, in the validator's ids.
    const key = Array.isArray(node) && !/^\d+$/.test(segment) ? String(node.findIndex((p) => isObject(p) && p.name === segment)) : segment;
    if (!isObject(node) || !(key in node)) break;
    at += `/${pointerSegment(key)}`;
    node = (node as Json)[key];
  }
  return at;
}

/**
 * One validator message as an error detail: the first line says what is wrong, the frame (or the
 * id in backticks, found in `document`) where; `value` when neither can be placed.
 */
export function validatorDetail(message: string, pointers: readonly string[], document?: unknown): ErrorDetail {
  const text = message.replace(/\u001b\[[0-9;]*m/g, '');
  const what = text.split('\n')[0]!.trim();
  const hint = /\^+\s*(.+)$/m.exec(text)?.[1]?.trim();
  const line = /^>\s*(\d+)\s*\|/m.exec(text)?.[1];
  const id = /`(\/(?:paths|components|definitions|parameters|responses|securityDefinitions|webhooks)\/[^`]*)`/.exec(what)?.[1];
  const pointer = line !== undefined ? pointers[Number(line) - 1] : id !== undefined ? specPointer(id, document) : undefined;
  return {
    code: 'ValidationError',
    target: pointer === undefined ? 'value' : pointer === '' ? '/' : pointer,
    message: hint && hint !== what ? `${what} (${hint})` : what,
  };
}

/** The validator's findings (at most 20) as error details; the document printed only when a finding has a frame. */
export function validatorDetails(messages: readonly string[], document: unknown): ErrorDetail[] {
  const first = messages.slice(0, 20);
  const pointers = first.some((m) => /^>\s*\d+\s*\|/m.test(m.replace(/\u001b\[[0-9;]*m/g, ''))) ? linePointers(document) : [];
  return first.map((m) => validatorDetail(m, pointers, document));
}
