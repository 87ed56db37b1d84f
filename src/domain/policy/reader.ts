/**
 * Reading one policy element: its attributes, text and children, each read at most once, with
 * every problem recorded where the element stands. Whatever an element's rule did not read is
 * refused when it is finished, so that nothing written is ever silently ignored.
 *
 * Readers answer a placeholder after recording a problem: a document with any problem is refused
 * as a whole, so the placeholder never reaches the gateway.
 */
import { isExpression, parseCondition, parseStringExpr } from './expressions.js';
import type { Condition, Expr, PolicyProblem, SourcePosition } from './types.js';
import type { XmlElement } from './xml-tree.js';

/** Enough to fix a document in a few rounds; past it, more of the same helps nobody. */
export const MAX_PROBLEMS = 100;

export class Problems {
  readonly list: PolicyProblem[] = [];

  add(element: string, at: SourcePosition, message: string): void {
    if (this.list.length < MAX_PROBLEMS) this.list.push({ element, line: at.line, column: at.column, message });
  }

  get count(): number {
    return this.list.length;
  }
}

interface IntOptions {
  min?: number;
  max?: number;
}

export type ChildHandlers = Readonly<Record<string, (child: ElementReader) => void>>;

export interface ChildRules {
  /** Children that may appear at most once. */
  once?: readonly string[];
  /** Children that must appear. */
  required?: readonly string[];
}

export class ElementReader {
  private readonly read = new Set<string>();
  private childrenRead = false;
  private textRead = false;
  private finished = false;

  constructor(
    readonly element: XmlElement,
    private readonly problems: Problems,
  ) {}

  get name(): string {
    return this.element.name;
  }

  get at(): SourcePosition {
    return this.element.at;
  }

  problem(message: string): void {
    this.problems.add(this.element.name, this.element.at, message);
  }

  has(attribute: string): boolean {
    return this.element.attributes.some((a) => a.name === attribute);
  }

  private raw(attribute: string): string | undefined {
    this.read.add(attribute);
    return this.element.attributes.find((a) => a.name === attribute)?.value;
  }

  private literal(attribute: string, required: boolean): string | undefined {
    const value = this.raw(attribute);
    if (value === undefined) {
      if (required) this.problem(`The attribute '${attribute}' is required.`);
      return undefined;
    }
    if (isExpression(value)) {
      this.problem(`Policy expressions are not supported in the attribute '${attribute}'; write its value literally.`);
      return undefined;
    }
    return value;
  }

  /** A literal string attribute, as written. */
  string(attribute: string, options: { required: true }): string;
  string(attribute: string, options?: { required?: boolean }): string | undefined;
  string(attribute: string, options: { required?: boolean } = {}): string | undefined {
    const value = this.literal(attribute, options.required ?? false);
    return options.required ? (value ?? '') : value;
  }

