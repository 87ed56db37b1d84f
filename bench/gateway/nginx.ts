/**
 * The nginx reference: installed with `apt-get install -y nginx` when /usr/sbin/nginx is missing,
 * run in the foreground (`daemon off;`) as a child process with its own configuration, pid file,
 * logs and temp paths in a temporary directory, one worker, keep-alive to the upstream.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { pinned } from './child.js';

export const NGINX = '/usr/sbin/nginx';

/** Makes sure nginx is there, installing it with apt-get if not; says what it does on stderr. */
export function ensureNginx(): void {
  if (existsSync(NGINX)) return;
  console.error(`nginx: ${NGINX} is missing; running \`apt-get install -y nginx\` (Debian's package, for the reference measurement)`);
  let r = spawnSync('apt-get', ['install', '-y', 'nginx'], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status !== 0) {
    console.error('nginx: apt-get install failed; running `apt-get update` and trying once more');
    spawnSync('apt-get', ['update'], { stdio: ['ignore', 'inherit', 'inherit'] });
    r = spawnSync('apt-get', ['install', '-y', 'nginx'], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  }
  if (r.status !== 0 || !existsSync(NGINX)) throw new Error('nginx could not be installed (apt-get install -y nginx failed); install it and run again');
  console.error(`nginx: installed ${nginxVersion()}`);
  // Debian's post-install script may start the packaged service (port 80); it is not ours and
  // takes no CPU while idle, but say so.
  if (existsSync('/run/nginx.pid')) {
    const pid = readFileSync('/run/nginx.pid', 'utf8').trim();
    console.error(`nginx: note: the package's post-install started the system service (pid ${pid}, config /etc/nginx); the benchmark leaves it alone (stop it with \`nginx -s quit\` if unwanted)`);
  }
}

export function nginxVersion(): string {
  const r = spawnSync(NGINX, ['-v'], { encoding: 'utf8' });
  return (r.stderr || r.stdout).trim().replace(/^nginx version: /, '');
}

export function nginxConfig(dir: string, port: number, upstreamPort: number): string {
  return `# Written by bench/gateway/nginx.ts for one benchmark run.
worker_processes 1;
daemon off;
master_process on;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;

events {
  worker_connections 4096;
}

http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  # Node's servers and the gateway's pool keep a connection for any number of requests; nginx's
  # default closes client connections after 1,000 requests (upstream ones too). Do not penalize it.
  keepalive_requests 1000000;

  upstream bench_upstream {
    server 127.0.0.1:${upstreamPort};
    keepalive 32;
    keepalive_requests 1000000;
  }

  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://bench_upstream;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
}

export interface RunningNginx {
  pid: number;
  dir: string;
  stop(): Promise<void>;
}

/** Starts nginx (master + one worker) in the foreground; resolves once its port accepts connections. */
export async function startNginx(port: number, upstreamPort: number, cpu: number | undefined): Promise<RunningNginx> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-nginx-'));
  const file = join(dir, 'nginx.conf');
  writeFileSync(file, nginxConfig(dir, port, upstreamPort));
  const test = spawnSync(NGINX, ['-t', '-q', '-e', join(dir, 'error.log'), '-p', dir, '-c', file], { encoding: 'utf8' });
  if (test.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`nginx -t failed:\n${test.stderr}`);
  }
  const [command, args] = pinned(cpu, NGINX, ['-e', join(dir, 'error.log'), '-p', dir, '-c', file]);
  const p: ChildProcess = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      if (p.exitCode === null && p.signalCode === null) {
        p.kill('SIGQUIT'); // graceful shutdown of master and worker
        const kill = setTimeout(() => p.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(kill);
      }
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopped;
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (p.exitCode !== null) {
      const log = existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '';
      await stop();
      throw new Error(`nginx exited at startup (code ${p.exitCode}):\n${log}`);
    }
    if (existsSync(join(dir, 'nginx.pid')) && (await accepts(port))) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error('nginx did not start listening within 10 s');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { pid: p.pid!, dir, stop };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
