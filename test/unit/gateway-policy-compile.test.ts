/**
 * Compiling effective policies: what is trivial (the handler's plain path: only forward-request
 * within the gateway's timeout), what cannot compile (misplaced elements, an element after
 * forward-request, a header that belongs to the connection), and the small pure parts the
 * compiled closures rely on: .NET TimeSpan text, fixed quota windows, IP addresses as numbers.
 */
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/domain/clock.js';
import type { EffectivePolicy, PlacedElement, PolicyOrigin } from '../../src/domain/policy/types.js';
import { createLocalCounters } from '../../src/gateway/counters/local.js';
import { parseAddress } from '../../src/gateway/policy/ip-filter.js';
import { createOpenIdConfigs } from '../../src/gateway/policy/openid.js';
import { timeSpan } from '../../src/gateway/policy/limits.js';
import { windowAt } from '../../src/domain/policy/quota-window.js';
import { compilePipeline } from '../../src/gateway/policy/pipeline.js';
import type { CompileTarget, PolicyEnv } from '../../src/gateway/policy/types.js';
import { compileTemplate } from '../../src/gateway/url-template.js';

const origin: PolicyOrigin = { scope: 'api', id: 'echo' };
const at = { line: 3, column: 5 };
const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const env: PolicyEnv = { counters: createLocalCounters(), clock: systemClock, logger, gatewayTimeoutMs: 30_000, openid: createOpenIdConfigs({ logger }) };
const target: CompileTarget = {
  api: { id: 'echo', displayName: 'Echo', subscriptionRequired: true, keyHeader: 'k', keyQuery: 'k', upstream: undefined, operations: [] },
  operation: { id: 'op', displayName: 'Op', method: 'GET', template: compileTemplate('/*') },
  productId: undefined,
};

function policy(sections: Partial<Record<'inbound' | 'backend' | 'outbound' | 'on-error', PlacedElement[]>>): EffectivePolicy {
  return { sections: { inbound: [], backend: [], outbound: [], 'on-error': [], ...sections } };
}

const forward = (timeoutSeconds = 300): PlacedElement => ({ kind: 'forward-request', timeoutSeconds, at, origin });
const setHeader = (name: string): PlacedElement => ({ kind: 'set-header', name, existsAction: 'override', values: [{ parts: [{ kind: 'text', value: 'v' }] }], at, origin });

describe('compiling an effective policy', () => {
  it('is trivial when it only forwards within the gateway\'s timeout (Azure\'s default global policy)', () => {
    expect(compilePipeline(policy({ backend: [forward()] }), target, env)).toMatchObject({ trivial: true, failed: false, forward: { timeoutMs: 30_000 } });
  });

  it('is not trivial with a shorter forward timeout, any other policy in any section, or no forward-request', () => {
    expect(compilePipeline(policy({ backend: [forward(5)] }), target, env)).toMatchObject({ trivial: false, forward: { timeoutMs: 5000 } });
    expect(compilePipeline(policy({ backend: [forward()], outbound: [setHeader('x-a')] }), target, env).trivial).toBe(false);
    expect(compilePipeline(policy({ backend: [forward()], 'on-error': [setHeader('x-a')] }), target, env).trivial).toBe(false);
    expect(compilePipeline(policy({ inbound: [setHeader('x-a')], backend: [forward()] }), target, env).trivial).toBe(false);
    expect(compilePipeline(policy({}), target, env)).toMatchObject({ trivial: false, forward: undefined });
  });

  it('refuses what it cannot run: an element after forward-request, a misplaced one, a connection header', () => {
    expect(() => compilePipeline(policy({ backend: [forward(), setHeader('x-a')] }), target, env)).toThrow(/after forward-request/);
    const cors: PlacedElement = {
      kind: 'cors',
      allowCredentials: false,
      terminateUnmatchedRequest: true,
      allowedOrigins: ['*'],
      allowedMethods: ['GET'],
      allowedHeaders: [],
      exposeHeaders: [],
      at,
      origin,
    };
    expect(() => compilePipeline(policy({ outbound: [cors] }), target, env)).toThrow(/cannot run in outbound/);
    expect(() => compilePipeline(policy({ inbound: [setHeader('Transfer-Encoding')] }), target, env)).toThrow(/belongs to the connection/);
  });
});

describe('quota arithmetic', () => {
  it('writes .NET TimeSpan text, rounding up to the second, with days past a day', () => {
    expect(timeSpan(0)).toBe('00:00:00');
    expect(timeSpan(1)).toBe('00:00:01');
    expect(timeSpan((7 * 3600 + 80) * 1000)).toBe('07:01:20');
    expect(timeSpan(86_399_000)).toBe('23:59:59');
    expect(timeSpan(86_400_000)).toBe('1.00:00:00');
    expect(timeSpan((6 * 86_400 + 86_399) * 1000)).toBe('6.23:59:59');
  });

  it('finds the fixed window holding a time, counted from a start; 0 never renews', () => {
    const start = Date.parse('2026-01-01T00:00:00Z');
    expect(windowAt(start, 3600, start)).toEqual({ start, end: start + 3_600_000 });
    expect(windowAt(start, 3600, start + 3_600_000)).toEqual({ start: start + 3_600_000, end: start + 7_200_000 });
    expect(windowAt(start, 3600, start + 3_599_999).start).toBe(start);
    // A start in the future: its first window.
    expect(windowAt(start, 60, start - 1000)).toEqual({ start, end: start + 60_000 });
    expect(windowAt(start, 0, start + 1e12)).toEqual({ start, end: Infinity });
    // Azure's default first-period-start, year 1.
    const year1 = Date.parse('0001-01-01T00:00:00Z');
    expect(windowAt(year1, 86_400, Date.parse('2026-03-02T09:00:00Z')).start).toBe(Date.parse('2026-03-02T00:00:00Z'));
  });
});

describe('IP addresses as numbers', () => {
  it('reads IPv4, IPv6 in every spelling, and IPv4-mapped IPv6 as IPv4', () => {
    expect(parseAddress('10.0.0.1')).toEqual({ family: 4, n: 0x0a000001n });
    expect(parseAddress('::1')).toEqual({ family: 6, n: 1n });
    expect(parseAddress('0000:0000:0000:0000:0000:0000:0000:0001')).toEqual({ family: 6, n: 1n });
    expect(parseAddress('2001:DB8::8:800:200C:417A')).toEqual(parseAddress('2001:db8:0:0:8:800:200c:417a'));
    expect(parseAddress('::ffff:192.168.1.2')).toEqual({ family: 4, n: 0xc0a80102n });
    expect(parseAddress('64:ff9b::192.0.2.33')).toEqual({ family: 6, n: (0x64n << 112n) | (0xff9bn << 96n) | 0xc0000221n });
    expect(parseAddress('fe80::1%eth0')).toEqual({ family: 6, n: (0xfe80n << 112n) | 1n });
    expect(parseAddress('not an address')).toBeUndefined();
    expect(parseAddress('256.0.0.1')).toBeUndefined();
  });
});
