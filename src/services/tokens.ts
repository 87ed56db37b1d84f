/**
 * Single-use tokens behind email links: at least 256 random bits, stored only as a SHA-256, bound
 * to one user and one purpose, expiring, and used at most once. Issuing a token retires the user's
 * older ones of the same purpose, so only the newest link works.
 */
import { AppError } from '../domain/errors.js';
import { hashSecret, newSecret } from '../domain/secrets.js';
import type { Store } from '../store/index.js';
import type { TokenPurpose } from '../store/schema.js';
import type { TokenRow } from '../store/tokens-repo.js';
import type { ServiceDeps } from './deps.js';

/** How long a single-sign-on URL from generateSsoUrl stays valid. */
export const SSO_URL_LIFETIME_MS = 10 * 60 * 1000;
/** The first administrator's setup link, printed at startup. */
export const ADMIN_SETUP_LINK_LIFETIME_MS = 60 * 60 * 1000;

export type { TokenPurpose };

export type TokenState = 'valid' | 'expired' | 'used' | 'unknown';

/** Why a link did not work; the page says so and offers a new one where that makes sense. */
export class TokenError extends AppError {
  constructor(readonly state: Exclude<TokenState, 'valid'>) {
    super(
      'validation',
      'InvalidToken',
      state === 'expired' ? 'This link has expired.' : state === 'used' ? 'This link has already been used.' : 'This link is not valid.',
    );
  }
}

function lifetimeOf(deps: Pick<ServiceDeps, 'linkLifetimes'>, purpose: TokenPurpose): number {
  switch (purpose) {
    case 'invitation':
      return deps.linkLifetimes.invitation;
    case 'signup':
      return deps.linkLifetimes.signup;
    case 'password-reset':
      return deps.linkLifetimes.passwordReset;
    case 'email-change':
      return deps.linkLifetimes.emailChange;
    case 'sso':
      return SSO_URL_LIFETIME_MS;
    case 'admin-setup':
      return ADMIN_SETUP_LINK_LIFETIME_MS;
  }
}

export function createTokenService(deps: Pick<ServiceDeps, 'clock' | 'ids' | 'linkLifetimes'>) {
  function stateOf(row: TokenRow | undefined, purpose: TokenPurpose): TokenState {
    if (!row || row.purpose !== purpose) return 'unknown';
    if (row.used_at !== null || row.retired_at !== null) return 'used';
    if (row.expires_at <= deps.clock.now().toISOString()) return 'expired';
    return 'valid';
  }

  return {
    /** How long a new token of this purpose works. */
    lifetime(purpose: TokenPurpose): number {
      return lifetimeOf(deps, purpose);
    },

    /** A new token for the user; older unused ones of the same purpose stop working. Returns the raw token (never stored). */
    async issue(tx: Store, userId: string, purpose: TokenPurpose, data?: Record<string, string>): Promise<{ token: string; expiresAt: string }> {
      const now = deps.clock.now();
      const token = newSecret();
      const expiresAt = new Date(now.getTime() + lifetimeOf(deps, purpose)).toISOString();
      await tx.tokens.retireTokens(userId, purpose, now.toISOString());
      await tx.tokens.insertToken({
        id: deps.ids.next(),
        user_id: userId,
        purpose,
        token_hash: hashSecret(token),
        data: data ? JSON.stringify(data) : null,
        created_at: now.toISOString(),
        expires_at: expiresAt,
        used_at: null,
        retired_at: null,
      });
      return { token, expiresAt };
    },

    /** What a link's token is worth, without using it (to show the right page). */
    async inspect(tx: Store, token: string, purpose: TokenPurpose): Promise<{ state: TokenState; userId?: string }> {
      const row = await tx.tokens.findTokenByHash(hashSecret(token));
      const state = stateOf(row, purpose);
      return state === 'unknown' ? { state } : { state, userId: row!.user_id };
    },

    /** Uses the token: valid once, for its purpose, before it expires. Throws TokenError otherwise. */
    async consume(tx: Store, token: string, purpose: TokenPurpose): Promise<{ userId: string; data: Record<string, string> }> {
      const row = await tx.tokens.findTokenByHash(hashSecret(token), true);
      const state = stateOf(row, purpose);
      if (state !== 'valid') throw new TokenError(state);
      // The conditional update is what makes the token single-use under concurrency.
      if (!(await tx.tokens.markTokenUsed(row!.id, deps.clock.now().toISOString()))) throw new TokenError('used');
      return { userId: row!.user_id, data: row!.data ? (JSON.parse(row!.data) as Record<string, string>) : {} };
    },

    /**
     * Records a signed single-sign-on token as used; false when it was used already. The unique
     * index on token_hash is what makes it single-use, even between racing requests.
     */
    async markSsoUsed(tx: Store, userId: string, token: string, expiresAt: string): Promise<boolean> {
      const tokenHash = hashSecret(`sso:${token}`);
      if (await tx.tokens.findTokenByHash(tokenHash)) return false;
      const now = deps.clock.now().toISOString();
      await tx.tokens.insertToken({
        id: deps.ids.next(),
        user_id: userId,
        purpose: 'sso',
        token_hash: tokenHash,
        data: null,
        created_at: now,
        expires_at: expiresAt,
        used_at: now,
        retired_at: null,
      });
      return true;
    },

    async retireAll(tx: Store, userId: string, purpose: TokenPurpose): Promise<void> {
      await tx.tokens.retireTokens(userId, purpose, deps.clock.now().toISOString());
    },
  };
}

export type TokenService = ReturnType<typeof createTokenService>;
