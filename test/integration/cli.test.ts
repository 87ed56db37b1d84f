/**
 * The `tollgate` command as a user runs it: compiled output, real processes, a real SQLite file.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/net.js';

const run = promisify(execFile);
const CLI = 'dist/src/cli/main.js';
const dir = mkdtempSync(join(tmpdir(), 'tollgate-cli-'));
const env = { ...process.env, DATABASE_URL: `sqlite:${join(dir, 'cli.db')}`, LOG_LEVEL: 'warn', TOLLGATE_ADMIN_KEY: '' };

function cli(...args: string[]) {
  return run(process.execPath, [CLI, ...args], { env, timeout: 20_000 });
}

beforeAll(async () => {
  await run(process.execPath, ['scripts/build.mjs'], { timeout: 60_000 });
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tollgate CLI', () => {
  it.each([[], ['start'], ['gateway'], ['migrate'], ['keys'], ['keys', 'create'], ['keys', 'list'], ['keys', 'revoke'], ['keys', 'generate'], ['signin'], ['signin', 'locks'], ['signin', 'unlock']])(
    'has --help for %j',
    async (...args) => {
      const { stdout } = await cli(...(args as string[]), '--help');
      expect(stdout).toMatch(/^Usage: tollgate/m);
    },
  );

  it('refuses bad configuration with a clear message and exit code 1', async () => {
    const error = await run(process.execPath, [CLI, 'migrate'], { env: { ...env, DATABASE_URL: 'mysql://nope' } }).catch((e) => e);
    expect(error.code).toBe(1);
    expect(error.stderr).toContain('DATABASE_URL');
    expect(error.stderr).not.toMatch(/\n\s+at /);
  });

  it('generates a random bootstrap key without touching the database', async () => {
    const a = (await cli('keys', 'generate')).stdout.trim();
    const b = (await cli('keys', 'generate')).stdout.trim();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
  });

  it('lists and lifts sign-in locks', async () => {
    expect((await cli('signin', 'locks')).stdout).toContain('No account or address is locked.');
    expect((await cli('signin', 'unlock', '--email', 'Someone@Example.com')).stdout).toContain('account:someone@example.com');
    const both = await cli('signin', 'unlock', '--email', 'a@example.com', '--ip', '192.0.2.1').catch((e) => e);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('exactly one of --email');
  });

  describe('a running server and keys made by the CLI', () => {
    let server: ChildProcess;
    let output = '';
    let port = 0;

    beforeAll(async () => {
      port = await freePort();
      const gatewayPort = await freePort();
      server = spawn(process.execPath, [CLI, 'start'], { env: { ...env, PORT: String(port), GATEWAY_PORT: String(gatewayPort) } });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`server did not start: ${output}`)), 15_000);
        server.stdout!.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('Stop with Ctrl+C')) {
            clearTimeout(timer);
            resolve();
          }
        });
        server.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      });
    }, 20_000);

    afterAll(() => {
      server?.kill('SIGTERM');
    });

    const usersUrl = () =>
      `http://127.0.0.1:${port}/subscriptions/s/resourceGroups/r/providers/Microsoft.ApiManagement/service/tollgate/users?api-version=2024-05-01`;

    // How long it takes to start is measured by `npm run bench:startup` (bench/startup), not here.
    it('prints the URLs and the next step', () => {
      expect(output).toContain(`http://127.0.0.1:${port}/subscriptions/{any}/resourceGroups/{any}/providers/Microsoft.ApiManagement/service/tollgate`);
      expect(output).toContain(`Admin UI         http://127.0.0.1:${port}/admin`);
      expect(output).toContain('keys create --name');
    });

    it('prints a one-time link to create the first administrator, which opens the setup page', async () => {
      const link = /^\s+(http:\/\/localhost:\d+\/admin\/setup\?token=[A-Za-z0-9_-]+)$/m.exec(output)?.[1];
      expect(link, output).toBeDefined();
      const res = await fetch(link!.replace('localhost', '127.0.0.1'));
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('Create the first administrator');
    });

    it('runs a gateway node on the same database, which refuses an unmigrated one', async () => {
      const gatewayPort = await freePort();
      const node = spawn(process.execPath, [CLI, 'gateway'], { env: { ...env, GATEWAY_PORT: String(gatewayPort) } });
      let nodeOutput = '';
      try {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`gateway node did not start: ${nodeOutput}`)), 15_000);
          node.stdout!.on('data', (chunk: Buffer) => {
            nodeOutput += chunk.toString();
            if (nodeOutput.includes('Stop with Ctrl+C')) {
              clearTimeout(timer);
              resolve();
            }
          });
          node.stderr!.on('data', (chunk: Buffer) => (nodeOutput += chunk.toString()));
        });
        expect(nodeOutput).toContain(`Gateway          http://127.0.0.1:${gatewayPort}/{api path}/...`);
        const res = await fetch(`http://127.0.0.1:${gatewayPort}/no-such-api/x`);
        expect(res.status).toBe(404);
      } finally {
        node.kill('SIGTERM');
      }
      const empty = await run(process.execPath, [CLI, 'gateway'], { env: { ...env, DATABASE_URL: `sqlite:${join(dir, 'never-migrated.db')}` } }).catch((e) => e);
      expect(empty.code).toBe(1);
      expect(empty.stderr).toContain('run `tollgate migrate`');
    });

    it('creates a key that works at once, lists it without its secret, and revokes it at once', async () => {
      expect((await fetch(usersUrl())).status).toBe(401);
      const created = (await cli('keys', 'create', '--name', 'ci')).stdout;
      const key = /^\s+(tg_[0-9a-f]{24}\.[A-Za-z0-9_-]{43})$/m.exec(created)?.[1];
      expect(key).toBeDefined();
      const ok = await fetch(usersUrl(), { headers: { authorization: `Bearer ${key}` } });
      expect(ok.status).toBe(200);
      const body = (await ok.json()) as { value: { name: string }[] };
      expect(body.value[0]?.name).toBe('1');

      const id = key!.slice(3, 27);
      const listed = (await cli('keys', 'list')).stdout;
      expect(listed).toContain(id);
      expect(listed).toContain('active');
      expect(listed).not.toContain(key!.slice(28));

      // A wrong secret for a real key id is refused.
      const forged = `${key!.slice(0, 28)}${'A'.repeat(43)}`;
      expect((await fetch(usersUrl(), { headers: { authorization: `Bearer ${forged}` } })).status).toBe(401);

      await cli('keys', 'revoke', id);
      expect((await fetch(usersUrl(), { headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
      expect((await cli('keys', 'list')).stdout).toContain('revoked');
      const again = await cli('keys', 'revoke', id).catch((e) => e);
      expect(again.code).toBe(1);
    });
  });
});
