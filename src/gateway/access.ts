/**
 * The key index and the access decision. Keys are known only by their lookup hash (HMAC-SHA256
 * under the instance's lookup key): a presented key is hashed once and looked up, so no plaintext
 * key is held in memory and no string comparison of secrets happens.
 *
 * Built for a million subscriptions and changed one entity at a time:
 * - each subscription is a slot in a few typed arrays (state, owner, scope, expiry, its two key
 *   digests), and the keys are 128-bit digests in a DigestTable pointing at the slot;
 * - what many subscriptions share is held once and referred to by number: the owner's state (so
 *   blocking a user is one write, whatever their number of keys), the scope, and the product
 *   (published or not, which APIs), so a product that is unpublished or loses an API changes one
 *   object, not every key of it.
 */
import { givesAccess, parseScope, SUBSCRIPTION_STATES, type SubscriptionState } from '../domain/subscription.js';
import { DigestTable, digestWords } from './digest-table.js';
import { MESSAGES } from './responses.js';

/** A subscription as the database holds it, with its owner's state (null: no such user row). */
export interface SubscriptionRecord {
  id: string;
  ownerId: string | null;
  ownerState: string | null;
  scope: string;
  state: SubscriptionState;
  expirationDate: string | null;
  primaryLookup: string;
  secondaryLookup: string;
}

export interface ProductRecord {
  id: string;
  published: boolean;
  apiIds: ReadonlySet<string>;
}

type Scope = { kind: 'all' } | { kind: 'api'; apiId: string } | { kind: 'product'; productId: string } | { kind: 'none' };

export type AccessDecision = { allowed: true; subscriptionId: string } | { allowed: false; status: 401 | 403; message: string };

const STATE_CODE = new Map<string, number>(SUBSCRIPTION_STATES.map((s, i) => [s, i]));
const GIVES_ACCESS = Uint8Array.from(SUBSCRIPTION_STATES, (s) => (givesAccess(s) ? 1 : 0));
const NO_OWNER = -1;
/** Bytes a Map entry with a string key takes beyond the string, table slack included (calibrated with `npm run bench:key-index`). */
const MAP_ENTRY_BYTES = 56;
const STRING_HEADER_BYTES = 16;

const denied = (status: 401 | 403, message: string): AccessDecision => ({ allowed: false, status, message });
const INVALID_KEY = denied(401, MESSAGES.invalidKey);
const INACTIVE = denied(403, MESSAGES.subscriptionInactive);
const EXPIRED = denied(403, MESSAGES.subscriptionExpired);
const OWNER_INACTIVE = denied(403, MESSAGES.ownerInactive);
const UNPUBLISHED = denied(403, MESSAGES.productUnpublished);
const OUT_OF_SCOPE = denied(403, MESSAGES.outOfScope);

export class KeyIndex {
  private readonly digests: DigestTable;
  private readonly slotOf = new Map<string, number>();
  private ids: (string | undefined)[] = [];
  private keyWords: Uint32Array;
  private states: Uint8Array;
  private owners: Int32Array;
  private scopes: Int32Array;
  private expires: Float64Array;
  private readonly freeSlots: number[] = [];
  private highWater = 0;
  private idBytes = 0;
  private ownerBytes = 0;

  private readonly ownerIndex = new Map<string, number>();
  private readonly ownerStates: string[] = [];
  private readonly scopeIndex = new Map<string, number>();
  private readonly scopeList: Scope[] = [];
  private readonly products = new Map<string, ProductRecord>();
  private readonly scratch = new Uint32Array(4);

  /** `expected`: about how many subscriptions it will hold, so that loading them never regrows it. */
  constructor(expected = 0) {
    const capacity = Math.max(1024, Math.ceil(expected * 1.25));
    this.digests = new DigestTable(expected * 2);
    this.keyWords = new Uint32Array(capacity * 8);
    this.states = new Uint8Array(capacity);
    this.owners = new Int32Array(capacity);
    this.scopes = new Int32Array(capacity);
    this.expires = new Float64Array(capacity);
  }

  get subscriptions(): number {
    return this.slotOf.size;
  }

  get keys(): number {
    return this.digests.size;
  }

  /** What the index takes: its typed arrays exactly, the id map and strings by estimate. */
  get bytes(): number {
    const arrays = this.digests.bytes + this.keyWords.byteLength + this.states.byteLength + this.owners.byteLength + this.scopes.byteLength + this.expires.byteLength;
    const owners = this.ownerIndex.size * (MAP_ENTRY_BYTES + STRING_HEADER_BYTES + 8) + this.ownerBytes;
    return arrays + this.ids.length * 8 + this.slotOf.size * (MAP_ENTRY_BYTES + STRING_HEADER_BYTES) + this.idBytes + owners;
  }

