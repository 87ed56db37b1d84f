import { describe, expect, it } from 'vitest';
import { isEmailAddress } from '../../src/domain/email-address.js';

describe('email address shape', () => {
  it.each(['a@example.com', 'first.last+tag@sub.example.co.uk', 'admin@tollgate.local', 'ünï@exämple.de', 'a@b.c'])('accepts %s', (e) => {
    expect(isEmailAddress(e)).toBe(true);
  });
  it.each(['', 'plain', '@example.com', 'a@', 'a@b', 'a b@example.com', 'a@exa mple.com', '<a@example.com>', 'a@@example.com', `${'x'.repeat(65)}@example.com`, `a@${'x'.repeat(250)}.com`])(
    'refuses %s',
    (e) => {
      expect(isEmailAddress(e)).toBe(false);
    },
  );

  it.each(['a@b..c', 'a@.b.c', 'a@b.c.', 'a@b,c.d', 'a;b@c.d', 'a@b.c d', '"a"@b.c', 'a(b)@c.d', 'a\\b@c.d', 'a@[1.2.3.4]', 'a:b@c.d'])(
    'refuses the special characters and empty labels of %s',
    (e) => {
      expect(isEmailAddress(e)).toBe(false);
    },
  );

  it('allows a local part of up to 64 characters', () => {
    expect(isEmailAddress(`${'x'.repeat(64)}@example.com`)).toBe(true);
    expect(isEmailAddress(`${'x'.repeat(65)}@example.com`)).toBe(false);
  });

  it('allows up to 254 characters in all', () => {
    const domain = (n: number) => `${'d'.repeat(n - 4)}.com`;
    expect(isEmailAddress(`a@${domain(252)}`)).toBe(true);
    expect(`a@${domain(252)}`).toHaveLength(254);
    expect(isEmailAddress(`a@${domain(253)}`)).toBe(false);
  });

  // Equivalent mutants, left alive: `at > 0` (a local part before the @) is also required by the
  // pattern, which needs one character or more before the @.
  it('counts the local part up to the first @', () => {
    // 63 characters before the first @; the shape then refuses the second @.
    expect(isEmailAddress(`${'x'.repeat(63)}@a@example.com`)).toBe(false);
  });
});
