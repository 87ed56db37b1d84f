import { describe, expect, it } from 'vitest';
import {
  SUBSCRIPTION_DISPLAY_NAME_MAX,
  SUBSCRIPTION_ID_MAX,
  SUBSCRIPTION_ID_PATTERN,
  SUBSCRIPTION_KEY_MAX,
  SUBSCRIPTION_STATE_COMMENT_MAX,
  rejectionInput,
  subscribeInput,
  subscriptionCreateInput,
  subscriptionUpdateInput,
} from '../../src/domain/subscription-input.js';
import { accepted, refusal } from '../helpers/input.js';

// Mutants still alive:
// - the expiration pattern without its ^: equivalent, the date at the start must also read back as
//   the same day;
// - in withZone, `[T ]` → `[^T ]` and the offset pattern without its $: equivalent (a date alone
//   with a Z is read as the same UTC midnight; an accepted value has no offset-like text before its
//   end);
// - withZone's test → false: it changes only how a time without an offset is read outside UTC,
//   which the time-zone test below checks under `npx vitest run`; Stryker's worker thread cannot
//   leave UTC, so it cannot tell.

const STATES_MESSAGE = 'must be one of submitted, active, suspended, rejected, cancelled, expired';
const create = (extra: Record<string, unknown>) => ({ scope: '/products/starter', displayName: 'Mine', ...extra });

describe('the limits', () => {
  it("are Azure's", () => {
    expect(SUBSCRIPTION_ID_MAX).toBe(256);
    expect(SUBSCRIPTION_DISPLAY_NAME_MAX).toBe(100);
    expect(SUBSCRIPTION_KEY_MAX).toBe(256);
    expect(SUBSCRIPTION_STATE_COMMENT_MAX).toBe(1000);
    expect(SUBSCRIPTION_ID_PATTERN.test('my-sub_1.x')).toBe(true);
    for (const c of ['*', '#', '&', '+', ':', '<', '>', '?']) expect(SUBSCRIPTION_ID_PATTERN.test(`a${c}b`), c).toBe(false);
    expect(SUBSCRIPTION_ID_PATTERN.test('')).toBe(false);
  });
});

