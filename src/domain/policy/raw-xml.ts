/**
 * Azure's two inline policy formats. `xml` is an XML document. `rawxml` is the same document with
 * its policy expressions (`@(…)` and `@{…}`) written as plain C#, not XML-encoded: inside an
 * expression `<`, `>`, `&` and the attribute's own quote appear as they are. Tollgate stores the
 * `xml` form (and answers a PUT with it, as Azure's ApiManagementCreateApiPolicyNonXmlEncoded
 * example shows); these two functions convert. Everything outside expressions is copied as is, so
 * line numbers are kept (columns after an escaped character move).
 *
 * An expression ends at the bracket that closes its opening one, C# string and character literals
 * and comments skipped. One that never closes (or, in the `xml` form, would run past the end of its
 * attribute value or text) is not an expression: it is copied as is, and the parser reports it.
 */

type Context = { kind: 'text' } | { kind: 'attribute'; quote: '"' | "'" };

const ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** The character an entity at `i` stands for, and its length; undefined when `&` starts no entity. */
function entityAt(text: string, i: number): { char: string; length: number } | undefined {
  const end = text.indexOf(';', i);
  if (end < 0 || end - i > 12) return undefined;
  const name = text.slice(i + 1, end);
  const named = ENTITIES[name];
  if (named !== undefined) return { char: named, length: end - i + 1 };
  const m = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(name);
  if (!m) return undefined;
  const cp = m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2]!, 10);
  if (!Number.isFinite(cp) || cp > 0x10ffff) return undefined;
  return { char: String.fromCodePoint(cp), length: end - i + 1 };
}

const CLOSING: Readonly<Record<string, string>> = { '(': ')', '{': '}', '[': ']' };

/**
 * Reads the expression whose `@` is at `start`: the characters it stands for (entities decoded when
 * `encoded`), and where it ends; undefined when it does not close. `stop` is a character the
 * expression cannot contain as written (the attribute's quote, or `<` in text, of the `xml` form).
 */
function readExpression(text: string, start: number, encoded: boolean, stop: string | undefined): { chars: string[]; end: number } | undefined {
  const chars: string[] = ['@'];
  let i = start + 1;
  const next = (): string | undefined => {
    if (i >= text.length) return undefined;
    const c = text[i]!;
    if (stop !== undefined && c === stop) return undefined;
    if (encoded && c === '&') {
      const entity = entityAt(text, i);
      if (entity) {
        i += entity.length;
        return entity.char;
      }
    }
    i += 1;
    return c;
  };
  const stack: string[] = [];
  // A C# literal or comment in progress: what ends it.
  let literal: 'string' | 'verbatim' | 'char' | 'line-comment' | 'block-comment' | undefined;
  let previous = '';
  for (;;) {
    const c = next();
    if (c === undefined) return undefined;
    chars.push(c);
    const wasLiteral = literal;
    if (literal === 'string' || literal === 'char') {
      if (c === '\\') {
        const escaped = next();
        if (escaped === undefined) return undefined;
        chars.push(escaped);
      } else if ((literal === 'string' && c === '"') || (literal === 'char' && c === "'")) literal = undefined;
    } else if (literal === 'verbatim') {
      // "" inside a verbatim string is one quote: the first closes, the second reopens.
      if (c === '"') literal = undefined;
    } else if (literal === 'line-comment') {
      if (c === '\n') literal = undefined;
    } else if (literal === 'block-comment') {
      if (c === '/' && previous === '*') literal = undefined;
    } else if (stack.length === 0) {
      // The character right after '@' must open the expression.
      if (c !== '(' && c !== '{') return undefined;
      stack.push(CLOSING[c]!);
    } else if (c === '"') literal = previous === '@' ? 'verbatim' : 'string';
    else if (c === "'") literal = 'char';
    else if (c === '/' && previous === '/') literal = 'line-comment';
    else if (c === '*' && previous === '/') literal = 'block-comment';
    else if (c in CLOSING) stack.push(CLOSING[c]!);
    else if (c === ')' || c === '}' || c === ']') {
      if (stack.pop() !== c) return undefined;
      if (stack.length === 0) return { chars, end: i };
    }
    // The characters that opened or closed a comment pair with nothing after them.
    previous = pairedNow(literal, wasLiteral, c) ? '' : c;
  }
}

/** Whether `c` just opened a comment (`/*`, `//`) or closed one (`*\/`). */
function pairedNow(now: string | undefined, before: string | undefined, c: string): boolean {
  if (before === undefined) return now === 'block-comment' || now === 'line-comment';
  return before === 'block-comment' && now === undefined && c === '/';
}

function escapeFor(context: Context, c: string): string {
  if (c === '&') return '&amp;';
  if (c === '<') return '&lt;';
  if (c === '>') return '&gt;';
  if (context.kind === 'attribute' && c === context.quote) return c === '"' ? '&quot;' : '&apos;';
  return c;
}

/** Copies `text`, handing each expression (in text or an attribute value) to `expression`. */
function transform(
  text: string,
  encoded: boolean,
  expression: (chars: readonly string[], context: Context) => string,
): string {
  let out = '';
  let i = 0;
  let context: Context | undefined = { kind: 'text' }; // undefined: inside a tag, outside any value
  const copyThrough = (terminator: string): void => {
    const end = text.indexOf(terminator, i);
    const stop = end < 0 ? text.length : end + terminator.length;
    out += text.slice(i, stop);
    i = stop;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (context?.kind === 'text' && c === '<') {
      if (text.startsWith('<!--', i)) copyThrough('-->');
      else if (text.startsWith('<![CDATA[', i)) copyThrough(']]>');
      else if (text.startsWith('<?', i)) copyThrough('?>');
      else if (text.startsWith('<!', i)) copyThrough('>');
      else {
        out += c;
        i += 1;
        context = undefined;
      }
      continue;
    }
    if (context === undefined) {
      if (c === '"' || c === "'") context = { kind: 'attribute', quote: c };
      else if (c === '>') context = { kind: 'text' };
      out += c;
      i += 1;
      continue;
    }
    if (context.kind === 'attribute' && c === context.quote) {
      context = undefined;
      out += c;
      i += 1;
      continue;
    }
    if (c === '@' && (text[i + 1] === '(' || text[i + 1] === '{')) {
      const stop = encoded ? (context.kind === 'attribute' ? context.quote : '<') : undefined;
      const read = readExpression(text, i, encoded, stop);
      if (read) {
        out += expression(read.chars, context);
        i = read.end;
        continue;
      }
    }
    out += c;
    i += 1;
  }
  return out;
}

/** The `xml` form of a `rawxml` document: each expression XML-encoded where it stands. */
export function rawXmlToXml(raw: string): string {
  return transform(raw, false, (chars, context) => chars.map((c) => escapeFor(context, c)).join(''));
}

/** The `rawxml` form of a stored document: each expression decoded to plain C#. */
export function xmlToRawXml(xml: string): string {
  return transform(xml, true, (chars) => chars.join(''));
}
