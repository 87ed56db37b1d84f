/**
 * Use cases on developer accounts: create (or invite), change, block/activate, close, delete,
 * sign-in tokens and password emails. Every write runs in one transaction.
 */
import { conflict, invalidField, notFound, operationNotAllowed } from '../domain/errors.js';
import { checkIfMatch, requireIfMatch } from '../domain/etag.js';
import { newEtag } from '../domain/ids.js';
import { parseFilter } from '../domain/filter/parser.js';
import { GROUP_USER_FILTER_FIELDS, USER_FILTER_FIELDS, USER_GROUP_FILTER_FIELDS } from '../domain/filter/fields.js';
import { checkPassword } from '../domain/password-policy.js';
import { ADMIN_USER_ID, assertTransition, normalizeEmail, type UserIdentity, type UserState } from '../domain/user.js';
import type { TokenInput, UserCreateInput, UserUpdateInput } from '../domain/user-input.js';
import { DEVELOPERS_GROUP_ID } from '../domain/group.js';
import { MAX_TOKEN_LIFETIME_MS, signUserToken } from '../domain/access-token.js';
import { retryOnceOnUniqueViolation, type Store } from '../store/index.js';
import type { UserRow } from '../store/users-repo.js';
import type { ServiceDeps } from './deps.js';
import { enqueueUserEmail } from './emails.js';
import { groupView, userView, type GroupView, type Page, type PageRequest, type UserView } from './views.js';
import { signingKeys } from './signing-keys.js';
import { audit, SYSTEM, type ActorContext } from './audit.js';
import { SSO_URL_LIFETIME_MS } from './tokens.js';
import { createSubscriptionService, type SubscriptionService, type SubscriptionView } from './subscriptions.js';


export interface WriteOptions {
  ifMatch?: string | undefined;
  notify?: boolean | undefined;
  /** Who asks, for the audit log. */
  ctx?: ActorContext;
}

export interface DeleteOptions {
  ifMatch?: string | undefined;
  notify?: boolean | undefined;
  deleteSubscriptions?: boolean | undefined;
  appType?: string | undefined;
  ctx?: ActorContext;
}