describe('subscriptionCreateInput', () => {
  it('needs a scope and a display name; the rest is optional', () => {
    expect(accepted(subscriptionCreateInput, create({}))).toEqual(create({}));
    expect(refusal(subscriptionCreateInput, {})).toEqual({ scope: 'must be a string', displayName: 'must be a string' });
  });

  it('takes the scope and the owner trimmed, 1 to 2000 characters', () => {
    expect(accepted(subscriptionCreateInput, create({ scope: '  /apis  ', ownerId: ' /users/jane ' }))).toEqual(
      create({ scope: '/apis', ownerId: '/users/jane' }),
    );
    expect(accepted(subscriptionCreateInput, create({ scope: 'x'.repeat(2000) })).scope).toHaveLength(2000);
    expect(accepted(subscriptionCreateInput, create({ scope: ` ${'x'.repeat(2000)} ` })).scope).toHaveLength(2000);
    expect(refusal(subscriptionCreateInput, create({ scope: 'x'.repeat(2001) }))).toEqual({ scope: 'is too long' });
    expect(refusal(subscriptionCreateInput, create({ scope: '' }))).toEqual({ scope: 'is required' });
    expect(refusal(subscriptionCreateInput, create({ scope: '   ' }))).toEqual({ scope: 'is required' });
    expect(refusal(subscriptionCreateInput, create({ scope: null }))).toEqual({ scope: 'must be a string' });
    expect(refusal(subscriptionCreateInput, create({ ownerId: '' }))).toEqual({ ownerId: 'is required' });
    expect(refusal(subscriptionCreateInput, create({ ownerId: 'x'.repeat(2001) }))).toEqual({ ownerId: 'is too long' });
    expect(refusal(subscriptionCreateInput, create({ ownerId: 7 }))).toEqual({ ownerId: 'must be a string' });
  });

  it('takes a null owner (a subscription without one)', () => {
    expect(accepted(subscriptionCreateInput, create({ ownerId: null }))).toEqual(create({ ownerId: null }));
  });

  it('takes the display name trimmed, 1 to 100 characters', () => {
    expect(accepted(subscriptionCreateInput, create({ displayName: '  Mine  ' }))).toEqual(create({ displayName: 'Mine' }));
    expect(accepted(subscriptionCreateInput, create({ displayName: ` ${'d'.repeat(100)} ` })).displayName).toBe('d'.repeat(100));
    expect(refusal(subscriptionCreateInput, create({ displayName: 'd'.repeat(101) }))).toEqual({ displayName: 'must be at most 100 characters' });
    expect(refusal(subscriptionCreateInput, create({ displayName: ' ' }))).toEqual({ displayName: 'is required' });
    expect(refusal(subscriptionCreateInput, create({ displayName: null }))).toEqual({ displayName: 'must be a string' });
    expect(refusal(subscriptionCreateInput, create({ displayName: 'a\u0000b' }))).toEqual({ displayName: 'must not contain the NUL character' });
  });

  it('takes keys of 1 to 256 characters, as they are', () => {
    const keys = { primaryKey: ' p ', secondaryKey: 's'.repeat(256) };
    expect(accepted(subscriptionCreateInput, create(keys))).toEqual(create(keys));
    expect(refusal(subscriptionCreateInput, create({ primaryKey: '' }))).toEqual({ primaryKey: 'must not be empty' });
    expect(refusal(subscriptionCreateInput, create({ secondaryKey: '' }))).toEqual({ secondaryKey: 'must not be empty' });
    expect(refusal(subscriptionCreateInput, create({ primaryKey: 'k'.repeat(257) }))).toEqual({ primaryKey: 'must be at most 256 characters' });
    expect(refusal(subscriptionCreateInput, create({ secondaryKey: 'k'.repeat(257) }))).toEqual({ secondaryKey: 'must be at most 256 characters' });
    expect(refusal(subscriptionCreateInput, create({ primaryKey: null }))).toEqual({ primaryKey: 'must be a string' });
  });

  it('takes any of the six states, spelt exactly', () => {
    for (const state of ['submitted', 'active', 'suspended', 'rejected', 'cancelled', 'expired']) {
      expect(accepted(subscriptionCreateInput, create({ state }))).toEqual(create({ state }));
    }
    expect(refusal(subscriptionCreateInput, create({ state: 'Active' }))).toEqual({ state: STATES_MESSAGE });
    expect(refusal(subscriptionCreateInput, create({ state: null }))).toEqual({ state: STATES_MESSAGE });
  });

  it('takes allowTracing as true, false or null', () => {
    for (const allowTracing of [true, false, null]) {
      expect(accepted(subscriptionCreateInput, create({ allowTracing }))).toEqual(create({ allowTracing }));
    }
    expect(refusal(subscriptionCreateInput, create({ allowTracing: 'true' }))).toEqual({ allowTracing: 'must be true or false' });
  });

  it('drops what it does not know (an expiration date is set by an update)', () => {
    expect(accepted(subscriptionCreateInput, create({ expirationDate: '2030-01-01', createdDate: 'x' }))).toEqual(create({}));
  });
});

