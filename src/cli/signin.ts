import { normalizeEmail } from '../domain/user.js';
import { accountKey, addressKey, type AttemptLimiter } from '../services/attempts.js';
import { withServices } from './with-services.js';

const withLimiter = <T>(fn: (attempts: AttemptLimiter) => Promise<T>): Promise<T> => withServices((s) => fn(s.attempts));

export async function signinLocks(): Promise<void> {
  const rows = (await withLimiter((a) => a.listLocked())).filter((r) => r.key.startsWith('account:') || r.key.startsWith('ip:'));
  if (rows.length === 0) {
    process.stdout.write('No account or address is locked.\n');
    return;
  }
  for (const r of rows) process.stdout.write(`${r.key}  locked until ${r.locked_until}  (${r.failures} failures)\n`);
}

export async function signinUnlock(options: { email?: string; ip?: string }): Promise<void> {
  if (!options.email === !options.ip) throw new Error('give exactly one of --email <address> or --ip <address>');
  const key = options.email ? accountKey(normalizeEmail(options.email)) : addressKey(options.ip!);
  const lifted = await withLimiter((a) => a.forget(key));
  process.stdout.write(lifted ? `Lifted the sign-in lock on ${key}.\n` : `Nothing to lift: ${key} has no failed sign-ins recorded.\n`);
}