/** `subscriptions` defaults to a service over the same deps (it keeps no state of its own). */
export function createUserService(deps: ServiceDeps, subscriptions: SubscriptionService = createSubscriptionService(deps)) {
  const { store, clock, hasher } = deps;

  async function load(tx: Store, id: string, lock = false): Promise<UserRow> {
    const row = await tx.users.findUser(id, lock);
    if (!row) throw notFound('User');
    return row;
  }

  async function view(tx: Store, row: UserRow): Promise<UserView> {
    const [identities, groups] = await Promise.all([
      tx.users.listIdentities([row.id]),
      tx.groups.groupsOfUsers([row.id]),
    ]);
    return userView(row, identities.get(row.id) ?? [], groups.get(row.id) ?? []);
  }

  async function assertEmailFree(tx: Store, emailLc: string, exceptId: string): Promise<void> {
    const other = await tx.users.findLiveUserByEmail(emailLc);
    if (other && other.id !== exceptId) throw conflict('A user with this email address already exists.', 'email');
  }

  /** Checks the policy and hashes outside any transaction: hashing is slow and must not hold the database. */
  async function hashPassword(password: string, context: { email?: string; firstName?: string; lastName?: string }) {
    checkPassword(password, context);
    return hasher.hash(password);
  }

  /** Basic identities follow the email; others are kept as they are. */
  function identitiesFor(email: string, given: readonly UserIdentity[] | null | undefined, current: UserIdentity[]): UserIdentity[] {
    const base = given ?? current;
    const others = base.filter((i) => i.provider !== 'Basic');
    const hadBasic = base.length === 0 || base.some((i) => i.provider === 'Basic');
    return hadBasic ? [{ provider: 'Basic', id: email }, ...others] : others;
  }

  /** Closing an account removes what it could be used with: identities, password and memberships. */
  async function close(tx: Store, id: string): Promise<void> {
    await tx.users.replaceIdentities(id, []);
    await tx.groups.removeAllMemberships(id);
  }

  /** The change shared by PUT on an existing user and PATCH: only the given fields move. */
  async function applyUpdate(
    tx: Store,
    existing: UserRow,
    input: UserUpdateInput,
    passwordHash: string | undefined,
    now: string,
    ctx: ActorContext,
  ): Promise<UserView> {
    const id = existing.id;
    if (existing.state === 'deleted') throw conflict('This account is closed and cannot be changed.');
    const next = input.state ?? existing.state;
    assertTransition(existing.state, next);
    if (id === ADMIN_USER_ID && next !== 'active') {
      throw operationNotAllowed('The built-in administrator cannot be blocked or closed.');
    }
    const email = input.email ?? existing.email;
    const emailLc = normalizeEmail(email);
    if (input.email !== undefined) await assertEmailFree(tx, emailLc, id);
    await tx.users.updateUser(id, {
      ...(input.firstName !== undefined ? { first_name: input.firstName } : {}),
      ...(input.lastName !== undefined ? { last_name: input.lastName } : {}),
      email,
      email_lc: emailLc,
      state: next,
      ...(input.note !== undefined ? { note: input.note } : {}),
      ...(passwordHash !== undefined ? { password_hash: passwordHash } : {}),
      ...(next === 'deleted' ? { password_hash: null } : {}),
      etag: newEtag(),
      updated_at: now,
    });
    if (input.email !== undefined || input.identities !== undefined) {
      const current = (await tx.users.listIdentities([id])).get(id) ?? [];
      await tx.users.replaceIdentities(id, identitiesFor(email, input.identities, current));
    }
    if (next === 'deleted') {
      await close(tx, id);
      await subscriptions.releaseOwnerSubscriptions(tx, id, false);
    }
    // A user who may no longer sign in, or whose password an administrator replaced, is signed out everywhere at once.
    if (next !== 'active' || passwordHash !== undefined) await tx.sessions.deleteUserSessions(id);
    if (next !== existing.state) {
      await audit(deps, tx, ctx, 'user.state-changed', id, { from: existing.state, to: next });
      await tx.changes.recordChange('user', id, now);
    }
    if (passwordHash !== undefined) await audit(deps, tx, ctx, 'user.password-set', id);
    const changed = (['firstName', 'lastName', 'email', 'note', 'identities'] as const).filter((f) => input[f] !== undefined);
    if (changed.length > 0) await audit(deps, tx, ctx, 'user.updated', id, { fields: changed.join(',') });
    return view(tx, await load(tx, id));
  }

  return {
    async list(page: PageRequest & { expandGroups?: boolean }): Promise<Page<UserView>> {
      const filter = page.filter ? parseFilter(page.filter, USER_FILTER_FIELDS) : undefined;
      const { rows, count } = await store.users.listUsers({ filter, top: page.top, skip: page.skip });
      return { items: await renderMany(store, rows, page.expandGroups === true), count };
    },

    async listByGroup(groupId: string, page: PageRequest): Promise<Page<UserView>> {
      const filter = page.filter ? parseFilter(page.filter, GROUP_USER_FILTER_FIELDS) : undefined;
      if (!(await store.groups.findGroup(groupId))) throw notFound('Group');
      const { rows, count } = await store.users.listUsers({ filter, groupId, top: page.top, skip: page.skip });
      return { items: await renderMany(store, rows, false), count };
    },

    async get(id: string): Promise<UserView> {
      return view(store, await load(store, id));
    },

    async etag(id: string): Promise<string> {
      return (await load(store, id)).etag;
    },

    /** PUT: creates the user (true) or replaces its fields (false). */
    async createOrUpdate(id: string, input: UserCreateInput, options: WriteOptions = {}): Promise<{ user: UserView; created: boolean }> {
      const passwordHash =
        input.password !== undefined ? await hashPassword(input.password, input) : undefined;
      const now = clock.now().toISOString();
      const emailLc = normalizeEmail(input.email);
      return retryOnceOnUniqueViolation(() =>
        store.transaction(async (tx) => {
          const existing = await tx.users.findUser(id, true);
          checkIfMatch(options.ifMatch, existing?.etag);
          // `confirmation` and `appType` only matter when the user is created; a repeated PUT ignores them.
          if (existing) return { user: await applyUpdate(tx, existing, input, passwordHash, now, options.ctx ?? SYSTEM), created: false };

          const state = initialState(input);
          await assertEmailFree(tx, emailLc, id);
          const row: UserRow = {
            id,
            first_name: input.firstName,
            last_name: input.lastName,
            email: input.email,
            email_lc: emailLc,
            state,
            note: input.note ?? null,
            registration_date: now,
            password_hash: passwordHash ?? null,
            etag: newEtag(),
            updated_at: now,
          };
          await tx.users.insertUser(row);
          await tx.users.replaceIdentities(id, identitiesFor(input.email, input.identities, []));
          await tx.groups.addMember(DEVELOPERS_GROUP_ID, id, now);
          await audit(deps, tx, options.ctx ?? SYSTEM, 'user.created', id, { state, confirmation: input.confirmation ?? null });
          if (options.notify) {
            const template =
              input.confirmation === 'invite'
                ? 'inviteUserNotificationMessage'
                : input.confirmation === 'signup'
                  ? 'confirmSignUpIdentityDefault'
                  : 'newDeveloperNotificationMessage';
            await enqueueUserEmail(deps, tx, template, row, { appType: input.appType });
          }
          return { user: await view(tx, row), created: true };
        }),
      );
    },

    /** PATCH: changes only the given fields. */
    async update(id: string, input: UserUpdateInput, ifMatchHeader: string | undefined, ctx: ActorContext = SYSTEM): Promise<UserView> {
      const ifMatch = requireIfMatch(ifMatchHeader);
      let passwordHash: string | undefined;
      if (input.password !== undefined) {
        const current = await load(store, id);
        passwordHash = await hashPassword(input.password, {
          email: input.email ?? current.email,
          firstName: input.firstName ?? current.first_name,
          lastName: input.lastName ?? current.last_name,
        });
      }
      const now = clock.now().toISOString();
      return retryOnceOnUniqueViolation(() =>
        store.transaction(async (tx) => {
          const existing = await load(tx, id, true);
          checkIfMatch(ifMatch, existing.etag);
          return applyUpdate(tx, existing, input, passwordHash, now, ctx);
        }),
      );
    },

    /** DELETE: removes the user with its identities and memberships. False when there was nothing to delete. */
    async remove(id: string, options: DeleteOptions): Promise<boolean> {
      const ifMatch = requireIfMatch(options.ifMatch);
      if (id === ADMIN_USER_ID) throw operationNotAllowed('The built-in administrator cannot be deleted.');
      return store.transaction(async (tx) => {
        const existing = await tx.users.findUser(id, true);
        if (!existing) return false;
        checkIfMatch(ifMatch, existing.etag);
        if (options.notify && existing.state !== 'deleted') {
          await enqueueUserEmail(deps, tx, 'accountClosedDeveloper', existing, { appType: options.appType });
        }
        // The user's subscriptions are deleted with them, or else cancelled (each recorded in the change feed).
        await subscriptions.releaseOwnerSubscriptions(tx, id, options.deleteSubscriptions === true);
        await tx.groups.removeAllMemberships(id);
        await tx.users.replaceIdentities(id, []);
        await tx.sessions.deleteUserSessions(id);
        await tx.users.deleteUser(id);
        await tx.changes.recordChange('user', id, clock.now().toISOString());
        await audit(deps, tx, options.ctx ?? SYSTEM, 'user.deleted', id, { notify: options.notify === true });
        return true;
      });
    },

    async listGroups(userId: string, page: PageRequest): Promise<Page<GroupView>> {
      const filter = page.filter ? parseFilter(page.filter, USER_GROUP_FILTER_FIELDS) : undefined;
      await load(store, userId);
      const { rows, count } = await store.groups.listGroups({ filter, userId, top: page.top, skip: page.skip });
      return { items: rows.map(groupView), count };
    },

    async listIdentities(userId: string): Promise<UserIdentity[]> {
      await load(store, userId);
      return (await store.users.listIdentities([userId])).get(userId) ?? [];
    },

    /** A link that signs the user in to the developer portal (consumed by the portal's /signin-sso). */
    async generateSsoUrl(userId: string): Promise<string> {
      const user = await load(store, userId);
      if (user.state === 'deleted') throw notFound('User');
      const keys = await signingKeys(store);
      const token = signUserToken(keys.primary, user.id, new Date(clock.now().getTime() + SSO_URL_LIFETIME_MS));
      return `${deps.publicUrl}/signin-sso?token=${encodeURIComponent(token)}`;
    },

    /** A shared-access token for the user, signed with the primary or secondary key, valid at most 30 days. */
    async sharedAccessToken(userId: string, input: TokenInput): Promise<string> {
      const expiry = new Date(input.expiry);
      const now = clock.now().getTime();
      if (expiry.getTime() <= now) throw invalidField('expiry', 'must be in the future.');
      if (expiry.getTime() - now > MAX_TOKEN_LIFETIME_MS) {
        throw invalidField('expiry', 'must be at most 30 days from now.');
      }
      const user = await load(store, userId);
      if (user.state === 'deleted') throw notFound('User');
      const keys = await signingKeys(store);
      return signUserToken(input.keyType === 'secondary' ? keys.secondary : keys.primary, user.id, expiry);
    },

    /** Records a password-reset email for the user (sent by the mail worker). */
    async sendPasswordConfirmation(userId: string, appType?: string, ctx: ActorContext = SYSTEM): Promise<void> {
      await store.transaction(async (tx) => {
        const user = await load(tx, userId);
        if (user.state === 'deleted') throw notFound('User');
        await enqueueUserEmail(deps, tx, 'passwordResetIdentityDefault', user, { appType });
        await audit(deps, tx, ctx, 'user.password-reset-sent', userId);
      });
    },

    /**
     * The admin UI's "Reset password": the portal's reset email (its link opens /reset-password),
     * for an active user only, since the link works for active accounts alone.
     */
    async sendPasswordReset(userId: string, ctx: ActorContext = SYSTEM): Promise<UserView> {
      return store.transaction(async (tx) => {
        const user = await load(tx, userId);
        if (user.state === 'deleted') throw notFound('User');
        if (user.state !== 'active') {
          throw conflict(
            user.state === 'pending'
              ? 'This user has not confirmed the account yet: send the invitation again instead.'
              : 'Only an active user can reset the password; activate the user first.',
          );
        }
        await enqueueUserEmail(deps, tx, 'passwordResetIdentityDefault', user, { appType: 'developerPortal' });
        await audit(deps, tx, ctx, 'user.password-reset-sent', userId);
        return view(tx, user);
      });
    },

    /** Whether the user is pending after an invitation (so that the invitation can be sent again). */
    async isPendingInvitation(userId: string): Promise<boolean> {
      const user = await load(store, userId);
      return user.state === 'pending' && (await wasInvited(store, userId));
    },

    /**
     * Sends a pending, invited user a new invitation: older invitation links stop working at once,
     * and the new email carries a fresh link (minted when it is sent).
     */
    async resendInvitation(userId: string, ctx: ActorContext = SYSTEM): Promise<UserView> {
      return store.transaction(async (tx) => {
        const user = await load(tx, userId, true);
        if (user.state === 'deleted') throw notFound('User');
        if (user.state !== 'pending' || !(await wasInvited(tx, userId))) {
          throw conflict('Only a pending user who was invited can be sent the invitation again.');
        }
        await tx.tokens.retireTokens(userId, 'invitation', clock.now().toISOString());
        await enqueueUserEmail(deps, tx, 'inviteUserNotificationMessage', user, { appType: 'developerPortal' });
        await audit(deps, tx, ctx, 'invitation.resent', userId);
        return view(tx, user);
      });
    },

    async listSubscriptions(userId: string, page: PageRequest): Promise<Page<SubscriptionView>> {
      await load(store, userId);
      return subscriptions.list({ ...page, userId });
    },

    async getSubscription(userId: string, sid: string): Promise<SubscriptionView> {
      await load(store, userId);
      return subscriptions.getOfUser(userId, sid);
    },
  };

  /** A user was invited when it was created with confirmation 'invite' (recorded in the audit log of its creation). */
  async function wasInvited(tx: Store, userId: string): Promise<boolean> {
    const created = await tx.audit.listAudit({ userId, action: 'user.created', limit: 1 });
    const detail = created[0]?.detail;
    if (!detail) return false;
    try {
      return (JSON.parse(detail) as { confirmation?: unknown }).confirmation === 'invite';
    } catch {
      return false;
    }
  }

  async function renderMany(tx: Store, rows: UserRow[], withGroups: boolean): Promise<UserView[]> {
    const userIds = rows.map((r) => r.id);
    const [identities, groups] = await Promise.all([
      tx.users.listIdentities(userIds),
      withGroups ? tx.groups.groupsOfUsers(userIds) : Promise.resolve(undefined),
    ]);
    return rows.map((r) => userView(r, identities.get(r.id) ?? [], groups ? (groups.get(r.id) ?? []) : undefined));
  }
}

function initialState(input: UserCreateInput): UserState {
  if (input.confirmation) {
    if (input.state !== undefined && input.state !== 'pending') {
      throw invalidField('state', `A user created with confirmation '${input.confirmation}' starts as pending.`);
    }
    return 'pending';
  }
  if (input.state === 'deleted') throw invalidField('state', 'A user cannot be created in state deleted.');
  return input.state ?? 'active';
}

export type UserService = ReturnType<typeof createUserService>;
