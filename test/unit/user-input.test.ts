import { describe, expect, it } from 'vitest';
import {
  APP_TYPES,
  IDENTITY_PROVIDERS,
  emailInput,
  nameInput,
  signUpInput,
  tokenInput,
  userCreateInput,
  userUpdateInput,
} from '../../src/domain/user-input.js';
import { accepted, messages, refusal } from '../helpers/input.js';

const person = { email: 'jane@example.com', firstName: 'Jane', lastName: 'Doe' };
const create = (extra: Record<string, unknown>) => ({ ...person, ...extra });
/** A valid address of exactly 254 characters. */
const LONGEST_EMAIL = `${'a'.repeat(64)}@${`${'b'.repeat(60)}.`.repeat(3)}${'c'.repeat(6)}`;

describe('emailInput', () => {
  it('is an email address, trimmed', () => {
    expect(accepted(emailInput, '  jane@example.com ')).toBe('jane@example.com');
    expect(accepted(emailInput, 'Jane.Doe+tag@Example.COM')).toBe('Jane.Doe+tag@Example.COM');
    expect(LONGEST_EMAIL).toHaveLength(254);
    expect(accepted(emailInput, ` ${LONGEST_EMAIL} `)).toBe(LONGEST_EMAIL);
  });

  it('refuses an empty, too long or malformed one', () => {
    expect(messages(emailInput, '  ')).toEqual(['body: is required', 'body: is not a valid email address']);
    expect(messages(emailInput, `x${LONGEST_EMAIL}`)).toEqual(['body: must be at most 254 characters', 'body: is not a valid email address']);
    for (const bad of ['jane', 'jane@', '@example.com', 'jane@example', 'ja ne@example.com', '<jane@example.com>']) {
      expect(messages(emailInput, bad), bad).toEqual(['body: is not a valid email address']);
    }
    expect(messages(emailInput, 5)).toEqual(['body: must be a string']);
  });
});

describe('nameInput', () => {
  it('is a name of 1 to 100 characters, trimmed', () => {
    expect(accepted(nameInput, '  Jane ')).toBe('Jane');
    expect(accepted(nameInput, ` ${'n'.repeat(100)} `)).toBe('n'.repeat(100));
    expect(messages(nameInput, 'n'.repeat(101))).toEqual(['body: must be at most 100 characters']);
    expect(messages(nameInput, ' ')).toEqual(['body: is required']);
    expect(messages(nameInput, null)).toEqual(['body: must be a string']);
  });
});

