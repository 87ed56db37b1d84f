/**
 * Email template validation and rendering: the API the rest of Tollgate uses. Pure code.
 *
 * A template is a subject and an XHTML body written in the Velocity subset of velocity.ts.
 * Bodies are checked as XML before substitution; every value inserted into a body is HTML-escaped,
 * so a rendered body of a valid template stays well-formed whatever the values are. Subjects are
 * not escaped, but line breaks and other control characters are turned into spaces so that a value
 * can never start a new mail header.
 */
import { escapeHtml } from '../../domain/escape-html.js';
import { validationError, type AppError, type ErrorDetail } from '../../domain/errors.js';
import type { TemplateDefinition } from '../templates/catalogue.js';
import { htmlToText } from './text.js';
import { collectVariableUses, parseTemplate, render, TemplateSyntaxError, type TemplateAst } from './velocity.js';
import { checkWellFormed, XhtmlError } from './xhtml.js';

export { escapeHtml };
export { htmlToText } from './text.js';
export { checkWellFormed, XhtmlError } from './xhtml.js';
export { collectVariables, parseTemplate, render, TemplateSyntaxError, type TemplateAst } from './velocity.js';

export interface TemplateContent {
  subject: string;
  body: string;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

export const MAX_SUBJECT_LENGTH = 1000;

/** Unknown variables reported per part, at most (the first ones in source order). */
const MAX_UNKNOWN_REPORTED = 10;


const identity = (value: string): string => value;

/** Control characters, including CR and LF and the Unicode line separators, become spaces. */
function oneLine(subject: string): string {
  return subject.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]+/g, ' ').replace(/ {2,}/g, ' ').trim();
}

// -- parse cache ----------------------------------------------------------------------------------

const CACHE_LIMIT = 200;
const cache = new Map<string, TemplateAst>();

/** Parses through a small LRU cache keyed by the source text (the same templates render often). */
function parseCached(source: string): TemplateAst {
  const hit = cache.get(source);
  if (hit) {
    cache.delete(source);
    cache.set(source, hit);
    return hit;
  }
  const ast = parseTemplate(source);
  if (cache.size >= CACHE_LIMIT) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(source, ast);
  return ast;
}

/** For tests: how many parsed templates the cache holds. */
export function parsedTemplateCacheSize(): number {
  return cache.size;
}

// -- validation -----------------------------------------------------------------------------------

function detail(target: 'subject' | 'body', message: string): ErrorDetail {
  return { code: 'ValidationError', target, message };
}

function unknownVariables(
  target: 'subject' | 'body',
  ast: TemplateAst,
  definition: TemplateDefinition,
  out: ErrorDetail[],
): void {
  const declared = new Set(definition.parameters.map((p) => p.name));
  const byLowerCase = new Map(definition.parameters.map((p) => [p.name.toLowerCase(), p.name]));
  let reported = 0;
  for (const use of collectVariableUses(ast)) {
    if (declared.has(use.name)) continue;
    if (reported++ === MAX_UNKNOWN_REPORTED) {
      out.push(detail(target, `More unknown variables follow in the ${target}.`));
      return;
    }
    const suggestion = byLowerCase.get(use.name.toLowerCase());
    const hint = suggestion
      ? `Did you mean $${suggestion}? Names are case-sensitive.`
      : `${definition.displayName} accepts ${definition.parameters.map((p) => `$${p.name}`).join(', ')}.`;
    const inside = use.source === `$${use.name}` ? '' : ` (in ${use.source})`;
    out.push(detail(target, `Line ${use.line}, column ${use.column}: unknown variable $${use.name}${inside}. ${hint}`));
  }
}

function parsePart(target: 'subject' | 'body', source: string, out: ErrorDetail[]): TemplateAst | undefined {
  try {
    return parseCached(source);
  } catch (err) {
    if (err instanceof TemplateSyntaxError) {
      out.push(detail(target, err.message));
      return undefined;
    }
    throw err;
  }
}

/**
 * Checks a template's subject and body against its definition. Throws AppError (kind
 * 'validation', code 'ValidationError') whose details say, per problem, the target ('subject' or
 * 'body') and a message with line and column: a syntax error, a body that is not well-formed
 * XHTML, an unknown variable (not a declared parameter, nor a loop variable in scope), a subject
 * that is empty or longer than 1000 characters, an empty body.
 */
export function validateTemplate(definition: TemplateDefinition, content: TemplateContent): void {
  const problems: ErrorDetail[] = [];
  const { subject, body } = content;

  if (typeof subject !== 'string' || subject.length === 0) {
    problems.push(detail('subject', 'The subject must not be empty.'));
  } else if (subject.length > MAX_SUBJECT_LENGTH) {
    problems.push(detail('subject', `The subject must be at most ${MAX_SUBJECT_LENGTH} characters long.`));
  } else {
    const ast = parsePart('subject', subject, problems);
    if (ast) unknownVariables('subject', ast, definition, problems);
  }

  if (typeof body !== 'string' || body.length === 0) {
    problems.push(detail('body', 'The body must not be empty.'));
  } else {
    const ast = parsePart('body', body, problems);
    try {
      checkWellFormed(body);
    } catch (err) {
      if (!(err instanceof XhtmlError)) throw err;
      problems.push(detail('body', `${err.message} (the body must be a well-formed XHTML document)`));
    }
    if (ast) unknownVariables('body', ast, definition, problems);
  }

  if (problems.length > 0) throw invalidTemplate(problems);
}

function invalidTemplate(problems: readonly ErrorDetail[]): AppError {
  const first = problems[0];
  const where = `in the ${first?.target ?? 'template'}: ${first?.message ?? ''}`;
  const message =
    problems.length === 1
      ? `The email template is not valid, ${where}`
      : `The email template is not valid (${problems.length} problems). The first is ${where}`;
  return validationError(message, problems);
}

// -- rendering ------------------------------------------------------------------------------------

function parseOrThrow(target: 'subject' | 'body', source: string): TemplateAst {
  const problems: ErrorDetail[] = [];
  const ast = parsePart(target, source, problems);
  if (!ast) throw invalidTemplate(problems);
  return ast;
}

/**
 * Renders a template with values: the subject (not escaped, on one line: CR, LF and other control
 * characters become spaces), the HTML body (every inserted value HTML-escaped) and its plain-text
 * alternative. Missing values render as ''. A template that does not parse throws the same
 * AppError as validateTemplate; rendering itself never fails.
 */
export function renderEmail(content: TemplateContent, values: Record<string, unknown>): RenderedEmail {
  const subjectAst = parseOrThrow('subject', content.subject);
  const bodyAst = parseOrThrow('body', content.body);
  const subject = oneLine(render(subjectAst, values, { escape: identity }));
  const html = render(bodyAst, values, { escape: escapeHtml });
  return { subject, html, text: htmlToText(html) };
}
