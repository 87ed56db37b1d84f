/**
 * The developer's own account journey on the portal: sign-in and sign-out, self sign-up and its
 * confirmation, accepting an invitation, password reset, changing password or email, closing the
 * account. Every emailed link is minted when its email is sent (src/services/email-delivery.ts);
 * here the links are only consumed.
 *
 * Answers never tell whether an email address has an account: sign-in failures share one message,
 * and a reset request or a sign-up for a known address look exactly like one for an unknown address.
 *
 * Sign-ins and sign-ups are counted against their limits (src/domain/attempt-limits.ts) before
 * anything else is looked at, so a burst of attempts cannot pass a check together.
 */
import {
  ACCOUNT_SIGN_IN,
  ADDRESS_SIGN_IN,
  ADDRESS_SIGN_UP,
  EMAIL_SIGN_UP,
} from '../domain/attempt-limits.js';
import { AppError, invalidField } from '../domain/errors.js';
import { ADMINISTRATORS_GROUP_ID } from '../domain/group.js';
import { checkPassword } from '../domain/password-policy.js';
import { verifySsoToken } from '../domain/sso-token.js';
import { normalizeEmail } from '../domain/user.js';
import { emailInput, signUpInput, type SignUpInput } from '../domain/user-input.js';
import { parseInput } from '../domain/validate.js';
import { isUniqueViolation, type Store } from '../store/index.js';
import type { SessionScope } from '../store/schema.js';
import type { UserRow } from '../store/users-repo.js';
import { closeAccountIn } from './account-closing.js';
import { accountKey, addressKey, signUpAddressKey, signUpEmailKey, type AttemptLimiter } from './attempts.js';
import type { ActorContext } from './audit.js';
import type { ServiceDeps } from './deps.js';
import { enqueueUserEmail } from './emails.js';
import type { SessionService } from './sessions.js';
import { signingKeys } from './signing-keys.js';
import type { SubscriptionCore } from './subscriptions/core.js';
import { SSO_URL_LIFETIME_MS, type TokenPurpose, type TokenService, type TokenState } from './tokens.js';
import { creationConfirmation, type UserService } from './users.js';
import { inWrite, type Write } from './writes.js';

export interface Client {
  ip: string;
  userAgent?: string | undefined;
}

/** The one answer for a wrong email or password, whichever it was. */
export const SIGN_IN_FAILED = 'The email address or password is incorrect.';

export class SignInLockedError extends AppError {
  constructor(readonly until: string) {
    super('too-many-requests', 'SignInLocked', 'Too many failed sign-ins. Try again later, or reset your password.');
  }
}

export class SignUpLimitError extends AppError {
  constructor(readonly until: string) {
    super('too-many-requests', 'TooManySignUps', 'Too many sign-ups. Try again later.');
  }
}

export interface AccountDeps {
  users: UserService;
  sessions: SessionService;
  tokens: TokenService;
  attempts: AttemptLimiter;
  subscriptions: SubscriptionCore;
}

const userCtx = (userId: string, client: Client): ActorContext => ({ actor: `user:${userId}`, ip: client.ip });
const anonymous = (client: Client): ActorContext => ({ actor: 'anonymous', ip: client.ip });
const invalidLink = () => new AppError('validation', 'InvalidToken', 'This link is not valid.');

