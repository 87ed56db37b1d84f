/**
 * When a gateway looks at the change feed: woken by the database's notifications where there are
 * some (PostgreSQL: LISTEN/NOTIFY, at each commit), and by a poll every intervalMs in any case
 * (on SQLite the poll is the way; on PostgreSQL it is the safety net for a lost connection or a
 * missed notice). Each look is one sync of the feed follower.
 */
import type { ChangeNotifications } from '../store/change-notifications.js';

/** How long to wait before listening again after the notification connection failed. */
const RELISTEN_MS = 2_000;

export interface ChangeWatcher {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface ChangeWatcherOptions {
  intervalMs: number;
  sync(): Promise<void>;
  /** A failed sync or a lost notification connection; the next poll tries again. */
  onError(error: unknown, what: 'sync' | 'listen'): void;
  notifications?: ChangeNotifications | undefined;
}

export function createChangeWatcher(options: ChangeWatcherOptions): ChangeWatcher {
  let timer: NodeJS.Timeout | undefined;
  let relisten: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let listening: { close(): Promise<void> } | undefined;
  let stopped = true;

  const look = () => options.sync().catch((error: unknown) => options.onError(error, 'sync'));

  const tick = () => {
    timer = undefined;
    running = look().finally(() => {
      running = undefined;
      if (!stopped) schedule();
    });
  };
  const schedule = () => {
    timer = setTimeout(tick, options.intervalMs);
    timer.unref();
  };

  const listen = async (): Promise<void> => {
    if (!options.notifications || stopped) return;
    const lost = (error: unknown) => {
      options.onError(error, 'listen');
      const old = listening;
      listening = undefined;
      void old?.close().catch(() => undefined);
      retry();
    };
    try {
      const handle = await options.notifications.listen(() => void look(), lost);
      if (stopped) await handle.close();
      else {
        listening = handle;
        // Changes committed while not listening were not announced: look once now.
        void look();
      }
    } catch (error) {
      options.onError(error, 'listen');
      retry();
    }
  };
  const retry = () => {
    if (stopped || relisten) return;
    relisten = setTimeout(() => {
      relisten = undefined;
      void listen();
    }, RELISTEN_MS);
    relisten.unref();
  };

  return {
    async start() {
      if (!stopped) return;
      stopped = false;
      schedule();
      await listen();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (relisten) clearTimeout(relisten);
      timer = relisten = undefined;
      await listening?.close().catch(() => undefined);
      listening = undefined;
      await running;
    },
  };
}
