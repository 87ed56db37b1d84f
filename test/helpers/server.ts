/**
 * Starts a real Tollgate (the same createApp as `tollgate start`) on a free port, over a fresh
 * SQLite file or a fresh PostgreSQL schema, and talks to it over real HTTP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { freePort } from './net.js';

import { createApp, type App, type AppOptions } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { dropSchema, type OpenOptions } from '../../src/store/database.js';

export type BackendName = 'sqlite' | 'postgres';

/** SQLite always; PostgreSQL too when TEST_DATABASE_URL is set (as .ci/run does). */
export const BACKENDS: readonly BackendName[] = process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];

export const SUBSCRIPTION_ID = '00000000-0000-0000-0000-000000000000';
export const RESOURCE_GROUP = 'rg1';
export const SERVICE_NAME = 'apimService1';

export interface TestServer {
  app: App;
  backend: BackendName;
  /** http://127.0.0.1:<port> */
  url: string;
  /** url + /subscriptions/.../service/<name> */
  base: string;
  /** http://127.0.0.1:<gateway port> */
  gatewayUrl: string;
  /** A valid management key (the bootstrap key). */
  key: string;
  /** DATABASE_URL and the open options of this server's database (another process may open it too). */
  databaseUrl: string;
  databaseOptions: OpenOptions | undefined;
  request(method: string, path: string, options?: RequestOptions): Promise<TestResponse>;
  close(): Promise<void>;
}

export interface RequestOptions {
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  /** Defaults to 2024-05-01; null leaves it out. */
  apiVersion?: string | null;
  query?: Record<string, string | number | boolean>;
  /** false sends no Authorization header. */
  auth?: boolean;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export interface StartOptions extends AppOptions {
  env?: Record<string, string>;
}

export async function startServer(backend: BackendName, options: StartOptions = {}): Promise<TestServer> {
  const key = randomBytes(24).toString('base64url');
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-test-'));
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const databaseUrl = backend === 'sqlite' ? `sqlite:${join(dir, 'tollgate.db')}` : process.env.TEST_DATABASE_URL!;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    PORT: String(port),
    PUBLIC_URL: url,
    // Every suite runs its own gateway; 0 lets each take a free port.
    GATEWAY_PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    TOLLGATE_SERVICE_NAME: SERVICE_NAME,
    TOLLGATE_ADMIN_KEY: key,
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  const databaseOptions: OpenOptions | undefined = backend === 'postgres' ? { schema, poolSize: 4 } : undefined;
  const app = await createApp(config, { ...options, database: databaseOptions });
  const { gatewayUrl } = await app.listen();
  const base = `${url}/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.ApiManagement/service/${SERVICE_NAME}`;

  async function request(method: string, path: string, o: RequestOptions = {}): Promise<TestResponse> {
    const target = new URL(path.startsWith('http') ? path : base + path);
    const apiVersion = o.apiVersion === undefined ? '2024-05-01' : o.apiVersion;
    if (apiVersion !== null && !target.searchParams.has('api-version')) target.searchParams.set('api-version', apiVersion);
    for (const [k, v] of Object.entries(o.query ?? {})) target.searchParams.set(k, String(v));
    const headers: Record<string, string> = { ...(o.auth === false ? {} : { authorization: `Bearer ${key}` }), ...o.headers };
    let body: string | undefined = o.rawBody;
    if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(target, { method, headers, body });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  }

  return {
    app,
    backend,
    url,
    gatewayUrl,
    base,
    key,
    databaseUrl,
    databaseOptions,
    request,
    async close() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
      if (backend === 'postgres') await dropSchema(process.env.TEST_DATABASE_URL!, schema);
    },
  };
}
