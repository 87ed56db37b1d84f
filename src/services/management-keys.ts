/**
 * Keys for the management API. A key reads `tg_<id>.<secret>`: the id finds the row, and the
 * secret is checked against its stored SHA-256 in constant time. Keys are random (256 bits), so a
 * fast hash is the right tool here; passwords get argon2id. The bootstrap key from
 * TOLLGATE_ADMIN_KEY is held only as a digest too.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { invalidField, notFound } from '../domain/errors.js';
import { audit, SYSTEM, type ActorContext } from './audit.js';
import type { ServiceDeps } from './deps.js';

/** A key's name: what it is for ("CI deploys"), 1 to 200 characters. */
export const MANAGEMENT_KEY_NAME_MAX = 200;

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

export interface ManagementKeyListing extends ManagementKeyInfo {
  /** The last change made with the key, as the audit log recorded it (reads are not recorded); null if none. */
  lastUsedAt: string | null;
}

function infoOf(r: { id: string; name: string; created_at: string; revoked_at: string | null }): ManagementKeyInfo {
  return { id: r.id, name: r.name, createdAt: r.created_at, revokedAt: r.revoked_at };
}

function checkName(raw: string): string {
  const name = raw.trim();
  if (name.length === 0) throw invalidField('name', 'is required');
  if (name.length > MANAGEMENT_KEY_NAME_MAX) throw invalidField('name', `must be at most ${MANAGEMENT_KEY_NAME_MAX} characters`);
  if (/[\u0000-\u001f\u007f]/.test(name)) throw invalidField('name', 'must not contain control characters');
  return name;
}

export function createManagementKeyService(deps: Pick<ServiceDeps, 'store' | 'clock' | 'ids'>, bootstrapKey?: string) {
  const bootstrapDigest = bootstrapKey ? digest(bootstrapKey) : undefined;

  return {
    /**
     * Creates a key; the returned `key` is shown once and never stored (nor audited: the audit
     * detail names the key's id and name only).
     */
    async create(rawName: string, ctx: ActorContext = SYSTEM): Promise<{ key: string; info: ManagementKeyInfo }> {
      const name = checkName(rawName);
      const id = deps.ids.next();
      const secret = randomBytes(32).toString('base64url');
      const createdAt = deps.clock.now().toISOString();
      await deps.store.transaction(async (tx) => {
        await tx.keys.insertKey({ id, name, secret_hash: digest(secret).toString('hex'), created_at: createdAt, revoked_at: null });
        await audit(deps, tx, ctx, 'management-key.created', null, { keyId: id, name });
      });
      return { key: `tg_${id}.${secret}`, info: { id, name, createdAt, revokedAt: null } };
    },

    async list(): Promise<ManagementKeyInfo[]> {
      const rows = await deps.store.keys.listKeys();
      return rows.map(infoOf);
    },

    /** The keys with when each was last used, as far as the audit log knows. */
    async listWithUse(): Promise<ManagementKeyListing[]> {
      const rows = await deps.store.keys.listKeys();
      const used = await deps.store.keys.lastAuditedUse(rows.map((r) => r.id));
      return rows.map((r) => ({ ...infoOf(r), lastUsedAt: used.get(r.id) ?? null }));
    },

    async get(id: string): Promise<ManagementKeyInfo> {
      const row = await deps.store.keys.findKey(id);
      if (!row) throw notFound('Management key');
      return infoOf(row);
    },

    async revoke(id: string, ctx: ActorContext = SYSTEM): Promise<void> {
      await deps.store.transaction(async (tx) => {
        const row = await tx.keys.findKey(id);
        if (!row || !(await tx.keys.revokeKey(id, deps.clock.now().toISOString()))) throw notFound('Active management key');
        await audit(deps, tx, ctx, 'management-key.revoked', null, { keyId: id, name: row.name });
      });
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
