/**
 * Ids of entities created from the admin UI (groups, products, APIs, operations): readable, safe in
 * a URL path, and never taken over from an existing entity (a create is not an update).
 */
import { conflict, invalidField, type AppError } from '../domain/errors.js';

export const NEW_ID_MAX = 80;
const NEW_ID = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;

/** Refuses an id that is not 1 to 80 letters, digits, dots, hyphens or underscores. */
export function checkNewId(id: string): void {
  if (id.length > NEW_ID_MAX || !NEW_ID.test(id)) {
    throw invalidField('id', `must be 1 to ${NEW_ID_MAX} letters, digits, dots, hyphens or underscores, starting and ending with a letter or digit.`);
  }
}

/** An id derived from a display name ("Orders API v2" → "orders-api-v2"); '' when nothing is left. */
export function idFromName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, NEW_ID_MAX)
    .replace(/^-+|-+$/g, '');
}

export function alreadyExists(entity: string, id: string): AppError {
  return conflict(`${entity} with the id '${id}' exists already; choose another id.`, 'id');
}
