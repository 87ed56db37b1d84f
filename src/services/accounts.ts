/**
 * The developer's own account journey on the portal: sign-in and sign-out, self sign-up and its
 * confirmation, accepting an invitation, password reset, changing password or email, closing the
 * account. Every emailed link is minted when its email is sent (src/services/email-delivery.ts);
 * here the links are only consumed.
 *
 * Answers never tell whether an email address has an account: sign-in failures share one message,
 * and a reset request or a sign-up for a known address look exactly like one for an unknown address.
 */
import { AppError, invalidField } from '../domain/errors.js';
import { normalizeEmail } from '../domain/user.js';
import { isEmailAddress } from '../domain/email-address.js';
import { checkPassword } from '../domain/password-policy.js';
import { newEtag } from '../domain/ids.js';
import type { Store } from '../store/index.js';
import type { UserRow } from '../store/users-repo.js';
import type { ServiceDeps } from './deps.js';
import { audit, type ActorContext } from './audit.js';
import { enqueueUserEmail } from './emails.js';
import type { SessionService } from './sessions.js';
import type { SessionScope } from '../store/schema.js';
import { ADMINISTRATORS_GROUP_ID } from '../domain/group.js';
import type { SignInThrottle } from './sign-in-throttle.js';
import { SSO_URL_LIFETIME_MS, type TokenPurpose, type TokenService, type TokenState } from './tokens.js';
import { signingKeys } from './signing-keys.js';
import { verifyUserToken } from '../domain/access-token.js';
import type { UserService } from './users.js';
import type { SubscriptionService } from './subscriptions.js';

export interface Client {
  ip: string;
  userAgent?: string | undefined;
}

/** The one answer for a wrong email or password, whichever it was. */
export const SIGN_IN_FAILED = 'The email address or password is incorrect.';

export class SignInLockedError extends AppError {
  constructor(readonly until: string) {
    super('forbidden', 'SignInLocked', 'Too many failed sign-ins. Try again later, or reset your password.');
  }
}

export interface AccountDeps {
  users: UserService;
  sessions: SessionService;
  tokens: TokenService;
  throttle: SignInThrottle;
  subscriptions: SubscriptionService;
}

const userCtx = (userId: string, client: Client): ActorContext => ({ actor: `user:${userId}`, ip: client.ip });
const anonymous = (client: Client): ActorContext => ({ actor: 'anonymous', ip: client.ip });

