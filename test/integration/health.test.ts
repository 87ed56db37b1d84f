/**
 * /healthz and /readyz on PORT, over a real app whose parts are started by hand to reach each
 * state for real: the HTTP server listening before the gateway has loaded its snapshot (not
 * ready: the gateway check fails), then the gateway listening (ready), then the database handle
 * closed under it (not ready: the database check fails; /healthz still answers, the process is
 * up). No authentication is asked, and no error text is shown.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { dropSchema } from '../../src/store/database.js';
import { BACKENDS } from '../helpers/server.js';
import { get } from '../helpers/ops.js';

describe.each(BACKENDS)('health endpoints (%s)', (backend) => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-health-'));
  const schema = `t_${randomBytes(6).toString('hex')}`;
  let app: App | undefined;
  let url = '';

  afterAll(async () => {
    await app?.gateway.close();
    await app?.http.close();
    rmSync(dir, { recursive: true, force: true });
    if (backend === 'postgres') await dropSchema(process.env.TEST_DATABASE_URL!, schema);
  });

  const probe = async (path: string) => {
    const res = await get(`${url}${path}`);
    return { status: res.status, json: JSON.parse(res.body) as unknown, cache: res.headers['cache-control'] };
  };

  it('is live at once, ready only once the gateway loaded its snapshot, and not ready without its database', async () => {
    const config = loadConfig({
      PORT: '0',
      GATEWAY_PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: backend === 'sqlite' ? `sqlite:${join(dir, 'tollgate.db')}` : process.env.TEST_DATABASE_URL!,
      LOG_LEVEL: 'silent',
    });
    app = await createApp(config, backend === 'postgres' ? { database: { schema, poolSize: 2 } } : {});
    url = await app.http.listen({ port: 0, host: '127.0.0.1' });

    expect(await probe('/healthz')).toEqual({ status: 200, json: { status: 'ok' }, cache: 'no-store' });
    expect(await probe('/readyz')).toEqual({
      status: 503,
      json: { status: 'unavailable', checks: { database: 'ok', migrations: 'ok', gateway: 'failed' } },
      cache: 'no-store',
    });

    await app.gateway.listen(0, '127.0.0.1');
    expect(await probe('/readyz')).toEqual({
      status: 200,
      json: { status: 'ready', checks: { database: 'ok', migrations: 'ok', gateway: 'ok' } },
      cache: 'no-store',
    });

    await app.database.close();
    const closed = await probe('/readyz');
    expect(closed.status).toBe(503);
    expect(closed.json).toMatchObject({ status: 'unavailable', checks: { database: 'failed', gateway: 'ok' } });
    expect(await probe('/healthz')).toMatchObject({ status: 200, json: { status: 'ok' } });
  });
});
