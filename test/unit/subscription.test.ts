import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import {
  ACCESS_STATES,
  CANCELLABLE_STATES,
  ENDED_STATES,
  FINAL_STATES,
  LIVE_STATES,
  SUBSCRIPTION_STATES,
  assertSubscriptionTransition,
  canMoveSubscription,
  datesForMove,
  formatScope,
  givesAccess,
  isCancellable,
  isFinal,
  isLive,
  parseOwner,
  parseScope,
  type SubscriptionScope,
} from '../../src/domain/subscription.js';

// Mutants still alive (see docs/testing.md):
// - the phase 'waiting' → '' (submitted, suspended): equivalent, no rule reads that phase by name;
//   'open' gives access and 'ended' ends, anything else is waiting.
// - a state's row of LIFECYCLE (or the whole table) → {}: not alive at all. The module then throws as
//   it loads, every test file that imports it fails to load, and Stryker's vitest runner counts a
//   file that runs no test as no failure (stryker-js#6150), so it reports the mutant as survived.

const ARM = '/subscriptions/0000-1111/resourceGroups/rg-1/providers/Microsoft.ApiManagement/service/tollgate';

/** Every legal move besides staying put, as `from>to`. */
const MOVES = new Set([
  'submitted>active',
  'submitted>rejected',
  'submitted>cancelled',
  'active>suspended',
  'active>cancelled',
  'active>expired',
  'suspended>active',
  'suspended>cancelled',
  'suspended>expired',
  'expired>active',
  'expired>cancelled',
]);

describe('subscription states', () => {
  it('are the six of Azure, in this order', () => {
    expect(SUBSCRIPTION_STATES).toEqual(['submitted', 'active', 'suspended', 'rejected', 'cancelled', 'expired']);
  });

  it('give access only when active', () => {
    expect(ACCESS_STATES).toEqual(['active']);
    expect(SUBSCRIPTION_STATES.filter(givesAccess)).toEqual(['active']);
  });

  it('are live (hold a place in a limit) while submitted, active or suspended', () => {
    expect(LIVE_STATES).toEqual(['submitted', 'active', 'suspended']);
    expect(SUBSCRIPTION_STATES.filter(isLive)).toEqual(['submitted', 'active', 'suspended']);
  });

  it('are ended when rejected, cancelled or expired', () => {
    expect(ENDED_STATES).toEqual(['rejected', 'cancelled', 'expired']);
  });

  it('can be cancelled unless already rejected or cancelled', () => {
    expect(CANCELLABLE_STATES).toEqual(['submitted', 'active', 'suspended', 'expired']);
    expect(SUBSCRIPTION_STATES.filter(isCancellable)).toEqual(['submitted', 'active', 'suspended', 'expired']);
  });

  it('are final when rejected or cancelled (an expired one can be renewed)', () => {
    expect(FINAL_STATES).toEqual(['rejected', 'cancelled']);
    expect(SUBSCRIPTION_STATES.filter(isFinal)).toEqual(['rejected', 'cancelled']);
  });

  it('relate: live and ended split the states, access ⊂ live, final ⊂ ended, cancellable = can move to cancelled', () => {
    expect([...LIVE_STATES, ...ENDED_STATES].sort()).toEqual([...SUBSCRIPTION_STATES].sort());
    for (const s of SUBSCRIPTION_STATES) {
      expect(isLive(s)).toBe(!ENDED_STATES.includes(s));
      if (givesAccess(s)) expect(isLive(s)).toBe(true);
      if (isFinal(s)) expect(ENDED_STATES).toContain(s);
      expect(isCancellable(s)).toBe(s !== 'cancelled' && canMoveSubscription(s, 'cancelled'));
      expect(isFinal(s)).toBe(SUBSCRIPTION_STATES.every((t) => t === s || !canMoveSubscription(s, t)));
    }
  });

  it('are fixed lists nobody can change', () => {
    for (const list of [ACCESS_STATES, LIVE_STATES, ENDED_STATES, CANCELLABLE_STATES, FINAL_STATES]) {
      expect(Object.isFrozen(list)).toBe(true);
    }
  });
});

describe('canMoveSubscription and assertSubscriptionTransition', () => {
  it('allow exactly the moves of the lifecycle, and staying in any state', () => {
    for (const from of SUBSCRIPTION_STATES) {
      for (const to of SUBSCRIPTION_STATES) {
        const legal = from === to || MOVES.has(`${from}>${to}`);
        expect(canMoveSubscription(from, to), `${from} -> ${to}`).toBe(legal);
        if (legal) expect(() => assertSubscriptionTransition(from, to)).not.toThrow();
        else expect(() => assertSubscriptionTransition(from, to)).toThrow(AppError);
      }
    }
  });

  it('refuse an illegal move as an invalid state, naming both states', () => {
    try {
      assertSubscriptionTransition('cancelled', 'active');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      const e = error as AppError;
      expect(e.kind).toBe('validation');
      expect(e.details).toEqual([
        { code: 'ValidationError', target: 'state', message: "A subscription cannot move from state 'cancelled' to 'active'." },
      ]);
    }
  });
});

