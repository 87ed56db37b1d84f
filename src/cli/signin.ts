import { loadConfig } from '../config.js';
import { prepareDatabase } from '../app.js';
import { systemClock } from '../domain/clock.js';
import { normalizeEmail } from '../domain/user.js';
import { accountKey, addressKey, createSignInThrottle } from '../services/sign-in-throttle.js';

async function withThrottle<T>(fn: (throttle: ReturnType<typeof createSignInThrottle>) => Promise<T>): Promise<T> {
  const { database, store } = await prepareDatabase(loadConfig());
  try {
    return await fn(createSignInThrottle({ store, clock: systemClock }));
  } finally {
    await database.close();
  }
}

export async function signinLocks(): Promise<void> {
  const rows = await withThrottle((t) => t.listLocked());
  if (rows.length === 0) {
    process.stdout.write('No account or address is locked.\n');
    return;
  }
  for (const r of rows) process.stdout.write(`${r.key}  locked until ${r.locked_until}  (${r.failures} failures)\n`);
}

export async function signinUnlock(options: { email?: string; ip?: string }): Promise<void> {
  if (!options.email === !options.ip) throw new Error('give exactly one of --email <address> or --ip <address>');
  const key = options.email ? accountKey(normalizeEmail(options.email)) : addressKey(options.ip!);
  const lifted = await withThrottle((t) => t.unlock(key));
  process.stdout.write(lifted ? `Lifted the sign-in lock on ${key}.\n` : `Nothing to lift: ${key} has no failed sign-ins recorded.\n`);
}
