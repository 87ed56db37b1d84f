/**
 * Child process: Tollgate under measurement, alone in its process so that its memory and its
 * event loop's delays are its own, not the load generator's.
 * - `app`: createApp as `tollgate start` runs it (the all-in-one process);
 * - `gateway`: createGatewayNode as `tollgate gateway` runs it (another node).
 * Usage: `server.js <app|gateway> <DATABASE_URL> <PostgreSQL schema or -> <admin key>`; reports
 * `{ url?, gatewayPort, startup }` once the gateway listens, and answers `sample` with its memory,
 * gateway.stats() and the event loop's delays since the last `sample` that had `reset`.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createApp } from '../../src/app.js';
import { createGatewayNode } from '../../src/gateway-node.js';
import type { Gateway } from '../../src/gateway/index.js';
import { loadConfig } from '../../src/config.js';
import { failChild, serveChild } from '../gateway/child.js';
import { LOOP_RESOLUTION_MS, type LoopDelay, type Ready, type Sample, type Startup } from './protocol.js';

// Started before anything is imported or loaded: the start-up's own delays are the first phase.
const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
loopDelay.enable();

function readLoop(): LoopDelay {
  const ms = (ns: number) => (loopDelay.count === 0 ? NaN : ns / 1e6);
  return { p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) };
}

async function main(): Promise<void> {
  const [mode, databaseUrl, schemaArg, key] = process.argv.slice(2);
  if ((mode !== 'app' && mode !== 'gateway') || !databaseUrl || !schemaArg || !key) {
    throw new Error('usage: server.js <app|gateway> <DATABASE_URL> <schema or -> <admin key>');
  }
  const config = loadConfig({
    PORT: '0',
    GATEWAY_PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    TOLLGATE_SERVICE_NAME: 'tollgate-bench',
    TOLLGATE_ADMIN_KEY: key,
    LOG_LEVEL: 'silent',
  });
  const database = schemaArg === '-' ? {} : { schema: schemaArg };
  const created = performance.now();
  let listening: { url?: string; gatewayPort: number };
  let gateway: Gateway;
  let close: () => Promise<void>;
  if (mode === 'app') {
    const app = await createApp(config, { database });
    const { url, gatewayPort } = await app.listen();
    listening = { url, gatewayPort };
    gateway = app.gateway;
    close = () => app.close();
  } else {
    const node = await createGatewayNode(config, { database });
    listening = await node.listen();
    gateway = node.gateway;
    close = () => node.close();
  }
  const now = performance.now();
  const rss = process.memoryUsage.rss();
  // Synchronous work (better-sqlite3 resolves every query at once) can keep the loop from ever
  // reaching its timers while starting: the delay is recorded only when the timer finally runs.
  await new Promise((r) => setTimeout(r, 2 * LOOP_RESOLUTION_MS));
  const startup: Startup = { sinceProcessStartMs: now, sinceCreateMs: now - created, loop: readLoop(), rss };
  loopDelay.reset();
  const ready: Ready = { ...listening, startup };
  serveChild({ ...ready }, close, {
    sample: (m) => {
      const memory = process.memoryUsage();
      const sample: Sample = {
        rss: memory.rss,
        // maxRSS is in KiB.
        peakRss: process.resourceUsage().maxRSS * 1024,
        heapUsed: memory.heapUsed,
        stats: gateway.stats(),
        loop: readLoop(),
      };
      if (m.reset) loopDelay.reset();
      return { ...sample };
    },
  });
}

main().catch(failChild);
