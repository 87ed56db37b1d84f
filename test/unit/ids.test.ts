import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import { createIdGenerator, newEtag } from '../../src/domain/ids.js';

describe('createIdGenerator', () => {
  it('makes 24 lowercase hex digits, like Azure API Management ids', () => {
    const id = createIdGenerator(new ManualClock()).next();
    expect(id).toMatch(/^[0-9a-f]{24}$/);
  });

  it('starts with the whole seconds since the epoch, as 8 hex digits', () => {
    // 2026-01-01T00:00:00Z is 1767225600 s = 0x6955b900.
    const clock = new ManualClock('2026-01-01T00:00:00.999Z');
    const ids = createIdGenerator(clock);
    expect(ids.next().slice(0, 8)).toBe('6955b900');
    clock.advance(1);
    expect(ids.next().slice(0, 8)).toBe('6955b901');
    clock.set('1970-01-01T00:00:00Z');
    expect(ids.next().slice(0, 8)).toBe('00000000');
    clock.set('1970-01-01T00:04:16Z');
    expect(ids.next().slice(0, 8)).toBe('00000100');
  });

  it('so ids sort by creation time, second by second', () => {
    const clock = new ManualClock();
    const ids = createIdGenerator(clock);
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      made.push(ids.next());
      clock.advance(1000);
    }
    expect([...made].sort()).toEqual(made);
  });

  it('ends with 16 random hex digits: ids made in the same second differ', () => {
    const ids = createIdGenerator(new ManualClock());
    const made = new Set(Array.from({ length: 200 }, () => ids.next()));
    expect(made.size).toBe(200);
    const tails = new Set([...made].map((id) => id.slice(8)));
    expect(tails.size).toBe(200);
  });
});

describe('newEtag', () => {
  it('is the base64 of 8 random bytes, new every time', () => {
    const tags = new Set(Array.from({ length: 200 }, () => newEtag()));
    expect(tags.size).toBe(200);
    for (const tag of tags) {
      expect(tag).toMatch(/^[A-Za-z0-9+/]{11}=$/);
      expect(Buffer.from(tag, 'base64')).toHaveLength(8);
    }
  });
});
