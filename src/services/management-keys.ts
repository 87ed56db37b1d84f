/**
 * Keys for the management API. A key reads `tg_<id>.<secret>`: the id finds the row, and the
 * secret is checked against its stored SHA-256 in constant time. Keys are random (256 bits), so a
 * fast hash is the right tool here; passwords get argon2id. The bootstrap key from
 * TOLLGATE_ADMIN_KEY is held only as a digest too.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { notFound } from '../domain/errors.js';
import type { ServiceDeps } from './deps.js';

const KEY_SHAPE = /^tg_([0-9a-f]{24})\.([A-Za-z0-9_-]{43})$/;

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

export interface ManagementKeyInfo {
  id: string;
  name: string;
  createdAt: string;
  revokedAt: string | null;
}

export function createManagementKeyService(deps: Pick<ServiceDeps, 'store' | 'clock' | 'ids'>, bootstrapKey?: string) {
  const bootstrapDigest = bootstrapKey ? digest(bootstrapKey) : undefined;

  return {
    /** Creates a key; the returned `key` is shown once and never stored. */
    async create(name: string): Promise<{ key: string; info: ManagementKeyInfo }> {
      const id = deps.ids.next();
      const secret = randomBytes(32).toString('base64url');
      const createdAt = deps.clock.now().toISOString();
      await deps.store.keys.insertKey({ id, name, secret_hash: digest(secret).toString('hex'), created_at: createdAt, revoked_at: null });
      return { key: `tg_${id}.${secret}`, info: { id, name, createdAt, revokedAt: null } };
    },

    async list(): Promise<ManagementKeyInfo[]> {
      const rows = await deps.store.keys.listKeys();
      return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at, revokedAt: r.revoked_at }));
    },

    async revoke(id: string): Promise<void> {
      if (!(await deps.store.keys.revokeKey(id, deps.clock.now().toISOString()))) throw notFound('Active management key');
    },

    /**
     * Which key `presented` is: 'bootstrap' for TOLLGATE_ADMIN_KEY, the id of an active key created by
     * an administrator, or undefined when it is neither.
     */
    async verify(presented: string): Promise<string | undefined> {
      const given = digest(presented);
      if (bootstrapDigest && timingSafeEqual(given, bootstrapDigest)) return 'bootstrap';
      const match = KEY_SHAPE.exec(presented);
      if (!match) return undefined;
      const row = await deps.store.keys.findActiveKey(match[1]!);
      if (!row) return undefined;
      return timingSafeEqual(digest(match[2]!), Buffer.from(row.secret_hash, 'hex')) ? row.id : undefined;
    },
  };
}

export type ManagementKeyService = ReturnType<typeof createManagementKeyService>;

/** A random key suitable for TOLLGATE_ADMIN_KEY. */
export function generateBootstrapKey(): string {
  return randomBytes(32).toString('base64url');
}
