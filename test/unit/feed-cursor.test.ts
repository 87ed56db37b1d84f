/** The feed position: new rows move it, missing numbers are awaited until they show up or time runs out. */
import { describe, expect, it } from 'vitest';
import { FeedCursor, GAP_TTL_MS } from '../../src/gateway/feed-cursor.js';

const NOW = 1_000_000;

describe('FeedCursor', () => {
  it('starts at the head, awaiting the numbers of the window below it that are not there yet', () => {
    const cursor = FeedCursor.at({ max: 10, present: [5, 6, 8, 10] }, 6, NOW);
    expect(cursor.last).toBe(10);
    expect(cursor.awaited(NOW)).toEqual([7, 9]);
    expect(FeedCursor.at({ max: 0, present: [] }, 256, NOW).awaited(NOW)).toEqual([]);
  });

  it('moves past new rows and awaits the numbers it skipped (a transaction that commits late)', () => {
    const start = FeedCursor.at({ max: 3, present: [1, 2, 3] }, 256, NOW);
    const { fresh, next } = start.advance([4, 7], NOW);
    expect(fresh).toEqual([4, 7]);
    expect(next.last).toBe(7);
    expect(next.awaited(NOW)).toEqual([5, 6]);

    const later = next.advance([6, 8], NOW + 10);
    expect(later.fresh).toEqual([6, 8]);
    expect(later.next.awaited(NOW + 10)).toEqual([5]);
  });

  it('does not apply a row twice: a number neither new nor awaited is left out', () => {
    const { next } = FeedCursor.at({ max: 5, present: [1, 2, 3, 4, 5] }, 256, NOW).advance([6], NOW);
    expect(next.advance([6, 4], NOW).fresh).toEqual([]);
  });

  it('stops awaiting a number after GAP_TTL_MS (a rolled-back transaction never fills its hole)', () => {
    const { next } = FeedCursor.at({ max: 1, present: [1] }, 256, NOW).advance([3], NOW);
    expect(next.awaited(NOW + GAP_TTL_MS - 1)).toEqual([2]);
    expect(next.awaited(NOW + GAP_TTL_MS)).toEqual([]);
    expect(next.advance([2], NOW + GAP_TTL_MS).fresh).toEqual([]);
  });

  it('awaits at most a bounded number of holes, however far the feed jumps', () => {
    const { next } = FeedCursor.at({ max: 0, present: [] }, 256, NOW).advance([5_000_000], NOW);
    const awaited = next.awaited(NOW);
    expect(awaited.length).toBeLessThanOrEqual(1_000);
    expect(awaited.at(-1)).toBe(4_999_999);
  });

  it('is immutable: the old cursor is where it was, so a failed apply can be retried', () => {
    const start = FeedCursor.at({ max: 3, present: [1, 2, 3] }, 256, NOW);
    start.advance([4, 6], NOW);
    expect(start.last).toBe(3);
    expect(start.awaited(NOW)).toEqual([]);
  });
});
