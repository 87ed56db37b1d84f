/**
 * Child process: Tollgate itself, on SQLite in the given directory, LOG_LEVEL=silent.
 * - `app`: createApp exactly as `tollgate start` does: the gateway next to an idle management
 *   server, portal and email worker in one process (the all-in-one default);
 * - `gateway`: createGatewayNode exactly as `tollgate gateway` does, on the database the `app`
 *   child prepared: the gateway alone in its process.
 * Usage: `tollgate.js <app|gateway> <data dir> <admin key> [redis url] [--no-analytics]` (a gateway
 * node with a Redis URL keeps its limit counters there, as REDIS_URL does; --no-analytics runs it with
 * ANALYTICS=off, recording no traffic); reports `{ url, gatewayPort }` (no url
 * for a gateway node); answers `profile-start` and `profile-stop` (`{ file }`) by CPU-profiling the
 * time in between, and (gateway node) `timings-reset` / `timings`: percentiles of the time the
 * gateway itself spent on each forwarded request since the reset.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { createApp } from '../../src/app.js';
import { createGatewayNode } from '../../src/gateway-node.js';
import { loadConfig } from '../../src/config.js';
import { failChild, serveChild } from './child.js';
import { percentile } from './measure.js';

async function main(): Promise<void> {
  const [mode, dir, key, ...extra] = process.argv.slice(2);
  const redisUrl = extra.find((a) => a.startsWith('redis'));
  const analyticsOff = extra.includes('--no-analytics');
  if ((mode !== 'app' && mode !== 'gateway') || !dir || !key) throw new Error('usage: tollgate.js <app|gateway> <data dir> <admin key>');
  const config = loadConfig({
    PORT: '0',
    GATEWAY_PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: `sqlite:${join(dir, 'tollgate.db')}`,
    TOLLGATE_SERVICE_NAME: 'tollgate-bench',
    TOLLGATE_ADMIN_KEY: key,
    LOG_LEVEL: 'silent',
    ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
    ...(analyticsOff ? { ANALYTICS: 'off' } : {}),
  });
  let timings: number[] = [];
  let ready: { url?: string; gatewayPort: number };
  let close: () => Promise<void>;
  if (mode === 'app') {
    const app = await createApp(config);
    ready = await app.listen();
    close = () => app.close();
  } else {
    // The gateway's own time per forwarded request (everything but the backend's round trip).
    const node = await createGatewayNode(config, { onTiming: (ms) => timings.push(ms) });
    ready = await node.listen();
    close = () => node.close();
  }
  // CPU profiling of a chosen window (the measurement), through the inspector of this process.
  let session: Session | undefined;
  serveChild({ ...ready }, close, {
    'timings-reset': () => {
      timings = [];
      return {};
    },
    timings: () => {
      const sorted = Float64Array.from(timings).sort();
      return { n: sorted.length, p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN };
    },
    'profile-start': async () => {
      session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 100 });
      await session.post('Profiler.start');
      return {};
    },
    'profile-stop': async (m) => {
      if (!session) throw new Error('profile-stop without profile-start');
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      session = undefined;
      writeFileSync(String(m.file), JSON.stringify(profile));
      return {};
    },
  });
}

main().catch(failChild);
