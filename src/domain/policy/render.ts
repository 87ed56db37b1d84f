/**
 * The composed policy as XML, for the read-only view of an operation's effective policy: each
 * element as it was written in its own document (so `{{named value}}`s show by name, never a
 * secret value), re-indented, with a comment naming the scope it came from.
 */
import { SECTIONS, type EffectivePolicy, type PlacedElement, type PolicyOrigin } from './types.js';

const INDENT = '  ';

/** Comment text cannot hold `--` nor end with `-`. */
function commentText(text: string): string {
  return text.replace(/-(?=-)/g, '- ').replace(/-$/, '- ');
}

export function describeOrigin(origin: PolicyOrigin): string {
  return origin.scope === 'global' ? 'global' : `${origin.scope} '${origin.id}'`;
}

/** The element's own lines, its original indentation replaced by `indent`. */
function reindent(element: PlacedElement, indent: string): string {
  if (element.source === undefined) return `${indent}<${element.kind} /><!-- the text of this element was not kept -->`;
  const original = element.at.column - 1;
  return element.source
    .split(/\r\n|\n|\r/)
    .map((line, i) => {
      if (i === 0) return indent + line;
      const leading = /^[ \t]*/.exec(line)?.[0].length ?? 0;
      const rest = line.slice(Math.min(leading, original));
      return rest === '' ? '' : indent + rest;
    })
    .join('\n');
}

export function renderEffectivePolicy(policy: EffectivePolicy): string {
  const lines = ['<policies>'];
  for (const section of SECTIONS) {
    const elements = policy.sections[section];
    if (elements.length === 0) {
      lines.push(`${INDENT}<${section} />`);
      continue;
    }
    lines.push(`${INDENT}<${section}>`);
    for (const element of elements) {
      lines.push(`${INDENT}${INDENT}<!-- from ${commentText(describeOrigin(element.origin))} -->`);
      lines.push(reindent(element, INDENT + INDENT));
    }
    lines.push(`${INDENT}</${section}>`);
  }
  lines.push('</policies>');
  return lines.join('\n');
}
