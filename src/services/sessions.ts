/**
 * Server-side portal sessions. The cookie holds a 256-bit random id; the table holds its SHA-256,
 * the user, a per-session CSRF secret, and the times that bound it: an idle timeout and an
 * absolute one. A session is only as good as its user: a user who is no longer active has none.
 */
import { hashSecret, newSecret } from '../domain/secrets.js';
import type { Store } from '../store/index.js';
import type { UserRow } from '../store/users-repo.js';
import type { SessionScope } from '../store/schema.js';
import type { ServiceDeps } from './deps.js';
import { ADMINISTRATORS_GROUP_ID } from '../domain/group.js';

export interface ActiveSession {
  idHash: string;
  user: UserRow;
  csrfSecret: string;
}

/** Activity is written back at most this often, so that browsing does not write on every request. */
const TOUCH_INTERVAL_MS = 60 * 1000;

export function createSessionService(deps: Pick<ServiceDeps, 'store' | 'clock' | 'sessionIdleMs' | 'sessionAbsoluteMs'>) {
  const { store, clock } = deps;

  return {
    /** A new session (sign-in always gets a fresh id). Returns the raw id for the cookie. */
    async create(tx: Store, userId: string, client: { ip?: string | null; userAgent?: string | null }, scope: SessionScope = 'portal'): Promise<string> {
      const now = clock.now();
      const id = newSecret();
      await tx.sessions.insertSession({
        id_hash: hashSecret(id),
        user_id: userId,
        csrf_secret: newSecret(),
        created_at: now.toISOString(),
        last_seen_at: now.toISOString(),
        expires_at: new Date(now.getTime() + deps.sessionAbsoluteMs).toISOString(),
        ip: client.ip ?? null,
        user_agent: client.userAgent?.slice(0, 300) ?? null,
        scope,
      });
      return id;
    },

    /**
     * The session behind a cookie, if it is still alive, of this scope, and its user is active;
     * expired ones are removed. An admin session also needs its user still in Administrators.
     */
    async resolve(id: string | undefined, scope: SessionScope = 'portal'): Promise<ActiveSession | undefined> {
      if (!id || id.length > 100) return undefined;
      const idHash = hashSecret(id);
      const row = await store.sessions.findSession(idHash);
      if (!row || row.scope !== scope) return undefined;
      const now = clock.now();
      const idleSince = now.getTime() - new Date(row.last_seen_at).getTime();
      if (row.expires_at <= now.toISOString() || idleSince >= deps.sessionIdleMs) {
        await store.sessions.deleteSession(idHash);
        return undefined;
      }
      const user = await store.users.findUser(row.user_id);
      if (!user || user.state !== 'active' || (scope === 'admin' && !(await store.groups.isMember(ADMINISTRATORS_GROUP_ID, user.id)))) {
        await store.sessions.deleteSession(idHash);
        return undefined;
      }
      if (idleSince >= TOUCH_INTERVAL_MS) await store.sessions.updateSession(idHash, { last_seen_at: now.toISOString() });
      return { idHash, user, csrfSecret: row.csrf_secret };
    },

    async destroy(id: string | undefined): Promise<void> {
      if (id) await store.sessions.deleteSession(hashSecret(id));
    },

    /** Ends every session of the user but `keepIdHash` (the one making the change). */
    async destroyAllForUser(tx: Store, userId: string, keepIdHash?: string): Promise<void> {
      await tx.sessions.deleteUserSessions(userId, keepIdHash);
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
