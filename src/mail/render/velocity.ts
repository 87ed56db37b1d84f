/**
 * The subset of Apache Velocity that Azure API Management email templates use, parsed to an AST
 * and rendered. Pure code: no I/O, no evaluation of anything but the constructs below.
 *
 * References
 *   `$Name`, `${Name}`, silent `$!Name` / `$!{Name}`, dotted access `$api.Name` / `${api.Name}`.
 *   Names are `[A-Za-z_][A-Za-z0-9_]*` (no hyphen, so "$ProdName-based" is the reference
 *   `$ProdName` then text). A `.` is part of a reference only when an identifier follows it, so
 *   "$DevPortalUrl." ends a sentence. A `$` not followed by an identifier start, `{` or `!`+one of
 *   those is literal text (`$5`, `$$Name` = "$" then `$Name`, `US$`). There is no `\$` escape: a
 *   body can write `&#36;` for a literal dollar before a name.
 *   A missing value renders as the empty string, silent or not (never as the literal `$Name`).
 *   Dotted access into a string, number or boolean prints that value followed by the rest of the
 *   path as text (`$OrganizationName.com` with "Contoso" gives "Contoso.com"); dotted access into
 *   an object reads its own property (exact name, else case-insensitive), never the prototype.
 *
 * Directives
 *   `#if (cond)`, `#elseif (cond)`, `#else`, `#end`, `#foreach ($item in $list) … #else … #end`
 *   (the `#else` of a loop renders when the list is empty), and the brace forms `#{if}`,
 *   `#{elseif}`, `#{else}`, `#{end}`, `#{foreach}` to put a directive against text.
 *   Inside a loop `$foreach.index` (from 0), `$foreach.count` (from 1), `$foreach.first`,
 *   `$foreach.last` and `$foreach.hasNext` are available.
 *   A directive keyword must not run into more identifier characters: `#endif`, `#fff`, `#333`
 *   and `#` followed by anything else are literal text, which keeps CSS colours working.
 *   `#set`, `#macro`, `#include`, `#parse`, `#evaluate` and `#define` followed by `(` are
 *   rejected as unsupported rather than printed.
 *   Conditions: references, "strings" / 'strings' (no interpolation, no escapes), numbers,
 *   true/false/null, `!`/`not`, `&&`/`and`, `||`/`or`, `==`/`eq`, `!=`/`ne`, `<`/`lt`, `<=`/`le`,
 *   `>`/`gt`, `>=`/`ge` and parentheses. `!` binds looser than a comparison, so
 *   `!$a == "x"` means `!($a == "x")`. In an XHTML body write the word forms (`and`, `or`, `lt`,
 *   `gt`…): `&&`, `<` and `>` there would break the XML.
 *   Truth: missing, null, false, "", 0, NaN and an empty list are false; everything else is true.
 *
 * Comments: `## to the end of the line` (the line break goes too) and `#* block *#`.
 * Lines: a directive or comment alone on its line (whitespace aside) takes the whole line with
 * it, indentation and line break included, as Velocity 2's default "lines" space gobbling does.
 */

import { LineIndex } from './position.js';

// ---------------------------------------------------------------------------------------------
// AST

export interface ReferenceExpression {
  readonly kind: 'reference';
  /** The top-level variable name: `api` for `$api.Name`. */
  readonly name: string;
  /** Property names after the first dot: `['Name']` for `$api.Name`. */
  readonly path: readonly string[];
  readonly silent: boolean;
  /** The reference as written, e.g. `${api.Name}`. */
  readonly source: string;
  readonly line: number;
  readonly column: number;
}

export type Expression =
  | ReferenceExpression
  | { readonly kind: 'literal'; readonly value: string | number | boolean | null }
  | { readonly kind: 'not'; readonly operand: Expression }
  | { readonly kind: 'and' | 'or'; readonly left: Expression; readonly right: Expression }
  | {
      readonly kind: 'compare';
      readonly op: '==' | '!=' | '<' | '<=' | '>' | '>=';
      readonly left: Expression;
      readonly right: Expression;
    };

