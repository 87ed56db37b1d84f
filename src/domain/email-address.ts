import { EMAIL_MAX } from './user.js';

/**
 * A pragmatic check, not RFC 5322: one @, a local part of at most 64 characters, a domain with a dot
 * (or `localhost`), no spaces or angle brackets. Mail delivery is the real test.
 */
const SHAPE = /^[^\s@<>()[\]\\,;:"]+@(?:[^\s@<>()[\]\\,;:".]+\.)+[^\s@<>()[\]\\,;:".]+$/u;

export function isEmailAddress(value: string): boolean {
  if (value.length > EMAIL_MAX) return false;
  const at = value.indexOf('@');
  return at > 0 && at <= 64 && SHAPE.test(value);
}
