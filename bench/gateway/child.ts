/**
 * The benchmark's servers each run in their own process, optionally pinned to one CPU with
 * `taskset`. A child reports `{ type: 'ready', ... }` over IPC once it listens, stops on a
 * `'stop'` message, and exits by itself when the parent goes away (IPC disconnect), so that no
 * server outlives an interrupted run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface Child<T> {
  info: T;
  pid: number;
  /** Sends `{ type, ... }` to the child and resolves with its answer (see serveChild's handlers). */
  ask<R = Record<string, unknown>>(type: string, body?: Record<string, unknown>): Promise<R>;
  /** Asks the child to stop (then SIGTERM, then SIGKILL) and waits until it has exited. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();

/** Kills whatever is still running (last resort, e.g. on process exit). */
export function killAllChildren(): void {
  for (const p of live) p.kill('SIGKILL');
}

/** `taskset -c <cpu>` prefix, or nothing when not pinning. */
export function pinned(cpu: number | undefined, command: string, args: string[]): [string, string[]] {
  return cpu === undefined ? [command, args] : ['taskset', ['-c', String(cpu), command, ...args]];
}

function exited(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => p.once('exit', () => resolve()));
}

/** Runs `bench/gateway/<script>.js` (next to this file) in a new Node process. */
export async function startNodeChild<T>(
  script: string,
  args: string[],
  options: { cpu?: number; nodeArgs?: string[]; name: string; readyTimeoutMs?: number },
): Promise<Child<T>> {
  const file = fileURLToPath(new URL(`./${script}.js`, import.meta.url));
  const [command, argv] = pinned(options.cpu, process.execPath, [...(options.nodeArgs ?? []), file, ...args]);
  const p = spawn(command, argv, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  live.add(p);
  p.once('exit', () => live.delete(p));
  const stop = async () => {
    if (p.exitCode === null && p.signalCode === null) {
      if (p.connected) p.send('stop');
      const term = setTimeout(() => p.kill('SIGTERM'), 5_000);
      const kill = setTimeout(() => p.kill('SIGKILL'), 10_000);
      await exited(p);
      clearTimeout(term);
      clearTimeout(kill);
    }
  };
  try {
    const info = await new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${options.name}: not ready within ${options.readyTimeoutMs ?? 30_000} ms`)), options.readyTimeoutMs ?? 30_000);
      p.on('message', (m: { type?: string; error?: string } & T) => {
        if (m?.type === 'ready') {
          clearTimeout(timer);
          resolve(m);
        } else if (m?.type === 'error') {
          clearTimeout(timer);
          reject(new Error(`${options.name}: ${m.error}`));
        }
      });
      p.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${options.name} exited before it was ready (${signal ?? `code ${code}`})`));
      });
      p.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    let next = 0;
    const ask = <R>(type: string, body: Record<string, unknown> = {}) =>
      new Promise<R>((resolve, reject) => {
        const id = ++next;
        const onMessage = (m: { type?: string; id?: number; error?: string } & R) => {
          if (m?.id !== id) return;
          p.off('message', onMessage);
          if (m.type === 'error') reject(new Error(`${options.name}: ${m.error}`));
          else resolve(m);
        };
        p.on('message', onMessage);
        p.send({ ...body, type, id });
      });
    return { info, pid: p.pid!, ask, stop };
  } catch (error) {
    p.kill('SIGKILL');
    await exited(p);
    throw error;
  }
}

export type Handlers = Record<string, (message: Record<string, unknown>) => Promise<Record<string, unknown>> | Record<string, unknown>>;

/** For child scripts: report readiness, answer `ask`s, and stop on 'stop' or when the parent goes away. */
export function serveChild(ready: Record<string, unknown>, close: () => Promise<void>, handlers: Handlers = {}): void {
  let closing = false;
  const shutdown = () => {
    if (closing) return;
    closing = true;
    close()
      .catch(() => undefined)
      .finally(() => process.exit(0));
  };
  process.on('message', (m: 'stop' | { type: string; id: number }) => {
    if (m === 'stop') {
      shutdown();
      return;
    }
    const handler = handlers[m?.type];
    if (!handler) return;
    Promise.resolve()
      .then(() => handler(m))
      .then(
        (answer) => process.send?.({ ...answer, id: m.id }),
        (error: unknown) => process.send?.({ type: 'error', id: m.id, error: String((error as Error)?.stack ?? error) }),
      );
  });
  process.on('disconnect', shutdown);
  process.on('SIGINT', () => undefined); // Ctrl-C reaches the whole group; the parent decides.
  process.on('SIGTERM', shutdown);
  process.send?.({ type: 'ready', ...ready });
}

/** For child scripts: report a startup failure to the parent and exit. */
export function failChild(error: unknown): void {
  process.send?.({ type: 'error', error: (error as Error)?.stack ?? String(error) });
  process.exit(1);
}
