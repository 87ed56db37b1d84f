/**
 * How a gateway follows the change feed at the edges: a start that loads subscriptions in many
 * batches, a node that fell behind the pruned feed (it loads everything again, says so, and is
 * then right), pruning itself, and on PostgreSQL a change announced by NOTIFY (no poll needed)
 * and a transaction that commits a lower sequence number after a higher one was read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import { lookupHash } from '../../src/domain/subscription-keys.js';
import { createGateway, type Gateway, type GatewayLogger } from '../../src/gateway/index.js';
import { LOAD_BATCH } from '../../src/gateway/snapshot.js';
import { subscriptionKeyRing } from '../../src/services/signing-keys.js';
import { activeSubscriptionRow } from '../../bench/common/subscription-row.js';
import { activeSubscription, putApi, putProduct, until } from '../helpers/gateway.js';
import { BACKENDS, startServer, type TestServer } from '../helpers/server.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

/** Notes what the gateway logs, so a test can see that it reloaded and why. */
function recordingLogger(): GatewayLogger & { messages: string[] } {
  const messages: string[] = [];
  const note = (_o: object, m?: string) => void messages.push(m ?? '');
  return { messages, info: note, warn: note, error: note };
}

/** An active subscription of `ownerId` to the product 'feed', as a bulk import would write it. */
const directRow = (id: string, ownerId: string, primaryLookup: string, secondaryLookup: string) =>
  activeSubscriptionRow({ id, ownerId, scope: '/products/feed', at: new Date().toISOString(), primaryLookup, secondaryLookup, etag: 'direct' });

const HOUR = 3_600_000;
/** Long enough that a node under test never polls by itself: what it applies, it applies when told. */
const NEVER = 24 * HOUR;