export interface TextNode {
  readonly kind: 'text';
  readonly text: string;
}

export interface IfBranch {
  readonly condition: Expression;
  readonly body: readonly TemplateNode[];
  readonly line: number;
  readonly column: number;
}

export interface IfNode {
  readonly kind: 'if';
  /** The `#if` branch, then each `#elseif`. */
  readonly branches: readonly IfBranch[];
  /** The `#else` body, if there is one. */
  readonly otherwise: readonly TemplateNode[] | undefined;
  readonly line: number;
  readonly column: number;
}

export interface ForeachNode {
  readonly kind: 'foreach';
  readonly variable: string;
  readonly list: ReferenceExpression;
  readonly body: readonly TemplateNode[];
  /** The `#else` body: rendered when the list is missing or empty. */
  readonly otherwise: readonly TemplateNode[] | undefined;
  readonly line: number;
  readonly column: number;
}

export type TemplateNode = TextNode | ReferenceExpression | IfNode | ForeachNode;

export interface TemplateAst {
  readonly kind: 'template';
  readonly nodes: readonly TemplateNode[];
}

/** A syntax error, with the 1-based line and column where it was found. */
export class TemplateSyntaxError extends Error {
  readonly line: number;
  readonly column: number;
  /** The message without the position prefix. */
  readonly reason: string;

  constructor(reason: string, line: number, column: number) {
    super(`Line ${line}, column ${column}: ${reason}`);
    this.name = 'TemplateSyntaxError';
    this.line = line;
    this.column = column;
    this.reason = reason;
  }
}

/** The built-in loop variable inside `#foreach`. */
export const LOOP_STATUS_VARIABLE = 'foreach';

/** Deepest nesting of `#if`/`#foreach` blocks, and of parentheses or `!` in a condition. */
export const MAX_NESTING = 64;

/** Most `&&`/`||` operators in one condition. */
export const MAX_CONDITION_TERMS = 256;

// ---------------------------------------------------------------------------------------------
// Parser

const UNSUPPORTED_DIRECTIVES = ['set', 'macro', 'include', 'parse', 'evaluate', 'define'];
const KEYWORDS = ['elseif', 'else', 'end', 'foreach', 'if'] as const;
type Keyword = (typeof KEYWORDS)[number];

function isIdentStart(c: string | undefined): boolean {
  return c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_');
}

function isIdentChar(c: string | undefined): boolean {
  return isIdentStart(c) || (c !== undefined && c >= '0' && c <= '9');
}

function isLineBreak(c: string | undefined): boolean {
  return c === '\n' || c === '\r';
}

interface MutableIf {
  kind: 'if';
  branches: IfBranch[];
  otherwise: TemplateNode[] | undefined;
  line: number;
  column: number;
}

interface MutableForeach {
  kind: 'foreach';
  variable: string;
  list: ReferenceExpression;
  body: TemplateNode[];
  otherwise: TemplateNode[] | undefined;
  line: number;
  column: number;
}

type Frame =
  | { readonly type: 'root'; current: TemplateNode[] }
  | { readonly type: 'if'; readonly node: MutableIf; current: TemplateNode[]; sawElse: boolean; readonly offset: number }
  | {
      readonly type: 'foreach';
      readonly node: MutableForeach;
      current: TemplateNode[];
      sawElse: boolean;
      readonly offset: number;
    };

class Parser {
  private readonly src: string;
  private readonly lines: LineIndex;
  private i = 0;
  private text = '';
  private readonly root: TemplateNode[] = [];
  private readonly stack: Frame[];

  constructor(src: string) {
    this.src = src;
    this.lines = new LineIndex(src);
    this.stack = [{ type: 'root', current: this.root }];
  }

