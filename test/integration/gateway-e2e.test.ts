/**
 * The whole loop through the public faces only: the official Azure SDK configures an API, its
 * operations, a product and a subscription on Tollgate; a client calls the gateway with the key
 * from listSecrets against a real upstream; administrative changes made through the SDK stop or
 * restore access by the time the SDK call returns (read your writes: no wait, no manual refresh),
 * and a second gateway over the same database follows them through the change feed (how fast:
 * `npm run bench:propagation`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiManagementClient } from '@azure/arm-apimanagement';
import { BACKENDS, RESOURCE_GROUP as RG, SERVICE_NAME as SVC, startServer, type TestServer } from '../helpers/server.js';
import { createAzureClient } from '../helpers/azure-client.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { until } from '../helpers/gateway.js';
import { createGateway } from '../../src/gateway/index.js';
import { systemClock } from '../../src/domain/clock.js';

describe.each(BACKENDS)('Azure SDK configures, the gateway enforces (%s)', (backend) => {
  let server: TestServer;
  let client: ApiManagementClient;
  let upstream: Upstream;
  let primary = '';

  const call = async (path: string, key: string | undefined, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (key !== undefined) headers.set('Ocp-Apim-Subscription-Key', key);
    const res = await fetch(`${server.gatewayUrl}${path}`, { ...init, headers });
    await res.arrayBuffer();
    return res.status;
  };

  beforeAll(async () => {
    upstream = await startUpstream();
    server = await startServer(backend);
    client = createAzureClient(server);
    await client.user.createOrUpdate(RG, SVC, 'dev', { email: 'dev@example.com', firstName: 'Dev', lastName: 'Eloper' });
    await client.api.beginCreateOrUpdateAndWait(RG, SVC, 'orders', {
      displayName: 'Orders',
      path: 'orders',
      serviceUrl: `${upstream.url}/v1`,
      protocols: ['http', 'https'],
    });
    await client.apiOperation.createOrUpdate(RG, SVC, 'orders', 'get-order', {
      displayName: 'Get an order',
      method: 'GET',
      urlTemplate: '/orders/{id}',
      templateParameters: [{ name: 'id', type: 'string', required: true }],
    });
    await client.apiOperation.createOrUpdate(RG, SVC, 'orders', 'create-order', { displayName: 'Create an order', method: 'POST', urlTemplate: '/orders' });
    await client.product.createOrUpdate(RG, SVC, 'shop', { displayName: 'Shop', subscriptionRequired: true, state: 'published' });
    await client.productApi.createOrUpdate(RG, SVC, 'shop', 'orders');
    await client.productGroup.createOrUpdate(RG, SVC, 'shop', 'developers');
    await client.subscription.createOrUpdate(RG, SVC, 'dev-shop', { ownerId: '/users/dev', scope: '/products/shop', displayName: 'Dev shop', state: 'active' });
    primary = (await client.subscription.listSecrets(RG, SVC, 'dev-shop')).primaryKey!;
  });

  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  it('forwards a call that carries the key of an active subscription, without the key', async () => {
    expect(await call('/orders/orders/42?expand=lines', primary)).toBe(200);
    const last = upstream.seen.at(-1)!;
    expect(last.url).toBe('/v1/orders/42?expand=lines');
    expect(last.headers['ocp-apim-subscription-key']).toBeUndefined();
    expect(await call('/orders/orders', primary, { method: 'POST', body: '{"item":"book"}', headers: { 'content-type': 'application/json' } })).toBe(200);
    expect(upstream.seen.at(-1)!.body).toBe('{"item":"book"}');
  });

  it('refuses a missing or wrong key and an unknown operation', async () => {
    expect(await call('/orders/orders/42', undefined)).toBe(401);
    expect(await call('/orders/orders/42', 'f'.repeat(64))).toBe(401);
    expect(await call('/orders/nothing-here', primary)).toBe(404);
  });

  it('stops the key when the owner is blocked, and lets it through again when reactivated', async () => {
    await client.user.update(RG, SVC, 'dev', '*', { state: 'blocked' });
    expect(await call('/orders/orders/1', primary)).toBe(403);
    await client.user.update(RG, SVC, 'dev', '*', { state: 'active' });
    expect(await call('/orders/orders/1', primary)).toBe(200);
  });

  it('stops a suspended subscription, and a regenerated key', async () => {
    await client.subscription.update(RG, SVC, 'dev-shop', '*', { state: 'suspended' });
    expect(await call('/orders/orders/1', primary)).toBe(403);
    await client.subscription.update(RG, SVC, 'dev-shop', '*', { state: 'active' });
    expect(await call('/orders/orders/1', primary)).toBe(200);

    await client.subscription.regeneratePrimaryKey(RG, SVC, 'dev-shop');
    expect(await call('/orders/orders/1', primary)).toBe(401);
    primary = (await client.subscription.listSecrets(RG, SVC, 'dev-shop')).primaryKey!;
    expect(await call('/orders/orders/1', primary)).toBe(200);
  });

  it('stops the product\'s subscriptions when it is unpublished', async () => {
    await client.product.update(RG, SVC, 'shop', '*', { state: 'notPublished' });
    expect(await call('/orders/orders/1', primary)).toBe(403);
    await client.product.update(RG, SVC, 'shop', '*', { state: 'published' });
    expect(await call('/orders/orders/1', primary)).toBe(200);
  });

  it('keeps several gateway processes in step through the change feed', async () => {
    // A second gateway over the same database, as another process would run it.
    const second = createGateway({ store: server.app.store, clock: systemClock, logger: server.app.http.log });
    const { port } = await second.listen(0, '127.0.0.1');
    const callSecond = async () => {
      const res = await fetch(`http://127.0.0.1:${port}/orders/orders/7`, { headers: { 'Ocp-Apim-Subscription-Key': primary } });
      await res.arrayBuffer();
      return res.status;
    };
    try {
      expect(await callSecond()).toBe(200);
      await client.subscription.update(RG, SVC, 'dev-shop', '*', { state: 'suspended' });
      // This process's gateway enforces the change when the write is answered; the other one follows the feed.
      expect(await call('/orders/orders/7', primary)).toBe(403);
      await until(callSecond, 403);
      await client.subscription.update(RG, SVC, 'dev-shop', '*', { state: 'active' });
      expect(await call('/orders/orders/7', primary)).toBe(200);
      await until(callSecond, 200);
    } finally {
      await second.close();
    }
  });

  it('writes every subscription change to the audit log, naming the management key, without keys', async () => {
    const entries = await server.app.store.audit.listAudit({ userId: 'dev', limit: 200 });
    const subscriptionEntries = entries.filter((e) => e.action.startsWith('subscription.'));
    expect(new Set(subscriptionEntries.map((e) => e.action))).toEqual(
      new Set(['subscription.created', 'subscription.state-changed', 'subscription.key-regenerated']),
    );
    expect(subscriptionEntries.every((e) => e.actor === 'key:bootstrap')).toBe(true);
    expect(JSON.stringify(entries)).not.toContain(primary);
  });

  it('stops the key when its owner is deleted', async () => {
    await client.user.beginDeleteAndWait(RG, SVC, 'dev', '*', { deleteSubscriptions: true });
    expect(await call('/orders/orders/1', primary)).toBe(401);
  });
});
