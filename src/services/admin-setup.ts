/**
 * The first administrator. A new instance has the built-in administrator (user `1`, in
 * Administrators) without a password, so nobody can sign in to the admin UI: there are no default
 * credentials, ever. Either TOLLGATE_ADMIN_EMAIL and TOLLGATE_ADMIN_PASSWORD give it an address and
 * a password at startup, or startup prints a one-time setup link (valid one hour, single use, only
 * its hash stored) whose page does the same.
 */
import { AppError, invalidField } from '../domain/errors.js';
import { ADMINISTRATORS_GROUP_ID } from '../domain/group.js';
import { checkPassword } from '../domain/password-policy.js';
import { ADMIN_USER_ID, NAME_MAX, normalizeEmail } from '../domain/user.js';
import type { Store } from '../store/index.js';
import type { ServiceDeps } from './deps.js';
import { SYSTEM } from './audit.js';
import { emailInput } from '../domain/user-input.js';
import { parseInput } from '../domain/validate.js';
import { inWrite, type Write } from './writes.js';
import type { SessionService } from './sessions.js';
import type { TokenService, TokenState } from './tokens.js';
import type { Client } from './accounts.js';

export interface FirstAdministrator {
  email: string;
  firstName: string;
  lastName: string;
  password: string;
}

export function createAdminSetupService(deps: ServiceDeps, parts: { tokens: TokenService; sessions: SessionService }) {
  const { store, hasher } = deps;

  /** Whether some active administrator can sign in (has a password). */
  async function hasUsableAdministrator(ex: Store): Promise<boolean> {
    return ex.groups.hasMemberWithPassword(ADMINISTRATORS_GROUP_ID);
  }

  /** Gives the built-in administrator its address, name and password (validated first). */
  async function becomeFirstAdministrator(w: Write, input: FirstAdministrator): Promise<void> {
    const { tx } = w;
    const email = parseInput(emailInput, input.email, 'email');
    const firstName = input.firstName.trim() || 'Administrator';
    const lastName = input.lastName.trim();
    if (firstName.length > NAME_MAX) throw invalidField('firstName', `must be at most ${NAME_MAX} characters`);
    if (lastName.length > NAME_MAX) throw invalidField('lastName', `must be at most ${NAME_MAX} characters`);
    checkPassword(input.password, { email, firstName, lastName });
    const admin = await tx.users.findUser(ADMIN_USER_ID, true);
    if (!admin || admin.state === 'deleted') throw new AppError('conflict', 'SetupNotPossible', 'The built-in administrator is missing from the database.');
    const emailLc = normalizeEmail(email);
    const other = await tx.users.findLiveUserByEmail(emailLc);
    if (other && other.id !== ADMIN_USER_ID) throw invalidField('email', 'belongs to another account');
    const passwordHash = await hasher.hash(input.password);
    await tx.users.updateUser(ADMIN_USER_ID, {
      email,
      email_lc: emailLc,
      first_name: firstName,
      last_name: lastName,
      password_hash: passwordHash,
      state: 'active',
      etag: w.etag(),
      updated_at: w.at,
    });
    await tx.users.replaceIdentities(ADMIN_USER_ID, [{ provider: 'Basic', id: email }]);
    await tx.groups.addMember(ADMINISTRATORS_GROUP_ID, ADMIN_USER_ID, w.at);
    await w.record({ audit: { action: 'admin.setup', userId: ADMIN_USER_ID, detail: { method: w.actor === SYSTEM ? 'environment' : 'setup-link' } } });
  }

  return {
    /** True until some administrator can sign in. */
    async needsSetup(): Promise<boolean> {
      return !(await hasUsableAdministrator(store));
    },

    /**
     * Startup with TOLLGATE_ADMIN_EMAIL and TOLLGATE_ADMIN_PASSWORD: creates that administrator if no
     * administrator can sign in yet; otherwise changes nothing (the variables only seed a new instance).
     */
    async setUpFromEnvironment(email: string, password: string): Promise<'created' | 'exists'> {
      return inWrite(deps, SYSTEM, async (w) => {
        if (await hasUsableAdministrator(w.tx)) return 'exists';
        await becomeFirstAdministrator(w, { email, password, firstName: 'Administrator', lastName: '' });
        return 'created';
      });
    },

    /** A new one-time setup link's token (an older one stops working), or undefined once an administrator exists. */
    async issueSetupToken(): Promise<{ token: string; expiresAt: string } | undefined> {
      return store.transaction(async (tx) => {
        if (await hasUsableAdministrator(tx)) return undefined;
        return parts.tokens.issue(tx, ADMIN_USER_ID, 'admin-setup');
      });
    },

    async inspectSetupToken(token: string): Promise<TokenState> {
      return store.transaction(async (tx) => (await parts.tokens.inspect(tx, token, 'admin-setup')).state);
    },

    /** Uses the link: the first administrator, signed in (returns the admin session id). */
    async completeSetup(token: string, input: FirstAdministrator, client: Client): Promise<string> {
      return inWrite(deps, { actor: `user:${ADMIN_USER_ID}`, ip: client.ip }, async (w) => {
        const { tx } = w;
        // Validate before using the token, so a typo does not burn the link.
        const state = (await parts.tokens.inspect(tx, token, 'admin-setup')).state;
        if (state !== 'valid') throw new AppError('validation', 'InvalidToken', 'This setup link is not valid, has been used, or has expired.');
        if (await hasUsableAdministrator(tx)) throw new AppError('conflict', 'SetupDone', 'An administrator already exists: sign in instead.');
        await becomeFirstAdministrator(w, input);
        await parts.tokens.consume(tx, token, 'admin-setup');
        return parts.sessions.create(tx, ADMIN_USER_ID, client, 'admin');
      });
    },
  };
}

export type AdminSetupService = ReturnType<typeof createAdminSetupService>;
