/**
 * A deployment's counters (deploymentCounters): without Redis, a quota counted by one gateway
 * survives its restart, because the counts are kept in the database; the first call of a key
 * waits for its read, the others do not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploymentCounters } from '../../src/gateway/counters/deployment.js';
import { createGateway, type Gateway } from '../../src/gateway/index.js';
import { BACKENDS } from '../helpers/server.js';
import { KEY_HEADER, policyXml, startPolicyWorld, type PolicyWorld } from '../helpers/policy-world.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe.each(BACKENDS)('quotas across a gateway restart, without Redis (%s)', (backend) => {
  let w: PolicyWorld;
  let key: string;

  beforeAll(async () => {
    w = await startPolicyWorld(backend);
    await w.addApi('echo', 'echo', [['any', '*', '/*']]);
    await w.addProduct('p', ['echo']);
    key = await w.addSubscription('s', '/products/p', w.clock.now().toISOString());
    await w.setPolicy('/products/p', policyXml({ inbound: '<quota calls="3" renewal-period="86400" /><base />' }));
  });

  afterAll(async () => {
    await w?.close();
  });

  async function node(): Promise<{ gateway: Gateway; call: () => Promise<number> }> {
    const counters = deploymentCounters({ redisUrl: undefined, redisUnavailable: 'allow', store: w.server.app.store, logger: quiet, clock: w.clock, flushIntervalMs: 60_000 });
    const gateway = createGateway({ store: w.server.app.store, clock: w.clock, logger: quiet, pollIntervalMs: 86_400_000, counters });
    const { port } = await gateway.listen(0, '127.0.0.1');
    const call = async () => {
      const res = await fetch(`http://127.0.0.1:${port}/echo/x`, { headers: { [KEY_HEADER]: key } });
      await res.arrayBuffer();
      return res.status;
    };
    return { gateway, call };
  }

  it('keeps counting where the stopped gateway left off', async () => {
    const first = await node();
    expect(await first.call()).toBe(200);
    expect(await first.call()).toBe(200);
    // Closing writes what was counted.
    await first.gateway.close();
    const rows = await w.server.app.store.quotaCounters.listQuotaCounters('s');
    expect(rows.map((r) => r.calls)).toEqual([2]);

    const second = await node();
    expect(await second.call()).toBe(200);
    expect(await second.call()).toBe(403);
    await second.gateway.close();
    expect((await w.server.app.store.quotaCounters.listQuotaCounters('s')).map((r) => r.calls)).toEqual([3]);
  });
});