describe('userCreateInput', () => {
  it('needs an email address, a first and a last name', () => {
    expect(accepted(userCreateInput, create({ email: ' jane@example.com', firstName: ' Jane', lastName: 'Doe ' }))).toEqual(person);
    expect(refusal(userCreateInput, {})).toEqual({ email: 'must be a string', firstName: 'must be a string', lastName: 'must be a string' });
    expect(refusal(userCreateInput, create({ firstName: '', lastName: 'l'.repeat(101) }))).toEqual({
      firstName: 'is required',
      lastName: 'must be at most 100 characters',
    });
    expect(refusal(userCreateInput, create({ email: 'nobody' }))).toEqual({ email: 'is not a valid email address' });
  });

  it('takes a password of up to 512 characters as it is (the policy is checked elsewhere)', () => {
    expect(accepted(userCreateInput, create({ password: ' p ' }))).toEqual(create({ password: ' p ' }));
    expect(accepted(userCreateInput, create({ password: '' }))).toEqual(create({ password: '' }));
    expect(accepted(userCreateInput, create({ password: 'p'.repeat(512) }))).toEqual(create({ password: 'p'.repeat(512) }));
    expect(refusal(userCreateInput, create({ password: 'p'.repeat(513) }))).toEqual({ password: 'is too long' });
    expect(refusal(userCreateInput, create({ password: null }))).toEqual({ password: 'must be a string' });
  });

  it('takes any of the four states, spelt exactly', () => {
    for (const state of ['active', 'blocked', 'pending', 'deleted']) {
      expect(accepted(userCreateInput, create({ state }))).toEqual(create({ state }));
    }
    expect(refusal(userCreateInput, create({ state: 'Active' }))).toEqual({ state: 'must be one of active, blocked, pending, deleted' });
  });

  it('takes a note of up to 4000 characters, or null', () => {
    expect(accepted(userCreateInput, create({ note: null }))).toEqual(create({ note: null }));
    expect(accepted(userCreateInput, create({ note: ' n '.repeat(1000).slice(0, 4000) })).note).toHaveLength(3000);
    expect(accepted(userCreateInput, create({ note: 'n'.repeat(4000) })).note).toHaveLength(4000);
    expect(refusal(userCreateInput, create({ note: 'n'.repeat(4001) }))).toEqual({ note: 'must be at most 4000 characters' });
  });

  it('takes up to 20 identities, each once, or null', () => {
    const identities = [
      { provider: 'Basic', id: 'jane@example.com' },
      { provider: 'Aad', id: 'jane@example.com' },
      { provider: 'Basic', id: 'other@example.com' },
    ];
    expect(accepted(userCreateInput, create({ identities }))).toEqual(create({ identities }));
    expect(accepted(userCreateInput, create({ identities: null }))).toEqual(create({ identities: null }));
    expect(accepted(userCreateInput, create({ identities: [] }))).toEqual(create({ identities: [] }));
    const twenty = Array.from({ length: 20 }, (_, i) => ({ provider: 'Basic', id: `u${i}` }));
    expect(accepted(userCreateInput, create({ identities: twenty })).identities).toHaveLength(20);
    expect(refusal(userCreateInput, create({ identities: [...twenty, { provider: 'Basic', id: 'u20' }] }))).toEqual({ identities: 'at most 20 identities' });
    expect(refusal(userCreateInput, create({ identities: [identities[0], identities[1], { ...identities[0] }] }))).toEqual({
      identities: 'must not repeat an identity',
    });
  });

  it('tells identities apart whatever their provider and id contain (a newline is no separator)', () => {
    // Joined with a newline, these two were the same key ("a\nb\nc") and the pair was refused as a repeat.
    const pair = [
      { provider: 'a\nb', id: 'c' },
      { provider: 'a', id: 'b\nc' },
    ];
    expect(accepted(userCreateInput, create({ identities: pair })).identities).toEqual(pair);
  });

  it('takes identities of a provider of 1 to 100 characters and an id of 1 to 254', () => {
    const one = (provider: unknown, id: unknown) => create({ identities: [{ provider, id }] });
    expect(accepted(userCreateInput, one('p'.repeat(100), 'i'.repeat(254))).identities).toEqual([{ provider: 'p'.repeat(100), id: 'i'.repeat(254) }]);
    for (const [provider, id, target] of [
      ['', 'x', 'identities.0.provider'],
      ['p'.repeat(101), 'x', 'identities.0.provider'],
      ['Basic', '', 'identities.0.id'],
      ['Basic', 'i'.repeat(255), 'identities.0.id'],
      [undefined, 'x', 'identities.0.provider'],
    ] as const) {
      expect(Object.keys(refusal(userCreateInput, one(provider, id)))).toEqual([target]);
    }
  });

  it('names the identity providers Azure knows', () => {
    expect(IDENTITY_PROVIDERS).toEqual(['Basic', 'Azure', 'Aad', 'AadB2C', 'Microsoft', 'Facebook', 'Google', 'Twitter']);
  });

  it('takes an app type and a confirmation, for the emails sent', () => {
    expect(APP_TYPES).toEqual(['portal', 'developerPortal']);
    for (const appType of APP_TYPES) expect(accepted(userCreateInput, create({ appType }))).toEqual(create({ appType }));
    for (const confirmation of ['signup', 'invite']) {
      expect(accepted(userCreateInput, create({ confirmation }))).toEqual(create({ confirmation }));
    }
    expect(refusal(userCreateInput, create({ appType: 'admin' }))).toEqual({ appType: 'must be one of portal, developerPortal' });
    expect(refusal(userCreateInput, create({ confirmation: 'email' }))).toEqual({ confirmation: 'must be signup or invite' });
  });
});

