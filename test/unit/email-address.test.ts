import { describe, expect, it } from 'vitest';
import { isEmailAddress } from '../../src/domain/email-address.js';

describe('email address shape', () => {
  it.each(['a@example.com', 'first.last+tag@sub.example.co.uk', 'admin@tollgate.local', 'ünï@exämple.de'])('accepts %s', (e) => {
    expect(isEmailAddress(e)).toBe(true);
  });
  it.each(['', 'plain', '@example.com', 'a@', 'a@b', 'a b@example.com', 'a@exa mple.com', '<a@example.com>', 'a@@example.com', `${'x'.repeat(65)}@example.com`, `a@${'x'.repeat(250)}.com`])(
    'refuses %s',
    (e) => {
      expect(isEmailAddress(e)).toBe(false);
    },
  );
});