describe('datesForMove', () => {
  const now = '2026-04-01T10:00:00.000Z';
  const started = '2026-01-01T00:00:00.000Z';

  it('moves nothing when the state stays', () => {
    for (const s of SUBSCRIPTION_STATES) {
      expect(datesForMove(s, s, null, now)).toEqual({});
      expect(datesForMove(s, s, started, now)).toEqual({});
    }
  });

  it('starts a subscription the first time it becomes active and clears its end', () => {
    expect(datesForMove(undefined, 'active', null, now)).toEqual({ start_date: now, end_date: null });
    expect(datesForMove('submitted', 'active', null, now)).toEqual({ start_date: now, end_date: null });
  });

  it('keeps the start of a subscription active again after a suspension', () => {
    expect(datesForMove('suspended', 'active', started, now)).toEqual({ end_date: null });
  });

  it('starts a renewed (expired, then active) subscription again', () => {
    expect(datesForMove('expired', 'active', started, now)).toEqual({ start_date: now, end_date: null });
  });

  it('records the end when a subscription ends', () => {
    for (const to of ['rejected', 'cancelled', 'expired'] as const) {
      expect(datesForMove('active', to, started, now)).toEqual({ end_date: now });
      expect(datesForMove(undefined, to, null, now)).toEqual({ end_date: now });
    }
  });

  it('moves nothing when it becomes submitted or suspended', () => {
    expect(datesForMove(undefined, 'submitted', null, now)).toEqual({});
    expect(datesForMove('active', 'suspended', started, now)).toEqual({});
    expect(datesForMove('submitted', 'suspended', null, now)).toEqual({});
  });
});

describe('parseScope and formatScope', () => {
  it('read the service, all APIs, a product or an API, relative', () => {
    expect(parseScope('/')).toEqual({ kind: 'service' });
    expect(parseScope('')).toEqual({ kind: 'service' });
    expect(parseScope('/apis')).toEqual({ kind: 'all-apis' });
    expect(parseScope('/apis/')).toEqual({ kind: 'all-apis' });
    expect(parseScope('/APIs')).toEqual({ kind: 'all-apis' });
    expect(parseScope('/products/starter')).toEqual({ kind: 'product', productId: 'starter' });
    expect(parseScope('/Products/starter/')).toEqual({ kind: 'product', productId: 'starter' });
    expect(parseScope('/apis/echo')).toEqual({ kind: 'api', apiId: 'echo' });
    expect(parseScope('/APIS/echo')).toEqual({ kind: 'api', apiId: 'echo' });
  });

  it('read full ARM ids', () => {
    expect(parseScope(ARM)).toEqual({ kind: 'service' });
    expect(parseScope(`${ARM}/`)).toEqual({ kind: 'service' });
    expect(parseScope(`${ARM}/apis`)).toEqual({ kind: 'all-apis' });
    expect(parseScope(`${ARM}/products/starter`)).toEqual({ kind: 'product', productId: 'starter' });
    expect(parseScope(`${ARM}/apis/echo`)).toEqual({ kind: 'api', apiId: 'echo' });
  });

  it('percent-decode the id', () => {
    expect(parseScope('/products/gold%20tier')).toEqual({ kind: 'product', productId: 'gold tier' });
    expect(parseScope(`${ARM}/apis/a%C3%A9`)).toEqual({ kind: 'api', apiId: 'aé' });
  });

  it('refuse anything else: other collections, child resources, bad encodings, ids without a slash', () => {
    for (const raw of [
      '/groups/dev',
      '/apis/echo/operations/get',
      '/products/a/apis/b',
      '/products/',
      '/products/%E0%A4%A',
      '/apis/%zz',
      'products/starter',
      'starter',
      '/x/apis',
      '/apisx',
      '/products',
      `${ARM}/users/jane`,
    ]) {
      expect(parseScope(raw), raw).toBeUndefined();
    }
  });

  it('write the relative form, which reads back as the same scope', () => {
    const scopes: [SubscriptionScope, string][] = [
      [{ kind: 'product', productId: 'starter' }, '/products/starter'],
      [{ kind: 'api', apiId: 'echo' }, '/apis/echo'],
      [{ kind: 'all-apis' }, '/apis'],
      [{ kind: 'service' }, '/'],
    ];
    for (const [scope, text] of scopes) {
      expect(formatScope(scope)).toBe(text);
      expect(parseScope(text)).toEqual(scope);
    }
  });
});

describe('parseOwner', () => {
  it('reads /users/{id} or the full ARM id, percent-decoded', () => {
    expect(parseOwner('/users/jane')).toBe('jane');
    expect(parseOwner('/Users/jane/')).toBe('jane');
    expect(parseOwner(`${ARM}/users/jane`)).toBe('jane');
    expect(parseOwner('/users/a%40b.com')).toBe('a@b.com');
  });

  it('refuses anything else, a bare id included', () => {
    for (const raw of ['jane', '', '/users/', '/groups/jane', '/users/jane/identities', '/users/%E0', ARM]) {
      expect(parseOwner(raw), raw).toBeUndefined();
    }
  });
});
