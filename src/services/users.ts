/**
 * Use cases on developer accounts: create (or invite), change, block/activate, close, delete,
 * sign-in tokens and password emails. Every write runs in one transaction.
 */
import { conflict, invalidField, notFound, operationNotAllowed } from '../domain/errors.js';
import { checkIfMatch, requireIfMatch } from '../domain/etag.js';
import { parseFilter } from '../domain/filter/parser.js';
import { GROUP_USER_FILTER_FIELDS, USER_FILTER_FIELDS, USER_GROUP_FILTER_FIELDS } from '../domain/filter/fields.js';
import { checkPassword } from '../domain/password-policy.js';
import { ADMIN_USER_ID, assertTransition, normalizeEmail, type UserIdentity, type UserState } from '../domain/user.js';
import type { TokenInput, UserCreateInput, UserUpdateInput } from '../domain/user-input.js';
import { DEVELOPERS_GROUP_ID } from '../domain/group.js';
import { MAX_TOKEN_LIFETIME_MS, signUserToken } from '../domain/access-token.js';
import { signSsoToken } from '../domain/sso-token.js';
import { retryOnceOnUniqueViolation, type Store } from '../store/index.js';
import type { UserRow } from '../store/users-repo.js';
import type { ServiceDeps } from './deps.js';
import { enqueueUserEmail } from './emails.js';
import { groupView, userView, type GroupView, type Page, type PageRequest, type UserView } from './views.js';
import { signingKeys } from './signing-keys.js';
import { SYSTEM, type ActorContext } from './audit.js';
import { SSO_URL_LIFETIME_MS } from './tokens.js';
import type { SubscriptionCore } from './subscriptions/core.js';
import { closeAccountIn } from './account-closing.js';
import { deleteInWrite, inWrite, patchInWrite, type Write } from './writes.js';


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

