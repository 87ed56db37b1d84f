/**
 * The only request body the portal and the admin UI take: an HTML form, `application/x-www-form-urlencoded`, at
 * most FORM_BODY_LIMIT bytes. Fields are strings; a form that repeats a field is refused, so no
 * handler ever has to choose between two values (a list of checkboxes names each one: `pick.<id>`).
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../domain/errors.js';

export const FORM_BODY_LIMIT = 16 * 1024;

/** A parsed form: field name → value (a prototype-less object, so `__proto__` is just a name). */
export type FormFields = Readonly<Record<string, string>>;

export class BadFormError extends AppError {
  constructor() {
    super('validation', 'BadForm', 'The form could not be read. Reload the page and try again.');
  }
}

export function parseForm(body: string): FormFields {
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of new URLSearchParams(body)) {
    if (Object.prototype.hasOwnProperty.call(fields, name)) throw new BadFormError();
    fields[name] = value;
  }
  return fields;
}

/**
 * Registers the form parser in the (portal or admin) scope, replacing the inherited ones: JSON is
 * not a body of theirs. The admin UI allows larger forms (email templates).
 */
export function registerFormParser(app: FastifyInstance, bodyLimit = FORM_BODY_LIMIT): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit },
    (_request, body, done) => {
      try {
        done(null, parseForm(body as string));
      } catch (error) {
        done(error as Error, undefined);
      }
    },
  );
}

/** The form of a request: an empty one when there was no body. */
export function formOf(body: unknown): FormFields {
  if (body && typeof body === 'object') return body as FormFields;
  return Object.create(null) as FormFields;
}

/** A field as a string ('' when absent). */
export function field(form: FormFields, name: string): string {
  return Object.prototype.hasOwnProperty.call(form, name) ? (form[name] ?? '') : '';
}
