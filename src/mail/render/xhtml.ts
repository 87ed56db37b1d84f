/**
 * A small, linear-time check that a template body is a well-formed XML document (XHTML), as
 * Azure requires of email template bodies. It runs on the template before variables are
 * substituted: `$Var`, `#if` and `#foreach` are plain text to it.
 *
 * Checked: one root element; tags balanced and properly nested; names well-formed; attributes
 * quoted, unique within a tag and free of `<`; `&` only in a reference: the five XML entities, the
 * HTML entities listed in entities.ts (`&nbsp;`, `&mdash;`, `&copy;`…), or a numeric reference to
 * a legal XML character; no text outside the root element; no `]]>` in text; no characters that
 * XML forbids (most C0 controls, lone surrogates, U+FFFE/U+FFFF). Allowed around the root: an
 * `<?xml …?>` declaration at the very start, one `<!DOCTYPE …>` before the root (any case),
 * comments (without `--` inside) and processing instructions; inside elements also CDATA sections.
 * Not checked: that the document is valid XHTML (which elements go where).
 */
import { isXmlChar, namedEntity } from './entities.js';
import { LineIndex } from './position.js';

export class XhtmlError extends Error {
  readonly line: number;
  readonly column: number;
  /** The message without the position prefix. */
  readonly reason: string;

  constructor(reason: string, line: number, column: number) {
    super(`Line ${line}, column ${column}: ${reason}`);
    this.name = 'XhtmlError';
    this.line = line;
    this.column = column;
    this.reason = reason;
  }
}

const VOID_ELEMENTS = new Set([
  'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr',
]);

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

function isNameStart(c: string | undefined): boolean {
  if (c === undefined) return false;
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === ':') return true;
  const code = c.charCodeAt(0);
  return code >= 0xc0 && code !== 0xd7 && code !== 0xf7 && code !== 0x37e && !(code >= 0x2000 && code <= 0x200b);
}

function isNameChar(c: string | undefined): boolean {
  return isNameStart(c) || (c !== undefined && ((c >= '0' && c <= '9') || c === '-' || c === '.' || c === '\u00b7'));
}

/** Offset of the first character XML does not allow, or -1. */
function firstInvalidChar(xml: string): number {
  for (let i = 0; i < xml.length; i++) {
    const c = xml.charCodeAt(i);
    if (c >= 0x20 && c < 0xd800) continue;
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = xml.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
      return i;
    }
    if (!isXmlChar(c)) return i;
  }
  return -1;
}

