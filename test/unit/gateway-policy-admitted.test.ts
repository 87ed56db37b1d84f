/**
 * What the key index tells the policies about the subscription a call was let through with: its
 * id, its owner, its product (only for a product-scoped subscription), and when its quota windows
 * start (its start date, else its creation), as the typed arrays hold them.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeyIndex, type SubscriptionRecord } from '../../src/gateway/access.js';

const hash = (key: string) => createHmac('sha256', 'lookup').update(key).digest('base64url');
const NOW = Date.parse('2026-06-01T00:00:00Z');

const sub = (id: string, over: Partial<SubscriptionRecord> = {}): SubscriptionRecord => ({
  id,
  ownerId: 'u1',
  ownerState: 'active',
  scope: '/products/p',
  state: 'active',
  expirationDate: null,
  primaryLookup: hash(`${id}-1`),
  secondaryLookup: hash(`${id}-2`),
  ...over,
});

describe('the key index, for policies', () => {
  it('gives the subscription, its owner, its product and its start', () => {
    const keys = new KeyIndex();
    keys.setProduct('p', { id: 'p', published: true, apiIds: new Set(['echo']) });
    keys.upsertSubscription(sub('s1', { startedAt: '2026-05-01T10:00:00Z' }));
    keys.upsertSubscription(sub('s2', { scope: '/apis', ownerId: null, ownerState: null }));
    keys.upsertSubscription(sub('s3', { scope: '/apis/echo', ownerId: 'u2' }));
    expect(keys.decide(hash('s1-1'), 'echo', NOW)).toEqual({
      allowed: true,
      subscriptionId: 's1',
      ownerId: 'u1',
      productId: 'p',
      startedAt: Date.parse('2026-05-01T10:00:00Z'),
    });
    expect(keys.decide(hash('s2-2'), 'echo', NOW)).toEqual({ allowed: true, subscriptionId: 's2', ownerId: undefined, productId: undefined, startedAt: 0 });
    expect(keys.decide(hash('s3-1'), 'echo', NOW)).toMatchObject({ subscriptionId: 's3', ownerId: 'u2', productId: undefined });
  });

  it('follows a subscription moved to another product, and a new start', () => {
    const keys = new KeyIndex();
    keys.setProduct('p', { id: 'p', published: true, apiIds: new Set(['echo']) });
    keys.setProduct('q', { id: 'q', published: true, apiIds: new Set(['echo']) });
    keys.upsertSubscription(sub('s1', { startedAt: '2026-05-01T00:00:00Z' }));
    keys.upsertSubscription(sub('s1', { scope: '/products/q', startedAt: '2026-05-20T00:00:00Z' }));
    expect(keys.decide(hash('s1-1'), 'echo', NOW)).toMatchObject({ productId: 'q', startedAt: Date.parse('2026-05-20T00:00:00Z') });
  });
});
