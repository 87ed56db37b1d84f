/**
 * The OpenAPI validator (@readme/openapi-parser) reports a schema error as text with a code frame
 * of the document printed by JSON.stringify(document, null, 2) (`> 11 |   "200": {`). Callers need
 * a JSON pointer to the place: `linePointers` gives, for each line of that printing, the pointer of
 * the value on it, so the frame's line number becomes a pointer.
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

/** One validator message as an error detail: the first line says what is wrong, the frame where. */
export function validatorDetail(message: string, pointers: readonly string[]): ErrorDetail {
  const text = message.replace(/\u001b\[[0-9;]*m/g, '');
  const what = text.split('\n')[0]!.trim();
  const hint = /\^\s*(.+)$/m.exec(text)?.[1]?.trim();
  const line = /^>\s*(\d+)\s*\|/m.exec(text)?.[1];
  const pointer = line === undefined ? undefined : pointers[Number(line) - 1];
  return {
    code: 'ValidationError',
    target: pointer === undefined ? 'value' : pointer === '' ? '/' : pointer,
    message: hint && hint !== what ? `${what} (${hint})` : what,
  };
}