export function createAccountService(deps: ServiceDeps, parts: AccountDeps) {
  const { store, clock, hasher } = deps;
  const { sessions, tokens, throttle } = parts;

  async function setPassword(tx: Store, user: UserRow, passwordHash: string, changes: { state?: 'active' } = {}): Promise<void> {
    await tx.users.updateUser(user.id, {
      password_hash: passwordHash,
      ...changes,
      etag: newEtag(),
      updated_at: clock.now().toISOString(),
    });
  }

  async function hashFor(user: Pick<UserRow, 'email' | 'first_name' | 'last_name'>, password: string): Promise<string> {
    checkPassword(password, { email: user.email, firstName: user.first_name, lastName: user.last_name });
    return hasher.hash(password);
  }

  async function loadLive(tx: Store, userId: string): Promise<UserRow> {
    const user = await tx.users.findUser(userId, true);
    if (!user || user.state === 'deleted') throw new AppError('validation', 'InvalidToken', 'This link is not valid.');
    return user;
  }

  return {
    /**
     * Signs in with email and password and returns the new session's id. Unknown accounts cost a
     * dummy hash, so they are refused in about the time a wrong password is.
     */
    async signIn(email: string, password: string, client: Client, scope: SessionScope = 'portal'): Promise<string> {
      const emailLc = normalizeEmail(email);
      const lockedUntil = await throttle.lockedUntil(emailLc, client.ip);
      if (lockedUntil) {
        await store.transaction((tx) => audit(deps, tx, anonymous(client), 'signin.locked', null, { until: lockedUntil }));
        throw new SignInLockedError(lockedUntil);
      }
      const user = await store.users.findLiveUserByEmail(emailLc);
      const ok = user?.password_hash ? await hasher.verify(user.password_hash, password) : (await hasher.dummyVerify(password), false);
      if (!ok || !user) {
        const until = await store.transaction(async (tx) => {
          await audit(deps, tx, anonymous(client), 'signin.failure', user?.id ?? null, { reason: user ? 'password' : 'unknown-account' });
          return throttle.recordFailure(tx, emailLc, client.ip);
        });
        if (until) throw new SignInLockedError(until);
        throw new AppError('unauthenticated', 'SignInFailed', SIGN_IN_FAILED);
      }
      if (user.state !== 'active') {
        // Only someone who knows the password learns that the account exists but cannot be used.
        await store.transaction((tx) => audit(deps, tx, userCtx(user.id, client), 'signin.failure', user.id, { reason: user.state }));
        throw new AppError(
          'forbidden',
          'AccountNotActive',
          user.state === 'pending'
            ? 'This account is not confirmed yet: follow the link in the email we sent you.'
            : 'This account cannot sign in. Contact the administrator of this portal.',
        );
      }
      if (scope === 'admin' && !(await store.groups.isMember(ADMINISTRATORS_GROUP_ID, user.id))) {
        // The password was right: no failure counted, but the admin UI stays closed to developers.
        await store.transaction((tx) => audit(deps, tx, userCtx(user.id, client), 'signin.failure', user.id, { reason: 'not-administrator', scope }));
        throw new AppError('forbidden', 'NotAnAdministrator', 'This account is not an administrator. Developers sign in on the developer portal.');
      }
      return store.transaction(async (tx) => {
        await throttle.recordSuccess(tx, emailLc);
        await audit(deps, tx, userCtx(user.id, client), 'signin.success', user.id, scope === 'admin' ? { scope } : undefined);
        return sessions.create(tx, user.id, client, scope);
      });
    },

    /**
     * Signs in with the URL from the management API's generateSsoUrl: a token signed with the
     * instance's key, valid for ten minutes and once, for an active user.
     */
    async signInWithSso(token: string, client: Client): Promise<string> {
      const invalid = new AppError('unauthenticated', 'InvalidToken', 'This sign-in link is not valid or has expired.');
      const keys = await signingKeys(store);
      const userId = verifyUserToken(token, [keys.primary, keys.secondary], clock.now());
      if (!userId) throw invalid;
      return store.transaction(async (tx) => {
        const user = await tx.users.findUser(userId, true);
        if (!user || user.state !== 'active') throw invalid;
        const expiresAt = new Date(clock.now().getTime() + SSO_URL_LIFETIME_MS).toISOString();
        if (!(await tokens.markSsoUsed(tx, user.id, token, expiresAt))) throw invalid;
        await audit(deps, tx, userCtx(user.id, client), 'signin.success', user.id, { method: 'sso' });
        return sessions.create(tx, user.id, client);
      });
    },

    async signOut(sessionId: string | undefined, userId: string | undefined, client: Client): Promise<void> {
      await sessions.destroy(sessionId);
      if (userId) await store.transaction((tx) => audit(deps, tx, userCtx(userId, client), 'signout', userId));
    },

    /**
     * Self sign-up: a pending developer and a confirmation email. An address that already has an
     * account gets the same answer and nothing is created, so the form cannot probe for accounts.
     */
    async signUp(input: { email: string; firstName: string; lastName: string; password: string }, client: Client): Promise<void> {
      if (!isEmailAddress(input.email.trim())) throw invalidField('email', 'is not a valid email address');
      checkPassword(input.password, input);
      const existing = await store.users.findLiveUserByEmail(normalizeEmail(input.email));
      if (existing) {
        await hasher.dummyVerify(input.password);
        return;
      }
      const { user } = await parts.users.createOrUpdate(
        deps.ids.next(),
        { email: input.email.trim(), firstName: input.firstName.trim(), lastName: input.lastName.trim(), password: input.password, confirmation: 'signup', appType: 'developerPortal' },
        { notify: true, ctx: anonymous(client) },
      );
      await store.transaction((tx) => audit(deps, tx, anonymous(client), 'signup', user.id));
    },

    /** What an emailed link is worth, to choose the page (form, "expired", "already used"). */
    async inspectLink(token: string, purpose: TokenPurpose): Promise<TokenState> {
      return (await tokens.inspect(store, token, purpose)).state;
    },

    /** The sign-up confirmation link: the account becomes active and gets the welcome email. */
    async confirmSignUp(token: string, client: Client): Promise<void> {
      await store.transaction(async (tx) => {
        const { userId } = await tokens.consume(tx, token, 'signup');
        const user = await loadLive(tx, userId);
        if (user.state === 'pending') {
          await tx.users.updateUser(user.id, { state: 'active', etag: newEtag(), updated_at: clock.now().toISOString() });
          await enqueueUserEmail(deps, tx, 'newDeveloperNotificationMessage', user, { appType: 'developerPortal' });
        }
        await audit(deps, tx, userCtx(user.id, client), 'signup.confirmed', user.id);
      });
    },

    /** The invitation link: the developer chooses a password, the account becomes active, and is signed in. */
    async acceptInvitation(token: string, password: string, client: Client): Promise<string> {
      const peek = await tokens.inspect(store, token, 'invitation');
      if (peek.state !== 'valid') throw new AppError('validation', 'InvalidToken', 'This link is not valid.');
      const current = await store.users.findUser(peek.userId!);
      if (!current) throw new AppError('validation', 'InvalidToken', 'This link is not valid.');
      const passwordHash = await hashFor(current, password);
      return store.transaction(async (tx) => {
        const { userId } = await tokens.consume(tx, token, 'invitation');
        const user = await loadLive(tx, userId);
        if (user.state === 'blocked') throw new AppError('forbidden', 'AccountNotActive', 'This account cannot sign in. Contact the administrator of this portal.');
        await setPassword(tx, user, passwordHash, { state: 'active' });
        await audit(deps, tx, userCtx(user.id, client), 'invitation.accepted', user.id);
        return sessions.create(tx, user.id, client);
      });
    },

    /** Asks for a reset link. Same answer whether or not the address has an account. */
    async requestPasswordReset(email: string, client: Client): Promise<void> {
      const user = isEmailAddress(email.trim()) ? await store.users.findLiveUserByEmail(normalizeEmail(email)) : undefined;
      if (!user || user.state !== 'active') return;
      await store.transaction(async (tx) => {
        await enqueueUserEmail(deps, tx, 'passwordResetIdentityDefault', user, { appType: 'developerPortal' });
        await audit(deps, tx, anonymous(client), 'password.reset-requested', user.id);
      });
    },

    /** The reset link: a new password; every reset link and every session of the user end. */
    async resetPassword(token: string, password: string, client: Client): Promise<void> {
      const peek = await tokens.inspect(store, token, 'password-reset');
      if (peek.state !== 'valid') throw new AppError('validation', 'InvalidToken', 'This link is not valid.');
      const current = await store.users.findUser(peek.userId!);
      if (!current) throw new AppError('validation', 'InvalidToken', 'This link is not valid.');
      const passwordHash = await hashFor(current, password);
      await store.transaction(async (tx) => {
        const { userId } = await tokens.consume(tx, token, 'password-reset');
        const user = await loadLive(tx, userId);
        await setPassword(tx, user, passwordHash);
        await tokens.retireAll(tx, user.id, 'password-reset');
        await sessions.destroyAllForUser(tx, user.id);
        await throttle.recordSuccess(tx, user.email_lc);
        await audit(deps, tx, userCtx(user.id, client), 'password.reset', user.id);
      });
    },

    /** Needs the current password; other sessions of the user end. */
    async changePassword(user: UserRow, sessionIdHash: string, current: string, next: string, client: Client): Promise<void> {
      if (!user.password_hash || !(await hasher.verify(user.password_hash, current))) {
        throw invalidField('currentPassword', 'is not your current password.');
      }
      const passwordHash = await hashFor(user, next);
      await store.transaction(async (tx) => {
        await setPassword(tx, await loadLive(tx, user.id), passwordHash);
        await sessions.destroyAllForUser(tx, user.id, sessionIdHash);
        await audit(deps, tx, userCtx(user.id, client), 'password.changed', user.id);
      });
    },

    /**
     * Sends a confirmation link to the new address; the email changes only when it is followed. An
     * address that is taken gets no email, and the answer is the same.
     */
    async requestEmailChange(user: UserRow, newEmail: string, password: string, client: Client): Promise<void> {
      const email = newEmail.trim();
      if (!isEmailAddress(email)) throw invalidField('email', 'is not a valid email address');
      if (!user.password_hash || !(await hasher.verify(user.password_hash, password))) {
        throw invalidField('currentPassword', 'is not your current password.');
      }
      if (normalizeEmail(email) === user.email_lc) throw invalidField('email', 'is already your email address.');
      if (await store.users.findLiveUserByEmail(normalizeEmail(email))) return;
      await store.transaction(async (tx) => {
        await enqueueUserEmail(deps, tx, 'emailChangeIdentityDefault', user, { appType: 'developerPortal', recipient: email, extra: { NewEmail: email } });
        await audit(deps, tx, userCtx(user.id, client), 'email.change-requested', user.id);
      });
    },

    /** The link sent to the new address: the email (and the Basic identity) change, if the address is still free. */
    async confirmEmailChange(token: string, client: Client): Promise<void> {
      await store.transaction(async (tx) => {
        const { userId, data } = await tokens.consume(tx, token, 'email-change');
        const user = await loadLive(tx, userId);
        const email = data.email;
        if (!email) throw new AppError('validation', 'InvalidToken', 'This link is not valid.');
        const other = await tx.users.findLiveUserByEmail(normalizeEmail(email));
        if (other && other.id !== user.id) throw invalidField('email', 'This address is now used by another account.');
        await tx.users.updateUser(user.id, { email, email_lc: normalizeEmail(email), etag: newEtag(), updated_at: clock.now().toISOString() });
        const identities = (await tx.users.listIdentities([user.id])).get(user.id) ?? [];
        await tx.users.replaceIdentities(user.id, identities.map((i) => (i.provider === 'Basic' ? { provider: 'Basic', id: email } : i)));
        await audit(deps, tx, userCtx(user.id, client), 'email.changed', user.id);
      });
    },

    /** Closes the developer's own account (state deleted), after the password; a farewell email is sent. */
    async closeAccount(user: UserRow, password: string, client: Client): Promise<void> {
      if (!user.password_hash || !(await hasher.verify(user.password_hash, password))) {
        throw invalidField('currentPassword', 'is not your current password.');
      }
      await store.transaction(async (tx) => {
        const current = await loadLive(tx, user.id);
        await enqueueUserEmail(deps, tx, 'accountClosedDeveloper', current, { appType: 'developerPortal' });
        await tx.users.updateUser(user.id, { state: 'deleted', password_hash: null, etag: newEtag(), updated_at: clock.now().toISOString() });
        await tx.users.replaceIdentities(user.id, []);
        await tx.groups.removeAllMemberships(user.id);
        await parts.subscriptions.releaseOwnerSubscriptions(tx, user.id, false);
        await sessions.destroyAllForUser(tx, user.id);
        await audit(deps, tx, userCtx(user.id, client), 'account.closed', user.id);
      });
    },

    /**
     * For an expired invitation or sign-up link: sends a fresh one if the account is still waiting
     * for it. The answer is the same either way.
     */
    async resendLink(token: string, purpose: 'invitation' | 'signup', client: Client): Promise<void> {
      const { userId } = await tokens.inspect(store, token, purpose);
      if (!userId) return;
      await store.transaction(async (tx) => {
        const user = await tx.users.findUser(userId);
        if (!user || user.state !== 'pending') return;
        await enqueueUserEmail(deps, tx, purpose === 'invitation' ? 'inviteUserNotificationMessage' : 'confirmSignUpIdentityDefault', user, { appType: 'developerPortal' });
        await audit(deps, tx, anonymous(client), purpose === 'invitation' ? 'invitation.resent' : 'signup.resent', user.id);
      });
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
