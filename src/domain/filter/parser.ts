/**
 * OData `$filter` subset: a hand-written lexer and recursive-descent parser, so that every failure
 * is an AppError with a position and nothing can backtrack or recurse without bound.
 *
 *   or      := and ('or' and)*
 *   and     := unary ('and' unary)*
 *   unary   := 'not' unary | primary
 *   primary := '(' or ')' | call [('eq'|'ne') bool] | field op literal
 *
 * Positions in messages are 0-based offsets into the filter text.
 */
import { validationError } from '../errors.js';
import type { FilterNode, FunctionNode } from './ast.js';
import {
  COMPARISON_OPS,
  FILTER_FUNCTIONS,
  type ComparisonOp,
  type FilterFieldSpec,
  type FilterFieldTable,
  type FilterFunction,
} from './fields.js';

export const FILTER_MAX_LENGTH = 2048;
export const FILTER_MAX_DEPTH = 32;
export const FILTER_MAX_TERMS = 100;

type TokenKind = 'lparen' | 'rparen' | 'comma' | 'ident' | 'string' | 'number' | 'datetime' | 'end';

interface Token {
  kind: TokenKind;
  pos: number;
  /** The source text, for messages. */
  text: string;
  /** Unescaped content of a string; the normalized ISO form of a date-time. */
  value: string;
}

function fail(message: string): never {
  throw validationError(`Invalid $filter: ${message}`, [{ code: 'ValidationError', target: '$filter', message }]);
}

/** Echoing a 2 KB token back in an error helps nobody. */
function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'end':
      return 'the end of the filter';
    case 'string':
      return `string literal ${clip(t.text)}`;
    case 'number':
      return `number ${clip(t.text)}`;
    case 'datetime':
      return `date-time ${clip(t.text)}`;
    default:
      return `'${clip(t.text)}'`;
  }
}

// ---------------------------------------------------------------------------------------------
// Lexer

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isAlpha = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isIdentStart = (c: number): boolean => isAlpha(c) || c === 0x5f;
const isIdentPart = (c: number): boolean => isIdentStart(c) || isDigit(c);
/** Characters that can continue a number or an unquoted date-time (`2020-01-01T00:00:00.5+02:00`). */
const isLiteralPart = (c: number): boolean =>
  isDigit(c) || isAlpha(c) || c === 0x2e || c === 0x3a || c === 0x2b || c === 0x2d;

const NUMBER = /^-?[0-9]+(?:\.[0-9]+)?$/;

/** Reads `'...'` starting at the opening quote; `''` is a quote. Returns the value and the end. */
function readString(input: string, start: number): [string, number] {
  let value = '';
  let i = start + 1;
  let chunk = i;
  while (i < input.length) {
    const c = input.charCodeAt(i);
    if (c === 0x27) {
      value += input.slice(chunk, i);
      if (input.charCodeAt(i + 1) !== 0x27) return [value, i + 1];
      value += "'";
      i += 2;
      chunk = i;
      continue;
    }
    // Neither database can store these: PostgreSQL rejects NUL in text and both would mangle
    // an unpaired surrogate into U+FFFD, so the filter would not mean what it says.
    if (c === 0) fail(`String literal contains a NUL character at position ${i}`);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = input.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) fail(`String literal contains an unpaired surrogate at position ${i}`);
      i += 2;
      continue;
    }
    if (c >= 0xdc00 && c <= 0xdfff) fail(`String literal contains an unpaired surrogate at position ${i}`);
    i++;
  }
  return fail(`Unterminated string literal starting at position ${start}`);
}