describe('userUpdateInput', () => {
  it('makes every field optional, with the same rules', () => {
    expect(accepted(userUpdateInput, {})).toEqual({});
    expect(accepted(userUpdateInput, { email: ' new@example.com ', firstName: ' J ', note: null, identities: null, state: 'blocked' })).toEqual({
      email: 'new@example.com',
      firstName: 'J',
      note: null,
      identities: null,
      state: 'blocked',
    });
    expect(refusal(userUpdateInput, { email: 'x' })).toEqual({ email: 'is not a valid email address' });
    expect(refusal(userUpdateInput, { lastName: ' ' })).toEqual({ lastName: 'is required' });
    expect(refusal(userUpdateInput, { password: 'p'.repeat(513) })).toEqual({ password: 'is too long' });
    expect(refusal(userUpdateInput, { state: 'gone' })).toEqual({ state: 'must be one of active, blocked, pending, deleted' });
    expect(refusal(userUpdateInput, { note: 'n'.repeat(4001) })).toEqual({ note: 'must be at most 4000 characters' });
  });

  it('has no app type or confirmation (they concern a new user)', () => {
    expect(accepted(userUpdateInput, { appType: 'portal', confirmation: 'invite' })).toEqual({});
  });
});

describe('tokenInput', () => {
  it('takes the primary key unless told the secondary', () => {
    expect(accepted(tokenInput, { expiry: '2026-01-31T00:00:00Z' })).toEqual({ keyType: 'primary', expiry: '2026-01-31T00:00:00Z' });
    expect(accepted(tokenInput, { keyType: 'secondary', expiry: '2026-01-31T00:00:00Z' }).keyType).toBe('secondary');
    expect(accepted(tokenInput, { keyType: 'primary', expiry: '2026-01-31T00:00:00Z' }).keyType).toBe('primary');
    expect(refusal(tokenInput, { keyType: 'Primary', expiry: '2026-01-31T00:00:00Z' })).toEqual({ keyType: 'must be primary or secondary' });
  });

  it('needs an ISO 8601 date-time with its zone', () => {
    const message = 'must be an ISO 8601 date-time, e.g. 2026-01-31T00:00:00Z';
    expect(accepted(tokenInput, { expiry: '2026-01-31T10:00:00+02:00' }).expiry).toBe('2026-01-31T10:00:00+02:00');
    expect(accepted(tokenInput, { expiry: '2026-01-31T10:00:00.123Z' }).expiry).toBe('2026-01-31T10:00:00.123Z');
    for (const expiry of ['2026-01-31', '2026-01-31T10:00:00', '2026-02-30T10:00:00Z', 'soon', undefined]) {
      expect(refusal(tokenInput, { expiry }), String(expiry)).toEqual({ expiry: message });
    }
  });
});

describe('signUpInput', () => {
  it('is who signs up: email address and names, trimmed; nothing else', () => {
    expect(accepted(signUpInput, { email: ' jane@example.com ', firstName: 'Jane ', lastName: ' Doe', password: 'x', state: 'active' })).toEqual(person);
    expect(refusal(signUpInput, { ...person, email: 'jane' })).toEqual({ email: 'is not a valid email address' });
    expect(refusal(signUpInput, { ...person, firstName: '' })).toEqual({ firstName: 'is required' });
    expect(refusal(signUpInput, { ...person, lastName: 'l'.repeat(101) })).toEqual({ lastName: 'must be at most 100 characters' });
    expect(Object.keys(refusal(signUpInput, {}))).toEqual(['email', 'firstName', 'lastName']);
  });
});
