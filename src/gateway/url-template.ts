/**
 * Operation URL templates (`/items/{id}`, `/files/*`, `/`) compiled once into a matcher for the
 * part of the path after the API's own path. Literals compare case-insensitively, `{param}` takes
 * one non-empty segment (or part of one: `/items/{id}.json`), a trailing `/*` takes any rest
 * (including none). A query part of the template (`?a={a}`) is ignored. A trailing slash on the
 * request is tolerated.
 */
export interface CompiledTemplate {
  readonly template: string;
  /** Sort key: literal templates before templated ones before wildcards, longer before shorter. */
  readonly rank: number;
  matches(rest: string): boolean;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function compileTemplate(template: string): CompiledTemplate {
  let path = template.split('?')[0] ?? '';
  if (!path.startsWith('/')) path = `/${path}`;
  const segments = path.split('/').slice(1);
  let wildcard = false;
  if (segments[segments.length - 1] === '*') {
    wildcard = true;
    segments.pop();
  }
  if (segments[segments.length - 1] === '') segments.pop();
  let params = 0;
  const body = segments
    .map((segment) => {
      const parts = segment.split(/(\{[^}]*\})/);
      return (
        '/' +
        parts
          .map((p) => {
            if (/^\{[^}]*\}$/.test(p)) {
              params++;
              return '[^/]+';
            }
            return escape(p);
          })
          .join('')
      );
    })
    .join('');
  const source = wildcard ? `^${body}(?:/.*)?$` : `^${body}/?$`;
  const regex = new RegExp(source, 'i');
  const kind = wildcard ? 2 : params > 0 ? 1 : 0;
  return {
    template,
    rank: kind * 100_000 - body.length,
    matches: (rest) => regex.test(rest),
  };
}