export function createAccountService(deps: ServiceDeps, parts: AccountDeps) {
  const { store, clock, hasher } = deps;
  const { sessions, tokens, attempts } = parts;

  async function setPassword(w: Write, user: UserRow, passwordHash: string, changes: { state?: 'active' } = {}): Promise<void> {
    await w.tx.users.updateUser(user.id, { password_hash: passwordHash, ...changes, etag: w.etag(), updated_at: w.at });
  }

  async function hashFor(user: Pick<UserRow, 'email' | 'first_name' | 'last_name'>, password: string): Promise<string> {
    checkPassword(password, { email: user.email, firstName: user.first_name, lastName: user.last_name });
    return hasher.hash(password);
  }

  async function loadLive(tx: Store, userId: string): Promise<UserRow> {
    const user = await tx.users.findUser(userId, true);
    if (!user || user.state === 'deleted') throw invalidLink();
    return user;
  }

  /** The user behind a link that is still valid, for checking a new password before the link is used. */
  async function userOfLink(token: string, purpose: TokenPurpose): Promise<UserRow> {
    const peek = await tokens.inspect(store, token, purpose);
    if (peek.state !== 'valid') throw invalidLink();
    const user = await store.users.findUser(peek.userId!);
    if (!user) throw invalidLink();
    return user;
  }

  const record = (ctx: ActorContext, event: Parameters<Write['record']>[0]) => inWrite(deps, ctx, (w) => w.record(event));

  /** The right password was given: the account's failures are forgotten (nothing counts against it). */
  const forgetFailures = (emailLc: string, tx: Store = store) => attempts.forget(accountKey(emailLc), tx);

  /** A link that proves the mailbox: the account becomes active with the password chosen, and is signed in. */
  async function activateWithLink(
    token: string,
    password: string,
    client: Client,
    purpose: 'invitation' | 'signup',
  ): Promise<string> {
    const passwordHash = await hashFor(await userOfLink(token, purpose), password);
    return inWrite(deps, anonymous(client), async (w) => {
      const { userId } = await tokens.consume(w.tx, token, purpose);
      const user = await loadLive(w.tx, userId);
      if (user.state === 'blocked') throw new AppError('forbidden', 'AccountNotActive', 'This account cannot sign in. Contact the administrator of this portal.');
      await setPassword(w, user, passwordHash, { state: 'active' });
      const self = w.as(userCtx(user.id, client));
      if (user.state === 'pending') {
        await self.record({ change: { entity: 'user', id: user.id }, audit: { action: 'user.state-changed', userId: user.id, detail: { from: 'pending', to: 'active' } } });
        if (purpose === 'signup') await enqueueUserEmail(deps, w.tx, 'newDeveloperNotificationMessage', user, { appType: 'developerPortal' });
      }
      await self.record({ audit: { action: purpose === 'signup' ? 'signup.confirmed' : 'invitation.accepted', userId: user.id } });
      await forgetFailures(user.email_lc, w.tx);
      return sessions.create(w.tx, user.id, client);
    });
  }

  return {
    /**
     * Signs in with email and password and returns the new session's id. The attempt is counted
     * first (per account and per address); unknown accounts cost a dummy hash, so they are refused
     * in about the time a wrong password is.
     */
    async signIn(email: string, password: string, client: Client, scope: SessionScope = 'portal'): Promise<string> {
      const emailLc = normalizeEmail(email);
      const admission = await attempts.count([
        { key: addressKey(client.ip), policy: ADDRESS_SIGN_IN },
        { key: accountKey(emailLc), policy: ACCOUNT_SIGN_IN },
      ]);
      if (!admission.allowed) {
        await record(anonymous(client), { audit: { action: 'signin.locked', detail: { until: admission.until } } });
        throw new SignInLockedError(admission.until);
      }
      const user = await store.users.findLiveUserByEmail(emailLc);
      const ok = user?.password_hash ? await hasher.verify(user.password_hash, password) : (await hasher.dummyVerify(password), false);
      if (!ok || !user) {
        await record(anonymous(client), {
          audit: { action: 'signin.failure', userId: user?.id ?? null, detail: { reason: user ? 'password' : 'unknown-account' } },
        });
        if (admission.lockedUntil) throw new SignInLockedError(admission.lockedUntil);
        throw new AppError('unauthenticated', 'SignInFailed', SIGN_IN_FAILED);
      }
      // The password was right: it counts as no failure, whatever else stops the sign-in.
      await forgetFailures(emailLc);
      await attempts.uncount(addressKey(client.ip), admission);
      if (user.state !== 'active') {
        // Only someone who knows the password learns that the account exists but cannot be used.
        await record(userCtx(user.id, client), { audit: { action: 'signin.failure', userId: user.id, detail: { reason: user.state } } });
        throw new AppError(
          'forbidden',
          'AccountNotActive',
          user.state === 'pending'
            ? 'This account is not confirmed yet: follow the link in the email we sent you.'
            : 'This account cannot sign in. Contact the administrator of this portal.',
        );
      }
      if (scope === 'admin' && !(await store.groups.isMember(ADMINISTRATORS_GROUP_ID, user.id))) {
        // The admin UI stays closed to developers.
        await record(userCtx(user.id, client), { audit: { action: 'signin.failure', userId: user.id, detail: { reason: 'not-administrator', scope } } });
        throw new AppError('forbidden', 'NotAnAdministrator', 'This account is not an administrator. Developers sign in on the developer portal.');
      }
      return inWrite(deps, userCtx(user.id, client), async (w) => {
        await w.record({ audit: { action: 'signin.success', userId: user.id, detail: scope === 'admin' ? { scope } : undefined } });
        return sessions.create(w.tx, user.id, client, scope);
      });
    },

    /**
     * Signs in with the URL from the management API's generateSsoUrl: a token signed with the
     * instance's key, valid for ten minutes and once, for an active user.
     */
    async signInWithSso(token: string, client: Client): Promise<string> {
      const invalid = new AppError('unauthenticated', 'InvalidToken', 'This sign-in link is not valid or has expired.');
      const keys = await signingKeys(store);
      const userId = verifySsoToken(token, [keys.primary, keys.secondary], clock.now());
      if (!userId) throw invalid;
      try {
        return await inWrite(deps, userCtx(userId, client), async (w) => {
          const user = await w.tx.users.findUser(userId, true);
          if (!user || user.state !== 'active') throw invalid;
          const expiresAt = new Date(clock.now().getTime() + SSO_URL_LIFETIME_MS).toISOString();
          if (!(await tokens.markSsoUsed(w.tx, user.id, token, expiresAt))) throw invalid;
          await w.record({ audit: { action: 'signin.success', userId: user.id, detail: { method: 'sso' } } });
          return sessions.create(w.tx, user.id, client);
        });
      } catch (error) {
        // The same link used twice at the same moment: the unique index let the other use through.
        if (isUniqueViolation(error)) throw invalid;
        throw error;
      }
    },

    async signOut(sessionId: string | undefined, userId: string | undefined, client: Client): Promise<void> {
      await sessions.destroy(sessionId);
      if (userId) await record(userCtx(userId, client), { audit: { action: 'signout', userId } });
    },

    /**
     * Self sign-up: a pending developer and a confirmation email; the password is chosen on the
     * page behind the link, so only the mailbox's owner can finish (nobody can pre-register an
     * address with a password of their own). A new sign-up for an address still waiting on one
     * replaces it (new names, new link, the older links retired). An address with another account
     * gets the same answer and nothing is changed, so the form cannot probe for accounts. Counted
     * per client address and per email address: too many are refused (429), and audited.
     */
    async signUp(raw: SignUpInput, client: Client): Promise<void> {
      const input = parseInput(signUpInput, raw);
      const emailLc = normalizeEmail(input.email);
      const admission = await attempts.count([
        { key: signUpAddressKey(client.ip), policy: ADDRESS_SIGN_UP },
        { key: signUpEmailKey(emailLc), policy: EMAIL_SIGN_UP },
      ]);
      if (!admission.allowed) {
        await record(anonymous(client), { audit: { action: 'signup.limited', detail: { until: admission.until } } });
        throw new SignUpLimitError(admission.until);
      }
      const existing = await store.users.findLiveUserByEmail(emailLc);
      if (!existing) {
        const { user } = await parts.users.createOrUpdate(
          deps.ids.next(),
          { ...input, confirmation: 'signup', appType: 'developerPortal' },
          { notify: true, ctx: anonymous(client) },
        );
        await record(anonymous(client), { audit: { action: 'signup', userId: user.id } });
        return;
      }
      if (existing.state !== 'pending' || (await creationConfirmation(store, existing.id)) !== 'signup') return;
      await inWrite(deps, anonymous(client), async (w) => {
        const user = await w.tx.users.findUser(existing.id, true);
        if (!user || user.state !== 'pending') return;
        await w.tx.users.updateUser(user.id, {
          first_name: input.firstName,
          last_name: input.lastName,
          password_hash: null,
          etag: w.etag(),
          updated_at: w.at,
        });
        await w.tx.tokens.retireTokens(user.id, 'signup', w.at);
        await enqueueUserEmail(deps, w.tx, 'confirmSignUpIdentityDefault', { ...user, first_name: input.firstName, last_name: input.lastName }, { appType: 'developerPortal' });
        await w.record({ audit: { action: 'signup', userId: user.id, detail: { replaced: true } } });
      });
    },

    /** What an emailed link is worth, to choose the page (form, "expired", "already used"). */
    async inspectLink(token: string, purpose: TokenPurpose): Promise<TokenState> {
      return (await tokens.inspect(store, token, purpose)).state;
    },

    /** The sign-up confirmation link: the developer chooses a password, the account becomes active, gets the welcome email, and is signed in. */
    async confirmSignUp(token: string, password: string, client: Client): Promise<string> {
      return activateWithLink(token, password, client, 'signup');
    },

    /** The invitation link: the developer chooses a password, the account becomes active, and is signed in. */
    async acceptInvitation(token: string, password: string, client: Client): Promise<string> {
      return activateWithLink(token, password, client, 'invitation');
    },

    /** Asks for a reset link. Same answer whether or not the address has an account. */
    async requestPasswordReset(email: string, client: Client): Promise<void> {
      const address = emailInput.safeParse(email);
      const user = address.success ? await store.users.findLiveUserByEmail(normalizeEmail(address.data)) : undefined;
      if (!user || user.state !== 'active') return;
      await inWrite(deps, anonymous(client), async (w) => {
        await enqueueUserEmail(deps, w.tx, 'passwordResetIdentityDefault', user, { appType: 'developerPortal' });
        await w.record({ audit: { action: 'password.reset-requested', userId: user.id } });
      });
    },

    /** The reset link: a new password; every reset link and every session of the user end. */
    async resetPassword(token: string, password: string, client: Client): Promise<void> {
      const passwordHash = await hashFor(await userOfLink(token, 'password-reset'), password);
      await inWrite(deps, anonymous(client), async (w) => {
        const { userId } = await tokens.consume(w.tx, token, 'password-reset');
        const user = await loadLive(w.tx, userId);
        await setPassword(w, user, passwordHash);
        await tokens.retireAll(w.tx, user.id, 'password-reset');
        await sessions.destroyAllForUser(w.tx, user.id);
        await w.as(userCtx(user.id, client)).record({ audit: { action: 'password.reset', userId: user.id } });
        await forgetFailures(user.email_lc, w.tx);
      });
    },

    /** Needs the current password; other sessions of the user end. */
    async changePassword(user: UserRow, sessionIdHash: string, current: string, next: string, client: Client): Promise<void> {
      if (!user.password_hash || !(await hasher.verify(user.password_hash, current))) {
        throw invalidField('currentPassword', 'is not your current password.');
      }
      const passwordHash = await hashFor(user, next);
      await inWrite(deps, userCtx(user.id, client), async (w) => {
        await setPassword(w, await loadLive(w.tx, user.id), passwordHash);
        await sessions.destroyAllForUser(w.tx, user.id, sessionIdHash);
        await w.record({ audit: { action: 'password.changed', userId: user.id } });
      });
    },

    /**
     * Sends a confirmation link to the new address; the email changes only when it is followed. An
     * address that is taken gets no email, and the answer is the same.
     */
    async requestEmailChange(user: UserRow, newEmail: string, password: string, client: Client): Promise<void> {
      const email = parseInput(emailInput, newEmail, 'email');
      if (!user.password_hash || !(await hasher.verify(user.password_hash, password))) {
        throw invalidField('currentPassword', 'is not your current password.');
      }
      if (normalizeEmail(email) === user.email_lc) throw invalidField('email', 'is already your email address.');
      if (await store.users.findLiveUserByEmail(normalizeEmail(email))) return;
      await inWrite(deps, userCtx(user.id, client), async (w) => {
        await enqueueUserEmail(deps, w.tx, 'emailChangeIdentityDefault', user, { appType: 'developerPortal', recipient: email, extra: { NewEmail: email } });
        await w.record({ audit: { action: 'email.change-requested', userId: user.id } });
      });
    },

    /** The link sent to the new address: the email (and the Basic identity) change, if the address is still free. */
    async confirmEmailChange(token: string, client: Client): Promise<void> {
      await inWrite(deps, anonymous(client), async (w) => {
        const { tx } = w;
        const { userId, data } = await tokens.consume(tx, token, 'email-change');
        const user = await loadLive(tx, userId);
        const email = data.email;
        if (!email) throw invalidLink();
        const other = await tx.users.findLiveUserByEmail(normalizeEmail(email));
        if (other && other.id !== user.id) throw invalidField('email', 'This address is now used by another account.');
        await tx.users.updateUser(user.id, { email, email_lc: normalizeEmail(email), etag: w.etag(), updated_at: w.at });
        const identities = (await tx.users.listIdentities([user.id])).get(user.id) ?? [];
        await tx.users.replaceIdentities(user.id, identities.map((i) => (i.provider === 'Basic' ? { provider: 'Basic', id: email } : i)));
        await w.as(userCtx(user.id, client)).record({ audit: { action: 'email.changed', userId: user.id } });
      });
    },

    /** Closes the developer's own account (state deleted), after the password; a farewell email is sent. */
    async closeAccount(user: UserRow, password: string, client: Client): Promise<void> {
      if (!user.password_hash || !(await hasher.verify(user.password_hash, password))) {
        throw invalidField('currentPassword', 'is not your current password.');
      }
      await inWrite(deps, userCtx(user.id, client), async (w) => {
        const current = await loadLive(w.tx, user.id);
        await enqueueUserEmail(deps, w.tx, 'accountClosedDeveloper', current, { appType: 'developerPortal' });
        await w.tx.users.updateUser(user.id, { state: 'deleted', etag: w.etag(), updated_at: w.at });
        await closeAccountIn(w, parts.subscriptions, user.id);
        await w.record({ change: { entity: 'user', id: user.id }, audit: { action: 'account.closed', userId: user.id } });
      });
    },

    /**
     * For an expired invitation or sign-up link: sends a fresh one if the account is still waiting
     * for it. The answer is the same either way.
     */
    async resendLink(token: string, purpose: 'invitation' | 'signup', client: Client): Promise<void> {
      const { userId } = await tokens.inspect(store, token, purpose);
      if (!userId) return;
      await inWrite(deps, anonymous(client), async (w) => {
        const user = await w.tx.users.findUser(userId);
        if (!user || user.state !== 'pending') return;
        await enqueueUserEmail(deps, w.tx, purpose === 'invitation' ? 'inviteUserNotificationMessage' : 'confirmSignUpIdentityDefault', user, { appType: 'developerPortal' });
        await w.record({ audit: { action: purpose === 'invitation' ? 'invitation.resent' : 'signup.resent', userId: user.id } });
      });
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
