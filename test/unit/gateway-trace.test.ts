/** Request ids and W3C trace context (src/gateway/observe/trace.ts). */
import { describe, expect, it } from 'vitest';
import { newTrace, parseTraceparent } from '../../src/gateway/observe/trace.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const VALID = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('newTrace', () => {
  it('gives each call a new UUID and, without a traceparent, a new sampled trace', () => {
    const a = newTrace(undefined);
    const b = newTrace(undefined);
    expect(a.requestId).toMatch(UUID);
    expect(a.requestId).not.toBe(b.requestId);
    const [, traceA, spanA, flags] = TRACEPARENT.exec(a.traceparent)!;
    const [, traceB, spanB] = TRACEPARENT.exec(b.traceparent)!;
    expect(flags).toBe('01');
    expect(traceA).not.toBe(traceB);
    expect(spanA).not.toBe(spanB);
    expect(traceA).not.toBe('0'.repeat(32));
  });

  it('keeps a valid client trace id and flags, with a new parent id for the gateway hop', () => {
    const t = newTrace('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00');
    const [, trace, span, flags] = TRACEPARENT.exec(t.traceparent)!;
    expect(trace).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(flags).toBe('00');
    expect(span).not.toBe('00f067aa0ba902b7');
  });

  it.each([
    ['garbage', 'not-a-traceparent'],
    ['upper case', VALID.toUpperCase()],
    ['version ff', VALID.replace(/^00/, 'ff')],
    ['zero trace id', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`],
    ['zero parent id', `00-4bf92f3577b34da6a3ce929d0e0e4736-${'0'.repeat(16)}-01`],
    ['extra field in version 00', `${VALID}-extra`],
    ['short trace id', '00-4bf92f3577b34da6a3ce929d0e0e47-00f067aa0ba902b7-01'],
  ])('replaces an invalid traceparent (%s) with a new trace', (_name, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
    const [, trace] = TRACEPARENT.exec(newTrace(value).traceparent)!;
    expect(trace).not.toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('accepts a later version with more fields, keeping what version 00 knows', () => {
    expect(parseTraceparent(`01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-more`)).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', flags: '01' });
    expect(parseTraceparent(` ${VALID} `)).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', flags: '01' });
  });
});
