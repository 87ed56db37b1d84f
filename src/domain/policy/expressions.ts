/**
 * The part of Azure's C# policy expressions Tollgate evaluates: a hand-written lexer and
 * recursive-descent parser for the few forms real limit and header policies use, so that anything
 * else is refused with the part that is not supported named, never guessed at.
 *
 * String expressions (`@(…)` in counter keys, header values, bodies):
 *   sum  := term ('+' term)*
 *   term := string | '(' sum ')' | context path
 * Conditions (`increment-condition`):
 *   or         := and ('||' and)*
 *   and        := unary ('&&' unary)*
 *   unary      := '!' unary | '(' or ')' | 'true' | 'false' | comparison
 *   comparison := status op integer | integer op status
 */
import type { Condition, ContextValue, Expr, ExprPart } from './types.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

export const EXPRESSION_MAX_LENGTH = 4096;
const MAX_DEPTH = 32;

/** Whether an attribute value or text is a policy expression rather than literal text. */
export function isExpression(text: string): boolean {
  const t = text.trim();
  return t.startsWith('@(') || t.startsWith('@{');
}

const CONTEXT_VALUES: Readonly<Record<string, ContextValue>> = {
  'context.Subscription.Id': 'subscription.id',
  'context.Subscription.Key': 'subscription.key',
  'context.User.Id': 'user.id',
  'context.Request.IpAddress': 'request.ip',
  'context.Request.Method': 'request.method',
  'context.Api.Id': 'api.id',
  'context.Operation.Id': 'operation.id',
  'context.Product.Id': 'product.id',
};
const HEADER_READ = 'context.Request.Headers.GetValueOrDefault';
const STATUS = 'context.Response.StatusCode';

/** Every path a supported expression may start with, so that a message can name the first unknown step. */
const KNOWN_PREFIXES = new Set(
  [...Object.keys(CONTEXT_VALUES), HEADER_READ, STATUS].flatMap((path) => {
    const steps = path.split('.');
    return steps.map((_, i) => steps.slice(0, i + 1).join('.'));
  }),
);

const SUPPORTED_STRINGS =
  `supported: ${Object.keys(CONTEXT_VALUES).join(', ')}, ${HEADER_READ}("name", "default"), ` + `string literals and '+'`;
const SUPPORTED_CONDITIONS = `supported: ${STATUS} compared (==, !=, <, <=, >, >=) with an integer, &&, ||, !, true, false and parentheses`;

// ---- Lexer -------------------------------------------------------------------------------------

type TokenKind = 'ident' | 'string' | 'int' | 'punct' | 'other' | 'end';

interface Token {
  kind: TokenKind;
  /** As written, for messages. */
  text: string;
  /** Unescaped content of a string literal. */
  value: string;
}

class Unsupported extends Error {}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

const PUNCTUATION = ['&&', '||', '==', '!=', '<=', '>=', '?.', '<', '>', '!', '(', ')', '.', ',', '+'];
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  "'": "'",
  '\\': '\\',
  '0': '\0',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

function readRegularString(src: string, start: number): { value: string; end: number } {
  let value = '';
  let i = start + 1;
  while (i < src.length) {
    const c = src[i] as string;
    if (c === '"') return { value, end: i + 1 };
    if (c === '\n' || c === '\r') break;
    if (c !== '\\') {
      value += c;
      i++;
      continue;
    }
    const e = src[i + 1] ?? '';
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      value += simple;
      i += 2;
      continue;
    }
    const hex = e === 'u' ? /^[0-9A-Fa-f]{4}/.exec(src.slice(i + 2)) : e === 'x' ? /^[0-9A-Fa-f]{1,4}/.exec(src.slice(i + 2)) : null;
    if (hex === null) throw new Unsupported(`the escape '\\${e}' in a string literal is not valid C#`);
    value += String.fromCharCode(parseInt(hex[0], 16));
    i += 2 + hex[0].length;
  }
  throw new Unsupported('a string literal is not closed');
}

/** `@"…"`: no escapes but `""` for a quote. */
function readVerbatimString(src: string, start: number): { value: string; end: number } {
  let value = '';
  let i = start + 2;
  while (i < src.length) {
    if (src[i] === '"') {
      if (src[i + 1] !== '"') return { value, end: i + 1 };
      value += '"';
      i += 2;
      continue;
    }
    value += src[i];
    i++;
  }
  throw new Unsupported('a string literal is not closed');
}

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"' || (c === '@' && src[i + 1] === '"')) {
      const { value, end } = c === '"' ? readRegularString(src, i) : readVerbatimString(src, i);
      tokens.push({ kind: 'string', text: src.slice(i, end), value });
      i = end;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i, i + 256));
    if (word !== null) {
      tokens.push({ kind: 'ident', text: word[0], value: word[0] });
      i += word[0].length;
      continue;
    }
    const digits = /^[0-9]+/.exec(src.slice(i, i + 32));
    if (digits !== null) {
      tokens.push({ kind: 'int', text: digits[0], value: digits[0] });
      i += digits[0].length;
      continue;
    }
    const punct = PUNCTUATION.find((p) => src.startsWith(p, i));
    if (punct !== undefined) {
      tokens.push({ kind: 'punct', text: punct, value: punct });
      i += punct.length;
      continue;
    }
    tokens.push({ kind: 'other', text: c, value: c });
    i++;
  }
  tokens.push({ kind: 'end', text: '', value: '' });
  return tokens;
}