function lex(input: string): Token[] {
  const tokens: Token[] = [];
  const n = input.length;
  let i = 0;
  while (i < n) {
    const c = input.charCodeAt(i);
    const start = i;
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) {
      i++;
    } else if (c === 0x28 || c === 0x29 || c === 0x2c) {
      const kind = c === 0x28 ? 'lparen' : c === 0x29 ? 'rparen' : 'comma';
      tokens.push({ kind, pos: i, text: input[i] ?? '', value: '' });
      i++;
    } else if (c === 0x27) {
      const [value, end] = readString(input, i);
      i = end;
      tokens.push({ kind: 'string', pos: start, text: input.slice(start, end), value });
    } else if (isIdentStart(c)) {
      while (i < n && isIdentPart(input.charCodeAt(i))) i++;
      const word = input.slice(start, i);
      const lower = word.toLowerCase();
      if ((lower === 'datetime' || lower === 'datetimeoffset') && input.charCodeAt(i) === 0x27) {
        // OData v2: datetime'2020-01-01T00:00:00Z'
        const [raw, end] = readString(input, i);
        i = end;
        tokens.push({ kind: 'datetime', pos: start, text: input.slice(start, end), value: dateOrFail(raw, start) });
      } else {
        tokens.push({ kind: 'ident', pos: start, text: word, value: '' });
      }
    } else if (isDigit(c) || (c === 0x2d && isDigit(input.charCodeAt(i + 1)))) {
      i++;
      while (i < n && isLiteralPart(input.charCodeAt(i))) i++;
      const text = input.slice(start, i);
      if (NUMBER.test(text)) {
        tokens.push({ kind: 'number', pos: start, text, value: text });
      } else if (/[-:Tt]/.test(text.slice(1))) {
        tokens.push({ kind: 'datetime', pos: start, text, value: dateOrFail(text, start) });
      } else {
        fail(`Invalid number '${clip(text)}' at position ${start}`);
      }
    } else {
      const cp = input.codePointAt(i) ?? c;
      const control = cp < 0x20 || cp === 0x7f;
      const shown = control ? `U+${cp.toString(16).toUpperCase().padStart(4, '0')}` : String.fromCodePoint(cp);
      fail(`Unexpected character '${shown}' at position ${i}`);
    }
  }
  tokens.push({ kind: 'end', pos: n, text: '', value: '' });
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// Date-times

/**
 * Accepts `YYYY-MM-DD` and `YYYY-MM-DDTHH:mm[:ss[.fff…]][Z|±HH:mm]`; a missing offset means UTC
 * (never the server's local zone). Returns `toISOString()` form, which is what the columns hold,
 * so text order is time order. Digits past milliseconds are truncated.
 */
export function parseFilterDateTime(text: string): string | undefined {
  let i = 0;
  const num = (width: number, min: number, max: number): number | undefined => {
    if (i + width > text.length) return undefined;
    let v = 0;
    for (let k = 0; k < width; k++) {
      const c = text.charCodeAt(i + k);
      if (!isDigit(c)) return undefined;
      v = v * 10 + (c - 0x30);
    }
    i += width;
    return v >= min && v <= max ? v : undefined;
  };
  const eat = (ch: string): boolean => (text[i] === ch ? (i++, true) : false);

  const year = num(4, 1, 9999);
  if (year === undefined || !eat('-')) return undefined;
  const month = num(2, 1, 12);
  if (month === undefined || !eat('-')) return undefined;
  const day = num(2, 1, 31);
  if (day === undefined) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCDate() !== day) return undefined; // 2021-02-30
  if (i < text.length) {
    if (!eat('T') && !eat('t')) return undefined;
    const hour = num(2, 0, 23);
    if (hour === undefined || !eat(':')) return undefined;
    const minute = num(2, 0, 59);
    if (minute === undefined) return undefined;
    let second = 0;
    let ms = 0;
    if (eat(':')) {
      const s = num(2, 0, 59);
      if (s === undefined) return undefined;
      second = s;
      if (eat('.')) {
        const from = i;
        while (isDigit(text.charCodeAt(i))) i++;
        if (i === from) return undefined;
        ms = Number(text.slice(from, Math.min(i, from + 3)).padEnd(3, '0'));
      }
    }
    let offset = 0;
    if (eat('Z') || eat('z')) {
      // UTC
    } else if (text[i] === '+' || text[i] === '-') {
      const sign = text[i] === '-' ? -1 : 1;
      i++;
      const oh = num(2, 0, 23);
      if (oh === undefined || !eat(':')) return undefined;
      const om = num(2, 0, 59);
      if (om === undefined) return undefined;
      offset = sign * (oh * 60 + om);
    }
    if (i !== text.length) return undefined;
    date.setUTCHours(hour, minute - offset, second, ms);
  }
  const year2 = date.getUTCFullYear();
  // An offset can push 0001-01-01 or 9999-12-31 out of the four-digit years that sort as text.
  if (year2 < 1 || year2 > 9999) return undefined;
  return date.toISOString();
}

function dateOrFail(text: string, pos: number): string {
  return parseFilterDateTime(text) ?? fail(`Invalid date-time '${clip(text)}' at position ${pos}`);
}

// ---------------------------------------------------------------------------------------------
// Parser

type FieldLookup = ReadonlyMap<string, readonly [string, FilterFieldSpec]>;

const lookups = new WeakMap<FilterFieldTable, FieldLookup>();

function lookupFor(fields: FilterFieldTable): FieldLookup {
  let lookup = lookups.get(fields);
  if (!lookup) {
    lookup = new Map(Object.entries(fields).map(([key, spec]) => [key.toLowerCase(), [key, spec] as const]));
    lookups.set(fields, lookup);
  }
  return lookup;
}

const asOp = (t: Token): ComparisonOp | undefined =>
  t.kind === 'ident' ? COMPARISON_OPS.find((op) => op === t.text.toLowerCase()) : undefined;

