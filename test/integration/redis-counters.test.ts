/**
 * The Redis counters against a real Redis (TEST_REDIS_URL; skipped without it): the Counters
 * contract, exactness across several instances (as gateway nodes run them), keys that expire,
 * large limits by sub-windows, and Redis away — nothing listening, cut mid-run, no longer
 * answering — with the configured fallback, one warning, and recovery when it is back.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOCK_SKEW_MS, createRedisCounters, type RedisCounters, type RedisCountersOptions } from '../../src/gateway/counters/redis.js';
import type { Counters, QuotaWindow, RateDecision } from '../../src/gateway/counters/types.js';
import { describeCountersContract } from '../helpers/counters-contract.js';
import { freePort } from '../helpers/net.js';
import { TcpRelay } from '../helpers/tcp-relay.js';

const REDIS_URL = process.env.TEST_REDIS_URL;
/** Every key of this run starts with it; all are deleted at the end. */
const PREFIX = `tollgate-test:${randomBytes(6).toString('hex')}:`;
const HOUR = 3_600_000;

interface LogLine {
  level: 'info' | 'warn' | 'error';
  msg: string;
  fields: object;
}

/** A logger that keeps its lines and lets a test wait for one (the log is the event to wait for). */
function recordingLogger() {
  const lines: LogLine[] = [];
  const waiters: { match: (l: LogLine) => boolean; resolve: () => void }[] = [];
  const record = (level: LogLine['level']) => (fields: object, msg = '') => {
    const line = { level, msg, fields };
    lines.push(line);
    for (const w of waiters.filter((w) => w.match(line))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  return {
    lines,
    logger: { info: record('info'), warn: record('warn'), error: record('error') },
    /** Resolves at the next line whose message starts with `prefix` (or at once if `since` lines ago one did). */
    next(prefix: string, since = lines.length): Promise<void> {
      if (lines.slice(since).some((l) => l.msg.startsWith(prefix))) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ match: (l) => l.msg.startsWith(prefix), resolve }));
    },
    count: (prefix: string) => lines.filter((l) => l.msg.startsWith(prefix)).length,
  };
}

const UNAVAILABLE = 'Redis counters unavailable';
const BACK = 'Redis counters reachable again';

function redisTarget(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || 6379) };
}

