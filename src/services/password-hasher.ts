/**
 * Password hashing for developer accounts: argon2id with OWASP's recommended minimum parameters
 * (m = 19456 KiB, t = 2, p = 1) by default. Every password is normalized with NFKC before it is
 * hashed or verified, so that two renderings of the same characters match.
 *
 * Hashes are PHC strings in the reference implementation's layout,
 * `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`, which libargon2 and its bindings in other languages
 * read too (node-argon2 itself writes the parameters as `m,p,t`, and reads either order).
 */
import { randomUUID } from 'node:crypto';
import argon2 from 'argon2';
import { normalizePassword } from '../domain/password-policy.js';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** False, never an exception, for a wrong password or a hash that cannot be read. */
  verify(hash: string, password: string): Promise<boolean>;
  /** True when the hash was made with another algorithm or other parameters (or cannot be read). */
  needsRehash(hash: string): boolean;
  /** Costs about what `verify` costs, for a login to an unknown account; the outcome is ignored. */
  dummyVerify(password: string): Promise<void>;
}

export interface Argon2Options {
  /** KiB. */
  memoryCost?: number;
  timeCost?: number;
  parallelism?: number;
}

export const ARGON2_DEFAULTS: Readonly<Required<Argon2Options>> = Object.freeze({
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
});

/** A hash of a random, discarded password, made with ARGON2_DEFAULTS, for `dummyVerify`. */
export const DEFAULT_DUMMY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$vrPOpi3od5f/0JpFIePNdA$4b2G69lRPqxUf40D1lnmrj44YDLwvOFvpRiy1PFQZYI';

/** Rewrites node-argon2's `m=…,p=…,t=…` parameter segment in the reference order `m=…,t=…,p=…`. */
function canonicalize(encoded: string): string {
  const parts = encoded.split('$');
  const params = parts[3];
  if (params === undefined) return encoded;
  const values = new Map<string, string>();
  for (const pair of params.split(',')) {
    const eq = pair.indexOf('=');
    if (eq > 0) values.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  const m = values.get('m');
  const t = values.get('t');
  const p = values.get('p');
  if (values.size !== 3 || m === undefined || t === undefined || p === undefined) return encoded;
  parts[3] = `m=${m},t=${t},p=${p}`;
  return parts.join('$');
}

export function createArgon2Hasher(options: Argon2Options = {}): PasswordHasher {
  const params: Required<Argon2Options> = { ...ARGON2_DEFAULTS, ...options };
  const usesDefaults =
    params.memoryCost === ARGON2_DEFAULTS.memoryCost &&
    params.timeCost === ARGON2_DEFAULTS.timeCost &&
    params.parallelism === ARGON2_DEFAULTS.parallelism;

  async function hash(password: string): Promise<string> {
    const encoded = await argon2.hash(normalizePassword(password), {
      type: argon2.argon2id,
      memoryCost: params.memoryCost,
      timeCost: params.timeCost,
      parallelism: params.parallelism,
    });
    return canonicalize(encoded);
  }

  async function verify(encoded: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(encoded, normalizePassword(password));
    } catch {
      return false;
    }
  }

  // With other parameters than the defaults, the dummy hash is made once, with those parameters,
  // so that it costs what a real account's hash costs.
  let dummyHash: Promise<string> | undefined;
  function getDummyHash(): Promise<string> {
    if (usesDefaults) return Promise.resolve(DEFAULT_DUMMY_HASH);
    dummyHash ??= hash(randomUUID());
    return dummyHash;
  }

  return {
    hash,
    verify,
    needsRehash(encoded: string): boolean {
      if (!encoded.startsWith('$argon2id$')) return true;
      try {
        return argon2.needsRehash(encoded, {
          memoryCost: params.memoryCost,
          timeCost: params.timeCost,
          parallelism: params.parallelism,
        });
      } catch {
        return true;
      }
    },
    async dummyVerify(password: string): Promise<void> {
      try {
        await verify(await getDummyHash(), password);
      } catch {
        // The outcome of a dummy verification is never used.
      }
    },
  };
}
