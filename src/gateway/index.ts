/**
 * The gateway: its own node:http listener (GATEWAY_PORT) that routes requests to APIs' backends,
 * checking subscription keys against an in-memory snapshot that follows the change feed.
 */
import { createServer, type Server } from 'node:http';
import type { Clock } from '../domain/clock.js';
import { unseal, type KeyRing } from '../domain/subscription-keys.js';
import type { Store } from '../store/index.js';
import type { ChangeNotifications } from '../store/change-notifications.js';
import { subscriptionKeyRing } from '../services/signing-keys.js';
import { createChangeWatcher } from './change-watcher.js';
import { createLocalCounters } from './counters/local.js';
import type { Counters } from './counters/types.js';
import { createOpenIdConfigs } from './policy/openid.js';
import type { PolicyEnv } from './policy/types.js';
import { createFeedFollower } from './feed-follower.js';
import { createHandler } from './handler.js';
import type { GatewayLogger } from './types.js';
import { createUpstreams } from './upstreams.js';
import { clientErrorBody } from './responses.js';
import { createClientErrorHandler } from '../listener/client-error.js';
import { applyLimits, DEFAULT_LIMITS, serverOptions, type ListenerLimits } from '../listener/limits.js';
import type { CallRecord, CallSink } from './observe/call.js';
import type { TrafficRecorder } from './analytics/recorder.js';

export type { GatewayLogger } from './types.js';
export { MESSAGES as GATEWAY_MESSAGES } from './responses.js';

export interface GatewayOptions {
  store: Store;
  clock: Clock;
  logger: GatewayLogger;
  /** How long a backend may take to connect, to send its headers, and between body chunks (default 30000). */
  upstreamTimeoutMs?: number;
  /** Timeouts and connection cap of the listener (default DEFAULT_LIMITS.gateway). */
  limits?: ListenerLimits;
  /** The database's change notifications (PostgreSQL), if it has them: changes arrive at once. */
  notifications?: ChangeNotifications | undefined;
  /** How often the change feed is polled (default 100 ms, or 2000 ms with notifications: then only a safety net). */
  pollIntervalMs?: number;
  /** Measurement hook (the benchmark): see ProxyOptions.onTiming. */
  onTiming?: (gatewayMs: number) => void;
  /**
   * The counters of rate limits and quotas (default: in this process). Closed with the gateway.
   * Redis (several nodes) or quotas kept in the database are made by the caller.
   */
  counters?: Counters;
  /** Records traffic for the reports (src/gateway/analytics); started and flushed with the gateway. */
  recorder?: TrafficRecorder | undefined;
  /** Other listeners to every call once answered: metrics, the access log. */
  sinks?: readonly CallSink[];
}

export interface Gateway {
  listen(port: number, host: string): Promise<{ port: number }>;
  close(): Promise<void>;
  /** Loads everything again now (tests that change the database behind the feed's back). */
  refresh(): Promise<void>;
  /**
   * Applies the changes committed so far, before the write that made them is answered (read your
   * writes). A no-op while not serving; never rejects (a failure is logged, and the snapshot as it
   * is serves until the next poll succeeds).
   */
  catchUp(): Promise<void>;
  /** What the gateway holds now (the benchmark and metrics). */
  stats(): GatewayStats;
  /** Writes the traffic counted so far to the database (read your writes: tests, reports); a no-op without a recorder. */
  flushTraffic(): Promise<void>;
}

export interface GatewayStats {
  apis: number;
  subscriptions: number;
  /** Keys in the index (two per subscription). */
  keys: number;
  /** Bytes the key index takes: its typed arrays exactly, the subscription ids by estimate. */
  keyIndexBytes: number;
  /** The last change-feed sequence number applied. */
  feedSeq: number;
  /** Whether a snapshot is loaded (readiness: before it, every call is answered 503). */
  loaded: boolean;
  /** How long after it was written the newest applied change was applied (ms); undefined before any. */
  changeLagMs: number | undefined;
}

/** How long listening waits for the counters' store (Redis) to answer before serving with its fallback. */
const COUNTERS_READY_MS = 3_000;

export function createGateway(options: GatewayOptions): Gateway {
  const timeoutMs = options.upstreamTimeoutMs ?? 30_000;
  const upstreams = createUpstreams(timeoutMs);
  const counters = options.counters ?? createLocalCounters();
  let ring: KeyRing | undefined;
  let server: Server | undefined;

  const policy: PolicyEnv = {
    counters,
    clock: options.clock,
    logger: options.logger,
    gatewayTimeoutMs: timeoutMs,
    openid: createOpenIdConfigs({ logger: options.logger }),
  };
  const follower = createFeedFollower({
    store: options.store,
    clock: options.clock,
    logger: options.logger,
    env: {
      policy,
      unseal(sealed) {
        if (!ring) throw new Error('the subscription key ring is not loaded yet');
        return unseal(ring, sealed);
      },
    },
    onApplied(snapshot, backendsChanged) {
      if (backendsChanged) upstreams.retain(new Set([...snapshot.routes.origins(), ...snapshot.policies.origins()]));
    },
  });

  const warn = (error: unknown, what: 'sync' | 'listen') =>
    options.logger.warn(
      { err: error },
      what === 'sync'
        ? 'gateway: applying the change feed failed; the configuration as it is stays in use'
        : 'gateway: listening for change notifications failed; polling until it works again',
    );
  const watcher = createChangeWatcher({
    intervalMs: options.pollIntervalMs ?? (options.notifications ? 2_000 : 100),
    sync: () => follower.sync(),
    onError: warn,
    notifications: options.notifications,
  });

  const sinks: CallSink[] = [...(options.recorder ? [options.recorder] : []), ...(options.sinks ?? [])];
  const sink: CallSink | undefined =
    sinks.length === 0
      ? undefined
      : sinks.length === 1
        ? sinks[0]
        : {
            record(call: CallRecord) {
              for (const s of sinks) s.record(call);
            },
          };
  const handler = createHandler({
    sink,
    snapshot: () => follower.current(),
    ring: () => ring,
    clock: options.clock,
    logger: options.logger,
    proxy: { upstreams, timeoutMs, ...(options.onTiming ? { onTiming: options.onTiming } : {}) },
  });

  return {
    async listen(port, host) {
      ring ??= await subscriptionKeyRing(options.store);
      await follower.sync();
      await counters.ready?.(COUNTERS_READY_MS);
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
      await watcher.start();
      options.recorder?.start();
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
      await options.recorder?.close();
      await follower.idle();
      await counters.close();
    },
    async refresh() {
      ring ??= await subscriptionKeyRing(options.store);
      await follower.reload();
    },
    flushTraffic: () => options.recorder?.flush() ?? Promise.resolve(),
    catchUp: () => (server ? follower.sync().catch((error: unknown) => warn(error, 'sync')) : Promise.resolve()),
    stats() {
      const snapshot = follower.current();
      return {
        apis: snapshot?.routes.size ?? 0,
        subscriptions: snapshot?.keys.subscriptions ?? 0,
        keys: snapshot?.keys.keys ?? 0,
        keyIndexBytes: snapshot?.keys.bytes ?? 0,
        feedSeq: follower.position(),
        loaded: snapshot !== undefined,
        changeLagMs: follower.lagMs(),
      };
    },
  };
}
