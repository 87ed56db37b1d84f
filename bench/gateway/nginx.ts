/**
 * The nginx references: installed with apt-get when missing, run in the foreground
 * (`daemon off;`) as a child process with its own configuration, pid file, logs and temp paths in a
 * temporary directory, one worker, keep-alive to the upstream. Plain `proxy_pass`, or with Debian's
 * Lua module checking the subscription key first, as Kong does (see `KeyCheck`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { ensurePackage } from './apt.js';
import { pinned } from './child.js';

export const NGINX = '/usr/sbin/nginx';

/** Where Debian's libnginx-mod-http-lua (and its dependency, the NDK) put their dynamic modules. */
const MODULES = '/usr/lib/nginx/modules';
export const LUA_MODULES = [join(MODULES, 'ndk_http_module.so'), join(MODULES, 'ngx_http_lua_module.so')];

/** Makes sure nginx is there (and its Lua module, if asked), installing them with apt-get if not. */
export function ensureNginx(lua: boolean): void {
  ensurePackage(NGINX, 'nginx', "Debian's package, for the reference measurement");
  if (lua) ensurePackage(LUA_MODULES[1]!, 'libnginx-mod-http-lua', 'the nginx + Lua reference: a key check before proxy_pass, as Kong does');
}

export function nginxVersion(): string {
  const r = spawnSync(NGINX, ['-v'], { encoding: 'utf8' });
  return (r.stderr || r.stdout).trim().replace(/^nginx version: /, '');
}

/**
 * The key check of the nginx + Lua reference: in the access phase, the key header is looked up in a
 * Lua table holding `keys` (a module-level table filled once by init_by_lua, the fastest place Lua
 * can keep them: no shared-dict locking or copying per request); no key or an unknown one is
 * answered 401 in Tollgate's JSON shape. The key is not forwarded, and X-Forwarded-* and Forwarded
 * are set, as Tollgate does: the same work, done the way people build it on nginx.
 */
export interface KeyCheck {
  header: string;
  keys: readonly string[];
}

function luaAccess(dir: string, check: KeyCheck): { main: string; http: string; location: string } {
  const file = join(dir, 'keys.txt');
  writeFileSync(file, check.keys.join('\n') + '\n');
  const variable = `http_${check.header.toLowerCase().replace(/-/g, '_')}`;
  return {
    main: LUA_MODULES.map((m) => `load_module ${m};`).join('\n') + '\n',
    http: `
  init_by_lua_block {
    keys = {}
    for line in io.lines("${file}") do keys[line] = true end
  }
`,
    location: `
      access_by_lua_block {
        local key = ngx.var.${variable}
        if key == nil or keys[key] == nil then
          ngx.status = 401
          ngx.header["Content-Type"] = "application/json; charset=utf-8"
          ngx.print('{"statusCode":401,"message":"Access denied due to invalid subscription key."}')
          return ngx.exit(401)
        end
      }
      proxy_set_header ${check.header} "";
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header Forwarded "for=$remote_addr;proto=$scheme;host=\\"$http_host\\"";`,
  };
}

export function nginxConfig(dir: string, port: number, upstreamPort: number, check?: KeyCheck): string {
  const lua = check ? luaAccess(dir, check) : { main: '', http: '', location: '' };
  return `# Written by bench/gateway/nginx.ts for one benchmark run.
${lua.main}worker_processes 1;
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
${lua.http}
  upstream bench_upstream {
    server 127.0.0.1:${upstreamPort};
    # Idle upstream connections kept: more than any client count the benchmark uses, so that no
    # request waits for a new connection (the gateway's undici pool keeps all of its own too).
    keepalive 1024;
    keepalive_requests 1000000;
  }

  server {
    listen 127.0.0.1:${port};
    location / {${lua.location}
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
export async function startNginx(port: number, upstreamPort: number, cpu: number | undefined, check?: KeyCheck): Promise<RunningNginx> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-nginx-'));
  const file = join(dir, 'nginx.conf');
  writeFileSync(file, nginxConfig(dir, port, upstreamPort, check));
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