describe.each(BACKENDS)('gateway following the change feed (%s)', (backend) => {
  const clock = new ManualClock(new Date());
  let server: TestServer;
  let upstream: Upstream;
  const nodes: Gateway[] = [];

  async function startNode(options: { notifications?: boolean } = {}) {
    const logger = recordingLogger();
    const gateway = createGateway({
      store: server.app.store,
      clock,
      logger,
      pollIntervalMs: NEVER,
      ...(options.notifications ? { notifications: server.app.database.notifications } : {}),
    });
    nodes.push(gateway);
    const { port } = await gateway.listen(0, '127.0.0.1');
    const call = async (key: string, path = '/feed/x') => {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { 'Ocp-Apim-Subscription-Key': key } });
      await res.arrayBuffer();
      return res.status;
    };
    return { gateway, logger, call };
  }

  /** Subscription rows written straight into the database (as a bulk import would), with real keys. */
  async function insertSubscriptions(ids: string[], ownerId = 'dev'): Promise<Map<string, string>> {
    const ring = await subscriptionKeyRing(server.app.store);
    const keys = new Map<string, string>();
    const rows = ids.map((id) => {
      keys.set(id, `key-of-${id}`);
      return directRow(id, ownerId, lookupHash(ring, `key-of-${id}`), lookupHash(ring, `second-of-${id}`));
    });
    for (let i = 0; i < rows.length; i += 500) await server.app.database.db.insertInto('subscriptions').values(rows.slice(i, i + 500)).execute();
    return keys;
  }

  beforeAll(async () => {
    upstream = await startUpstream();
    server = await startServer(backend, { clock, env: { CHANGE_FEED_RETENTION_MINUTES: '60' } });
    const dev = await server.request('PUT', '/users/dev', { body: { properties: { email: 'dev@example.com', firstName: 'Dev', lastName: 'Eloper' } } });
    expect(dev.status, dev.text).toBeLessThan(300);
    await putApi(server, 'feed', { displayName: 'Feed', path: 'feed', serviceUrl: upstream.url, protocols: ['http'] }, [
      { id: 'all', displayName: 'All', method: 'GET', urlTemplate: '/*' },
    ]);
    await putProduct(server, 'feed', { displayName: 'Feed', subscriptionRequired: true, state: 'published' }, { apis: ['feed'] });
  });

  afterAll(async () => {
    for (const node of nodes) await node.close();
    await server?.close();
    await upstream?.close();
  });

  it('loads subscriptions in many batches at start and opens every key, on both sides of each batch boundary', async () => {
    const batch = LOAD_BATCH[server.app.store.dialect];
    const count = batch * 2 + 7;
    const ids = Array.from({ length: count }, (_, i) => `batch-${String(i).padStart(6, '0')}`);
    const keys = await insertSubscriptions(ids);
    const { call, gateway } = await startNode();
    for (const i of [0, batch - 1, batch, batch * 2 - 1, batch * 2, count - 1]) {
      expect(await call(keys.get(ids[i]!)!), ids[i]).toBe(200);
    }
    expect(gateway.stats().subscriptions).toBeGreaterThanOrEqual(count);
  });

  it('applies only what the feed names after start: a new key, a block, and an unblock, each on the next sync', async () => {
    const { call, gateway, logger } = await startNode();
    const key = await activeSubscription(server, 'inc-1', 'dev', 'feed', 'Incremental');
    expect(await call(key)).toBe(401);
    await gateway.catchUp();
    expect(await call(key)).toBe(200);
    const block = await server.request('PATCH', '/users/dev', { body: { properties: { state: 'blocked' } }, headers: { 'If-Match': '*' } });
    expect(block.status, block.text).toBe(200);
    await gateway.catchUp();
    expect(await call(key)).toBe(403);
    await server.request('PATCH', '/users/dev', { body: { properties: { state: 'active' } }, headers: { 'If-Match': '*' } });
    await gateway.catchUp();
    expect(await call(key)).toBe(200);
    expect(logger.messages.filter((m) => m === 'gateway: configuration loaded')).toHaveLength(1);
  });

  it('prunes feed rows older than the retention, a batch at a time, and marks how far', async () => {
    const before = await server.app.database.db.selectFrom('change_feed').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(Number(before.n)).toBeGreaterThan(0);
    clock.advance(30 * 60_000);
    expect(await server.app.feedRetention.pruneNow()).toBe(0);
    clock.advance(31 * 60_000);
    const fresh = await activeSubscription(server, 'after-prune', 'dev', 'feed', 'Fresh');
    expect(fresh).not.toBe('');
    expect(await server.app.feedRetention.pruneNow()).toBe(Number(before.n));
    const left = await server.app.database.db.selectFrom('change_feed').select(['seq', 'entity_id']).execute();
    expect(left.map((r) => r.entity_id)).toEqual(['after-prune']);
    expect(await server.app.store.changes.prunedThrough()).toBe(Number(left[0]!.seq) - 1);
  });

  it('loads everything again when it fell behind the pruned feed, says so, and is then right', async () => {
    const { call, gateway, logger } = await startNode();
    const before = await activeSubscription(server, 'behind-1', 'dev', 'feed', 'Behind');
    const block = await activeSubscription(server, 'behind-2', 'dev', 'feed', 'Behind');
    await server.request('PUT', '/users/later', { body: { properties: { email: 'later@example.com', firstName: 'L', lastName: 'Ater' } } });
    const later = await activeSubscription(server, 'behind-3', 'later', 'feed', 'Behind');
    await server.request('PATCH', '/subscriptions/behind-2', { body: { properties: { state: 'suspended' } }, headers: { 'If-Match': '*' } });
    // The node was away for longer than the retention: what it missed is gone from the feed.
    clock.advance(2 * HOUR);
    expect(await server.app.feedRetention.pruneNow()).toBeGreaterThan(0);
    await gateway.catchUp();
    expect(logger.messages).toContain('gateway: fell behind the change feed (changes it had not applied were pruned); loading everything again');
    expect(await call(before)).toBe(200);
    expect(await call(block)).toBe(403);
    expect(await call(later)).toBe(200);
  });

  it('starts on a feed pruned empty without taking itself for a node that fell behind', async () => {
    clock.advance(2 * HOUR);
    await server.app.feedRetention.pruneNow();
    expect(await server.app.database.db.selectFrom('change_feed').select('seq').execute()).toEqual([]);
    const { call, gateway, logger } = await startNode();
    await gateway.catchUp();
    await gateway.catchUp();
    expect(logger.messages.filter((m) => m === 'gateway: configuration loaded')).toHaveLength(1);
    const key = await activeSubscription(server, 'after-empty', 'dev', 'feed', 'After empty');
    await gateway.catchUp();
    expect(await call(key)).toBe(200);
    expect(logger.messages.filter((m) => m === 'gateway: configuration loaded')).toHaveLength(1);
  });

  it.runIf(backend === 'postgres')('learns of a change by NOTIFY, without polling', async () => {
    const { call } = await startNode({ notifications: true });
    const key = await activeSubscription(server, 'notified', 'dev', 'feed', 'Notified');
    // The node polls once a day: only the notification can bring the key this soon.
    await until(() => call(key), 200, 5_000);
  });

  it.runIf(backend === 'postgres')('applies a change whose transaction committed after a higher sequence number was read', async () => {
    const { call, gateway } = await startNode();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let recorded!: () => void;
    const inserted = new Promise<void>((resolve) => (recorded = resolve));
    const slow = server.app.database.db.transaction().execute(async (trx) => {
      await trx.insertInto('change_feed').values({ at: new Date().toISOString(), entity: 'subscription', entity_id: 'late' }).execute();
      recorded();
      await held;
      // The row the change names, inserted last: it becomes visible with the commit.
      const ring = await subscriptionKeyRing(server.app.store);
      await trx
        .insertInto('subscriptions')
        .values(directRow('late', 'dev', lookupHash(ring, 'late-key'), lookupHash(ring, 'late-second')))
        .execute();
    });
    await inserted;
    // A later write commits first, with a higher sequence number, and the node reads past it.
    const quick = await activeSubscription(server, 'quick', 'dev', 'feed', 'Quick');
    await gateway.catchUp();
    expect(await call(quick)).toBe(200);
    expect(await call('late-key')).toBe(401);
    release();
    await slow;
    await gateway.catchUp();
    expect(await call('late-key')).toBe(200);
  });
});
