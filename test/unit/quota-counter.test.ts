import { describe, expect, it } from 'vitest';
import { isoDuration, isoSeconds, periodKeys, quotaCounterUpdateInput } from '../../src/domain/quota-counter.js';

describe('quota period keys', () => {
  it('name the renewal period as an ISO 8601 duration in days, hours, minutes and seconds', () => {
    expect(isoDuration(604800)).toBe('P7D');
    expect(isoDuration(60)).toBe('PT1M');
    expect(isoDuration(3600)).toBe('PT1H');
    expect(isoDuration(90061)).toBe('P1DT1H1M1S');
    expect(isoDuration(1.5)).toBe('PT1.5S');
    expect(isoDuration(0)).toBe('PT0S');
    expect(isoDuration(Infinity)).toBe('PT0S');
  });

  it('count the windows of one length newest first', () => {
    const week = 604800_000;
    const windows = [
      { start: 2 * week, end: 3 * week },
      { start: week, end: 2 * week },
      { start: 0, end: 60_000 },
      { start: 0, end: Infinity },
    ];
    expect(periodKeys(windows)).toEqual(['0_P7D', '1_P7D', '0_PT1M', '0_PT0S']);
  });

  it('times are whole seconds, as Azure writes them', () => {
    expect(isoSeconds(Date.parse('2014-08-04T04:24:35.123Z'))).toBe('2014-08-04T04:24:35Z');
  });

  it('a PATCH sets at least one of the two values, neither negative', () => {
    expect(quotaCounterUpdateInput.safeParse({ callsCount: 0 }).success).toBe(true);
    expect(quotaCounterUpdateInput.safeParse({ kbTransferred: 2.5 }).success).toBe(true);
    expect(quotaCounterUpdateInput.safeParse({}).success).toBe(false);
    expect(quotaCounterUpdateInput.safeParse({ callsCount: -1 }).success).toBe(false);
  });
});