  parse(): TemplateAst {
    const src = this.src;
    const n = src.length;
    while (this.i < n) {
      const c = src[this.i];
      if (c === '$') {
        this.reference();
      } else if (c === '#') {
        this.hash();
      } else {
        let j = this.i + 1;
        while (j < n && src[j] !== '$' && src[j] !== '#') j++;
        this.text += src.slice(this.i, j);
        this.i = j;
      }
    }
    this.flush();
    const open = this.stack[this.stack.length - 1];
    if (open && open.type !== 'root') {
      const what = open.type === 'if' ? '#if' : '#foreach';
      this.fail(open.offset, `${what} is not closed: add #end`);
    }
    return { kind: 'template', nodes: this.root };
  }

  // -- helpers --------------------------------------------------------------------------------

  private fail(offset: number, reason: string): never {
    const { line, column } = this.lines.at(offset);
    throw new TemplateSyntaxError(reason, line, column);
  }

  private top(): Frame {
    // The root frame is never popped.
    return this.stack[this.stack.length - 1] as Frame;
  }

  private flush(): void {
    if (this.text === '') return;
    this.top().current.push({ kind: 'text', text: this.text });
    this.text = '';
  }

  /** Number of spaces/tabs before `offset` on its line if only those precede it, else -1. */
  private indentBefore(offset: number): number {
    let j = offset - 1;
    while (j >= 0 && (this.src[j] === ' ' || this.src[j] === '\t')) j--;
    if (j >= 0 && !isLineBreak(this.src[j])) return -1;
    return offset - 1 - j;
  }

  /** The offset after trailing spaces/tabs and one line break at `offset`, or -1 if other text follows. */
  private lineEndAfter(offset: number): number {
    let j = offset;
    const src = this.src;
    while (j < src.length && (src[j] === ' ' || src[j] === '\t')) j++;
    if (j >= src.length) return j;
    if (src[j] === '\r') return src[j + 1] === '\n' ? j + 2 : j + 1;
    if (src[j] === '\n') return j + 1;
    return -1;
  }

  /**
   * A directive or comment from `start` to `end`: flush the text before it, and when it is alone on
   * its line drop that line's indentation and break. Returns where parsing goes on.
   */
  private gobble(start: number, end: number): number {
    const indent = this.indentBefore(start);
    const after = indent >= 0 ? this.lineEndAfter(end) : -1;
    if (after >= 0) {
      this.text = this.text.slice(0, this.text.length - indent);
      this.flush();
      return after;
    }
    this.flush();
    return end;
  }

  private readIdent(at: number): number {
    let j = at;
    while (isIdentChar(this.src[j])) j++;
    return j;
  }

  /**
   * Reads a reference at `at` (a `$`). Returns it and the offset after it, or undefined when the `$`
   * does not start one (it is then literal text). A `${` without a name and `}` is an error.
   */
  private readReference(at: number): { ref: ReferenceExpression; end: number } | undefined {
    const src = this.src;
    let j = at + 1;
    let silent = false;
    if (src[j] === '!' && (src[j + 1] === '{' || isIdentStart(src[j + 1]))) {
      silent = true;
      j++;
    }
    const braced = src[j] === '{';
    if (braced) {
      j++;
      if (!isIdentStart(src[j])) this.fail(at, `'${src.slice(at, j)}' must be followed by a variable name and '}'`);
    } else if (!isIdentStart(src[j])) {
      return undefined;
    }
    const nameEnd = this.readIdent(j);
    const name = src.slice(j, nameEnd);
    j = nameEnd;
    const path: string[] = [];
    while (src[j] === '.' && isIdentStart(src[j + 1])) {
      const end = this.readIdent(j + 1);
      path.push(src.slice(j + 1, end));
      j = end;
    }
    if (braced) {
      if (src[j] !== '}') this.fail(at, `'${src.slice(at, j)}' is not closed: expected '}'`);
      j++;
    }
    const { line, column } = this.lines.at(at);
    return { ref: { kind: 'reference', name, path, silent, source: src.slice(at, j), line, column }, end: j };
  }

