/**
 * Local counting synchronised with Redis at intervals, as Kong's `sync_rate` and Tyk's distributed
 * limiter do, kept here only to measure what it lets through: each node decides on the global count
 * it last read plus what it counted since, and adds its own count to Redis (INCRBY) and reads the
 * global one back at most every `syncMs` of the calls' time. Fixed windows (Kong's). Its syncs are
 * as favourable as they can be: a new key is read before its first decision, and a due sync is
 * awaited by the call that finds it due.
 */
import { Redis } from 'ioredis';
import type { QuotaDecision, QuotaLimit, QuotaWindow, RateDecision } from '../../src/gateway/counters/types.js';

interface Entry {
  synced: number;
  unsynced: number;
  /** The Redis key's expiry (ms from the sync), so windows clean up. */
  ttlMs: number;
}

export interface SyncRateCounters {
  takeRate(key: string, limit: number, periodSeconds: number, count: number, now: number): Promise<RateDecision>;
  takeQuota(key: string, window: QuotaWindow, limit: QuotaLimit, calls: number, now: number): Promise<QuotaDecision>;
  close(): Promise<void>;
}

export function createSyncRateCounters(url: string, keyPrefix: string, syncMs: number): SyncRateCounters {
  const redis = new Redis(url, { enableAutoPipelining: true });
  redis.on('error', () => {});
  const entries = new Map<string, Entry>();
  let lastSync = -Infinity;
  let syncing: Promise<void> | undefined;

  async function sync(): Promise<void> {
    const batch = [...entries].map(([name, e]) => {
      const adding = e.unsynced;
      e.unsynced = 0;
      return { name, e, adding };
    });
    const pipeline = redis.pipeline();
    for (const { name, adding, e } of batch) pipeline.incrby(name, adding).pexpire(name, e.ttlMs);
    const replies = (await pipeline.exec()) ?? [];
    batch.forEach(({ e }, n) => (e.synced = Number(replies[n * 2]![1])));
  }

  async function entry(name: string, ttlMs: number, now: number): Promise<Entry> {
    if (now - lastSync >= syncMs && !syncing) {
      lastSync = now;
      syncing = sync().finally(() => (syncing = undefined));
      await syncing;
    }
    let e = entries.get(name);
    if (!e) {
      const synced = Number((await redis.get(name)) ?? 0);
      // Another call may have created it while this one read.
      e = entries.get(name) ?? { synced, unsynced: 0, ttlMs };
      entries.set(name, e);
    }
    return e;
  }

  return {
    async takeRate(key, limit, periodSeconds, count, now) {
      const periodMs = periodSeconds * 1000;
      const start = Math.floor(now / periodMs) * periodMs;
      const e = await entry(`${keyPrefix}sr:${key}:${start}`, periodMs, now);
      if (e.synced + e.unsynced >= limit) {
        return { allowed: false, remaining: 0, limit, retryAfterSeconds: Math.max(1, Math.ceil((start + periodMs - now) / 1000)) };
      }
      e.unsynced += count;
      return { allowed: true, remaining: Math.max(0, limit - e.synced - e.unsynced), limit, retryAfterSeconds: 0 };
    },
    async takeQuota(key, window, limit, calls, now) {
      const e = await entry(`${keyPrefix}sq:${key}:${window.start}`, Math.max(1, window.end - now), now);
      if (limit.calls !== undefined && e.synced + e.unsynced >= limit.calls) {
        return { allowed: false, remainingCalls: 0, retryAfterMs: window.end - now };
      }
      e.unsynced += calls;
      return { allowed: true, remainingCalls: limit.calls === undefined ? Infinity : limit.calls - e.synced - e.unsynced, retryAfterMs: 0 };
    },
    async close() {
      await sync();
      await redis.quit();
    },
  };
}
