import { preconditionFailed, validationError } from './errors.js';

/** Entity tags travel quoted on the wire ("abc="), but clients also send them bare; compare either way. */
export function quoteEtag(etag: string): string {
  return `"${etag}"`;
}

function unquote(tag: string): string {
  // A weak tag is W/"..."; only strip W/ before a quote, since a bare base64 tag may itself start with W/.
  const t = tag.trim().replace(/^W\/(?=")/, '');
  return t.startsWith('"') && t.endsWith('"') && t.length >= 2 ? t.slice(1, -1) : t;
}

/**
 * Checks an If-Match header against the entity's current tag. `*` matches any existing entity; a list
 * of tags matches if one does. A missing entity never matches (HTTP semantics).
 */
export function checkIfMatch(ifMatch: string | undefined, current: string | undefined): void {
  if (ifMatch === undefined) return;
  if (current === undefined) throw preconditionFailed();
  const tags = ifMatch.split(',').map((t) => t.trim()).filter(Boolean);
  if (tags.includes('*')) return;
  if (!tags.some((t) => unquote(t) === current)) throw preconditionFailed();
}

/** PATCH and DELETE require If-Match (the ETag from a GET, or `*` for an unconditional change). */
export function requireIfMatch(ifMatch: string | undefined): string {
  if (ifMatch === undefined || ifMatch.trim() === '') {
    throw validationError('The If-Match header is required: send the ETag from a GET, or * to change unconditionally.', [
      { code: 'ValidationError', target: 'If-Match', message: 'The If-Match header is required.' },
    ]);
  }
  return ifMatch;
}