function describeChar(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Throws XhtmlError, with the line and column of the first problem, unless `xml` is well-formed. */
export function checkWellFormed(xml: string): void {
  const n = xml.length;
  const lines = new LineIndex(xml);
  const badChar = firstInvalidChar(xml);

  const fail: (offset: number, reason: string) => never = (offset, reason) => {
    if (badChar >= 0 && badChar <= offset) {
      const { line, column } = lines.at(badChar);
      throw new XhtmlError(`Character ${describeChar(xml.charCodeAt(badChar))} is not allowed in XML`, line, column);
    }
    const { line, column } = lines.at(offset);
    throw new XhtmlError(reason, line, column);
  };
  const where = (offset: number): string => {
    const { line, column } = lines.at(offset);
    return `line ${line}, column ${column}`;
  };

  const stack: { name: string; offset: number }[] = [];
  let rootSeen = false;
  let rootClosed = false;
  let doctypeSeen = false;

  const readName = (at: number): number => {
    if (!isNameStart(xml[at])) return at;
    let j = at + 1;
    while (j < n && isNameChar(xml[j])) j++;
    return j;
  };

  const skipSpace = (at: number): number => {
    let j = at;
    while (j < n && isSpace(xml[j])) j++;
    return j;
  };

  /** Checks the reference at `at` (an `&`) and returns the offset after it. */
  const reference = (at: number): number => {
    if (xml[at + 1] === '#') {
      const hex = xml[at + 2] === 'x';
      const start = at + (hex ? 3 : 2);
      let k = start;
      while (k < n && k - start < 8 && (hex ? /[0-9a-fA-F]/ : /[0-9]/).test(xml[k] as string)) k++;
      if (k === start || xml[k] !== ';') {
        return fail(at, "Malformed character reference: expected &#123; or &#x7B; (write &amp; for a literal '&')");
      }
      const cp = parseInt(xml.slice(start, k), hex ? 16 : 10);
      if (!isXmlChar(cp)) fail(at, `Character reference ${xml.slice(at, k + 1)} is not a legal XML character`);
      return k + 1;
    }
    let k = at + 1;
    while (k < n && k - at <= 32 && /[A-Za-z0-9]/.test(xml[k] as string)) k++;
    if (xml[at + 1] === '&') {
      return fail(at, "'&&' is not allowed in XML: in a #if condition write 'and' (and 'or' for '||')");
    }
    if (k === at + 1 || xml[k] !== ';') {
      return fail(at, "'&' must start an entity reference such as &amp; (write &amp; for a literal '&')");
    }
    const name = xml.slice(at + 1, k);
    if (namedEntity(name) === undefined) {
      fail(at, `Unknown entity &${name};: use &amp; &lt; &gt; &quot; &apos;, a common HTML entity such as &nbsp;, or a numeric reference`);
    }
    return k + 1;
  };

  const voidHint = (name: string): string =>
    VOID_ELEMENTS.has(name.toLowerCase()) ? ` (in XHTML an empty element is written <${name}/>)` : '';

  let i = 0;
  if (xml.charCodeAt(0) === 0xfeff) i = 1;
  if (xml.startsWith('<?xml', i) && (isSpace(xml[i + 5]) || xml[i + 5] === '?')) {
    const end = xml.indexOf('?>', i + 5);
    if (end < 0) fail(i, "XML declaration is not closed: expected '?>'");
    if (!/^<\?xml\s+version\s*=\s*(["'])1\.[0-9]+\1/.test(xml.slice(i, end + 2))) {
      fail(i, 'Malformed XML declaration: expected <?xml version="1.0" …?>');
    }
    i = end + 2;
  }

  while (i < n) {
    const c = xml[i];
    if (c === '<') {
      if (xml.startsWith('<!--', i)) {
        const dashes = xml.indexOf('--', i + 4);
        if (dashes < 0) fail(i, "Comment is not closed: expected '-->'");
        if (xml[dashes + 2] !== '>') fail(dashes, "'--' is not allowed inside a comment");
        i = dashes + 3;
        continue;
      }
      if (xml.startsWith('<![CDATA[', i)) {
        if (stack.length === 0) fail(i, 'A CDATA section is only allowed inside the root element');
        const end = xml.indexOf(']]>', i + 9);
        if (end < 0) fail(i, "CDATA section is not closed: expected ']]>'");
        i = end + 3;
        continue;
      }
      if (xml.slice(i, i + 9).toUpperCase() === '<!DOCTYPE') {
        if (doctypeSeen) fail(i, 'Only one <!DOCTYPE> is allowed');
        if (rootSeen) fail(i, '<!DOCTYPE> must come before the root element');
        if (!isSpace(xml[i + 9])) fail(i, 'Malformed <!DOCTYPE>: expected a space and a name after <!DOCTYPE');
        let j = i + 9;
        let inSubset = false;
        for (;;) {
          if (j >= n) fail(i, "<!DOCTYPE> is not closed: expected '>'");
          const d = xml[j];
          if (d === '"' || d === "'") {
            const close = xml.indexOf(d, j + 1);
            if (close < 0) fail(i, "<!DOCTYPE> is not closed: expected '>'");
            j = close + 1;
            continue;
          }
          if (d === '[') inSubset = true;
          else if (d === ']') inSubset = false;
          else if (d === '>' && !inSubset) break;
          j++;
        }
        doctypeSeen = true;
        i = j + 1;
        continue;
      }
      if (xml[i + 1] === '!') {
        fail(i, "Unexpected '<!': expected a comment <!-- -->, a CDATA section or <!DOCTYPE>");
      }
      if (xml[i + 1] === '?') {
        const targetEnd = readName(i + 2);
        if (targetEnd === i + 2) fail(i, 'Malformed processing instruction: expected a name after <?');
        if (xml.slice(i + 2, targetEnd).toLowerCase() === 'xml') {
          fail(i, 'The XML declaration <?xml …?> is only allowed at the very start of the document');
        }
        const end = xml.indexOf('?>', targetEnd);
        if (end < 0) fail(i, "Processing instruction is not closed: expected '?>'");
        i = end + 2;
        continue;
      }
      if (xml[i + 1] === '/') {
        const nameEnd = readName(i + 2);
        if (nameEnd === i + 2) fail(i, "Malformed end tag: expected a name after '</'");
        const name = xml.slice(i + 2, nameEnd);
        const close = skipSpace(nameEnd);
        if (xml[close] !== '>') fail(close >= n ? i : close, `Malformed end tag </${name}>: expected '>'`);
        const open = stack.pop();
        if (!open) fail(i, `</${name}> has no matching start tag`);
        if (open.name !== name) {
          fail(i, `</${name}> closes <${open.name}> opened at ${where(open.offset)}${voidHint(open.name)}`);
        }
        if (stack.length === 0) rootClosed = true;
        i = close + 1;
        continue;
      }
      // Start tag.
      const nameEnd = readName(i + 1);
      if (nameEnd === i + 1) {
        fail(i, "'<' must start a tag (write &lt; for a literal '<'; in a #if condition write 'lt' or 'le')");
      }
      const name = xml.slice(i + 1, nameEnd);
      if (rootClosed) fail(i, `<${name}> comes after the root element ends: a document has one root element`);
      const seen = new Set<string>();
      let j = nameEnd;
      let selfClosing = false;
      for (;;) {
        const afterSpace = skipSpace(j);
        const spaced = afterSpace > j;
        j = afterSpace;
        if (j >= n) fail(i, `Tag <${name}> is not closed: expected '>'`);
        if (xml[j] === '>') {
          j++;
          break;
        }
        if (xml[j] === '/' ) {
          if (xml[j + 1] !== '>') fail(j, `Expected '/>' to close <${name}>`);
          selfClosing = true;
          j += 2;
          break;
        }
        if (!spaced) fail(j, `Expected a space, '>' or '/>' in <${name}>`);
        const attrEnd = readName(j);
        if (attrEnd === j) fail(j, `Expected an attribute name, '>' or '/>' in <${name}>`);
        const attr = xml.slice(j, attrEnd);
        if (seen.has(attr)) fail(j, `Attribute ${attr} appears twice in <${name}>`);
        seen.add(attr);
        j = skipSpace(attrEnd);
        if (xml[j] !== '=') fail(j >= n ? i : j, `Attribute ${attr} in <${name}> has no value (write ${attr}="…")`);
        j = skipSpace(j + 1);
        const quote = xml[j];
        if (quote !== '"' && quote !== "'") fail(j >= n ? i : j, `The value of attribute ${attr} in <${name}> must be quoted`);
        const valueStart = j;
        j++;
        for (;;) {
          if (j >= n) fail(valueStart, `The value of attribute ${attr} is not closed: expected ${quote}`);
          const d = xml[j];
          if (d === quote) {
            j++;
            break;
          }
          if (d === '<') fail(j, `'<' is not allowed in an attribute value (write &lt;)`);
          if (d === '&') j = reference(j);
          else j++;
        }
      }
      if (stack.length === 0) rootSeen = true;
      if (selfClosing) {
        if (stack.length === 0) rootClosed = true;
      } else {
        stack.push({ name, offset: i });
      }
      i = j;
      continue;
    }
    if (stack.length === 0) {
      if (!isSpace(c)) {
        fail(i, rootSeen ? 'Text is not allowed after the root element' : 'Text is not allowed before the root element');
      }
      i++;
      continue;
    }
    if (c === '&') {
      i = reference(i);
      continue;
    }
    if (c === ']' && xml.startsWith(']]>', i)) fail(i, "']]>' is not allowed in text (write ]]&gt;)");
    i++;
  }

  const open = stack[stack.length - 1];
  if (open) fail(n, `<${open.name}> opened at ${where(open.offset)} is not closed${voidHint(open.name)}`);
  if (!rootSeen) fail(n, 'The document has no root element');
  if (badChar >= 0) fail(n, '');
}
