/**
 * The rules a developer account's password must follow, after NIST SP 800-63B (section 3.1.1.2):
 * a length of 8 to 128 characters counted as Unicode code points after NFKC normalization, no
 * password from a list of common or breached ones, none that is the account's own email or name,
 * and no composition rules (no "must contain a digit").
 *
 * The common-password list ships in the repository as `data/common-passwords.txt` (see
 * `data/common-passwords.SOURCE.md`); it is read once, on first use, and kept in memory.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { invalidField } from './errors.js';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

export interface PasswordContext {
  email?: string;
  firstName?: string;
  lastName?: string;
}

const COMMON_LIST = join('data', 'common-passwords.txt');

/**
 * A string longer than this many UTF-16 code units is refused as too long without being normalized,
 * so that a huge input costs nothing. It is safe: a UTF-16 code unit count over 4096 means at least
 * 2048 code points, and NFKC shrinks a string by at most a factor of 4 (a composed character stands
 * for at most 4 decomposed code points), so the normalized password has more than 128 code points.
 */
const RAW_LENGTH_GUARD = 4096;

/** NFKC, the normalization applied before a password is checked, hashed or verified. */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

let commonPasswords: ReadonlySet<string> | undefined;

/** Walks up from this module's directory (src/domain or dist/src/domain) to the project root. */
function findCommonList(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, COMMON_LIST);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(
        `The common-password list ${COMMON_LIST} was not found in any parent directory of ${fileURLToPath(import.meta.url)}.`,
      );
    }
    dir = parent;
  }
}

function loadCommonPasswords(): ReadonlySet<string> {
  if (commonPasswords === undefined) {
    const set = new Set<string>();
    for (const line of readFileSync(findCommonList(), 'utf8').split('\n')) {
      const entry = line.trim();
      if (entry !== '' && !entry.startsWith('#')) set.add(entry.normalize('NFKC').toLowerCase());
    }
    commonPasswords = set;
  }
  return commonPasswords;
}

function codePointLength(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

function isSingleRepeatedCharacter(value: string): boolean {
  const first = value.codePointAt(0);
  if (first === undefined) return false;
  for (const ch of value) {
    if (ch.codePointAt(0) !== first) return false;
  }
  return true;
}

/** The values of the account that the password must not equal, normalized and lowercased. */
function personalValues(context: PasswordContext): string[] {
  const norm = (value: string | undefined): string =>
    (value ?? '').normalize('NFKC').trim().toLowerCase();
  const values: string[] = [];
  const email = norm(context.email);
  if (email !== '') {
    values.push(email);
    const at = email.lastIndexOf('@');
    if (at > 0) values.push(email.slice(0, at));
  }
  const first = norm(context.firstName);
  const last = norm(context.lastName);
  if (first !== '') values.push(first);
  if (last !== '') values.push(last);
  if (first !== '' && last !== '') values.push(`${first} ${last}`, `${first}${last}`);
  return values;
}

/**
 * Throws `invalidField('password', …)` when the password breaks a rule. The messages never repeat
 * the password (nor the email or names it was compared with).
 */
export function checkPassword(password: string, context: PasswordContext = {}): void {
  const tooLong = `The password must be at most ${PASSWORD_MAX_LENGTH} characters long.`;
  if (password.length > RAW_LENGTH_GUARD) throw invalidField('password', tooLong);

  const normalized = normalizePassword(password);
  const length = codePointLength(normalized);
  if (length < PASSWORD_MIN_LENGTH) {
    throw invalidField(
      'password',
      `The password must be at least ${PASSWORD_MIN_LENGTH} characters long.`,
    );
  }
  if (length > PASSWORD_MAX_LENGTH) throw invalidField('password', tooLong);

  if (isSingleRepeatedCharacter(normalized)) {
    throw invalidField('password', 'The password must not be a single character repeated.');
  }

  const lowered = normalized.toLowerCase();
  if (personalValues(context).includes(lowered)) {
    throw invalidField(
      'password',
      'The password must not be the same as the account’s email address or name.',
    );
  }

  if (loadCommonPasswords().has(lowered)) {
    throw invalidField(
      'password',
      'The password is too common: it is on a list of frequently used or breached passwords. Choose another one; a longer phrase of several unrelated words works well.',
    );
  }
}
