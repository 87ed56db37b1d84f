/**
 * The benchmark's outside programs (nginx, its Lua module, wrk) are Debian packages: a missing one
 * is installed with apt-get, saying so on stderr, rather than failing a run half-way.
 */
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

function aptGet(args: string[]): number | null {
  return spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status;
}

/** Installs `pkg` unless `file` (something it ships) is there; throws if it still is not. */
export function ensurePackage(file: string, pkg: string, why: string): void {
  if (existsSync(file)) return;
  console.error(`${pkg}: ${file} is missing; running \`apt-get install -y ${pkg}\` (${why})`);
  if (aptGet(['install', '-y', pkg]) !== 0) {
    console.error(`${pkg}: apt-get install failed; running \`apt-get update\` and trying once more`);
    aptGet(['update']);
    aptGet(['install', '-y', pkg]);
  }
  if (!existsSync(file)) throw new Error(`${pkg} could not be installed (apt-get install -y ${pkg} failed); install it and run again`);
  // Debian's post-install script may start the packaged nginx service (port 80); it is not ours and
  // takes no CPU while idle, but say so.
  if (pkg.includes('nginx') && existsSync('/run/nginx.pid')) {
    const pid = readFileSync('/run/nginx.pid', 'utf8').trim();
    console.error(`${pkg}: note: the package's post-install started the system nginx (pid ${pid}, config /etc/nginx); the benchmark leaves it alone (stop it with \`nginx -s quit\` if unwanted)`);
  }
}