  // -- text-level constructs ------------------------------------------------------------------

  private reference(): void {
    const found = this.readReference(this.i);
    if (!found) {
      this.text += '$';
      this.i++;
      return;
    }
    this.flush();
    this.top().current.push(found.ref);
    this.i = found.end;
  }

  private hash(): void {
    const src = this.src;
    const start = this.i;
    const next = src[start + 1];
    if (next === '#') {
      // Line comment: up to and including the line break.
      let j = start + 2;
      while (j < src.length && !isLineBreak(src[j])) j++;
      if (src[j] === '\r' && src[j + 1] === '\n') j += 2;
      else if (j < src.length) j++;
      const indent = this.indentBefore(start);
      if (indent > 0) this.text = this.text.slice(0, this.text.length - indent);
      this.i = j;
      return;
    }
    if (next === '*') {
      const close = src.indexOf('*#', start + 2);
      if (close < 0) this.fail(start, "Comment '#*' is not closed: expected '*#'");
      this.i = this.gobble(start, close + 2);
      return;
    }
    const braced = next === '{';
    const nameAt = braced ? start + 2 : start + 1;
    let keyword: Keyword | undefined;
    let end = nameAt;
    for (const kw of KEYWORDS) {
      if (!src.startsWith(kw, nameAt)) continue;
      const after = nameAt + kw.length;
      if (braced ? src[after] === '}' : !isIdentChar(src[after])) {
        keyword = kw;
        end = braced ? after + 1 : after;
        break;
      }
    }
    if (!keyword) {
      if (!braced) {
        const wordEnd = this.readIdent(nameAt);
        const word = src.slice(nameAt, wordEnd);
        let j = wordEnd;
        while (src[j] === ' ' || src[j] === '\t') j++;
        if (UNSUPPORTED_DIRECTIVES.includes(word) && src[j] === '(') {
          this.fail(start, `#${word} is not supported in email templates`);
        }
      }
      this.text += '#';
      this.i++;
      return;
    }
    switch (keyword) {
      case 'if':
        return this.openIf(start, end);
      case 'elseif':
        return this.elseIf(start, end);
      case 'else':
        return this.else(start, end);
      case 'end':
        return this.end(start, end);
      case 'foreach':
        return this.openForeach(start, end);
    }
  }

  private expectOpenParen(start: number, at: number, directive: string): number {
    let j = at;
    while (this.src[j] === ' ' || this.src[j] === '\t') j++;
    if (this.src[j] !== '(') this.fail(start, `Malformed #${directive}: expected '(' after #${directive}`);
    return j + 1;
  }

  private pushFrame(frame: Frame, start: number): void {
    if (this.stack.length > MAX_NESTING) this.fail(start, `Blocks are nested more than ${MAX_NESTING} deep`);
    this.stack.push(frame);
  }

  private openIf(start: number, end: number): void {
    const open = this.expectOpenParen(start, end, 'if');
    const { expr, end: close } = new ConditionParser(this, open, start, 'if').parseCondition();
    const after = this.gobble(start, close);
    const { line, column } = this.lines.at(start);
    const body: TemplateNode[] = [];
    const node: MutableIf = { kind: 'if', branches: [{ condition: expr, body, line, column }], otherwise: undefined, line, column };
    this.top().current.push(node);
    this.pushFrame({ type: 'if', node, current: body, sawElse: false, offset: start }, start);
    this.i = after;
  }

  private elseIf(start: number, end: number): void {
    const frame = this.top();
    if (frame.type !== 'if') {
      this.fail(start, frame.type === 'root' ? '#elseif without a matching #if' : '#elseif is not allowed in #foreach');
    }
    if (frame.sawElse) this.fail(start, '#elseif after #else');
    const open = this.expectOpenParen(start, end, 'elseif');
    const { expr, end: close } = new ConditionParser(this, open, start, 'elseif').parseCondition();
    const after = this.gobble(start, close);
    const { line, column } = this.lines.at(start);
    const body: TemplateNode[] = [];
    frame.node.branches.push({ condition: expr, body, line, column });
    frame.current = body;
    this.i = after;
  }

