/** Which bucket table answers a range exactly (src/domain/analytics/resolution.ts). */
import { describe, expect, it } from 'vitest';
import { coarsestResolution, minuteBounds, periodStart } from '../../src/domain/analytics/resolution.js';

const t = (iso: string) => Date.parse(iso);
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe('coarsestResolution', () => {
  it('takes days for whole UTC days, hours for whole hours, minutes otherwise', () => {
    expect(coarsestResolution(t('2026-12-01T00:00:00Z'), t('2026-12-31T00:00:00Z'), DAY)).toBe('day');
    expect(coarsestResolution(t('2026-12-01T00:00:00Z'), t('2026-12-31T00:00:00Z'), undefined)).toBe('day');
    expect(coarsestResolution(t('2026-12-01T00:00:00Z'), undefined, undefined)).toBe('day');
    expect(coarsestResolution(t('2026-12-01T00:00:00Z'), t('2026-12-31T00:00:00Z'), HOUR)).toBe('hour');
    expect(coarsestResolution(t('2026-12-01T05:00:00Z'), t('2026-12-31T00:00:00Z'), DAY)).toBe('hour');
    expect(coarsestResolution(t('2026-12-01T00:00:00Z'), t('2026-12-31T00:15:00Z'), undefined)).toBe('minute');
    expect(coarsestResolution(t('2026-12-01T00:00:00Z'), t('2026-12-31T00:00:00Z'), 15 * MIN)).toBe('minute');
  });
});

describe('minuteBounds', () => {
  it('turns each bound into what it selects of minute starts, as [from, to)', () => {
    const at = t('2026-12-01T00:00:00Z');
    expect(minuteBounds({ op: 'ge', at }, { op: 'lt', at: at + DAY })).toEqual({ from: at, to: at + DAY });
    // le includes the minute that starts at the bound; gt leaves it out.
    expect(minuteBounds({ op: 'gt', at }, { op: 'le', at: at + DAY })).toEqual({ from: at + MIN, to: at + DAY + MIN });
    // Bounds inside a minute: ge and lt round up, gt and le take the minute they are in.
    expect(minuteBounds({ op: 'ge', at: at + 1 }, { op: 'lt', at: at + DAY + 1 })).toEqual({ from: at + MIN, to: at + DAY + MIN });
    expect(minuteBounds({ op: 'gt', at: at + 1 }, { op: 'le', at: at + DAY + 1 })).toEqual({ from: at + MIN, to: at + DAY + MIN });
    expect(minuteBounds({ op: 'ge', at }, undefined)).toEqual({ from: at, to: undefined });
  });
});

describe('periodStart', () => {
  it('starts hours and UTC days, before 1970 too', () => {
    expect(periodStart(t('2026-12-01T13:45:10Z'), 'hour')).toBe(t('2026-12-01T13:00:00Z'));
    expect(periodStart(t('2026-12-01T13:45:10Z'), 'day')).toBe(t('2026-12-01T00:00:00Z'));
    expect(periodStart(t('1969-12-31T23:30:00Z'), 'day')).toBe(t('1969-12-31T00:00:00Z'));
  });
});