  /** A literal whole number attribute; `fallback` when absent (required when there is none). */
  int(attribute: string, options: IntOptions & { fallback?: number }): number;
  int(attribute: string, options: IntOptions & { optional: true }): number | undefined;
  int(attribute: string, options: IntOptions & { fallback?: number; optional?: boolean }): number | undefined {
    const required = options.fallback === undefined && options.optional !== true;
    const value = this.literal(attribute, required);
    if (value === undefined) return this.has(attribute) || required ? 0 : options.fallback;
    const n = /^\s*\+?\d{1,15}\s*$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n)) {
      this.problem(`The attribute '${attribute}' must be a whole number, not '${clip(value)}'.`);
      return 0;
    }
    if (options.min !== undefined && n < options.min) this.problem(`The attribute '${attribute}' must be at least ${options.min}; it is ${n}.`);
    else if (options.max !== undefined && n > options.max) this.problem(`The attribute '${attribute}' must be at most ${options.max}; it is ${n}.`);
    return n;
  }

  bool(attribute: string, fallback: boolean): boolean {
    const value = this.literal(attribute, false);
    if (value === undefined) return fallback;
    const v = value.trim().toLowerCase();
    if (v !== 'true' && v !== 'false') {
      this.problem(`The attribute '${attribute}' must be true or false, not '${clip(value)}'.`);
      return fallback;
    }
    return v === 'true';
  }

  choice<T extends string>(attribute: string, values: readonly T[], fallback?: T): T {
    const value = this.literal(attribute, fallback === undefined);
    if (value === undefined) return fallback ?? (values[0] as T);
    const found = values.find((v) => v === value.trim());
    if (found === undefined) this.problem(`The attribute '${attribute}' must be one of ${values.join(', ')}, not '${clip(value)}'.`);
    return found ?? (values[0] as T);
  }

  /** A string attribute that may be a supported `@(…)` expression. */
  expr(attribute: string, options: { required: true }): Expr;
  expr(attribute: string, options?: { required?: boolean }): Expr | undefined;
  expr(attribute: string, options: { required?: boolean } = {}): Expr | undefined {
    const value = this.raw(attribute);
    if (value === undefined) {
      if (options.required) this.problem(`The attribute '${attribute}' is required.`);
      return options.required ? EMPTY : undefined;
    }
    return this.parsed(parseStringExpr(value), `the attribute '${attribute}'`) ?? EMPTY;
  }

  condition(attribute: string): Condition | undefined {
    const value = this.raw(attribute);
    if (value === undefined) return undefined;
    return this.parsed(parseCondition(value), `the attribute '${attribute}'`);
  }

  private parsed<T>(result: { ok: true; value: T } | { ok: false; message: string }, where: string): T | undefined {
    if (result.ok) return result.value;
    this.problem(`In ${where}: ${result.message}`);
    return undefined;
  }

  /** The element's text, as written. */
  text(): string {
    this.textRead = true;
    return this.element.text;
  }

  /** The element's text as a string expression; `trim` for values where surrounding space means nothing. */
  textExpr(options: { trim?: boolean } = {}): Expr {
    const text = options.trim ? this.text().trim() : this.text();
    return this.parsed(parseStringExpr(text), `the text of <${this.name}>`) ?? EMPTY;
  }

  /** Every child element, each finished once `visit` is done with it. */
  eachChild(visit: (child: ElementReader) => void): void {
    this.childrenRead = true;
    for (const child of this.element.children) {
      const reader = new ElementReader(child, this.problems);
      visit(reader);
      reader.finish();
    }
  }

  children(handlers: ChildHandlers, rules: ChildRules = {}): void {
    const seen = new Map<string, number>();
    const allowed = Object.keys(handlers);
    this.eachChild((child) => {
      const handle = Object.hasOwn(handlers, child.name) ? handlers[child.name] : undefined;
      if (handle === undefined) {
        child.problem(`The element <${child.name}> is not allowed in <${this.name}>${allowed.length ? `; allowed: ${allowed.join(', ')}` : ''}.`);
        child.skip();
        return;
      }
      const count = (seen.get(child.name) ?? 0) + 1;
      seen.set(child.name, count);
      if (count === 2 && rules.once?.includes(child.name)) child.problem(`<${this.name}> may have only one <${child.name}>.`);
      handle(child);
    });
    for (const name of rules.required ?? []) if (!seen.has(name)) this.problem(`<${this.name}> needs a <${name}> element.`);
  }

  /** For an element refused as a whole: what is inside it needs no problems of its own. */
  skip(): void {
    this.finished = true;
  }

  /**
   * Refuses what was not read: attributes (naming those Azure has but Tollgate does not enforce
   * apart from the ones it does not know at all), child elements and text.
   */
  finish(azureOnly: readonly string[] = []): void {
    if (this.finished) return;
    this.finished = true;
    for (const { name } of this.element.attributes) {
      if (this.read.has(name)) continue;
      this.problem(
        azureOnly.includes(name)
          ? `The attribute '${name}' of <${this.name}> is not supported by Tollgate.`
          : `The attribute '${name}' is not allowed on <${this.name}>.`,
      );
    }
    if (!this.childrenRead) this.children({});
    if (!this.textRead && this.element.text.trim() !== '') this.problem(`Text is not allowed in <${this.name}>.`);
  }
}

const EMPTY: Expr = { parts: [{ kind: 'text', value: '' }] };

export function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