  private else(start: number, end: number): void {
    const frame = this.top();
    if (frame.type === 'root') this.fail(start, '#else without a matching #if or #foreach');
    if (frame.sawElse) this.fail(start, `Second #else in the same #${frame.type}`);
    this.i = this.gobble(start, end);
    const body: TemplateNode[] = [];
    frame.node.otherwise = body;
    frame.current = body;
    frame.sawElse = true;
  }

  private end(start: number, end: number): void {
    const frame = this.top();
    if (frame.type === 'root') this.fail(start, '#end without a matching #if or #foreach');
    this.i = this.gobble(start, end);
    this.stack.pop();
  }

  private openForeach(start: number, end: number): void {
    const src = this.src;
    const usage = 'Malformed #foreach: expected #foreach ($item in $list)';
    let j = this.expectOpenParen(start, end, 'foreach');
    const skip = (): void => {
      while (j < src.length && ' \t\r\n'.includes(src[j] as string)) j++;
    };
    skip();
    if (src[j] !== '$' || !isIdentStart(src[j + 1])) this.fail(start, usage);
    const varEnd = this.readIdent(j + 1);
    const variable = src.slice(j + 1, varEnd);
    if (variable === LOOP_STATUS_VARIABLE) this.fail(j, `$${LOOP_STATUS_VARIABLE} is reserved for the loop status`);
    j = varEnd;
    const beforeIn = j;
    skip();
    if (j === beforeIn || !src.startsWith('in', j) || isIdentChar(src[j + 2])) this.fail(start, usage);
    j += 2;
    skip();
    const list = src[j] === '$' ? this.readReference(j) : undefined;
    if (!list) this.fail(start, usage);
    j = list.end;
    skip();
    if (src[j] !== ')') this.fail(start, usage);
    const after = this.gobble(start, j + 1);
    const { line, column } = this.lines.at(start);
    const node: MutableForeach = { kind: 'foreach', variable, list: list.ref, body: [], otherwise: undefined, line, column };
    this.top().current.push(node);
    this.pushFrame({ type: 'foreach', node, current: node.body, sawElse: false, offset: start }, start);
    this.i = after;
  }

  // -- used by ConditionParser ----------------------------------------------------------------

  get source(): string {
    return this.src;
  }

  error(offset: number, reason: string): never {
    return this.fail(offset, reason);
  }

  referenceAt(at: number): { ref: ReferenceExpression; end: number } | undefined {
    return this.readReference(at);
  }
}

