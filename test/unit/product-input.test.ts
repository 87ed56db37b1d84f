import { describe, expect, it } from 'vitest';
import {
  API_ID_MAX,
  ARM_ID_PATTERN,
  LINK_ID_MAX,
  PRODUCT_DESCRIPTION_MAX,
  PRODUCT_DISPLAY_NAME_MAX,
  PRODUCT_ID_MAX,
  PRODUCT_STATES,
  PRODUCT_TERMS_MAX,
  productApiLinkInput,
  productCreateInput,
  productGroupLinkInput,
  productUpdateInput,
} from '../../src/domain/product-input.js';
import { accepted, refusal } from '../helpers/input.js';

const create = (extra: Record<string, unknown>) => ({ displayName: 'Starter', ...extra });

describe('the limits', () => {
  it("are Azure's (terms: Tollgate's own)", () => {
    expect(PRODUCT_ID_MAX).toBe(256);
    expect(PRODUCT_DISPLAY_NAME_MAX).toBe(300);
    expect(PRODUCT_DESCRIPTION_MAX).toBe(1000);
    expect(PRODUCT_TERMS_MAX).toBe(100_000);
    expect(API_ID_MAX).toBe(256);
    expect(LINK_ID_MAX).toBe(80);
    expect(PRODUCT_STATES).toEqual(['notPublished', 'published']);
    expect(ARM_ID_PATTERN.test('starter-1.x_y')).toBe(true);
    for (const c of ['*', '#', '&', '+', ':', '<', '>', '?']) expect(ARM_ID_PATTERN.test(`a${c}b`), c).toBe(false);
  });
});

describe('productCreateInput', () => {
  it('needs a display name, trimmed, of 1 to 300 characters', () => {
    expect(accepted(productCreateInput, { displayName: '  Starter ' })).toEqual({ displayName: 'Starter' });
    expect(accepted(productCreateInput, { displayName: ` ${'d'.repeat(300)} ` })).toEqual({ displayName: 'd'.repeat(300) });
    expect(refusal(productCreateInput, {})).toEqual({ displayName: 'must be a string' });
    expect(refusal(productCreateInput, { displayName: '  ' })).toEqual({ displayName: 'is required' });
    expect(refusal(productCreateInput, { displayName: 'd'.repeat(301) })).toEqual({ displayName: 'must be at most 300 characters' });
    expect(refusal(productCreateInput, { displayName: 'a\u0000' })).toEqual({ displayName: 'must not contain the NUL character' });
  });

  it('takes a description of at most 1000 characters and terms of at most 100000, as they are, or null', () => {
    const texts = { description: ' About ', terms: ' Be nice. ' };
    expect(accepted(productCreateInput, create(texts))).toEqual(create(texts));
    expect(accepted(productCreateInput, create({ description: null, terms: null }))).toEqual(create({ description: null, terms: null }));
    expect(accepted(productCreateInput, create({ description: 'd'.repeat(1000), terms: 't'.repeat(100_000) }))).toEqual(
      create({ description: 'd'.repeat(1000), terms: 't'.repeat(100_000) }),
    );
    expect(refusal(productCreateInput, create({ description: 'd'.repeat(1001) }))).toEqual({ description: 'must be at most 1000 characters' });
    expect(refusal(productCreateInput, create({ terms: 't'.repeat(100_001) }))).toEqual({ terms: 'must be at most 100000 characters' });
  });

  it('takes the two flags as true or false', () => {
    for (const flag of [true, false]) {
      expect(accepted(productCreateInput, create({ subscriptionRequired: flag, approvalRequired: !flag }))).toEqual(
        create({ subscriptionRequired: flag, approvalRequired: !flag }),
      );
    }
    expect(refusal(productCreateInput, create({ subscriptionRequired: 'yes', approvalRequired: null }))).toEqual({
      subscriptionRequired: 'must be true or false',
      approvalRequired: 'must be true or false',
    });
  });

  it('takes a subscriptions limit: a whole number from 1 to 2147483647, or null for none', () => {
    for (const subscriptionsLimit of [1, 5, 2147483647, null]) {
      expect(accepted(productCreateInput, create({ subscriptionsLimit }))).toEqual(create({ subscriptionsLimit }));
    }
    expect(refusal(productCreateInput, create({ subscriptionsLimit: 0 }))).toEqual({ subscriptionsLimit: 'must be at least 1 (null for unlimited)' });
    expect(refusal(productCreateInput, create({ subscriptionsLimit: -1 }))).toEqual({ subscriptionsLimit: 'must be at least 1 (null for unlimited)' });
    expect(refusal(productCreateInput, create({ subscriptionsLimit: 2147483648 }))).toEqual({ subscriptionsLimit: 'must be at most 2147483647' });
    expect(refusal(productCreateInput, create({ subscriptionsLimit: 1.5 }))).toEqual({ subscriptionsLimit: 'must be a whole number' });
    expect(refusal(productCreateInput, create({ subscriptionsLimit: '5' }))).toEqual({ subscriptionsLimit: 'must be a whole number or null' });
  });

  it('takes a state: notPublished or published', () => {
    for (const state of ['notPublished', 'published']) expect(accepted(productCreateInput, create({ state }))).toEqual(create({ state }));
    expect(refusal(productCreateInput, create({ state: 'Published' }))).toEqual({ state: 'must be one of notPublished, published' });
  });

  it('drops what it does not know', () => {
    expect(accepted(productCreateInput, create({ id: 'x', groups: [] }))).toEqual(create({}));
  });
});

describe('productUpdateInput', () => {
  it('makes every field optional, with the same rules', () => {
    expect(accepted(productUpdateInput, {})).toEqual({});
    const all = { displayName: 'Gold', description: null, terms: 'T', subscriptionRequired: false, approvalRequired: true, subscriptionsLimit: null, state: 'published' };
    expect(accepted(productUpdateInput, all)).toEqual(all);
    expect(refusal(productUpdateInput, { displayName: '' })).toEqual({ displayName: 'is required' });
    expect(refusal(productUpdateInput, { displayName: 'd'.repeat(301) })).toEqual({ displayName: 'must be at most 300 characters' });
    expect(refusal(productUpdateInput, { subscriptionsLimit: 0 })).toEqual({ subscriptionsLimit: 'must be at least 1 (null for unlimited)' });
    expect(refusal(productUpdateInput, { state: 'draft' })).toEqual({ state: 'must be one of notPublished, published' });
  });
});

describe('the link inputs', () => {
  it('take an API id or a group id of 1 to 2000 characters', () => {
    expect(accepted(productApiLinkInput, { apiId: '/apis/echo' })).toEqual({ apiId: '/apis/echo' });
    expect(accepted(productGroupLinkInput, { groupId: 'g'.repeat(2000) })).toEqual({ groupId: 'g'.repeat(2000) });
    expect(refusal(productApiLinkInput, { apiId: '' })).toEqual({ apiId: 'is required' });
    expect(refusal(productGroupLinkInput, { groupId: '' })).toEqual({ groupId: 'is required' });
    expect(Object.keys(refusal(productApiLinkInput, { apiId: 'a'.repeat(2001) }))).toEqual(['apiId']);
    expect(Object.keys(refusal(productGroupLinkInput, { groupId: 'g'.repeat(2001) }))).toEqual(['groupId']);
    expect(refusal(productApiLinkInput, {})).toEqual({ apiId: 'must be a string' });
  });
});
