/**
 * The key index's access decisions, and that each kind of change touches only what it names: a
 * block is one write for all of a user's keys, a product change reaches every key of it, a new
 * key replaces the old one.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeyIndex, type SubscriptionRecord } from '../../src/gateway/access.js';
import { MESSAGES } from '../../src/gateway/responses.js';

const hash = (key: string) => createHmac('sha256', 'lookup').update(key).digest('base64url');
const NOW = Date.parse('2026-06-01T00:00:00Z');

function sub(id: string, over: Partial<SubscriptionRecord> = {}): SubscriptionRecord {
  return {
    id,
    ownerId: 'u1',
    ownerState: 'active',
    scope: '/products/p',
    state: 'active',
    expirationDate: null,
    primaryLookup: hash(`${id}-primary`),
    secondaryLookup: hash(`${id}-secondary`),
    ...over,
  };
}

function index(...subs: SubscriptionRecord[]): KeyIndex {
  const keys = new KeyIndex();
  keys.setProduct('p', { id: 'p', published: true, apiIds: new Set(['echo']) });
  for (const s of subs) keys.upsertSubscription(s);
  return keys;
}

const outcome = (keys: KeyIndex, key: string, api = 'echo', now = NOW) => {
  const d = keys.decide(hash(key), api, now);
  return d.allowed ? d.subscriptionId : `${d.status} ${d.message}`;
};

describe('KeyIndex', () => {
  it('opens the APIs of the scope with either key, and refuses with the reason the gateway gives', () => {
    const keys = index(
      sub('s1'),
      sub('all', { scope: '/apis' }),
      sub('one-api', { scope: '/apis/other' }),
      sub('bad-scope', { scope: 'nonsense' }),
      sub('suspended', { state: 'suspended' }),
      sub('expired', { expirationDate: '2026-05-31T00:00:00Z' }),
      sub('no-owner', { ownerId: null, ownerState: null }),
      sub('owner-gone', { ownerId: 'ghost', ownerState: null }),
    );
    expect(outcome(keys, 's1-primary')).toBe('s1');
    expect(outcome(keys, 's1-secondary')).toBe('s1');
    expect(outcome(keys, 's1-primary', 'other')).toBe(`403 ${MESSAGES.outOfScope}`);
    expect(outcome(keys, 'all-primary', 'anything')).toBe('all');
    expect(outcome(keys, 'one-api-primary', 'other')).toBe('one-api');
    expect(outcome(keys, 'one-api-primary')).toBe(`403 ${MESSAGES.outOfScope}`);
    expect(outcome(keys, 'bad-scope-primary')).toBe(`403 ${MESSAGES.outOfScope}`);
    expect(outcome(keys, 'suspended-primary')).toBe(`403 ${MESSAGES.subscriptionInactive}`);
    expect(outcome(keys, 'expired-primary')).toBe(`403 ${MESSAGES.subscriptionExpired}`);
    expect(outcome(keys, 'no-owner-primary')).toBe('no-owner');
    expect(outcome(keys, 'owner-gone-primary')).toBe(`403 ${MESSAGES.ownerInactive}`);
    expect(outcome(keys, 'nobody')).toBe(`401 ${MESSAGES.invalidKey}`);
    expect(keys.decide('not a digest', 'echo', NOW)).toMatchObject({ allowed: false, status: 401 });
  });

  it("blocks every key of a user with one change of the user's state, and lets them through again", () => {
    const keys = index(sub('a'), sub('b'), sub('c', { ownerId: 'u2' }));
    keys.setOwnerState('u1', 'blocked');
    expect(outcome(keys, 'a-primary')).toBe(`403 ${MESSAGES.ownerInactive}`);
    expect(outcome(keys, 'b-secondary')).toBe(`403 ${MESSAGES.ownerInactive}`);
    expect(outcome(keys, 'c-primary')).toBe('c');
    keys.setOwnerState('u1', 'active');
    expect(outcome(keys, 'a-primary')).toBe('a');
    keys.setOwnerState('u1', undefined);
    expect(outcome(keys, 'a-primary')).toBe(`403 ${MESSAGES.ownerInactive}`);
    // A user with no keys in the index is nobody it must remember.
    keys.setOwnerState('stranger', 'blocked');
    expect(outcome(keys, 'c-primary')).toBe('c');
  });

  it("follows a product's publication and APIs for all its keys, and a product that is gone", () => {
    const keys = index(sub('a'), sub('b'));
    keys.setProduct('p', { id: 'p', published: false, apiIds: new Set(['echo']) });
    expect(outcome(keys, 'a-primary')).toBe(`403 ${MESSAGES.productUnpublished}`);
    keys.setProduct('p', { id: 'p', published: true, apiIds: new Set(['other']) });
    expect(outcome(keys, 'b-primary')).toBe(`403 ${MESSAGES.outOfScope}`);
    expect(outcome(keys, 'b-primary', 'other')).toBe('b');
    keys.setProduct('p', undefined);
    expect(outcome(keys, 'a-primary', 'other')).toBe(`403 ${MESSAGES.productUnpublished}`);
  });

  it('replaces the keys of a subscription put in again (regenerated): the old key stops, the new one works', () => {
    const keys = index(sub('a'));
    keys.upsertSubscription(sub('a', { primaryLookup: hash('fresh') }));
    expect(outcome(keys, 'a-primary')).toBe(`401 ${MESSAGES.invalidKey}`);
    expect(outcome(keys, 'fresh')).toBe('a');
    expect(outcome(keys, 'a-secondary')).toBe('a');
    expect(keys.subscriptions).toBe(1);
    expect(keys.keys).toBe(2);
  });

  it('keeps a key that moved to another subscription when the one that had it is changed after', () => {
    const keys = index(sub('a'), sub('b'));
    // b takes a's old primary key (a already let it go in the database), and is applied first.
    keys.upsertSubscription(sub('b', { primaryLookup: hash('a-primary') }));
    keys.upsertSubscription(sub('a', { primaryLookup: hash('a-new') }));
    expect(outcome(keys, 'a-primary')).toBe('b');
    expect(outcome(keys, 'a-new')).toBe('a');
  });

  it('takes a removed subscription out, reuses its slot, and counts what it holds', () => {
    const keys = index(sub('a'), sub('b'));
    keys.removeSubscription('a');
    keys.removeSubscription('never-there');
    expect(outcome(keys, 'a-primary')).toBe(`401 ${MESSAGES.invalidKey}`);
    expect(outcome(keys, 'b-primary')).toBe('b');
    keys.upsertSubscription(sub('c'));
    expect(outcome(keys, 'c-primary')).toBe('c');
    expect(keys.subscriptions).toBe(2);
    expect(keys.keys).toBe(4);
  });

  it('grows past its first capacity without losing an entry', () => {
    const keys = index();
    for (let i = 0; i < 5_000; i++) keys.upsertSubscription(sub(`s${i}`));
    for (const i of [0, 1023, 1024, 1279, 1280, 4999]) expect(outcome(keys, `s${i}-secondary`)).toBe(`s${i}`);
    expect(keys.subscriptions).toBe(5_000);
  });
});
