/**
 * Ids of entities created from the admin UI (groups, products, APIs, operations): readable, safe in
 * a URL path, and never taken over from an existing entity (a create is not an update).
 */
import { conflict, invalidField, type AppError } from '../domain/errors.js';
import { retryOnceOnUniqueViolation, type Store } from '../store/index.js';
import type { ActorContext } from './audit.js';
import { inWrite, type Write, type WriteDeps } from './writes.js';

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

/** The id of a new entity: the one typed, else one derived from its name, else a generated one. */
export function newIdFor(typed: string, displayName: string, generate: () => string): string {
  return typed || idFromName(displayName) || generate();
}

export function alreadyExists(entity: string, id: string): AppError {
  return conflict(`${entity} with the id '${id}' exists already; choose another id.`, 'id');
}

/**
 * Creates an entity under a new id (the admin UI's create), in one transaction: the id is the one
 * typed, else one derived from the display name, else a generated one (newIdFor); it is checked,
 * and an entity that has it already is refused, never changed. `entity` names it in the refusal
 * ("A product"); a create racing another one on the same id is retried once, and then refused.
 */
export async function createWithNewId<T>(
  deps: WriteDeps,
  actor: ActorContext,
  entity: string,
  name: { typed: string; displayName: string },
  steps: { exists: (tx: Store, id: string) => Promise<unknown>; insert: (w: Write, id: string) => Promise<T> },
): Promise<T> {
  const id = newIdFor(name.typed, name.displayName, () => deps.ids.next());
  checkNewId(id);
  return retryOnceOnUniqueViolation(() =>
    inWrite(deps, actor, async (w) => {
      if (await steps.exists(w.tx, id)) throw alreadyExists(entity, id);
      return steps.insert(w, id);
    }),
  );
}