export function createUserService(deps: ServiceDeps, subscriptions: SubscriptionCore) {
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

  /** The change shared by PUT on an existing user and PATCH: only the given fields move. */
  async function applyUpdate(w: Write, existing: UserRow, input: UserUpdateInput, passwordHash: string | undefined): Promise<UserView> {
    const { tx } = w;
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
      etag: w.etag(),
      updated_at: w.at,
    });
    if (input.email !== undefined || input.identities !== undefined) {
      const current = (await tx.users.listIdentities([id])).get(id) ?? [];
      await tx.users.replaceIdentities(id, identitiesFor(email, input.identities, current));
    }
    if (next === 'deleted') await closeAccountIn(w, subscriptions, id);
    // A user who may no longer sign in, or whose password an administrator replaced, is signed out everywhere at once.
    if (next !== 'active' || passwordHash !== undefined) await tx.sessions.deleteUserSessions(id);
    if (next !== existing.state) {
      await w.record({ change: { entity: 'user', id }, audit: { action: 'user.state-changed', userId: id, detail: { from: existing.state, to: next } } });
    }
    if (passwordHash !== undefined) await w.record({ audit: { action: 'user.password-set', userId: id } });
    const changed = (['firstName', 'lastName', 'email', 'note', 'identities'] as const).filter((f) => input[f] !== undefined);
    if (changed.length > 0) await w.record({ audit: { action: 'user.updated', userId: id, detail: { fields: changed.join(',') } } });
    return view(tx, await load(tx, id));
  }

  /** PUT: creates the user (true) or replaces its fields (false). */
  async function createOrUpdate(id: string, input: UserCreateInput, options: WriteOptions = {}): Promise<{ user: UserView; created: boolean }> {
    const passwordHash =
      input.password !== undefined ? await hashPassword(input.password, input) : undefined;
    const emailLc = normalizeEmail(input.email);
    return retryOnceOnUniqueViolation(() =>
      inWrite(deps, options.ctx ?? SYSTEM, async (w) => {
        const { tx } = w;
        const existing = await tx.users.findUser(id, true);
        checkIfMatch(options.ifMatch, existing?.etag);
        // `confirmation` and `appType` only matter when the user is created; a repeated PUT ignores them.
        if (existing) return { user: await applyUpdate(w, existing, input, passwordHash), created: false };

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
          registration_date: w.at,
          password_hash: passwordHash ?? null,
          etag: w.etag(),
          updated_at: w.at,
        };
        await tx.users.insertUser(row);
        await tx.users.replaceIdentities(id, identitiesFor(input.email, input.identities, []));
        await tx.groups.addMember(DEVELOPERS_GROUP_ID, id, w.at);
        await w.record({
          change: { entity: 'user', id },
          audit: { action: 'user.created', userId: id, detail: { state, confirmation: input.confirmation ?? null } },
        });
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

    createOrUpdate,

    /** Creates a user under a new generated id (the admin UI's Add and Invite). */
    async add(input: UserCreateInput, options: WriteOptions = {}): Promise<UserView> {
      return (await createOrUpdate(deps.ids.next(), input, options)).user;
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
      return patchInWrite(deps, ctx, ifMatch, {
        load: (tx) => load(tx, id, true),
        update: (w, existing) => applyUpdate(w, existing, input, passwordHash),
      });
    },

    /** DELETE: removes the user with its identities and memberships. False when there was nothing to delete. */
    async remove(id: string, options: DeleteOptions): Promise<boolean> {
      requireIfMatch(options.ifMatch);
      if (id === ADMIN_USER_ID) throw operationNotAllowed('The built-in administrator cannot be deleted.');
      return deleteInWrite(deps, options.ctx ?? SYSTEM, options.ifMatch, {
        find: (tx) => tx.users.findUser(id, true),
        remove: async (w, existing) => {
          const { tx } = w;
          if (options.notify && existing.state !== 'deleted') {
            await enqueueUserEmail(deps, tx, 'accountClosedDeveloper', existing, { appType: options.appType });
          }
          // The user's subscriptions are deleted with them, or else cancelled (each recorded in the change feed).
          await subscriptions.releaseOwner(w, id, options.deleteSubscriptions === true);
          await tx.groups.removeAllMemberships(id);
          await tx.users.replaceIdentities(id, []);
          await tx.sessions.deleteUserSessions(id);
          await tx.users.deleteUser(id);
          await w.record({ change: { entity: 'user', id }, audit: { action: 'user.deleted', userId: id, detail: { notify: options.notify === true } } });
        },
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

    /** A single-use link that signs the user in to the developer portal (consumed by the portal's /signin-sso). */
    async generateSsoUrl(userId: string): Promise<string> {
      const user = await load(store, userId);
      if (user.state === 'deleted') throw notFound('User');
      const keys = await signingKeys(store);
      // A fresh token every time (a random nonce in it): each URL signs in once, and using one spoils no other.
      const token = signSsoToken(keys.primary, user.id, new Date(clock.now().getTime() + SSO_URL_LIFETIME_MS));
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
      await inWrite(deps, ctx, async (w) => {
        const user = await load(w.tx, userId);
        if (user.state === 'deleted') throw notFound('User');
        await enqueueUserEmail(deps, w.tx, 'passwordResetIdentityDefault', user, { appType });
        await w.record({ audit: { action: 'user.password-reset-sent', userId } });
      });
    },

    /**
     * The admin UI's "Reset password": the portal's reset email (its link opens /reset-password),
     * for an active user only, since the link works for active accounts alone.
     */
    async sendPasswordReset(userId: string, ctx: ActorContext = SYSTEM): Promise<UserView> {
      return inWrite(deps, ctx, async (w) => {
        const { tx } = w;
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
        await w.record({ audit: { action: 'user.password-reset-sent', userId } });
        return view(tx, user);
      });
    },

    /** Whether the user is pending after an invitation (so that the invitation can be sent again). */
    async isPendingInvitation(userId: string): Promise<boolean> {
      const user = await load(store, userId);
      return user.state === 'pending' && ((await creationConfirmation(store, userId)) === 'invite');
    },

    /**
     * Sends a pending, invited user a new invitation: older invitation links stop working at once,
     * and the new email carries a fresh link (minted when it is sent).
     */
    async resendInvitation(userId: string, ctx: ActorContext = SYSTEM): Promise<UserView> {
      return inWrite(deps, ctx, async (w) => {
        const { tx } = w;
        const user = await load(tx, userId, true);
        if (user.state === 'deleted') throw notFound('User');
        if (user.state !== 'pending' || (await creationConfirmation(tx, userId)) !== 'invite') {
          throw conflict('Only a pending user who was invited can be sent the invitation again.');
        }
        await tx.tokens.retireTokens(userId, 'invitation', w.at);
        await enqueueUserEmail(deps, tx, 'inviteUserNotificationMessage', user, { appType: 'developerPortal' });
        await w.record({ audit: { action: 'invitation.resent', userId } });
        return view(tx, user);
      });
    },
  };

  async function renderMany(tx: Store, rows: UserRow[], withGroups: boolean): Promise<UserView[]> {
    const userIds = rows.map((r) => r.id);
    const [identities, groups] = await Promise.all([
      tx.users.listIdentities(userIds),
      withGroups ? tx.groups.groupsOfUsers(userIds) : Promise.resolve(undefined),
    ]);
    return rows.map((r) => userView(r, identities.get(r.id) ?? [], groups ? (groups.get(r.id) ?? []) : undefined));
  }
}

/**
 * How a user was created: with confirmation 'invite' or 'signup' (a pending account waiting on its
 * link), as the audit entry of its creation records, or null.
 */
export async function creationConfirmation(ex: Store, userId: string): Promise<'invite' | 'signup' | null> {
  const created = await ex.audit.listAudit({ userId, action: 'user.created', limit: 1 });
  const detail = created[0]?.detail;
  if (!detail) return null;
  try {
    const confirmation = (JSON.parse(detail) as { confirmation?: unknown }).confirmation;
    return confirmation === 'invite' || confirmation === 'signup' ? confirmation : null;
  } catch {
    return null;
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