type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';
const WORD_OPS: Readonly<Record<string, CompareOp>> = { eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=' };

/** Recursive descent over a `#if (...)` condition, straight on the template source. */
class ConditionParser {
  private j: number;
  private depth = 0;
  private terms = 0;

  constructor(
    private readonly p: Parser,
    open: number,
    private readonly directiveAt: number,
    private readonly directive: string,
  ) {
    this.j = open;
  }

  parseCondition(): { expr: Expression; end: number } {
    const expr = this.or();
    this.ws();
    if (this.p.source[this.j] !== ')') this.unexpected("')'");
    return { expr, end: this.j + 1 };
  }

  private ws(): void {
    const src = this.p.source;
    while (this.j < src.length && ' \t\r\n'.includes(src[this.j] as string)) this.j++;
  }

  private unexpected(expected: string): never {
    const src = this.p.source;
    if (this.j >= src.length) {
      this.p.error(this.directiveAt, `Condition of #${this.directive} is not closed: expected ${expected}`);
    }
    const c = src.codePointAt(this.j) ?? 0;
    const shown = c > 0x20 && c < 0x7f ? `'${String.fromCodePoint(c)}'` : `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
    return this.p.error(this.j, `Unexpected ${shown} in the condition of #${this.directive}: expected ${expected}`);
  }

  /** A keyword operator (`and`, `not`, `eq`…) at the cursor, not followed by identifier characters. */
  private word(w: string): boolean {
    const src = this.p.source;
    if (src.startsWith(w, this.j) && !isIdentChar(src[this.j + w.length])) {
      this.j += w.length;
      return true;
    }
    return false;
  }

  private symbol(s: string): boolean {
    if (this.p.source.startsWith(s, this.j)) {
      this.j += s.length;
      return true;
    }
    return false;
  }

  /** One more `&&`/`||`: chains are left-deep trees, so their length is bounded too. */
  private term(): void {
    if (++this.terms > MAX_CONDITION_TERMS) {
      this.p.error(this.j, `The condition of #${this.directive} has more than ${MAX_CONDITION_TERMS} terms`);
    }
  }

  private nest(): void {
    if (++this.depth > MAX_NESTING) this.p.error(this.j, `The condition is nested more than ${MAX_NESTING} deep`);
  }

  private or(): Expression {
    let left = this.and();
    for (;;) {
      this.ws();
      if (!(this.symbol('||') || this.word('or'))) return left;
      this.term();
      left = { kind: 'or', left, right: this.and() };
    }
  }

  private and(): Expression {
    let left = this.not();
    for (;;) {
      this.ws();
      if (!(this.symbol('&&') || this.word('and'))) return left;
      this.term();
      left = { kind: 'and', left, right: this.not() };
    }
  }

  private not(): Expression {
    this.ws();
    const src = this.p.source;
    let negated = false;
    if (src[this.j] === '!' && src[this.j + 1] !== '=') {
      this.j++;
      negated = true;
    } else {
      negated = this.word('not');
    }
    if (negated) {
      this.nest();
      const operand = this.not();
      this.depth--;
      return { kind: 'not', operand };
    }
    return this.comparison();
  }

  private comparison(): Expression {
    const left = this.primary();
    this.ws();
    const src = this.p.source;
    let op: CompareOp | undefined;
    for (const s of ['==', '!=', '<=', '>=', '<', '>'] as const) {
      if (this.symbol(s)) {
        op = s;
        break;
      }
    }
    if (!op) {
      for (const [w, o] of Object.entries(WORD_OPS)) {
        if (this.word(w)) {
          op = o;
          break;
        }
      }
    }
    if (!op) {
      if (src[this.j] === '=') this.p.error(this.j, `Use '==' to compare in the condition of #${this.directive}`);
      return left;
    }
    return { kind: 'compare', op, left, right: this.primary() };
  }

  private primary(): Expression {
    this.ws();
    const src = this.p.source;
    const c = src[this.j];
    if (c === '(') {
      this.j++;
      this.nest();
      const inner = this.or();
      this.depth--;
      this.ws();
      if (src[this.j] !== ')') this.unexpected("')'");
      this.j++;
      return inner;
    }
    if (c === '$') {
      const found = this.p.referenceAt(this.j);
      if (!found) this.unexpected('a variable name after $');
      this.j = found.end;
      return found.ref;
    }
    if (c === '"' || c === "'") {
      const close = src.indexOf(c, this.j + 1);
      if (close < 0) this.p.error(this.j, `String in the condition of #${this.directive} is not closed: expected ${c}`);
      const value = src.slice(this.j + 1, close);
      this.j = close + 1;
      return { kind: 'literal', value };
    }
    if ((c !== undefined && c >= '0' && c <= '9') || (c === '-' && /[0-9]/.test(src[this.j + 1] ?? ''))) {
      const m = /^-?[0-9]+(?:\.[0-9]+)?/.exec(src.slice(this.j, this.j + 40));
      const text = m?.[0] ?? '';
      if (isIdentChar(src[this.j + text.length])) this.unexpected('a number');
      this.j += text.length;
      return { kind: 'literal', value: Number(text) };
    }
    if (this.word('true')) return { kind: 'literal', value: true };
    if (this.word('false')) return { kind: 'literal', value: false };
    if (this.word('null')) return { kind: 'literal', value: null };
    return this.unexpected('a variable, a string, a number, true, false or null');
  }
}

/** Parses a template; throws TemplateSyntaxError (with line and column) on any syntax error. */
export function parseTemplate(source: string): TemplateAst {
  return new Parser(source).parse();
}

// ---------------------------------------------------------------------------------------------
// Variables

export interface VariableUse {
  readonly name: string;
  readonly source: string;
  readonly line: number;
  readonly column: number;
}

function expressionRefs(expr: Expression, out: ReferenceExpression[]): void {
  switch (expr.kind) {
    case 'reference':
      out.push(expr);
      return;
    case 'literal':
      return;
    case 'not':
      expressionRefs(expr.operand, out);
      return;
    default:
      expressionRefs(expr.left, out);
      expressionRefs(expr.right, out);
  }
}

/**
 * Every use of a variable that is not a loop variable in scope, in source order (loop variables
 * and `$foreach` are local to their loop body; `$api.Name` is a use of `api`).
 */
export function collectVariableUses(ast: TemplateAst): VariableUse[] {
  const uses: VariableUse[] = [];
  const note = (ref: ReferenceExpression, locals: ReadonlySet<string>): void => {
    if (!locals.has(ref.name)) uses.push({ name: ref.name, source: ref.source, line: ref.line, column: ref.column });
  };
  const walk = (nodes: readonly TemplateNode[], locals: ReadonlySet<string>): void => {
    for (const node of nodes) {
      switch (node.kind) {
        case 'text':
          break;
        case 'reference':
          note(node, locals);
          break;
        case 'if':
          for (const branch of node.branches) {
            const refs: ReferenceExpression[] = [];
            expressionRefs(branch.condition, refs);
            for (const ref of refs) note(ref, locals);
            walk(branch.body, locals);
          }
          if (node.otherwise) walk(node.otherwise, locals);
          break;
        case 'foreach': {
          note(node.list, locals);
          walk(node.body, new Set([...locals, node.variable, LOOP_STATUS_VARIABLE]));
          if (node.otherwise) walk(node.otherwise, locals);
          break;
        }
      }
    }
  };
  walk(ast.nodes, new Set());
  return uses;
}

/** The names of the top-level variables a template uses. */
export function collectVariables(ast: TemplateAst): Set<string> {
  return new Set(collectVariableUses(ast).map((use) => use.name));
}

// ---------------------------------------------------------------------------------------------
// Renderer

export interface RenderOptions {
  /** Applied to every inserted value (HTML escaping for bodies, identity for subjects). */
  readonly escape: (value: string) => string;
}

interface Scope {
  readonly values: Record<string, unknown>;
  readonly locals: ReadonlyMap<string, unknown> | undefined;
  readonly parent: Scope | undefined;
}

function lookup(scope: Scope, name: string): unknown {
  for (let s: Scope | undefined = scope; s; s = s.parent) {
    if (s.locals?.has(name)) return s.locals.get(name);
  }
  return Object.hasOwn(scope.values, name) ? scope.values[name] : undefined;
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function property(base: unknown, key: string): unknown {
  if (!isObject(base)) return undefined;
  if (base instanceof Map) return base.get(key);
  const record = base as Record<string, unknown>;
  if (Object.hasOwn(record, key)) return record[key];
  if (Array.isArray(base)) return undefined;
  const lower = key.toLowerCase();
  for (const k of Object.keys(record)) if (k.toLowerCase() === lower) return record[k];
  return undefined;
}

function isScalar(value: unknown): value is string | number | boolean | bigint {
  const t = typeof value;
  return t === 'string' || t === 'number' || t === 'boolean' || t === 'bigint';
}

/** The text a value renders as: scalars as themselves, valid dates in ISO 8601, anything else empty. */
export function valueToText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return Number.isFinite(value) ? String(value) : '';
    case 'boolean':
    case 'bigint':
      return String(value);
    default:
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
      return '';
  }
}

