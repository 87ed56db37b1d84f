/**
 * The `tollgate` command for suites that run it as its own process while other suites run: bundled
 * from the sources into the (git-ignored) .tmp/, not dist/, which other suites rebuild meanwhile.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

export interface CliBundle {
  /** The script to run with `node`. */
  path: string;
  remove(): void;
}

export async function bundleCli(name: string): Promise<CliBundle> {
  const dir = join('.tmp', `${name}-${randomBytes(4).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'main.mjs');
  await build({
    entryPoints: ['src/cli/main.ts'],
    outfile: path,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
  });
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