// ---- Parser ------------------------------------------------------------------------------------

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly supported: string,
  ) {}

  peek(): Token {
    return this.tokens[this.pos] as Token;
  }

  next(): Token {
    const t = this.peek();
    if (t.kind !== 'end') this.pos++;
    return t;
  }

  isPunct(text: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.text === text;
  }

  expectPunct(text: string): void {
    if (!this.isPunct(text)) this.unexpected(`'${text}' expected`);
    this.next();
  }

  /** What the next token is, said so that the writer sees which part of the expression is refused. */
  unexpected(hint?: string): never {
    const t = this.peek();
    if (t.kind === 'end') throw new Unsupported(`the expression ends too early${hint ? ` (${hint})` : ''}; ${this.supported}`);
    if (t.kind === 'ident') throw new Unsupported(`'${clip(this.dottedPath())}' is not supported; ${this.supported}`);
    if (t.kind === 'string') throw new Unsupported(`the string literal ${clip(t.text)} is not supported here; ${this.supported}`);
    if (t.kind === 'int') throw new Unsupported(`the number ${clip(t.text)} is not supported here; ${this.supported}`);
    const what = t.text === '.' || t.text === '?.' ? `'${t.text}${this.tokens[this.pos + 1]?.kind === 'ident' ? this.tokens[this.pos + 1]?.text : ''}'` : `'${t.text}'`;
    throw new Unsupported(`${what} is not supported here; ${this.supported}`);
  }

  /** `a.b.c` from the current identifier, for naming an unsupported member access. */
  private dottedPath(): string {
    let path = this.peek().text;
    for (let i = this.pos + 1; ; i += 2) {
      const dot = this.tokens[i];
      const ident = this.tokens[i + 1];
      if (dot?.kind !== 'punct' || (dot.text !== '.' && dot.text !== '?.') || ident?.kind !== 'ident') return path;
      path += `.${ident.text}`;
    }
  }

  nest<T>(inner: () => T): T {
    if (++this.depth > MAX_DEPTH) throw new Unsupported('the expression is nested too deeply');
    try {
      return inner();
    } finally {
      this.depth--;
    }
  }

  /**
   * A context path such as `context.Request.IpAddress` (`?.` read as `.`: a missing value is empty
   * anyway). Stops at the first step no supported expression has, and names the path up to it.
   */
  contextPath(): string {
    let path = this.next().text;
    if (!KNOWN_PREFIXES.has(path)) throw new Unsupported(`'${clip(path)}' is not supported; ${this.supported}`);
    while (this.isPunct('.') || this.isPunct('?.')) {
      this.next();
      const step = this.peek();
      if (step.kind !== 'ident') this.unexpected('a member name expected');
      const longer = `${path}.${step.text}`;
      if (!KNOWN_PREFIXES.has(longer)) throw new Unsupported(`'${clip(longer)}' is not supported; ${this.supported}`);
      this.next();
      path = longer;
    }
    return path;
  }

  // -- strings

  sum(): ExprPart[] {
    const parts = this.term();
    while (this.isPunct('+')) {
      this.next();
      parts.push(...this.term());
    }
    return parts;
  }

  term(): ExprPart[] {
    const t = this.peek();
    if (t.kind === 'string') {
      this.next();
      return [{ kind: 'text', value: t.value }];
    }
    if (t.kind === 'punct' && t.text === '(') {
      this.next();
      const inner = this.nest(() => this.sum());
      this.expectPunct(')');
      return inner;
    }
    if (t.kind === 'ident' && t.text === 'context') {
      const path = this.contextPath();
      if (path === HEADER_READ) return [this.headerRead()];
      const value = CONTEXT_VALUES[path];
      if (value === undefined) throw new Unsupported(`'${clip(path)}' is not supported; ${this.supported}`);
      return [{ kind: 'context', value }];
    }
    return this.unexpected();
  }

  headerRead(): ExprPart {
    this.expectPunct('(');
    const name = this.stringArgument('the header name');
    let fallback = '';
    if (this.isPunct(',')) {
      this.next();
      fallback = this.stringArgument('the default value');
    }
    this.expectPunct(')');
    if (name.trim() === '') throw new Unsupported(`${HEADER_READ} needs a header name`);
    return { kind: 'header', name: name.toLowerCase(), fallback };
  }

  stringArgument(what: string): string {
    const t = this.peek();
    if (t.kind !== 'string') {
      if (t.kind === 'end' || (t.kind === 'punct' && t.text === ')')) this.unexpected(`${what} expected`);
      throw new Unsupported(`${what} of ${HEADER_READ} must be a string literal; ${this.supported}`);
    }
    this.next();
    return t.value;
  }

  // -- conditions

  or(): Condition {
    let left = this.and();
    while (this.isPunct('||')) {
      this.next();
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  and(): Condition {
    let left = this.unary();
    while (this.isPunct('&&')) {
      this.next();
      left = { kind: 'and', left, right: this.unary() };
    }
    return left;
  }

  unary(): Condition {
    return this.nest((): Condition => {
      if (this.isPunct('!')) {
        this.next();
        return { kind: 'not', operand: this.unary() };
      }
      if (this.isPunct('(')) {
        this.next();
        const inner = this.or();
        this.expectPunct(')');
        return inner;
      }
      const t = this.peek();
      if (t.kind === 'ident' && (t.text === 'true' || t.text === 'false')) {
        this.next();
        return { kind: 'const', value: t.text === 'true' };
      }
      return this.comparison();
    });
  }

  comparison(): Condition {
    const left = this.operand();
    const opToken = this.peek();
    if (opToken.kind !== 'punct' || !isComparison(opToken.text)) this.unexpected('a comparison expected');
    this.next();
    const right = this.operand();
    if (left === 'status' && typeof right === 'number') return { kind: 'status', op: opToken.text, value: right };
    if (right === 'status' && typeof left === 'number') return { kind: 'status', op: FLIPPED[opToken.text], value: left };
    throw new Unsupported(`a comparison must set ${STATUS} against an integer; ${this.supported}`);
  }

  operand(): 'status' | number {
    const t = this.peek();
    if (t.kind === 'int') {
      this.next();
      const n = Number(t.text);
      if (!Number.isSafeInteger(n)) throw new Unsupported(`the number ${clip(t.text)} is too large`);
      return n;
    }
    if (t.kind === 'ident' && t.text === 'context') {
      const path = this.contextPath();
      if (path !== STATUS) throw new Unsupported(`'${clip(path)}' is not supported in a condition; ${this.supported}`);
      return 'status';
    }
    return this.unexpected();
  }

  end(): void {
    if (this.peek().kind !== 'end') this.unexpected();
  }
}

type ComparisonOp = Extract<Condition, { kind: 'status' }>['op'];
const FLIPPED: Readonly<Record<ComparisonOp, ComparisonOp>> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

function isComparison(text: string): text is ComparisonOp {
  return Object.hasOwn(FLIPPED, text);
}

/** The source between `@(` and the matching final `)`, or why there is none. */
function body(text: string, supported: string): string {
  const t = text.trim();
  if (t.length > EXPRESSION_MAX_LENGTH) throw new Unsupported(`the expression is longer than ${EXPRESSION_MAX_LENGTH} characters`);
  if (t.startsWith('@{')) throw new Unsupported(`multi-statement expressions '@{…}' are not supported; ${supported}`);
  if (!t.startsWith('@(') || !t.endsWith(')')) throw new Unsupported(`an expression must be written '@(…)'; ${supported}`);
  return t.slice(2, -1);
}

function attempt<T>(run: () => T): Parsed<T> {
  try {
    return { ok: true, value: run() };
  } catch (e) {
    if (e instanceof Unsupported) return { ok: false, message: e.message };
    throw e;
  }
}

/** Joins neighbouring literals, so that `"a" + "b"` is one text part. */
function merge(parts: readonly ExprPart[]): ExprPart[] {
  const out: ExprPart[] = [];
  for (const part of parts) {
    const last = out[out.length - 1];
    if (part.kind === 'text' && last?.kind === 'text') out[out.length - 1] = { kind: 'text', value: last.value + part.value };
    else out.push(part);
  }
  return out;
}

/** A string-valued attribute or text: literal text as written, or a supported `@(…)` expression. */
export function parseStringExpr(text: string): Parsed<Expr> {
  if (!isExpression(text)) return { ok: true, value: { parts: [{ kind: 'text', value: text }] } };
  return attempt(() => {
    const parser = new Parser(tokenize(body(text, SUPPORTED_STRINGS)), SUPPORTED_STRINGS);
    const parts = parser.sum();
    parser.end();
    return { parts: merge(parts) };
  });
}

/** An `increment-condition`: `@(…)` over the response's status code, or the literal `true` / `false`. */
export function parseCondition(text: string): Parsed<Condition> {
  const literal = text.trim().toLowerCase();
  if (literal === 'true' || literal === 'false') return { ok: true, value: { kind: 'const', value: literal === 'true' } };
  return attempt(() => {
    const parser = new Parser(tokenize(body(text, SUPPORTED_CONDITIONS)), SUPPORTED_CONDITIONS);
    const condition = parser.or();
    parser.end();
    return condition;
  });
}
