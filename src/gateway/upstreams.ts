/**
 * One undici Pool per backend origin, kept alive and reused across requests. Pools of origins no
 * longer in the routing table are closed (gracefully: requests in flight finish) after a reload.
 */
import { Pool } from 'undici';

export interface Upstreams {
  pool(origin: string): Pool;
  /** Closes pools whose origin is not in `keep`. */
  retain(keep: ReadonlySet<string>): void;
  close(): Promise<void>;
}

export function createUpstreams(timeoutMs: number): Upstreams {
  const pools = new Map<string, Pool>();
  return {
    pool(origin) {
      let pool = pools.get(origin);
      if (!pool) {
        pool = new Pool(origin, {
          connectTimeout: timeoutMs,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          keepAliveTimeout: 4_000,
        });
        pools.set(origin, pool);
      }
      return pool;
    },
    retain(keep) {
      for (const [origin, pool] of pools) {
        if (keep.has(origin)) continue;
        pools.delete(origin);
        void pool.close().catch(() => undefined);
      }
    },
    async close() {
      const all = [...pools.values()];
      pools.clear();
      await Promise.all(all.map((p) => p.destroy().catch(() => undefined)));
    },
  };
}
