/**
 * Keys for the management API. A key reads `tg_<id>.<secret>`: the id finds the row, and the
 * secret is checked against its stored SHA-256 in constant time. Keys are random (256 bits), so a
 * fast hash is the right tool here; passwords get argon2id. The bootstrap key from
 * TOLLGATE_ADMIN_KEY is held only as a digest too.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ADDRESS_MANAGEMENT_KEY } from '../domain/attempt-limits.js';
import { AppError, invalidField, notFound } from '../domain/errors.js';
import { managementKeyAddressKey, type AttemptLimiter } from './attempts.js';
import { SYSTEM, type ActorContext } from './audit.js';
import { inWrite, type WriteDeps } from './writes.js';

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

/** Too many wrong keys from one address: refused without looking at the key (429). */
export class ManagementKeyLockedError extends AppError {
  constructor(readonly until: string) {
    super('too-many-requests', 'TooManyRequests', 'Too many requests with a wrong management key from this address. Try again later.');
  }
}

export function createManagementKeyService(deps: WriteDeps, attempts: AttemptLimiter, bootstrapKey?: string) {
  const bootstrapDigest = bootstrapKey ? digest(bootstrapKey) : undefined;

  /**
   * Which key `presented` is: 'bootstrap' for TOLLGATE_ADMIN_KEY, the id of an active key created
   * by an administrator, or undefined when it is neither.
   */
  async function verify(presented: string): Promise<string | undefined> {
    const given = digest(presented);
    if (bootstrapDigest && timingSafeEqual(given, bootstrapDigest)) return 'bootstrap';
    const match = KEY_SHAPE.exec(presented);
    if (!match) return undefined;
    const row = await deps.store.keys.findActiveKey(match[1]!);
    if (!row) return undefined;
    return timingSafeEqual(digest(match[2]!), Buffer.from(row.secret_hash, 'hex')) ? row.id : undefined;
  }

  return {
    verify,

    /**
     * The key's id when `presented` is a valid key. A wrong key is counted against the client's
     * address and audited (`management-key.refused`, never the key itself); from the
     * MANAGEMENT_KEY_FAILURES-th in the window on, the address is refused with 429 for a while
     * (valid keys from it still work). Undefined for a wrong key below the limit.
     */
    async authenticate(presented: string, client: { ip: string }): Promise<string | undefined> {
      const keyId = await verify(presented);
      if (keyId !== undefined) return keyId;
      const admission = await attempts.count([{ key: managementKeyAddressKey(client.ip), policy: ADDRESS_MANAGEMENT_KEY }]);
      if (!admission.allowed) throw new ManagementKeyLockedError(admission.until);
      await inWrite(deps, { actor: 'anonymous', ip: client.ip }, (w) =>
        w.record({ audit: { action: 'management-key.refused', detail: admission.lockedUntil ? { lockedUntil: admission.lockedUntil } : undefined } }),
      );
      if (admission.lockedUntil) throw new ManagementKeyLockedError(admission.lockedUntil);
      return undefined;
    },

    /**
     * Creates a key; the returned `key` is shown once and never stored (nor audited: the audit
     * detail names the key's id and name only).
     */
    async create(rawName: string, ctx: ActorContext = SYSTEM): Promise<{ key: string; info: ManagementKeyInfo }> {
      const name = checkName(rawName);
      const id = deps.ids.next();
      const secret = randomBytes(32).toString('base64url');
      const createdAt = await inWrite(deps, ctx, async (w) => {
        await w.tx.keys.insertKey({ id, name, secret_hash: digest(secret).toString('hex'), created_at: w.at, revoked_at: null });
        await w.record({ audit: { action: 'management-key.created', detail: { keyId: id, name } } });
        return w.at;
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
      await inWrite(deps, ctx, async (w) => {
        const row = await w.tx.keys.findKey(id);
        if (!row || !(await w.tx.keys.revokeKey(id, w.at))) throw notFound('Active management key');
        await w.record({ audit: { action: 'management-key.revoked', detail: { keyId: id, name: row.name } } });
      });
    },
  };
}

export type ManagementKeyService = ReturnType<typeof createManagementKeyService>;

/** A random key suitable for TOLLGATE_ADMIN_KEY. */
export function generateBootstrapKey(): string {
  return randomBytes(32).toString('base64url');
}
