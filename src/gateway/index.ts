/**
 * The gateway: its own node:http listener (GATEWAY_PORT) that routes requests to APIs' backends,
 * checking subscription keys against an in-memory snapshot that follows the change feed.
 */
import { createServer, type Server } from 'node:http';
import type { Kysely } from 'kysely';
import type { Clock } from '../domain/clock.js';
import type { KeyRing } from '../domain/subscription-keys.js';
import type { Store } from '../store/index.js';
import type { Database } from '../store/schema.js';
import { subscriptionKeyRing } from '../services/signing-keys.js';
import { createChangeWatcher, readFeedPosition, samePosition, type FeedPosition } from './change-watcher.js';
import { createHandler } from './handler.js';
import { loadSnapshot, type Snapshot } from './snapshot.js';
import type { GatewayLogger } from './types.js';
import { createUpstreams } from './upstreams.js';
import { clientErrorBody } from './responses.js';
import { createClientErrorHandler } from '../listener/client-error.js';
import { applyLimits, DEFAULT_LIMITS, serverOptions, type ListenerLimits } from '../listener/limits.js';

export type { GatewayLogger } from './types.js';
export { MESSAGES as GATEWAY_MESSAGES } from './responses.js';

export interface GatewayOptions {
  store: Store;
  db: Kysely<Database>;
  clock: Clock;
  logger: GatewayLogger;
  /** How long a backend may take to connect, to send its headers, and between body chunks (default 30000). */
  upstreamTimeoutMs?: number;
  /** Timeouts and connection cap of the listener (default DEFAULT_LIMITS.gateway). */
  limits?: ListenerLimits;
  /** How often the change feed is polled (default 200). */
  pollIntervalMs?: number;
  /** Measurement hook (the benchmark): see ProxyOptions.onTiming. */
  onTiming?: (gatewayMs: number) => void;
}

export interface Gateway {
  listen(port: number, host: string): Promise<{ port: number }>;
  close(): Promise<void>;
  /** Reload now (tests). */
  refresh(): Promise<void>;
  /**
   * Applies the changes committed so far, before the write that made them is answered (read your
   * writes): after a reload in progress, if the feed moved. A no-op while not serving; never
   * rejects (a failure is logged, and the old snapshot serves until the next poll succeeds).
   */
  catchUp(): Promise<void>;
  /** What the gateway holds now (the benchmark and, later, metrics). */
  stats(): GatewayStats;
}

export interface GatewayStats {
  apis: number;
  subscriptions: number;
  /** Keys in the index (two per subscription). */
  keys: number;
  /** Bytes the key index itself takes (an estimate where the representation has no exact figure). */
  keyIndexBytes: number;
  /** The last change-feed sequence number applied. */
  feedSeq: number;
}

export function createGateway(options: GatewayOptions): Gateway {
  const timeoutMs = options.upstreamTimeoutMs ?? 30_000;
  const upstreams = createUpstreams(timeoutMs);
  let current: { snapshot: Snapshot; position: FeedPosition } | undefined;
  let ring: KeyRing | undefined;
  let server: Server | undefined;

  // Reloads run one at a time; a refresh() during a reload waits for it and then runs its own.
  let queue: Promise<void> = Promise.resolve();
  const reload = (force: boolean): Promise<void> => {
    const run = queue.then(async () => {
      ring ??= await subscriptionKeyRing(options.store);
      const floor = current?.position.floor;
      if (!force && current && floor !== undefined) {
        const now = await readFeedPosition(options.db, floor);
        if (samePosition(now, current.position)) return;
      }
      // Position first, data second: a change landing in between is seen by the next poll.
      const position = await readFeedPosition(options.db);
      const snapshot = await loadSnapshot(options.db);
      current = { snapshot, position };
      upstreams.retain(snapshot.routes.origins());
    });
    queue = run.catch(() => undefined);
    return run;
  };

  const warnReloadFailed = (error: unknown) =>
    options.logger.warn({ err: error }, 'gateway: reloading from the change feed failed; the previous snapshot stays in use');
  const watcher = createChangeWatcher(options.pollIntervalMs ?? 200, () => reload(false), warnReloadFailed);

  const handler = createHandler({
    snapshot: () => current?.snapshot,
    ring: () => ring,
    clock: options.clock,
    logger: options.logger,
    proxy: { upstreams, timeoutMs, ...(options.onTiming ? { onTiming: options.onTiming } : {}) },
  });

  return {
    async listen(port, host) {
      await reload(true);
      const limits = options.limits ?? DEFAULT_LIMITS.gateway;
      const s = createServer(serverOptions(limits), handler);
      applyLimits(s, limits);
      s.on('clientError', createClientErrorHandler(clientErrorBody));
      server = s;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, host, () => {
          s.off('error', reject);
          resolve();
        });
      });
      watcher.start();
      const address = s.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      options.logger.info({ port: bound, host }, 'gateway listening');
      return { port: bound };
    },
    async close() {
      await watcher.stop();
      const s = server;
      server = undefined;
      if (s) {
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeAllConnections();
        });
      }
      await upstreams.close();
      await queue;
    },
    refresh: () => reload(true),
    stats() {
      const keys = current?.snapshot.keys;
      const subscriptions = new Set(keys ? [...keys.values()] : []).size;
      // A Map entry with a 43-character string key and an object value: about 150 bytes (measured with heap snapshots).
      return { apis: current?.snapshot.routes.origins().size ?? 0, subscriptions, keys: keys?.size ?? 0, keyIndexBytes: (keys?.size ?? 0) * 150, feedSeq: current?.position.max ?? 0 };
    },
    catchUp: () => (server ? reload(false).catch(warnReloadFailed) : Promise.resolve()),
  };
}
