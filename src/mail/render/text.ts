/**
 * The plain-text alternative of an HTML email. A lenient, linear scan (it does not need
 * well-formed input):
 * - the content of <head>, <title>, <style> and <script> is dropped, and so are comments;
 * - block elements break lines: paragraphs, headings, lists, tables and <hr> leave a blank line,
 *   <div>, <tr>, <li> and the like start a new line, each <br> is one line break;
 * - list items start with "- ", table cells in a row are joined with " | ";
 * - `<a href="u">label</a>` becomes "label (u)", or just "u" when the label is empty or equals u
 *   (also `mailto:` + label); links to "#…" and "javascript:" keep only their label;
 * - `<img alt="x">` becomes its alt text;
 * - entities are decoded (the XML ones, the HTML ones of entities.ts, numeric ones), unknown ones
 *   are kept as written;
 * - runs of whitespace collapse to one space (inside <pre> line breaks and indentation are kept),
 *   trailing spaces are trimmed, and at most one blank line separates blocks.
 */
import { namedEntity } from './entities.js';

const PARAGRAPH = new Set([
  'p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'ul', 'ol', 'dl', 'blockquote', 'pre', 'hr', 'figure',
]);
const LINE = new Set([
  'div', 'section', 'article', 'aside', 'header', 'footer', 'main', 'nav', 'address', 'center', 'form',
  'fieldset', 'figcaption', 'tr', 'li', 'dt', 'dd', 'caption', 'thead', 'tbody', 'tfoot', 'body', 'html',
]);
const SKIPPED = new Set(['head', 'title', 'style', 'script']);

type Piece = string | { readonly breaks: number; readonly additive: boolean };

/** Decodes character and entity references; unknown or malformed ones stay as they are. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#[xX][0-9a-fA-F]{1,8}|#[0-9]{1,8}|[A-Za-z][A-Za-z0-9]{0,31});/g, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const hex = ref[1] === 'x' || ref[1] === 'X';
      const cp = parseInt(ref.slice(hex ? 2 : 1), hex ? 16 : 10);
      return cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : whole;
    }
    return namedEntity(ref) ?? whole;
  });
}

interface Tag {
  readonly name: string;
  readonly closing: boolean;
  readonly selfClosing: boolean;
  readonly attributes: ReadonlyMap<string, string>;
  readonly end: number;
}

/** Reads a tag at `at` (a `<` followed by a letter or `/`+letter), leniently. */
function readTag(html: string, at: number): Tag | undefined {
  const n = html.length;
  let j = at + 1;
  const closing = html[j] === '/';
  if (closing) j++;
  const nameMatch = /^[A-Za-z][A-Za-z0-9:._-]*/.exec(html.slice(j, j + 64));
  if (!nameMatch) return undefined;
  const name = nameMatch[0].toLowerCase();
  j += nameMatch[0].length;
  const attributes = new Map<string, string>();
  let selfClosing = false;
  while (j < n) {
    const c = html[j] as string;
    if (c === '>') {
      return { name, closing, selfClosing, attributes, end: j + 1 };
    }
    if (c === '/' ) {
      selfClosing = html[j + 1] === '>';
      j++;
      continue;
    }
    if (/\s/.test(c)) {
      j++;
      continue;
    }
    const attrStart = j;
    while (j < n && !/[\s=/>]/.test(html[j] as string)) j++;
    if (j === attrStart) {
      j++;
      continue;
    }
    const attr = html.slice(attrStart, j).toLowerCase();
    while (j < n && /\s/.test(html[j] as string)) j++;
    let value = '';
    if (html[j] === '=') {
      j++;
      while (j < n && /\s/.test(html[j] as string)) j++;
      const q = html[j];
      if (q === '"' || q === "'") {
        const close = html.indexOf(q, j + 1);
        const end = close < 0 ? n : close;
        value = html.slice(j + 1, end);
        j = end + 1;
      } else {
        const start = j;
        while (j < n && !/[\s>]/.test(html[j] as string)) j++;
        value = html.slice(start, j);
      }
    }
    if (!attributes.has(attr)) attributes.set(attr, decodeEntities(value));
  }
  return { name, closing, selfClosing, attributes, end: n };
}

function collapse(text: string): string {
  return text.replace(/[ \t\n\r\f]+/g, ' ');
}