function evaluateReference(ref: ReferenceExpression, scope: Scope): unknown {
  let value = lookup(scope, ref.name);
  for (const key of ref.path) value = property(value, key);
  return value;
}

function truthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === '') return false;
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isNaN(value) ? undefined : value;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isNaN(n) ? undefined : n;
  }
  return undefined;
}

function equal(a: unknown, b: unknown): boolean {
  const aNull = a === undefined || a === null;
  const bNull = b === undefined || b === null;
  if (aNull || bNull) return aNull && bNull;
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  if (isScalar(a) && isScalar(b)) return String(a) === String(b);
  if (a instanceof Date || b instanceof Date) return valueToText(a) === valueToText(b);
  return a === b;
}

function compare(op: CompareOp, a: unknown, b: unknown): boolean {
  if (op === '==') return equal(a, b);
  if (op === '!=') return !equal(a, b);
  const x = asNumber(a);
  const y = asNumber(b);
  let order: number;
  if (x !== undefined && y !== undefined) order = x < y ? -1 : x > y ? 1 : 0;
  else if (typeof a === 'string' && typeof b === 'string') order = a < b ? -1 : a > b ? 1 : 0;
  else return false;
  switch (op) {
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    default:
      return order >= 0;
  }
}

function evaluate(expr: Expression, scope: Scope): unknown {
  switch (expr.kind) {
    case 'reference':
      return evaluateReference(expr, scope);
    case 'literal':
      return expr.value;
    case 'not':
      return !truthy(evaluate(expr.operand, scope));
    case 'and':
      return truthy(evaluate(expr.left, scope)) && truthy(evaluate(expr.right, scope));
    case 'or':
      return truthy(evaluate(expr.left, scope)) || truthy(evaluate(expr.right, scope));
    case 'compare':
      return compare(expr.op, evaluate(expr.left, scope), evaluate(expr.right, scope));
  }
}

