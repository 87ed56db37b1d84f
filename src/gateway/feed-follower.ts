/**
 * Keeps a gateway's snapshot in step with the change feed: a full load at start (and when the
 * node finds it fell behind what the feed still holds), then only the entities the new rows name.
 *
 * `sync()` is what everything calls (the poll, a PostgreSQL notification, a write in this process
 * waiting to be answered): syncs run one at a time, and a call made while one runs is answered by
 * the next one, which starts after it; so a caller's own committed changes are always applied
 * when its promise resolves, and a burst of callers shares one round trip.
 */
import type { Clock } from '../domain/clock.js';
import type { Store } from '../store/index.js';
import { FeedCursor } from './feed-cursor.js';
import { applyChanges, loadSnapshot, type Snapshot, type SnapshotEnv } from './snapshot.js';
import type { GatewayLogger } from './types.js';

/** Numbers below the head that are awaited at start (see FeedCursor): transactions in flight then. */
const HEAD_WINDOW = 256;
/** Feed rows per query; more are read in further queries of the same sync. */
const PAGE = 5_000;

export interface FeedFollower {
  /** The snapshot in use; undefined before the first load. */
  current(): Snapshot | undefined;
  /** The last sequence number applied. */
  position(): number;
  /** How long after it was written the newest change applied so far was applied (ms); undefined before any. */
  lagMs(): number | undefined;
  /** Applies what was committed before the call (loading everything first, if nothing is loaded). */
  sync(): Promise<void>;
  /** Loads everything again, then syncs. */
  reload(): Promise<void>;
  /** Waits for the sync in progress. */
  idle(): Promise<void>;
}

export interface FeedFollowerOptions {
  store: Store;
  clock: Clock;
  logger: GatewayLogger;
  /** What reading policies needs (named values' secrets, the counters the compiled policies use). */
  env: SnapshotEnv;
  /** After each change of the snapshot: the routes (or set-backend-service policies) may name other backends. */
  onApplied?(snapshot: Snapshot, backendsChanged: boolean): void;
}

export function createFeedFollower(options: FeedFollowerOptions): FeedFollower {
  const { store, clock, logger } = options;
  let snapshot: Snapshot | undefined;
  let cursor: FeedCursor | undefined;
  let lagMs: number | undefined;

  async function loadFully(): Promise<void> {
    const started = clock.now().getTime();
    // Position first, data second: a change landing during the load is applied by the sync after it.
    const head = await store.changes.feedHead(HEAD_WINDOW);
    const next = await loadSnapshot(store, options.env);
    snapshot = next;
    cursor = FeedCursor.at(head, HEAD_WINDOW, clock.now().getTime());
    options.onApplied?.(next, true);
    logger.info(
      { subscriptions: next.keys.subscriptions, apis: next.routes.size, policies: next.policies.size, feedSeq: head.max, ms: clock.now().getTime() - started },
      'gateway: configuration loaded',
    );
  }

  async function step(full: boolean): Promise<void> {
    // A full load starts at or past the pruning mark (feedHead): only an older position can be behind it.
    if (full || !snapshot || !cursor) await loadFully();
    else {
      const pruned = await store.changes.prunedThrough();
      if (pruned > cursor.last) {
        logger.warn(
          { position: cursor.last, prunedThrough: pruned },
          'gateway: fell behind the change feed (changes it had not applied were pruned); loading everything again',
        );
        await loadFully();
      }
    }
    for (;;) {
      const now = clock.now().getTime();
      const rows = await store.changes.changesAfter(cursor!.last, cursor!.awaited(now), PAGE);
      const { fresh, next } = cursor!.advance(
        rows.map((r) => r.seq),
        now,
      );
      if (fresh.length > 0) {
        const wanted = new Set(fresh);
        const changes = rows.filter((r) => wanted.has(r.seq));
        const applied = await applyChanges(snapshot!, store, changes, options.env);
        options.onApplied?.(snapshot!, applied.apis > 0 || applied.policies > 0);
        lagMs = Math.max(0, clock.now().getTime() - Date.parse(changes[changes.length - 1]!.at));
      }
      // Only once the rows are applied: a failure leaves the cursor where the next sync retries them.
      cursor = next;
      if (rows.length < PAGE) return;
    }
  }

  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  let queuedFull = false;

  function run(full: boolean): Promise<void> {
    if (!running) {
      const p = step(full).finally(() => {
        running = undefined;
      });
      running = p;
      return p;
    }
    // One is running and may have read the feed before the caller's commit: the next one answers.
    queuedFull ||= full;
    queued ??= running
      .catch(() => undefined)
      .then(() => {
        const wantFull = queuedFull;
        queued = undefined;
        queuedFull = false;
        return run(wantFull);
      });
    return queued;
  }

  return {
    current: () => snapshot,
    position: () => cursor?.last ?? 0,
    lagMs: () => lagMs,
    sync: () => run(false),
    reload: () => run(true),
    idle: () => (running ?? Promise.resolve()).catch(() => undefined).then(() => queued?.catch(() => undefined)),
  };
}