/** Joins pieces into text: breaks merge (the largest wins, <br>s add up), spaces do not pile up. */
function assemble(pieces: readonly Piece[]): string {
  let out = '';
  let pending = 0;
  for (const piece of pieces) {
    if (typeof piece !== 'string') {
      pending = piece.additive ? pending + piece.breaks : Math.max(pending, piece.breaks);
      continue;
    }
    let p = piece;
    if (pending > 0 || out === '' || out.endsWith(' ') || out.endsWith('\n')) p = p.replace(/^ +/, '');
    if (p === '') continue;
    if (pending > 0 && out !== '') out = out.replace(/[ \t]+$/, '') + '\n'.repeat(Math.min(pending, 2));
    pending = 0;
    out += p;
  }
  return out
    .split('\n')
    .map((line) => line.replace(/[ \t]+$/, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function usefulHref(href: string): boolean {
  const h = href.trim();
  return h !== '' && !h.startsWith('#') && !/^javascript:/i.test(h);
}

/** A plain-text rendering of an HTML document or fragment. */
export function htmlToText(html: string): string {
  const pieces: Piece[] = [];
  const anchors: { href: string; start: number }[] = [];
  const n = html.length;
  let pre = 0;
  let cellInRow = false;
  let i = 0;

  const text = (raw: string): void => {
    const decoded = decodeEntities(raw);
    pieces.push(pre > 0 ? decoded.replace(/\r\n?/g, '\n') : collapse(decoded));
  };

  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt < 0) {
      text(html.slice(i));
      break;
    }
    if (lt > i) text(html.slice(i, lt));
    i = lt;
    if (html.startsWith('<!--', i)) {
      const end = html.indexOf('-->', i + 4);
      i = end < 0 ? n : end + 3;
      continue;
    }
    if (html.startsWith('<![CDATA[', i)) {
      const end = html.indexOf(']]>', i + 9);
      const content = html.slice(i + 9, end < 0 ? n : end);
      pieces.push(pre > 0 ? content : collapse(content));
      i = end < 0 ? n : end + 3;
      continue;
    }
    if (html[i + 1] === '!' || html[i + 1] === '?') {
      const end = html.indexOf('>', i + 2);
      i = end < 0 ? n : end + 1;
      continue;
    }
    const tag = readTag(html, i);
    if (!tag) {
      text('<');
      i++;
      continue;
    }
    i = tag.end;
    const { name } = tag;

    if (SKIPPED.has(name)) {
      if (!tag.closing && !tag.selfClosing) {
        const close = new RegExp(`</${name}\\s*>`, 'gi');
        close.lastIndex = i;
        const m = close.exec(html);
        i = m ? m.index + m[0].length : n;
      }
      continue;
    }

    if (name === 'br') {
      pieces.push({ breaks: 1, additive: true });
      continue;
    }
    if (name === 'img') {
      const alt = tag.attributes.get('alt');
      if (alt) pieces.push(collapse(alt));
      continue;
    }
    if (name === 'a') {
      if (!tag.closing && !tag.selfClosing) {
        anchors.push({ href: tag.attributes.get('href') ?? '', start: pieces.length });
      } else if (tag.closing) {
        const anchor = anchors.pop();
        if (anchor && usefulHref(anchor.href)) {
          const href = anchor.href.trim();
          const label = assemble(pieces.slice(anchor.start)).replace(/\s+/g, ' ');
          if (label === '') pieces.push(href);
          else if (label !== href && `mailto:${label}` !== href) pieces.push(` (${href})`);
        }
      }
      continue;
    }
    if (name === 'td' || name === 'th') {
      if (!tag.closing) {
        if (cellInRow) pieces.push(' | ');
        cellInRow = true;
      }
      continue;
    }
    if (name === 'tr') cellInRow = false;
    if (name === 'li' && !tag.closing) {
      pieces.push({ breaks: 1, additive: false }, '- ');
      continue;
    }
    if (name === 'pre') pre = tag.closing ? Math.max(0, pre - 1) : tag.selfClosing ? pre : pre + 1;
    if (PARAGRAPH.has(name)) pieces.push({ breaks: 2, additive: false });
    else if (LINE.has(name)) pieces.push({ breaks: 1, additive: false });
  }
  return assemble(pieces);
}