describe.runIf(REDIS_URL)('Redis counters', () => {
  const open: Counters[] = [];
  const make = (options: Partial<RedisCountersOptions> = {}): RedisCounters => {
    const counters = createRedisCounters({ url: REDIS_URL!, logger: recordingLogger().logger, keyPrefix: PREFIX, ...options });
    open.push(counters);
    return counters;
  };
  let raw: Redis;
  const key = (label: string) => `${label}-${randomBytes(5).toString('hex')}`;
  const now = () => Date.now();

  beforeAll(() => {
    raw = new Redis(REDIS_URL!);
  });

  afterAll(async () => {
    await Promise.all(open.map((c) => c.close()));
    const keys = await raw.keys(`${PREFIX}*`);
    if (keys.length > 0) await raw.del(...keys);
    await raw.quit();
  });

  describeCountersContract('Redis', async () => {
    const counters = createRedisCounters({ url: REDIS_URL!, logger: recordingLogger().logger, keyPrefix: PREFIX });
    await counters.waitUntilAvailable(5000);
    return counters;
  });

  describe('across nodes', () => {
    let nodes: RedisCounters[];

    beforeAll(async () => {
      nodes = [make(), make(), make()];
      await Promise.all(nodes.map((n) => n.waitUntilAvailable(5000)));
    });

    it('lets exactly `limit` calls through of a thousand sent at once, round-robin over three nodes', async () => {
      const k = key('burst');
      const t = now();
      const rate = await Promise.all(Array.from({ length: 1000 }, (_, i) => nodes[i % 3]!.takeRate(k, 100, 60, 1, t + i)));
      expect(rate.filter((d) => d.allowed)).toHaveLength(100);
      const window: QuotaWindow = { start: t, end: t + HOUR };
      const quota = await Promise.all(Array.from({ length: 1000 }, (_, i) => nodes[i % 3]!.takeQuota(k, window, { calls: 500 }, 1, t + i)));
      expect(quota.filter((d) => d.allowed)).toHaveLength(500);
      expect(await nodes[0]!.quotaPeriods(k)).toEqual([{ counterKey: k, window, calls: 500, kilobytes: 0 }]);
    });

    it('answers a remembered refusal at once, without Redis, until Redis said it ends', async () => {
      const k = key('remembered');
      const t = now();
      await nodes[0]!.takeRate(k, 1, 60, 1, t);
      const refused = await nodes[1]!.takeRate(k, 1, 60, 1, t + 1);
      expect(refused).toMatchObject({ allowed: false, retryAfterSeconds: 60 });
      const again = nodes[1]!.takeRate(k, 1, 60, 1, t + 2);
      expect(again).not.toBeInstanceOf(Promise);
      expect(again).toMatchObject({ allowed: false, retryAfterSeconds: 60 });
      expect(nodes[1]!.takeRate(k, 1, 60, 1, t + 60_000)).toBeInstanceOf(Promise);

      const baseline = make({ rememberRefusals: false });
      await baseline.waitUntilAvailable(5000);
      expect(baseline.takeRate(k, 1, 60, 1, t + 3)).toBeInstanceOf(Promise);
    });

    it('lifts a quota refusal another node remembers within `quotaRefusalMs` of a setQuota', async () => {
      const k = key('lifted');
      const t = now();
      const window: QuotaWindow = { start: t, end: t + HOUR };
      const remembering = make({ quotaRefusalMs: 5000 });
      await remembering.waitUntilAvailable(5000);
      await remembering.takeQuota(k, window, { calls: 1 }, 1, t);
      expect((await remembering.takeQuota(k, window, { calls: 1 }, 1, t + 1)).allowed).toBe(false);
      await nodes[0]!.setQuota(k, { calls: 0 });
      expect(remembering.takeQuota(k, window, { calls: 1 }, 1, t + 4_999)).toMatchObject({ allowed: false });
      expect(await remembering.takeQuota(k, window, { calls: 1 }, 1, t + 5_001)).toMatchObject({ allowed: true, remainingCalls: 0 });
    });

    it('counts every call of a window for a call that reaches Redis after one timed later (nodes\' clocks differ)', async () => {
      for (const [label, options] of [['log', {}], ['sub-windows', { exactUpTo: 0, subBuckets: 10 }]] as const) {
        const k = key(label);
        const [ahead, behind] = [make(options), make(options)];
        await Promise.all([ahead.waitUntilAvailable(5000), behind.waitUntilAvailable(5000)]);
        const t = Math.floor(now() / 1000) * 1000;
        expect((await behind.takeRate(k, 2, 10, 1, t)).allowed).toBe(true);
        // A node whose clock runs 2.5 s ahead: for it, the call at t has left the window a while ago.
        expect((await ahead.takeRate(k, 2, 10, 1, t + 11_500)).allowed).toBe(true);
        // For this one, timed 9 s after the first, both count (the later one happened before it, whatever its time says).
        expect((await behind.takeRate(k, 2, 10, 1, t + 9_000)).allowed).toBe(false);
      }
    });

    it('keeps working when Redis forgot the scripts (a restart): EVALSHA falls back to EVAL', async () => {
      const k = key('noscript');
      await raw.script('FLUSH');
      const t = now();
      expect(await nodes[2]!.takeRate(k, 2, 60, 1, t)).toMatchObject({ allowed: true, remaining: 1 });
      expect(await nodes[2]!.takeQuota(k, { start: t, end: t + HOUR }, { calls: 2 }, 1, t)).toMatchObject({ allowed: true, remainingCalls: 1 });
    });

    it('lets keys expire once nothing in them can matter: a rate key after its period, a quota window at its end', async () => {
      const k = key('expiry');
      const t = now();
      await nodes[0]!.takeRate(k, 5, 30, 1, t);
      const rateTtl = await raw.pttl(`${PREFIX}rl:30000:${k}`);
      expect(rateTtl).toBeGreaterThan(25_000 + CLOCK_SKEW_MS);
      expect(rateTtl).toBeLessThanOrEqual(30_000 + CLOCK_SKEW_MS);

      await nodes[0]!.takeQuota(k, { start: t, end: t + HOUR }, { calls: 5 }, 1, t);
      for (const name of [`${PREFIX}q:${k}:${t}`, `${PREFIX}qi:${k}`]) {
        const ttl = await raw.pttl(name);
        expect(ttl).toBeGreaterThan(HOUR - 60_000);
        expect(ttl).toBeLessThanOrEqual(HOUR);
      }
      await nodes[0]!.takeQuota(k, { start: t - HOUR, end: Infinity }, { calls: 5 }, 1, t);
      expect(await raw.pttl(`${PREFIX}q:${k}:${t - HOUR}`)).toBe(-1);
      expect(await raw.pttl(`${PREFIX}qi:${k}`)).toBe(-1);
    });
  });

  describe('large limits (sub-windows)', () => {
    let counters: RedisCounters;
    // 10 sub-windows of one second for a 10-second period; counted by sub-windows above 10 calls.
    const LIMIT = 20;
    const PERIOD_S = 10;

    beforeAll(async () => {
      counters = make({ exactUpTo: 10, subBuckets: 10 });
      await counters.waitUntilAvailable(5000);
    });

    it('lets exactly `limit` through of a burst, and frees the burst as its sub-window leaves the window', async () => {
      const k = key('buckets');
      const t = Math.floor(now() / 1000) * 1000;
      const burst = await Promise.all(Array.from({ length: 50 }, () => counters.takeRate(k, LIMIT, PERIOD_S, 1, t)));
      expect(burst.filter((d) => d.allowed)).toHaveLength(LIMIT);
      // The estimate falls below the limit 1 ms after the burst's sub-window starts leaving.
      expect(burst.find((d) => !d.allowed)).toMatchObject({ retryAfterSeconds: 11 });
      // Halfway through the burst's sub-window leaving, half of it still counts.
      const later: RateDecision[] = [];
      for (let i = 0; i < 30; i++) later.push(await counters.takeRate(k, LIMIT, PERIOD_S, 1, t + 10_500));
      expect(later.filter((d) => d.allowed)).toHaveLength(10);
    });

    it('stays within one sub-window\'s share of the limit of an exact sliding window when calls are spread evenly', async () => {
      const k = key('even');
      const t = Math.floor(now() / 1000) * 1000;
      const allowedAt: number[] = [];
      // Ten calls a second for a minute against a limit of two a second.
      for (let i = 0; i < 600; i++) {
        const at = t + i * 100;
        if ((await counters.takeRate(k, LIMIT, PERIOD_S, 1, at)).allowed) allowedAt.push(at);
      }
      const inWindowEnding = (end: number) => allowedAt.filter((a) => a > end - PERIOD_S * 1000 && a <= end).length;
      const counts = Array.from({ length: 600 - PERIOD_S * 10 }, (_, i) => inWindowEnding(t + (i + PERIOD_S * 10) * 100));
      expect(Math.max(...counts)).toBeLessThanOrEqual(LIMIT + LIMIT / 10);
      expect(Math.min(...counts)).toBeGreaterThanOrEqual(LIMIT - LIMIT / 10);
      expect(allowedAt.length).toBeGreaterThanOrEqual(LIMIT * 6 * 0.98);
    });

    it('counts what addRate adds by the sub-windows the limit was judged by', async () => {
      const k = key('bucket-add');
      const t = now();
      expect((await counters.peekRate(k, LIMIT, PERIOD_S, t)).allowed).toBe(true);
      counters.addRate(k, PERIOD_S, LIMIT, t);
      expect(await counters.peekRate(k, LIMIT, PERIOD_S, t + 1)).toMatchObject({ allowed: false });
    });
  });

  describe('while Redis is away', () => {
    it('answers at once with the fallback when nothing listens, warns once, and recovers when Redis comes', async () => {
      const port = await freePort();
      const log = recordingLogger();
      const counters = make({ url: `redis://127.0.0.1:${port}`, logger: log.logger, onUnavailable: 'allow' });
      const t = now();
      const first = counters.takeRate('k', 5, 60, 1, t);
      expect(first).not.toBeInstanceOf(Promise);
      expect(first).toEqual({ allowed: true, remaining: 4, limit: 5, retryAfterSeconds: 0, unavailable: true });
      for (let i = 0; i < 200; i++) {
        expect(counters.takeQuota('k', { start: t, end: t + HOUR }, { calls: 1 }, 1, t)).toMatchObject({ allowed: true, unavailable: true });
        expect(counters.peekRate('k', 5, 60, t)).toMatchObject({ allowed: true, unavailable: true });
        counters.addRate('k', 60, 1, t);
        counters.addQuota('k', { start: t, end: t + HOUR }, 1, 1);
      }
      await expect(counters.quotaPeriods('k')).rejects.toThrow(/not reachable/);
      await expect(counters.setQuota('k', { calls: 0 })).rejects.toThrow(/not reachable/);
      expect(log.count(UNAVAILABLE)).toBe(1);
      expect(log.lines.find((l) => l.msg.startsWith(UNAVAILABLE))!.msg).toBe('Redis counters unavailable: letting calls through uncounted');

      const proxy = new TcpRelay(redisTarget(REDIS_URL!), port);
      await proxy.start();
      try {
        const back = log.next(BACK);
        expect(await counters.waitUntilAvailable(10_000)).toBe(true);
        await back;
        const k = key('recovered');
        expect(await counters.takeRate(k, 1, 60, 1, now())).toEqual({ allowed: true, remaining: 0, limit: 1, retryAfterSeconds: 0 });
      } finally {
        await proxy.cut();
      }
    });

    it('refuses with `unavailable` when told to', async () => {
      const port = await freePort();
      const log = recordingLogger();
      const counters = make({ url: `redis://127.0.0.1:${port}`, logger: log.logger, onUnavailable: 'refuse' });
      const t = now();
      expect(counters.takeRate('k', 5, 60, 1, t)).toEqual({ allowed: false, remaining: 0, limit: 5, retryAfterSeconds: 1, unavailable: true });
      expect(counters.takeQuota('k', { start: t, end: t + HOUR }, { calls: 5 }, 1, t)).toEqual({ allowed: false, remainingCalls: 0, retryAfterMs: 1000, unavailable: true });
      expect(log.lines.find((l) => l.msg.startsWith(UNAVAILABLE))!.msg).toBe('Redis counters unavailable: refusing calls');
    });

    for (const onUnavailable of ['allow', 'refuse'] as const) {
      it(`keeps its behaviour (${onUnavailable}) when Redis goes away mid-run, and counts on where it stopped once back`, async () => {
        const proxy = new TcpRelay(redisTarget(REDIS_URL!), await freePort());
        await proxy.start();
        const log = recordingLogger();
        const counters = make({ url: proxy.url, logger: log.logger, onUnavailable });
        expect(await counters.waitUntilAvailable(5000)).toBe(true);
        const k = key('cut');
        const t = now();
        for (let i = 0; i < 2; i++) expect(await counters.takeRate(k, 3, 60, 1, t + i)).toMatchObject({ allowed: true });

        const warned = log.next(UNAVAILABLE);
        await proxy.cut();
        // Decisions made while the client learns of the cut, and after: each answered in bounded time.
        for (let i = 0; i < 20; i++) {
          const started = Date.now();
          const d = await counters.takeRate(k, 3, 60, 1, t + 10 + i);
          expect(Date.now() - started).toBeLessThan(1000);
          expect(d).toMatchObject({ allowed: onUnavailable === 'allow', unavailable: true });
        }
        await warned;
        expect(await counters.takeRate(k, 3, 60, 1, t + 100)).toMatchObject({ allowed: onUnavailable === 'allow', unavailable: true });
        expect(log.count(UNAVAILABLE)).toBe(1);

        const back = log.next(BACK);
        await proxy.start();
        expect(await counters.waitUntilAvailable(10_000)).toBe(true);
        await back;
        // The two counted before the cut are still there; nothing was counted while away.
        expect(await counters.takeRate(k, 3, 60, 1, t + 200)).toEqual({ allowed: true, remaining: 0, limit: 3, retryAfterSeconds: 0 });
        expect((await counters.takeRate(k, 3, 60, 1, t + 201)).allowed).toBe(false);
        await proxy.cut();
      });
    }

    it('gives up on a command Redis does not answer within the timeout, drops the connection, and recovers', async () => {
      const proxy = new TcpRelay(redisTarget(REDIS_URL!), await freePort());
      await proxy.start();
      const log = recordingLogger();
      const counters = make({ url: proxy.url, logger: log.logger, commandTimeoutMs: 150 });
      expect(await counters.waitUntilAvailable(5000)).toBe(true);
      const k = key('mute');
      const t = now();
      expect(await counters.takeRate(k, 3, 60, 1, t)).toMatchObject({ allowed: true });

      const warned = log.next(UNAVAILABLE);
      proxy.mute();
      const started = Date.now();
      const d = await counters.takeRate(k, 3, 60, 1, t + 1);
      const took = Date.now() - started;
      expect(d).toMatchObject({ allowed: true, unavailable: true });
      expect(took).toBeGreaterThanOrEqual(100);
      expect(took).toBeLessThan(1000);
      await warned;

      const back = log.next(BACK);
      proxy.unmute();
      expect(await counters.waitUntilAvailable(10_000)).toBe(true);
      await back;
      expect(await counters.takeRate(k, 3, 60, 1, t + 2)).toMatchObject({ allowed: true, remaining: 1 });
      await proxy.cut();
    });
  });
});