describe('subscriptionUpdateInput', () => {
  const expiration = (expirationDate: unknown) => accepted(subscriptionUpdateInput, { expirationDate }).expirationDate;
  const badExpiration = (expirationDate: unknown) => refusal(subscriptionUpdateInput, { expirationDate });

  it('makes every field optional', () => {
    expect(accepted(subscriptionUpdateInput, {})).toEqual({});
  });

  it('takes the same owner, scope, keys, state and tracing as a create', () => {
    const all = { ownerId: null, scope: ' /apis/echo ', primaryKey: 'p', secondaryKey: 's', state: 'suspended', allowTracing: null };
    expect(accepted(subscriptionUpdateInput, all)).toEqual({ ...all, scope: '/apis/echo' });
    expect(refusal(subscriptionUpdateInput, { scope: ' ' })).toEqual({ scope: 'is required' });
    expect(refusal(subscriptionUpdateInput, { ownerId: 'o'.repeat(2001) })).toEqual({ ownerId: 'is too long' });
    expect(refusal(subscriptionUpdateInput, { primaryKey: '' })).toEqual({ primaryKey: 'must not be empty' });
    expect(refusal(subscriptionUpdateInput, { secondaryKey: 'k'.repeat(257) })).toEqual({ secondaryKey: 'must be at most 256 characters' });
    expect(refusal(subscriptionUpdateInput, { state: 'deleted' })).toEqual({ state: STATES_MESSAGE });
    expect(refusal(subscriptionUpdateInput, { allowTracing: 1 })).toEqual({ allowTracing: 'must be true or false' });
  });

  it('takes a display name trimmed, of at most 100 characters, empty or null', () => {
    expect(accepted(subscriptionUpdateInput, { displayName: ' New ' })).toEqual({ displayName: 'New' });
    expect(accepted(subscriptionUpdateInput, { displayName: '' })).toEqual({ displayName: '' });
    expect(accepted(subscriptionUpdateInput, { displayName: null })).toEqual({ displayName: null });
    expect(accepted(subscriptionUpdateInput, { displayName: ` ${'d'.repeat(100)} ` })).toEqual({ displayName: 'd'.repeat(100) });
    expect(refusal(subscriptionUpdateInput, { displayName: 'd'.repeat(101) })).toEqual({ displayName: 'must be at most 100 characters' });
  });

  it('takes a state comment of at most 1000 characters, as it is, or null', () => {
    expect(accepted(subscriptionUpdateInput, { stateComment: ' why ' })).toEqual({ stateComment: ' why ' });
    expect(accepted(subscriptionUpdateInput, { stateComment: null })).toEqual({ stateComment: null });
    expect(accepted(subscriptionUpdateInput, { stateComment: 'c'.repeat(1000) })).toEqual({ stateComment: 'c'.repeat(1000) });
    expect(refusal(subscriptionUpdateInput, { stateComment: 'c'.repeat(1001) })).toEqual({ stateComment: 'must be at most 1000 characters' });
  });

  it('takes an expiration date or date-time in ISO 8601 and stores the instant in UTC', () => {
    expect(expiration('2026-05-01')).toBe('2026-05-01T00:00:00.000Z');
    expect(expiration('2026-05-01T10:20:30Z')).toBe('2026-05-01T10:20:30.000Z');
    expect(expiration('2026-05-01T10:20:30.5Z')).toBe('2026-05-01T10:20:30.500Z');
    expect(expiration('2026-05-01T10:20Z')).toBe('2026-05-01T10:20:00.000Z');
    expect(expiration('2026-05-01T10:20:30+02:00')).toBe('2026-05-01T08:20:30.000Z');
    expect(expiration('2026-05-01T10:20:30-0230')).toBe('2026-05-01T12:50:30.000Z');
    expect(expiration('2026-05-01 10:20:30Z')).toBe('2026-05-01T10:20:30.000Z');
    expect(expiration('2026-05-01t10:20:30z')).toBe('2026-05-01T10:20:30.000Z');
    expect(expiration('2028-02-29T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
    expect(expiration(null)).toBeNull();
  });

  it('refuses an expiration that is not an ISO 8601 date-time', () => {
    for (const text of [
      'tomorrow',
      '',
      '2026-5-1',
      '26-05-01',
      '20260501',
      ' 2026-05-01',
      '2026-05-01 ',
      'x2026-05-01',
      '2026-05-01x',
      '2026-05-01Z',
      '2026-05-01T',
      '2026-05-01TZ',
      '2026-05-01T10:20:30 Z',
      '2026-05-01T10:20:30+02',
      '2026-05-01T10:20:30+2:00',
      '2026-05-01T10:20:30+02:000',
      '2026-05-01T10',
      '2026-13-01',
      '2026-05-32',
      '2026-05-01T25:00Z',
      '2026-05-01T10:61Z',
      '2026-05-01T1:2:3Z',
    ]) {
      expect(badExpiration(text), text).toEqual({ expirationDate: 'must be an ISO 8601 date-time' });
    }
    expect(badExpiration(1767225600000)).toEqual({ expirationDate: 'must be a string' });
  });
});

describe('subscriptionUpdateInput expirationDate: bugs found', () => {
  it('bug: a day that does not exist (30 February) is refused, not moved into March', () => {
    for (const text of ['2026-02-30', '2026-02-29', '2026-04-31', '2026-02-30T10:00:00Z', '2026-06-31 23:00:00+02:00']) {
      expect(refusal(subscriptionUpdateInput, { expirationDate: text }), text).toEqual({ expirationDate: 'must be an ISO 8601 date-time' });
    }
    expect(accepted(subscriptionUpdateInput, { expirationDate: '2028-02-29' })).toEqual({ expirationDate: '2028-02-29T00:00:00.000Z' });
    expect(accepted(subscriptionUpdateInput, { expirationDate: '2026-04-30T23:59Z' })).toEqual({ expirationDate: '2026-04-30T23:59:00.000Z' });
  });

  it("bug: a date-time without an offset is read as UTC, not in the server's time zone", () => {
    // The time zone can be changed while running in a process of its own (vitest's forks, as in
    // `npx vitest run`); in a worker thread (Stryker runs vitest in one) it stays UTC, and this
    // only checks what a UTC server does.
    const zone = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      expect(accepted(subscriptionUpdateInput, { expirationDate: '2026-05-01T10:20:30' })).toEqual({ expirationDate: '2026-05-01T10:20:30.000Z' });
      expect(accepted(subscriptionUpdateInput, { expirationDate: '2026-01-15 08:00' })).toEqual({ expirationDate: '2026-01-15T08:00:00.000Z' });
      expect(accepted(subscriptionUpdateInput, { expirationDate: '2026-01-15t08:00:00.25' })).toEqual({ expirationDate: '2026-01-15T08:00:00.250Z' });
      // A date alone, or a date-time with its offset, was read so already.
      expect(accepted(subscriptionUpdateInput, { expirationDate: '2026-01-15' })).toEqual({ expirationDate: '2026-01-15T00:00:00.000Z' });
      expect(accepted(subscriptionUpdateInput, { expirationDate: '2026-01-15T08:00-05:00' })).toEqual({ expirationDate: '2026-01-15T13:00:00.000Z' });
      expect(accepted(subscriptionUpdateInput, { expirationDate: '2026-01-15T08:00+0100' })).toEqual({ expirationDate: '2026-01-15T07:00:00.000Z' });
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });
});

describe('subscribeInput', () => {
  it('is a display name, trimmed, of 1 to 100 characters', () => {
    expect(accepted(subscribeInput, { displayName: '  For my app ', scope: '/apis' })).toEqual({ displayName: 'For my app' });
    expect(refusal(subscribeInput, {})).toEqual({ displayName: 'must be a string' });
    expect(refusal(subscribeInput, { displayName: '  ' })).toEqual({ displayName: 'is required' });
    expect(refusal(subscribeInput, { displayName: 'd'.repeat(101) })).toEqual({ displayName: 'must be at most 100 characters' });
  });
});

describe('rejectionInput', () => {
  it('is a reason, trimmed, of 1 to 1000 characters, which the owner reads', () => {
    expect(accepted(rejectionInput, { reason: ' Not a partner. ' })).toEqual({ reason: 'Not a partner.' });
    expect(accepted(rejectionInput, { reason: ` ${'r'.repeat(1000)} ` })).toEqual({ reason: 'r'.repeat(1000) });
    expect(refusal(rejectionInput, { reason: ' ' })).toEqual({ reason: 'is required: the owner reads it in the email' });
    expect(refusal(rejectionInput, { reason: 'r'.repeat(1001) })).toEqual({ reason: 'must be at most 1000 characters' });
    expect(refusal(rejectionInput, {})).toEqual({ reason: 'must be a string' });
  });
});
