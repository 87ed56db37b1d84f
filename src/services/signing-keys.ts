/**
 * The instance's two signing keys (primary and secondary, as Azure has), generated at first start
 * and kept in service_settings. Two keys let one be rotated while tokens signed with the other live on.
 */
import { randomBytes } from 'node:crypto';
import type { Store } from '../store/index.js';
import type { KeyRing } from '../domain/subscription-keys.js';

export interface SigningKeys {
  primary: string;
  secondary: string;
}

const cached = new WeakMap<Store['settings'], SigningKeys>();

export async function ensureSigningKeys(store: Store): Promise<SigningKeys> {
  return {
    primary: await store.settings.ensureSetting('signing.primary', randomBytes(64).toString('base64')),
    secondary: await store.settings.ensureSetting('signing.secondary', randomBytes(64).toString('base64')),
  };
}

export async function signingKeys(store: Store): Promise<SigningKeys> {
  const hit = cached.get(store.settings);
  if (hit) return hit;
  const keys = await ensureSigningKeys(store);
  cached.set(store.settings, keys);
  return keys;
}

/** The instance's keys for subscription keys at rest (src/domain/subscription-keys.ts), generated at first start. */
export async function subscriptionKeyRing(store: Store): Promise<KeyRing> {
  const hit = rings.get(store.settings);
  if (hit) return hit;
  const ring = {
    sealing: await store.settings.ensureSetting('subscriptions.sealing', randomBytes(32).toString('base64')),
    lookup: await store.settings.ensureSetting('subscriptions.lookup', randomBytes(32).toString('base64')),
  };
  rings.set(store.settings, ring);
  return ring;
}

const rings = new WeakMap<Store['settings'], KeyRing>();
