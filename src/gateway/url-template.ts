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
  /** The template parameters' values in `rest` (as received, not decoded); undefined when it does not match. */
  params(rest: string): Map<string, string> | undefined;
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
  const names: string[] = [];
  const body = segments
    .map((segment) => {
      const parts = segment.split(/(\{[^}]*\})/);
      return (
        '/' +
        parts
          .map((p) => {
            if (/^\{[^}]*\}$/.test(p)) {
              names.push(p.slice(1, -1));
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
  const kind = wildcard ? 2 : names.length > 0 ? 1 : 0;
  // Only rewrite-uri asks for the values: the capturing form is built the first time it does.
  let capturing: RegExp | undefined;
  return {
    template,
    rank: kind * 100_000 - body.length,
    matches: (rest) => regex.test(rest),
    params(rest) {
      capturing ??= new RegExp(source.replaceAll('[^/]+', '([^/]+)'), 'i');
      const m = capturing.exec(rest);
      if (!m) return undefined;
      return new Map(names.map((n, i) => [n, m[i + 1]!]));
    },
  };
}
