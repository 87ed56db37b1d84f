/**
 * Child process: Tollgate itself, started with createApp exactly as `tollgate start` does (SQLite
 * in the given directory, LOG_LEVEL=silent), so the gateway under test runs in its own process,
 * next to an idle management server, as in production.
 * Usage: `tollgate.js <data dir> <admin key>`; reports `{ url, gatewayPort }`; answers
 * `profile-start` and `profile-stop` (`{ file }`) by CPU-profiling the time in between.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { failChild, serveChild } from './child.js';

async function main(): Promise<void> {
  const [dir, key] = process.argv.slice(2);
  if (!dir || !key) throw new Error('usage: tollgate.js <data dir> <admin key>');
  const config = loadConfig({
    PORT: '0',
    GATEWAY_PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: `sqlite:${join(dir, 'tollgate.db')}`,
    TOLLGATE_SERVICE_NAME: 'tollgate-bench',
    TOLLGATE_ADMIN_KEY: key,
    LOG_LEVEL: 'silent',
  });
  const app = await createApp(config);
  const { url, gatewayPort } = await app.listen();
  // CPU profiling of a chosen window (the measurement), through the inspector of this process.
  let session: Session | undefined;
  serveChild({ url, gatewayPort }, () => app.close(), {
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