const isWord = (t: Token, word: string): boolean => t.kind === 'ident' && t.text.toLowerCase() === word;

const article = (type: FilterFieldSpec['type']): string => (type === 'enum' ? 'An enum' : `A ${type}`);

const supported = (list: readonly string[]): string => (list.length ? list.join(', ') : 'none');

class Parser {
  private index = 0;
  private depth = 0;
  private terms = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly fields: FilterFieldTable,
  ) {}

  parse(): FilterNode {
    if (this.peek().kind === 'end') fail('The filter is empty');
    const node = this.parseOr();
    const t = this.peek();
    if (t.kind !== 'end') {
      fail(
        `Unexpected ${describe(t)} at position ${t.pos}; ` +
          `expected 'and', 'or' or the end of the filter`,
      );
    }
    return node;
  }

  private peek(ahead = 0): Token {
    // The lexer always ends with an 'end' token, and nothing reads past it.
    return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'end') this.index++;
    return t;
  }

  private parseOr(): FilterNode {
    let left = this.parseAnd();
    while (isWord(this.peek(), 'or')) {
      this.next();
      left = { kind: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): FilterNode {
    let left = this.parseUnary();
    while (isWord(this.peek(), 'and')) {
      this.next();
      left = { kind: 'and', left, right: this.parseUnary() };
    }
    return left;
  }

  private parseUnary(): FilterNode {
    if (!isWord(this.peek(), 'not')) return this.parsePrimary();
    this.enter(this.next());
    const operand = this.parseUnary();
    this.depth--;
    return { kind: 'not', operand };
  }

  private parsePrimary(): FilterNode {
    const t = this.peek();
    if (t.kind === 'lparen') {
      this.enter(this.next());
      const inner = this.parseOr();
      const close = this.next();
      if (close.kind !== 'rparen') {
        fail(`Expected ')' to close the '(' at position ${t.pos}, found ${describe(close)} at position ${close.pos}`);
      }
      this.depth--;
      return inner;
    }
    const literal = t.kind !== 'ident' || ['true', 'false', 'null'].includes(t.text.toLowerCase());
    if (literal && t.kind !== 'end' && t.kind !== 'rparen' && t.kind !== 'comma' && asOp(this.peek(1))) {
      fail(
        `A comparison must start with the field name, found ${describe(t)} at position ${t.pos} ` +
          '(write <field> <op> <value>)',
      );
    }
    if (t.kind !== 'ident' || literal || asOp(t) || isWord(t, 'and') || isWord(t, 'or')) {
      fail(`Expected a field name, a function or '(' at position ${t.pos}, found ${describe(t)}`);
    }
    return this.peek(1).kind === 'lparen' ? this.parseCall() : this.parseComparison();
  }

  private parseComparison(): FilterNode {
    const fieldTok = this.next();
    const [field, spec] = this.resolveField(fieldTok);
    this.countTerm(fieldTok);
    const opTok = this.next();
    const op = asOp(opTok);
    if (!op) {
      fail(
        `Expected a comparison operator (eq, ne, gt, ge, lt, le) after ` +
          `field '${field}' at position ${opTok.pos}, found ${describe(opTok)}`,
      );
    }
    if (!spec.operators.includes(op)) {
      fail(
        `Operator '${op}' is not supported for field '${field}' ` +
          `(supported: ${supported(spec.operators)}) at position ${opTok.pos}`,
      );
    }
    return { kind: 'compare', field, spec, op, value: this.literalFor(field, spec, op, this.next()) };
  }

  private literalFor(field: string, spec: FilterFieldSpec, op: ComparisonOp, t: Token): string | null {
    const mismatch = (what: string): never =>
      fail(
        `${article(spec.type)} field cannot be compared with ${what}: ` +
          `field '${field}', value ${clip(t.text)} at position ${t.pos}`,
      );
    switch (t.kind) {
      case 'string':
        if (spec.type === 'date') return dateOrFail(t.value, t.pos);
        if (spec.type === 'enum') {
          const wanted = t.value.toLowerCase();
          const value = spec.values?.find((v) => v.toLowerCase() === wanted);
          if (value === undefined) {
            fail(
              `Enum value '${clip(t.value)}' is not one of ` +
                `${supported(spec.values ?? [])} (field '${field}', position ${t.pos})`,
            );
          }
          return value;
        }
        return t.value;
      case 'number':
        return mismatch('a number');
      case 'datetime':
        return spec.type === 'date' ? t.value : mismatch('a date-time');
      case 'ident': {
        const word = t.text.toLowerCase();
        if (word === 'null') {
          if (op !== 'eq' && op !== 'ne') {
            fail(`null can only be compared with eq or ne, not '${op}' (position ${t.pos})`);
          }
          return null;
        }
        if (word === 'true' || word === 'false') return mismatch('a boolean');
        return fail(
          `Expected a value at position ${t.pos}, found ` +
            `'${clip(t.text)}' (strings are quoted: '${clip(t.text)}')`,
        );
      }
      default:
        return fail(`Expected a value after '${op}' at position ${t.pos}, found ${describe(t)}`);
    }
  }

  private parseCall(): FunctionNode {
    const nameTok = this.next();
    const fn = FILTER_FUNCTIONS.find((f) => f === nameTok.text.toLowerCase());
    if (!fn) {
      fail(
        `Unknown function '${clip(nameTok.text)}' at position ` +
          `${nameTok.pos}. Supported functions: ${FILTER_FUNCTIONS.join(', ')}`,
      );
    }
    this.countTerm(nameTok);
    this.next(); // '(' (checked by the caller)
    let fieldTok: Token;
    let valueTok: Token;
    if (fn === 'substringof') {
      valueTok = this.expectString(fn, 'first');
      this.expect('comma', `',' after the first argument of ${fn}`);
      fieldTok = this.expectFieldToken(fn, 'second');
    } else {
      fieldTok = this.expectFieldToken(fn, 'first');
      this.expect('comma', `',' after the first argument of ${fn}`);
      valueTok = this.expectString(fn, 'second');
    }
    this.expect('rparen', `')' to close ${fn}(`);
    const [field, spec] = this.resolveField(fieldTok);
    if (!spec.functions.includes(fn)) {
      fail(
        `Function '${fn}' is not supported for field '${field}' (supported: ` +
          `${supported(spec.functions)}) at position ${nameTok.pos}`,
      );
    }
    const node: FunctionNode = { kind: 'function', fn, field, spec, value: valueTok.value, negated: false };
    const opTok = this.peek();
    const op = asOp(opTok);
    if (!op) return node;
    this.next();
    if (op !== 'eq' && op !== 'ne') {
      fail(`A function result can only be compared with eq or ne, found '${op}' at position ${opTok.pos}`);
    }
    const boolTok = this.next();
    const truth = isWord(boolTok, 'true') ? true : isWord(boolTok, 'false') ? false : undefined;
    if (truth === undefined) {
      fail(
        `A function result can only be compared with true or false, ` +
          `found ${describe(boolTok)} at position ${boolTok.pos}`,
      );
    }
    node.negated = (op === 'eq') !== truth;
    return node;
  }

  private expect(kind: TokenKind, what: string): Token {
    const t = this.next();
    if (t.kind !== kind) fail(`Expected ${what} at position ${t.pos}, found ${describe(t)}`);
    return t;
  }

  private expectString(fn: FilterFunction, nth: string): Token {
    const t = this.next();
    if (t.kind !== 'string') {
      fail(
        `Expected a quoted string as the ${nth} argument of ` +
          `${fn} at position ${t.pos}, found ${describe(t)}`,
      );
    }
    return t;
  }

  private expectFieldToken(fn: FilterFunction, nth: string): Token {
    const t = this.next();
    if (t.kind !== 'ident') {
      fail(
        `Expected a field name as the ${nth} argument of ` +
          `${fn} at position ${t.pos}, found ${describe(t)}`,
      );
    }
    return t;
  }

  private resolveField(t: Token): readonly [string, FilterFieldSpec] {
    return (
      lookupFor(this.fields).get(t.text.toLowerCase()) ??
      fail(
        `Unknown field '${clip(t.text)}' at position ${t.pos}. ` +
          `Allowed fields: ${Object.keys(this.fields).join(', ')}`,
      )
    );
  }

  private enter(t: Token): void {
    if (++this.depth > FILTER_MAX_DEPTH) {
      fail(
        `The filter is nested too deeply at position ${t.pos} (at ` +
          `most ${FILTER_MAX_DEPTH} levels of parentheses and 'not')`,
      );
    }
  }

  private countTerm(t: Token): void {
    if (++this.terms > FILTER_MAX_TERMS) {
      fail(
        `The filter has too many conditions (at most ${FILTER_MAX_TERMS}); ` +
          `condition ${this.terms} starts at position ${t.pos}`,
      );
    }
  }
}

/**
 * Parses `input` against `fields`, the whitelist of the endpoint. Throws a validation AppError
 * (target `$filter`) for anything it does not accept.
 */
export function parseFilter(input: string, fields: FilterFieldTable): FilterNode {
  if (input.length > FILTER_MAX_LENGTH) {
    fail(`The filter is too long: ${input.length} characters (at most ${FILTER_MAX_LENGTH})`);
  }
  return new Parser(lex(input), fields).parse();
}
