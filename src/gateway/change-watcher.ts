/**
 * Follows the change feed: every pollIntervalMs one tiny indexed query on change_feed; when it
 * moved, the whole snapshot is rebuilt (everything, not just the changed entities: simple and fast
 * enough for now) and swapped in.
 *
 * The query is `latestChange` plus a count over a short window below it. On PostgreSQL a
 * transaction can commit a lower sequence number after a higher one became visible (bigserial
 * numbers are taken at insert, not at commit); the max alone would then not move and the late
 * change would be missed. The count over the window (the last WINDOW numbers before the snapshot)
 * does move. The fingerprint is read before the data, so a change during a rebuild is seen by
 * the next poll.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

const WINDOW = 256;

export interface FeedPosition {
  max: number;
  /** Rows with seq > floor. */
  count: number;
  floor: number;
}

export async function readFeedPosition(db: Kysely<Database>, floor?: number): Promise<FeedPosition> {
  if (floor === undefined) {
    const row = await db.selectFrom('change_feed').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
    floor = Math.max(0, Number(row?.seq ?? 0) - WINDOW);
  }
  const row = await db
    .selectFrom('change_feed')
    .where('seq', '>', floor)
    .select((eb) => [eb.fn.max('seq').as('max'), eb.fn.countAll().as('count')])
    .executeTakeFirst();
  return { max: Number(row?.max ?? floor), count: Number(row?.count ?? 0), floor };
}

export function samePosition(a: FeedPosition, b: FeedPosition): boolean {
  return a.max === b.max && a.count === b.count;
}

export interface ChangeWatcher {
  start(): void;
  stop(): Promise<void>;
}

/**
 * Calls `check` every intervalMs, never two at a time; `check` decides whether to rebuild.
 * Errors go to onError and the next tick tries again (the old snapshot keeps serving).
 */
export function createChangeWatcher(intervalMs: number, check: () => Promise<void>, onError: (error: unknown) => void): ChangeWatcher {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;
  const tick = () => {
    timer = undefined;
    running = check()
      .catch(onError)
      .finally(() => {
        running = undefined;
        if (!stopped) schedule();
      });
  };
  const schedule = () => {
    timer = setTimeout(tick, intervalMs);
    timer.unref();
  };
  return {
    start() {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
