/**
 * A policy document read into a small element tree with saxes (a maintained, conforming XML
 * parser), each element knowing where it starts and the exact text it was written as. Comments
 * and processing instructions are dropped; a DTD is refused, so that no entity can expand.
 */
import { SaxesParser } from 'saxes';
import type { SourcePosition } from './types.js';

export interface XmlAttribute {
  name: string;
  value: string;
}

export interface XmlElement {
  name: string;
  /** Where its `<` stands (1-based line and column, columns in UTF-16 code units). */
  at: SourcePosition;
  attributes: XmlAttribute[];
  children: XmlElement[];
  /** The element's own text and CDATA, joined (its children's text not included). */
  text: string;
  /** The element as written, from its `<` to the end of its closing tag. */
  source: string;
}

export type XmlReadResult = { ok: true; root: XmlElement } | { ok: false; at: SourcePosition; message: string };

/** Deeper than any real policy; keeps the recursive interpretation far from the stack's limit. */
export const XML_MAX_DEPTH = 64;

/** Offsets of line starts; XML line ends are CR LF, LF or a lone CR (saxes counts the same way). */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  return starts;
}

function positionOf(starts: readonly number[], offset: number): SourcePosition {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] as number) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - (starts[lo] as number) + 1 };
}

class Stop extends Error {
  constructor(
    readonly at: SourcePosition,
    message: string,
  ) {
    super(message);
  }
}

export function readXmlTree(xml: string): XmlReadResult {
  const starts = lineStarts(xml);
  const parser = new SaxesParser({ position: true });
  const open: { element: XmlElement; start: number }[] = [];
  let root: XmlElement | undefined;
  const here = (): SourcePosition => ({ line: parser.line, column: Math.max(parser.column, 1) });

  parser.on('error', (e) => {
    // saxes prefixes its messages with "line:column: "; the position is reported on its own.
    throw new Stop(here(), `The document is not well-formed XML: ${e.message.replace(/^\d+:\d+: /, '')}`);
  });
  parser.on('doctype', () => {
    throw new Stop(here(), 'A document type declaration (DTD) is not allowed in a policy document.');
  });
  parser.on('opentagstart', (tag) => {
    // The parser stands just past the name and the character after it.
    const start = Math.max(parser.position - tag.name.length - 2, 0);
    const element: XmlElement = { name: tag.name, at: positionOf(starts, start), attributes: [], children: [], text: '', source: '' };
    if (open.length >= XML_MAX_DEPTH) throw new Stop(element.at, `Elements are nested more than ${XML_MAX_DEPTH} deep.`);
    const parent = open[open.length - 1];
    if (parent === undefined) root = element;
    else parent.element.children.push(element);
    open.push({ element, start });
  });
  parser.on('opentag', (tag) => {
    const top = open[open.length - 1];
    if (top === undefined) return;
    for (const [name, value] of Object.entries(tag.attributes)) top.element.attributes.push({ name, value: value as string });
  });
  // Also emitted for a self-closing tag, once the parser stands past its `/>`.
  parser.on('closetag', () => {
    const top = open.pop();
    if (top !== undefined) top.element.source = xml.slice(top.start, parser.position);
  });
  const addText = (text: string): void => {
    const top = open[open.length - 1];
    if (top !== undefined) top.element.text += text;
  };
  parser.on('text', addText);
  parser.on('cdata', addText);

  try {
    parser.write(xml).close();
  } catch (e) {
    if (e instanceof Stop) return { ok: false, at: e.at, message: e.message };
    throw e;
  }
  if (root === undefined) return { ok: false, at: { line: 1, column: 1 }, message: 'The document has no root element.' };
  return { ok: true, root };
}