function renderReference(ref: ReferenceExpression, scope: Scope, escape: (value: string) => string): string {
  let value = lookup(scope, ref.name);
  for (let k = 0; k < ref.path.length; k++) {
    if (isScalar(value)) {
      // `$OrganizationName.com`: the dots were text, not property access.
      return escape(valueToText(value)) + '.' + ref.path.slice(k).join('.');
    }
    value = property(value, ref.path[k] as string);
  }
  return escape(valueToText(value));
}

/** Renders a parsed template. Missing values render as ''. Never throws on plain data. */
export function render(ast: TemplateAst, values: Record<string, unknown>, options: RenderOptions): string {
  const out: string[] = [];
  const { escape } = options;
  const walk = (nodes: readonly TemplateNode[], scope: Scope): void => {
    for (const node of nodes) {
      switch (node.kind) {
        case 'text':
          out.push(node.text);
          break;
        case 'reference':
          out.push(renderReference(node, scope, escape));
          break;
        case 'if': {
          const branch = node.branches.find((b) => truthy(evaluate(b.condition, scope)));
          if (branch) walk(branch.body, scope);
          else if (node.otherwise) walk(node.otherwise, scope);
          break;
        }
        case 'foreach': {
          const list = evaluateReference(node.list, scope);
          const items: readonly unknown[] = Array.isArray(list) ? list : [];
          if (items.length === 0) {
            if (node.otherwise) walk(node.otherwise, scope);
            break;
          }
          for (let index = 0; index < items.length; index++) {
            const status = {
              index,
              count: index + 1,
              first: index === 0,
              last: index === items.length - 1,
              hasNext: index < items.length - 1,
            };
            const locals = new Map<string, unknown>([
              [node.variable, items[index]],
              [LOOP_STATUS_VARIABLE, status],
            ]);
            walk(node.body, { values: scope.values, locals, parent: scope });
          }
          break;
        }
      }
    }
  };
  walk(ast.nodes, { values, locals: undefined, parent: undefined });
  return out.join('');
}
