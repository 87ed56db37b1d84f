import { describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../../src/domain/clock.js';

describe('systemClock', () => {
  it('tells the current time', () => {
    const before = Date.now();
    const now = systemClock.now();
    const after = Date.now();
    expect(now).toBeInstanceOf(Date);
    expect(now.getTime()).toBeGreaterThanOrEqual(before);
    expect(now.getTime()).toBeLessThanOrEqual(after);
  });
});

describe('ManualClock', () => {
  it('starts at 2026-01-01T00:00:00.000Z unless told otherwise', () => {
    expect(new ManualClock().now().toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(new ManualClock('2020-02-29T12:00:00.500Z').now().toISOString()).toBe('2020-02-29T12:00:00.500Z');
    expect(new ManualClock(new Date('1999-12-31T23:59:59Z')).now().toISOString()).toBe('1999-12-31T23:59:59.000Z');
  });

  it('stands still until moved', () => {
    const clock = new ManualClock();
    expect(clock.now().getTime()).toBe(clock.now().getTime());
  });

  it('hands out a new Date each time, so a caller cannot move it by mutating one', () => {
    const clock = new ManualClock();
    const first = clock.now();
    first.setUTCFullYear(1990);
    expect(clock.now().toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(clock.now()).not.toBe(clock.now());
  });

  it('advances by milliseconds, forwards or backwards', () => {
    const clock = new ManualClock();
    clock.advance(1500);
    expect(clock.now().toISOString()).toBe('2026-01-01T00:00:01.500Z');
    clock.advance(60 * 60 * 1000);
    expect(clock.now().toISOString()).toBe('2026-01-01T01:00:01.500Z');
    clock.advance(-2000);
    expect(clock.now().toISOString()).toBe('2026-01-01T00:59:59.500Z');
  });

  it('can be set to a time given as a string or a Date', () => {
    const clock = new ManualClock();
    clock.set('2030-05-06T07:08:09.010Z');
    expect(clock.now().toISOString()).toBe('2030-05-06T07:08:09.010Z');
    clock.set(new Date('2021-01-01T00:00:00Z'));
    expect(clock.now().toISOString()).toBe('2021-01-01T00:00:00.000Z');
    clock.advance(1);
    expect(clock.now().toISOString()).toBe('2021-01-01T00:00:00.001Z');
  });
});
