/**
 * The change-propagation lag gauge: how long after a change was written the gateway applied it,
 * measured on the gateway's own clock (the test's, moved by hand: no sleeping). A change written
 * at T and applied at T + 7 s reads 7; the next change applied at once reads 0 again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Registry } from 'prom-client';
import { BACKENDS } from '../helpers/server.js';
import { startPolicyWorld, type PolicyWorld } from '../helpers/policy-world.js';
import { parseMetrics, seriesKey } from '../helpers/ops.js';
import { createMetricsRegistry } from '../../src/ops/metrics.js';
import { createCallMetrics } from '../../src/gateway/observe/metrics.js';

describe.each(BACKENDS)('change lag metric (%s)', (backend) => {
  let w: PolicyWorld;
  let registry: Registry;

  beforeAll(async () => {
    w = await startPolicyWorld(backend);
    registry = createMetricsRegistry({ nodeName: 'lag-node', calls: createCallMetrics(), gateway: w.gateway });
  });

  afterAll(async () => {
    await w?.close();
  });

  const lag = async () => parseMetrics(await registry.metrics()).get(seriesKey('tollgate_gateway_change_lag_seconds', { node: 'lag-node' }));

  it('reads how long after its writing the newest change was applied', async () => {
    const store = w.server.app.store;
    await store.changes.recordChanges([{ entity: 'api', entity_id: 'late', at: w.clock.now().toISOString() }], store.dialect);
    w.clock.advance(7_000);
    await w.gateway.catchUp();
    expect(await lag()).toBe(7);
    const seq = w.gateway.stats().feedSeq;
    expect(parseMetrics(await registry.metrics()).get(seriesKey('tollgate_gateway_feed_position', { node: 'lag-node' }))).toBe(seq);

    await w.changed('api', 'soon');
    expect(await lag()).toBe(0);
    expect(w.gateway.stats().feedSeq).toBe(seq + 1);
  });
});
