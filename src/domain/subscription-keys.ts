/**
 * Subscription keys at rest. Each key is kept twice: sealed with AES-256-GCM (so listSecrets can
 * show it again) and as an HMAC-SHA256 under a separate lookup key (what the gateway compares a
 * presented key with: one hash, one map lookup, no decryption on the hot path). Both instance
 * keys are generated at first start; a copy of the subscriptions table alone opens nothing.
 */
import { createCipheriv, createDecipheriv, createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';

export interface KeyRing {
  /** 32 bytes, base64: AES-256-GCM key for sealing. */
  sealing: string;
  /** 32 bytes, base64: HMAC key for lookups. */
  lookup: string;
}

/** A new subscription key: 32 random bytes as 64 hex digits (256 bits), like Azure's 32-character keys but longer. */
export function newSubscriptionKey(): string {
  return randomBytes(32).toString('hex');
}

export function seal(ring: KeyRing, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(ring.sealing, 'base64'), iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join('.');
}

export function unseal(ring: KeyRing, sealed: string): string {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('unreadable sealed key');
  const decipher = createDecipheriv('aes-256-gcm', Buffer.from(ring.sealing, 'base64'), Buffer.from(iv, 'base64'));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
}

/** Decoded HMAC keys by their base64 text: the gateway hashes every presented key with the same one. */
const hmacKeys = new Map<string, KeyObject>();

export function lookupHash(ring: Pick<KeyRing, 'lookup'>, key: string): string {
  let secret = hmacKeys.get(ring.lookup);
  if (!secret) {
    secret = createSecretKey(Buffer.from(ring.lookup, 'base64'));
    if (hmacKeys.size > 16) hmacKeys.clear();
    hmacKeys.set(ring.lookup, secret);
  }
  return createHmac('sha256', secret).update(key, 'utf8').digest('base64url');
}
