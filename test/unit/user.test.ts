import { describe, expect, it } from 'vitest';
import { USER_STATES, assertTransition, canTransition, type UserState } from '../../src/domain/user.js';
import { AppError } from '../../src/domain/errors.js';

describe('user state transitions', () => {
  const legal: [UserState, UserState][] = [
    ['pending', 'active'],
    ['pending', 'blocked'],
    ['pending', 'deleted'],
    ['active', 'blocked'],
    ['active', 'deleted'],
    ['blocked', 'active'],
    ['blocked', 'deleted'],
  ];

  it('allows exactly the legal moves, and staying put', () => {
    for (const from of USER_STATES) {
      for (const to of USER_STATES) {
        const expected = from === to || legal.some(([f, t]) => f === from && t === to);
        expect(canTransition(from, to), `${from} -> ${to}`).toBe(expected);
      }
    }
  });

  it('never leaves deleted, and never goes back to pending', () => {
    for (const to of ['active', 'blocked', 'pending'] as const) expect(canTransition('deleted', to)).toBe(false);
    expect(canTransition('active', 'pending')).toBe(false);
    expect(canTransition('blocked', 'pending')).toBe(false);
  });

  it('reports an illegal move as a validation error on state', () => {
    try {
      assertTransition('deleted', 'active');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      const e = error as AppError;
      expect(e.kind).toBe('validation');
      expect(e.details[0]?.target).toBe('state');
      expect(e.details[0]?.message).toContain("from state 'deleted' to 'active'");
    }
  });
});
