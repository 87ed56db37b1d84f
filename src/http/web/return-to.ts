/**
 * Where to go back to after signing in (or after a list action): a path of this site, under the
 * face's own path. `//host` and `/\host` are other sites to a browser, and control characters or
 * white space have no business in it. Characters outside ASCII are percent-encoded, so the path
 * can always go into a Location header (Node refuses anything outside Latin-1 there).
 */
const MAX_LENGTH = 2000;

export function localReturnTo(value: string, under = '/'): string | undefined {
  if (value.length === 0 || value.length > MAX_LENGTH) return undefined;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return undefined;
  if (/[\u0000-\u0020\u007f\\]/.test(value)) return undefined;
  // Lone surrogates cannot be encoded: such a value is not a path anyone typed.
  let encoded: string;
  try {
    encoded = value.replace(/[^\u0021-\u007e]+/gu, (run) => encodeURIComponent(run));
  } catch {
    return undefined;
  }
  if (under !== '/') {
    const base = under.replace(/\/+$/, '');
    const rest = encoded.slice(base.length);
    if (!encoded.startsWith(base) || (rest !== '' && !/^[/?#]/.test(rest))) return undefined;
  }
  return encoded.length <= MAX_LENGTH ? encoded : undefined;
}
