// Transpiles src/ and bench/ to plain JavaScript under dist/ with esbuild, one file per module,
// so that `npm start` runs compiled output and starts in well under a second. Type checking is
// separate (`npm run typecheck`, part of `npm test`), so a build never waits for the type checker.
import { build } from 'esbuild';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

async function listTs(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listTs(path)));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

await rm('dist', { recursive: true, force: true });
await build({
  entryPoints: [...(await listTs('src')), ...(await listTs('bench'))],
  outdir: 'dist',
  outbase: '.',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
});
