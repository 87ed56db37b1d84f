/**
 * The layout's rules, read off the sources: dependencies point inwards (http → services → domain;
 * the store and mail are injected, never imported by the faces), the domain does no I/O of its
 * own kind, and no module needs another's values at load time in a circle.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(__dirname, '..', '..', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

interface Import {
  target: string;
  /** Only types: erased at compile time, no load-time dependency. */
  typeOnly: boolean;
}

const IMPORT = /^import\s+(type\s+)?([^;]*?)\s+from\s+'([^']+)';/gm;

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].filter((m) => m[3]!.startsWith('.')).map((m) => {
    const names = m[2]!;
    const braces = /^\{([\s\S]*)\}$/.exec(names.trim());
    const everyNameTyped = braces !== null && braces[1]!.split(',').every((n) => n.trim() === '' || n.trim().startsWith('type '));
    return { target: normalize(join(dirname(file), m[3]!.replace(/\.js$/, '.ts'))), typeOnly: m[1] !== undefined || everyNameTyped };
  });
}

const files = sources(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f)]));
const area = (file: string) => relative(SRC, file).split('/').slice(0, relative(SRC, file).startsWith('http/') ? 2 : 1).join('/');

describe('the layout of src', () => {
  it('has no circle of value imports anywhere (a module never needs, at load time, one that needs it)', () => {
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (file: string, path: string[]): void => {
      state.set(file, 'open');
      for (const { target, typeOnly } of graph.get(file) ?? []) {
        if (typeOnly || !graph.has(target)) continue;
        if (state.get(target) === 'open') cycles.push([...path, file, target].slice(path.indexOf(target) >= 0 ? path.indexOf(target) : 0).map((f) => relative(SRC, f)).join(' → '));
        else if (!state.has(target)) visit(target, [...path, file]);
      }
      state.set(file, 'done');
    };
    for (const file of files) if (!state.has(file)) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('keeps the domain free of every other layer', () => {
    const outward = files
      .filter((f) => area(f) === 'domain')
      .flatMap((f) => (graph.get(f) ?? []).filter((i) => area(i.target) !== 'domain').map((i) => `${relative(SRC, f)} → ${relative(SRC, i.target)}`));
    expect(outward).toEqual([]);
  });

  it('lets the faces reach the store and mail only through services, and never each other (http/server.ts assembles them)', () => {
    const faces = ['http/management', 'http/portal', 'http/admin'];
    const wrong = files
      .filter((f) => faces.includes(area(f)) || area(f) === 'http/web')
      .flatMap((f) =>
        (graph.get(f) ?? [])
          .filter((i) => !i.typeOnly && (area(i.target) === 'store' || area(i.target) === 'mail' || (faces.includes(area(i.target)) && area(i.target) !== area(f))))
          .map((i) => `${relative(SRC, f)} → ${relative(SRC, i.target)}`),
      );
    expect(wrong).toEqual([]);
  });

  it('keeps services from reaching up into the faces or the gateway', () => {
    const upward = files
      .filter((f) => area(f) === 'services')
      .flatMap((f) => (graph.get(f) ?? []).filter((i) => ['http/management', 'http/portal', 'http/admin', 'http/web', 'gateway'].includes(area(i.target))).map((i) => `${relative(SRC, f)} → ${relative(SRC, i.target)}`));
    expect(upward).toEqual([]);
  });
});