  /** Puts in (or replaces) a subscription: its keys, state, owner, scope and expiry. */
  upsertSubscription(s: SubscriptionRecord): void {
    let slot = this.slotOf.get(s.id);
    if (slot === undefined) {
      slot = this.allocate();
      this.slotOf.set(s.id, slot);
      this.ids[slot] = s.id;
      this.idBytes += s.id.length;
    } else {
      this.dropKeys(slot);
    }
    const words = this.keyWords;
    const at = slot * 8;
    // A lookup that is not a digest (never written by Tollgate) opens nothing.
    if (digestWords(s.primaryLookup, words, at)) this.digests.set(words, at, slot);
    else words.fill(0, at, at + 4);
    if (digestWords(s.secondaryLookup, words, at + 4)) this.digests.set(words, at + 4, slot);
    else words.fill(0, at + 4, at + 8);
    this.states[slot] = STATE_CODE.get(s.state) ?? STATE_CODE.get('cancelled')!;
    this.owners[slot] = s.ownerId === null ? NO_OWNER : this.owner(s.ownerId, s.ownerState ?? 'missing');
    this.scopes[slot] = this.scope(s.scope);
    const expires = s.expirationDate ? Date.parse(s.expirationDate) : NaN;
    this.expires[slot] = expires;
  }

  removeSubscription(id: string): void {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return;
    this.dropKeys(slot);
    this.slotOf.delete(id);
    this.ids[slot] = undefined;
    this.idBytes -= id.length;
    this.freeSlots.push(slot);
  }

  /** A user's state changed (undefined: the user row is gone); one write for all their keys. */
  setOwnerState(userId: string, state: string | undefined): void {
    const index = this.ownerIndex.get(userId);
    // A user with no subscription in the index has nothing to change.
    if (index !== undefined) this.ownerStates[index] = state ?? 'missing';
  }

  /** A product changed (undefined: it is gone); its keys follow through the shared record. */
  setProduct(id: string, product: ProductRecord | undefined): void {
    if (product) this.products.set(id, product);
    else this.products.delete(id);
  }

  /** What a key (by its lookup hash) may do with an API, at `now` (epoch ms). */
  decide(hash: string, apiId: string, now: number): AccessDecision {
    const d = this.scratch;
    if (!digestWords(hash, d)) return INVALID_KEY;
    const slot = this.digests.get(d);
    if (slot < 0) return INVALID_KEY;
    if (!GIVES_ACCESS[this.states[slot]!]) return INACTIVE;
    const expires = this.expires[slot]!;
    if (expires <= now) return EXPIRED;
    const owner = this.owners[slot]!;
    if (owner !== NO_OWNER && this.ownerStates[owner] !== 'active') return OWNER_INACTIVE;
    const scope = this.scopeList[this.scopes[slot]!]!;
    switch (scope.kind) {
      case 'all':
        break;
      case 'api':
        if (scope.apiId !== apiId) return OUT_OF_SCOPE;
        break;
      case 'product': {
        const product = this.products.get(scope.productId);
        if (!product?.published) return UNPUBLISHED;
        if (!product.apiIds.has(apiId)) return OUT_OF_SCOPE;
        break;
      }
      case 'none':
        return OUT_OF_SCOPE;
    }
    return { allowed: true, subscriptionId: this.ids[slot]! };
  }

  private dropKeys(slot: number): void {
    const at = slot * 8;
    // Only while the digest still points here: another subscription may have taken the key since.
    if (this.digests.get(this.keyWords, at) === slot) this.digests.delete(this.keyWords, at);
    if (this.digests.get(this.keyWords, at + 4) === slot) this.digests.delete(this.keyWords, at + 4);
  }

  private owner(userId: string, state: string): number {
    let index = this.ownerIndex.get(userId);
    if (index === undefined) {
      index = this.ownerStates.length;
      this.ownerIndex.set(userId, index);
      this.ownerBytes += userId.length;
    }
    this.ownerStates[index] = state;
    return index;
  }

  private scope(raw: string): number {
    let index = this.scopeIndex.get(raw);
    if (index !== undefined) return index;
    const parsed = parseScope(raw);
    const scope: Scope =
      parsed?.kind === 'service' || parsed?.kind === 'all-apis'
        ? { kind: 'all' }
        : parsed?.kind === 'api'
          ? { kind: 'api', apiId: parsed.apiId }
          : parsed?.kind === 'product'
            ? { kind: 'product', productId: parsed.productId }
            : { kind: 'none' };
    index = this.scopeList.length;
    this.scopeList.push(scope);
    this.scopeIndex.set(raw, index);
    return index;
  }

  private allocate(): number {
    const reused = this.freeSlots.pop();
    if (reused !== undefined) return reused;
    if (this.highWater === this.states.length) this.growSlots();
    return this.highWater++;
  }

  private growSlots(): void {
    const capacity = this.states.length * 2;
    const grow = <T extends Uint32Array | Uint8Array | Int32Array | Float64Array>(old: T, make: (n: number) => T, per = 1): T => {
      const next = make(capacity * per);
      next.set(old);
      return next;
    };
    this.keyWords = grow(this.keyWords, (n) => new Uint32Array(n), 8);
    this.states = grow(this.states, (n) => new Uint8Array(n));
    this.owners = grow(this.owners, (n) => new Int32Array(n));
    this.scopes = grow(this.scopes, (n) => new Int32Array(n));
    this.expires = grow(this.expires, (n) => new Float64Array(n));
  }
}

/** The handler's one call: what the key with lookup hash `hash` may do with `apiId` at `now`. */
export function decideAccess(index: KeyIndex, hash: string, apiId: string, now: number): AccessDecision {
  return index.decide(hash, apiId, now);
}
