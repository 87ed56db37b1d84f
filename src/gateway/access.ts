/**
 * The key index and the access decision. Keys are known only by their lookup hash (HMAC-SHA256
 * under the instance's lookup key): a presented key is hashed once and looked up, so no plaintext
 * key is held in memory and no string comparison of secrets happens.
 *
 * Built for a million subscriptions and changed one entity at a time:
 * - each subscription is a slot in a few typed arrays (state, owner, scope, expiry, start, its two key
 *   digests), and the keys are 128-bit digests in a DigestTable pointing at the slot;
 * - what many subscriptions share is held once and referred to by number: the owner's state (so
 *   blocking a user is one write, whatever their number of keys), the scope, and the product
 *   (published or not, which APIs), so a product that is unpublished or loses an API changes one
 *   object, not every key of it.
 */
import { hash as cryptoHash } from 'node:crypto';
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
  /** When its quota windows count from (its start date, else its creation); absent: the epoch. */
  startedAt?: string | null;
}

export interface ProductRecord {
  id: string;
  published: boolean;
  apiIds: ReadonlySet<string>;
}

type Scope = { kind: 'all' } | { kind: 'api'; apiId: string } | { kind: 'product'; productId: string } | { kind: 'none' };

/** What policies need of the subscription a call was let through with. */
export interface Admitted {
  allowed: true;
  subscriptionId: string;
  /** The owner's user id; undefined for a subscription without one. */
  ownerId: string | undefined;
  /** The product of a product-scoped subscription; undefined for the others. */
  productId: string | undefined;
  /** Epoch ms its quota windows count from. */
  startedAt: number;
}

export type AccessDecision = Admitted | { allowed: false; status: 401 | 403; message: string };

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

/** Slots per page: the slot arrays grow a page at a time, never by copying what they hold. */
const PAGE_BITS = 16;
const PAGE = 1 << PAGE_BITS;
const IN_PAGE = PAGE - 1;

/** One page of slots: each subscription's two key digests, state, owner, scope, expiry, start and id. */
interface Page {
  keyWords: Uint32Array;
  states: Uint8Array;
  owners: Int32Array;
  scopes: Int32Array;
  expires: Float64Array;
  starts: Float64Array;
  ids: (string | undefined)[];
}

const PAGE_BYTES = PAGE * (8 * 4 + 1 + 4 + 4 + 8 + 8 + 8);

function newPage(): Page {
  return {
    keyWords: new Uint32Array(PAGE * 8),
    states: new Uint8Array(PAGE),
    owners: new Int32Array(PAGE),
    scopes: new Int32Array(PAGE),
    expires: new Float64Array(PAGE),
    starts: new Float64Array(PAGE),
    ids: new Array<string | undefined>(PAGE).fill(undefined),
  };
}

export class KeyIndex {
  /** Key digest → slot. */
  private readonly digests: DigestTable;
  /** Digest of the subscription id → slot: a change names the subscription by id. */
  private readonly bySubscription: DigestTable;
  private readonly pages: Page[] = [];
  private readonly freeSlots: number[] = [];
  private highWater = 0;
  private idBytes = 0;
  private ownerBytes = 0;

  private readonly ownerIndex = new Map<string, number>();
  private readonly ownerStates: string[] = [];
  /** The user id of each owner number (the same strings as the keys of ownerIndex). */
  private readonly ownerIds: string[] = [];
  private readonly scopeIndex = new Map<string, number>();
  private readonly scopeList: Scope[] = [];
  private readonly products = new Map<string, ProductRecord>();
  private readonly scratch = new Uint32Array(4);
  private readonly idScratch = new Uint32Array(4);

  /** `expected`: about how many subscriptions it will hold, so that loading them never regrows it. */
  constructor(expected = 0) {
    this.digests = new DigestTable(expected * 2);
    this.bySubscription = new DigestTable(expected);
  }

  get subscriptions(): number {
    return this.bySubscription.size;
  }

  get keys(): number {
    return this.digests.size;
  }

  /** What the index takes: its typed arrays exactly, the id and owner strings by estimate. */
  get bytes(): number {
    const owners = this.ownerIndex.size * (MAP_ENTRY_BYTES + STRING_HEADER_BYTES + 8 + 8) + this.ownerBytes;
    const ids = this.bySubscription.size * STRING_HEADER_BYTES + this.idBytes;
    return this.digests.bytes + this.bySubscription.bytes + this.pages.length * PAGE_BYTES + ids + owners;
  }

