/**
 * The Redis connection of the counters, and what they do while it is away. Commands are sent only
 * while the connection is ready, so a decision never waits for a reconnect and nothing queues up
 * behind a dead link; a command that gets no answer fails after a short timeout, and the socket is
 * dropped then (a peer that stopped answering is treated as gone). While away, every decision is
 * the configured fallback, and a warning says so at most once per `warnEveryMs`; ioredis keeps
 * reconnecting, and the first ready connection ends it.
 */
import { Redis } from 'ioredis';
import type { Clock } from '../../domain/clock.js';
import type { GatewayLogger } from '../types.js';
import { QUOTA_LUA, QUOTA_PERIODS_LUA, QUOTA_SET_LUA, RATE_BUCKETS_LUA, RATE_LOG_LUA } from './redis-scripts.js';

type Script = (...keysThenArgs: (string | number)[]) => Promise<unknown>;

/** The client with the counters' scripts defined on it (EVALSHA, falling back to EVAL after a Redis restart). */
export type ScriptedRedis = Redis & {
  tollgateRateLog: Script;
  tollgateRateBuckets: Script;
  tollgateQuota: Script;
  tollgateQuotaPeriods: Script;
  tollgateQuotaSet: Script;
};

export interface RedisLinkOptions {
  url: string;
  logger: GatewayLogger;
  clock: Clock;
  onUnavailable: 'allow' | 'refuse';
  commandTimeoutMs: number;
  connectTimeoutMs: number;
  retryDelayMaxMs: number;
  warnEveryMs: number;
}

export class RedisLink {
  readonly client: ScriptedRedis;
  private lastWarnAt = -Infinity;
  /** Failures and fallback decisions since the last warning. */
  private failures = 0;
  private fallbacks = 0;
  /** When the link was first seen away (undefined: it is up, or was never seen away). */
  private awaySince: number | undefined;
  private closed = false;

  constructor(private readonly options: RedisLinkOptions) {
    const client = new Redis(options.url, {
      lazyConnect: false,
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      commandTimeout: options.commandTimeoutMs,
      socketTimeout: options.commandTimeoutMs,
      connectTimeout: options.connectTimeoutMs,
      // A command cut off by a lost connection fails; it is never sent twice (it may have counted).
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      retryStrategy: (times) => Math.min(times * 100, options.retryDelayMaxMs),
    });
    client.defineCommand('tollgateRateLog', { numberOfKeys: 1, lua: RATE_LOG_LUA });
    client.defineCommand('tollgateRateBuckets', { numberOfKeys: 1, lua: RATE_BUCKETS_LUA });
    client.defineCommand('tollgateQuota', { numberOfKeys: 2, lua: QUOTA_LUA });
    client.defineCommand('tollgateQuotaPeriods', { numberOfKeys: 1, lua: QUOTA_PERIODS_LUA });
    client.defineCommand('tollgateQuotaSet', { numberOfKeys: 1, lua: QUOTA_SET_LUA });
    // Without a listener an 'error' event would throw; every connection error passes through here.
    client.on('error', (error: Error) => this.failed(error));
    client.on('close', () => {
      if (!this.closed) this.awaySince ??= this.now();
    });
    client.on('ready', () => this.recovered());
    this.client = client as ScriptedRedis;
  }

  /** Whether a command may be sent now. */
  ready(): boolean {
    return this.client.status === 'ready';
  }

  /** Resolves true once the connection is ready, false if it is not within `timeoutMs`. */
  waitUntilReady(timeoutMs: number): Promise<boolean> {
    if (this.ready()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ready: boolean) => {
        clearTimeout(timer);
        this.client.off('ready', onReady);
        resolve(ready);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      timer.unref();
      this.client.on('ready', onReady);
    });
  }

  /** A command failed (timeout, connection lost, an error reply): the decision falls back. */
  failed(error: Error): void {
    if (this.closed) return;
    this.awaySince ??= this.now();
    this.failures += 1;
    this.warn(error.message);
  }

  /** A decision was answered by the fallback because the link is not ready. */
  fellBack(): void {
    if (this.closed) return;
    this.awaySince ??= this.now();
    this.fallbacks += 1;
    this.warn(`not connected (${this.client.status})`);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.client.status === 'ready') {
      // QUIT is answered after everything sent before it: counts already sent are not lost.
      await this.client.quit().catch(() => this.client.disconnect());
    } else {
      this.client.disconnect();
    }
  }

  private warn(reason: string): void {
    const now = this.now();
    if (now - this.lastWarnAt < this.options.warnEveryMs) return;
    this.lastWarnAt = now;
    const fallback = this.options.onUnavailable === 'allow' ? 'letting calls through uncounted' : 'refusing calls';
    this.options.logger.warn(
      { reason, failures: this.failures, fallbacks: this.fallbacks, redisUnavailable: this.options.onUnavailable },
      `Redis counters unavailable: ${fallback}`,
    );
    this.failures = 0;
    this.fallbacks = 0;
  }

  private recovered(): void {
    if (this.awaySince === undefined) return;
    this.options.logger.info({ awayMs: this.now() - this.awaySince }, 'Redis counters reachable again');
    this.awaySince = undefined;
    this.lastWarnAt = -Infinity;
    this.failures = 0;
    this.fallbacks = 0;
  }

  private now(): number {
    return this.options.clock.now().getTime();
  }
}
