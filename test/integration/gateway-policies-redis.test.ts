/**
 * The limit policies with their counters in a real Redis (TEST_REDIS_URL; skipped without it):
 * the same answers as in process, now reached through the counters' promises (rate-limit and
 * quota, an increment-condition counted after the answer), and, with Redis unreachable, the
 * configured fallback: calls let through, or refused with 503.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisCounters, type RedisCounters } from '../../src/gateway/counters/redis.js';
import { policyXml, startPolicyWorld, type PolicyWorld } from '../helpers/policy-world.js';

const REDIS_URL = process.env.TEST_REDIS_URL;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe.runIf(REDIS_URL)('gateway limit policies on Redis counters', () => {
  let w: PolicyWorld;
  let counters: RedisCounters;
  let key: string;

  beforeAll(async () => {
    counters = createRedisCounters({ url: REDIS_URL!, logger: quiet, keyPrefix: `tollgate-test:${randomBytes(4).toString('hex')}:` });
    expect(await counters.waitUntilAvailable(5_000)).toBe(true);
    // Redis lets keys expire in real time: the test's clock starts at it.
    w = await startPolicyWorld('sqlite', { counters, start: new Date() });
    await w.addApi('echo', 'echo', [['any', '*', '/*']]);
    await w.addProduct('p', ['echo']);
    key = await w.addSubscription('s', '/products/p', w.clock.now().toISOString());
  });

  afterAll(async () => {
    await w?.close();
  });

  it('rate-limit and quota answer as in process', async () => {
    await w.setPolicy('/products/p', policyXml({ inbound: '<rate-limit calls="2" renewal-period="60" remaining-calls-header-name="x-left" /><quota calls="3" renewal-period="3600" /><base />' }));
    expect((await w.call('/echo/x', { key })).headers['x-left']).toBe('1');
    expect((await w.call('/echo/x', { key })).headers['x-left']).toBe('0');
    const limited = await w.call('/echo/x', { key });
    expect(limited.status).toBe(429);
    expect(limited.json.message).toMatch(/^Rate limit is exceeded\. Try again in \d+ seconds\.$/);
    w.clock.advance(61_000);
    expect((await w.call('/echo/x', { key })).status).toBe(200);
    const quota = await w.call('/echo/x', { key });
    expect(quota.status).toBe(403);
    expect(quota.json.message).toMatch(/^Out of call volume quota\. Quota will be replenished in 00:5\d:\d\d\.$/);
    expect((await counters.quotaPeriods('s'))[0]).toMatchObject({ calls: 3 });
    await w.setPolicy('/products/p', undefined);
  });

  it('an increment-condition counts after the answer', async () => {
    await w.setPolicy(
      '/apis/echo',
      policyXml({ inbound: `<base /><rate-limit-by-key calls="1" renewal-period="60" counter-key="${randomBytes(4).toString('hex')}" increment-condition="@(context.Response.StatusCode &gt;= 500)" />` }),
    );
    expect((await w.call('/echo/status/200', { key })).status).toBe(200);
    expect((await w.call('/echo/status/502', { key })).status).toBe(502);
    // Counted as the answer went out: Redis has it before the next call's decision (one connection, in order).
    expect((await w.call('/echo/status/200', { key })).status).toBe(429);
    await w.setPolicy('/apis/echo', undefined);
  });
});

describe('gateway limit policies with the counters unreachable', () => {
  const unreachable = (onUnavailable: 'allow' | 'refuse') =>
    createRedisCounters({ url: 'redis://127.0.0.1:1', logger: quiet, onUnavailable, connectTimeoutMs: 200, commandTimeoutMs: 100 });

  for (const [mode, status] of [
    ['allow', 200],
    ['refuse', 503],
  ] as const) {
    it(`${mode}: calls get ${status}`, async () => {
      const w = await startPolicyWorld('sqlite', { counters: unreachable(mode) });
      try {
        await w.addApi('echo', 'echo', [['any', '*', '/*']]);
        await w.addProduct('p', ['echo']);
        const key = await w.addSubscription('s', '/products/p');
        await w.setPolicy('/products/p', policyXml({ inbound: '<rate-limit calls="5" renewal-period="60" /><base />' }));
        const res = await w.call('/echo/x', { key });
        expect(res.status).toBe(status);
        if (status === 503) expect(res.json).toEqual({ statusCode: 503, message: 'Service unavailable: the rate limit and quota counters cannot be reached.' });
      } finally {
        await w.close();
      }
    });
  }
});
