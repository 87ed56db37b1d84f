import { describe, expect, it } from 'vitest';
import {
  ADMIN_USER_ID,
  EMAIL_MAX,
  NAME_MAX,
  NOTE_MAX,
  USER_ID_MAX,
  USER_STATES,
  assertTransition,
  canTransition,
  isUserState,
  normalizeEmail,
  type UserState,
} from '../../src/domain/user.js';
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
    const move = () => assertTransition('deleted', 'active');
    expect(move).toThrow(AppError);
    expect(move).toThrow(
      expect.objectContaining({
        kind: 'validation',
        details: [expect.objectContaining({ target: 'state', message: expect.stringContaining("from state 'deleted' to 'active'") })],
      }),
    );
  });
});

describe('user states', () => {
  it('are the four of Azure', () => {
    expect(USER_STATES).toEqual(['active', 'blocked', 'pending', 'deleted']);
  });

  it('are recognised exactly, case included', () => {
    for (const state of USER_STATES) expect(isUserState(state)).toBe(true);
    for (const other of ['Active', 'ACTIVE', 'closed', '', ' active', 'activ']) expect(isUserState(other)).toBe(false);
  });

  it('let an allowed move pass silently, staying put included', () => {
    expect(() => assertTransition('pending', 'active')).not.toThrow();
    expect(() => assertTransition('blocked', 'active')).not.toThrow();
    expect(() => assertTransition('deleted', 'deleted')).not.toThrow();
  });

  it("report the move in the error's detail", () => {
    expect(() => assertTransition('active', 'pending')).toThrow(
      expect.objectContaining({
        details: [{ code: 'ValidationError', target: 'state', message: "A user cannot move from state 'active' to 'pending'." }],
      }),
    );
  });
});

// An equivalent mutant, left alive: an entry added to the (empty) list of moves out of 'deleted'
// cannot be a user state, so no state can reach it.

describe('user limits and identifiers', () => {
  it('the built-in administrator is user 1, as in Azure', () => {
    expect(ADMIN_USER_ID).toBe('1');
  });

  it('bound ids, names, emails and notes', () => {
    expect({ USER_ID_MAX, NAME_MAX, EMAIL_MAX, NOTE_MAX }).toEqual({ USER_ID_MAX: 80, NAME_MAX: 100, EMAIL_MAX: 254, NOTE_MAX: 4000 });
  });
});

describe('normalizeEmail', () => {
  it('is the key emails are unique by: trimmed and lowercased', () => {
    expect(normalizeEmail('  Ada.Lovelace@Example.COM ')).toBe('ada.lovelace@example.com');
    expect(normalizeEmail('ÈVE@EXÄMPLE.DE')).toBe('ève@exämple.de');
    expect(normalizeEmail('a@b.example')).toBe('a@b.example');
    expect(normalizeEmail('\tA@B.EXAMPLE\n')).toBe('a@b.example');
  });
});