  /** Puts in (or replaces) a subscription: its keys, state, owner, scope and expiry. */
  upsertSubscription(s: SubscriptionRecord): void {
    let slot = this.slotOf(s.id);
    if (slot < 0) {
      slot = this.allocate();
      this.bySubscription.set(this.idScratch, 0, slot);
      this.pages[slot >>> PAGE_BITS]!.ids[slot & IN_PAGE] = s.id;
      this.idBytes += s.id.length;
    } else {
      this.dropKeys(slot);
    }
    const page = this.pages[slot >>> PAGE_BITS]!;
    const i = slot & IN_PAGE;
    const words = page.keyWords;
    const at = i * 8;
    // A lookup that is not a digest (never written by Tollgate) opens nothing.
    if (digestWords(s.primaryLookup, words, at)) this.digests.set(words, at, slot);
    else words.fill(0, at, at + 4);
    if (digestWords(s.secondaryLookup, words, at + 4)) this.digests.set(words, at + 4, slot);
    else words.fill(0, at + 4, at + 8);
    page.states[i] = STATE_CODE.get(s.state) ?? STATE_CODE.get('cancelled')!;
    page.owners[i] = s.ownerId === null ? NO_OWNER : this.owner(s.ownerId, s.ownerState ?? 'missing');
    page.scopes[i] = this.scope(s.scope);
    page.expires[i] = s.expirationDate ? Date.parse(s.expirationDate) : NaN;
    page.starts[i] = s.startedAt ? Date.parse(s.startedAt) || 0 : 0;
  }

  removeSubscription(id: string): void {
    const slot = this.slotOf(id);
    if (slot < 0) return;
    this.dropKeys(slot);
    this.bySubscription.delete(this.idScratch);
    this.pages[slot >>> PAGE_BITS]!.ids[slot & IN_PAGE] = undefined;
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
    const page = this.pages[slot >>> PAGE_BITS]!;
    const i = slot & IN_PAGE;
    if (!GIVES_ACCESS[page.states[i]!]) return INACTIVE;
    if (page.expires[i]! <= now) return EXPIRED;
    const owner = page.owners[i]!;
    if (owner !== NO_OWNER && this.ownerStates[owner] !== 'active') return OWNER_INACTIVE;
    const scope = this.scopeList[page.scopes[i]!]!;
    let productId: string | undefined;
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
        productId = scope.productId;
        break;
      }
      case 'none':
        return OUT_OF_SCOPE;
    }
    return { allowed: true, subscriptionId: page.ids[i]!, ownerId: owner === NO_OWNER ? undefined : this.ownerIds[owner], productId, startedAt: page.starts[i]! };
  }

  /** The slot of subscription `id`, or -1; leaves the id's digest in idScratch. */
  private slotOf(id: string): number {
    // A string, not a Buffer: a Buffer per call is external memory, and its pressure forced
    // mark-compact collections of ~30 ms every few thousand subscriptions put in.
    digestWords(cryptoHash('sha256', id, 'base64url'), this.idScratch);
    const slot = this.bySubscription.get(this.idScratch);
    return slot >= 0 && this.pages[slot >>> PAGE_BITS]!.ids[slot & IN_PAGE] === id ? slot : -1;
  }

  private dropKeys(slot: number): void {
    const words = this.pages[slot >>> PAGE_BITS]!.keyWords;
    const at = (slot & IN_PAGE) * 8;
    // Only while the digest still points here: another subscription may have taken the key since.
    if (this.digests.get(words, at) === slot) this.digests.delete(words, at);
    if (this.digests.get(words, at + 4) === slot) this.digests.delete(words, at + 4);
  }

  private owner(userId: string, state: string): number {
    let index = this.ownerIndex.get(userId);
    if (index === undefined) {
      index = this.ownerStates.length;
      this.ownerIndex.set(userId, index);
      this.ownerIds[index] = userId;
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
    if (this.highWater === this.pages.length * PAGE) this.pages.push(newPage());
    return this.highWater++;
  }
}
