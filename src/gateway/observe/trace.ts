/**
 * Request ids and W3C trace context (https://www.w3.org/TR/trace-context/). Each call gets a new
 * UUID as its request id, and the backend a `traceparent` whose parent id is this gateway hop: the
 * client's trace id and flags are kept when it sent a valid traceparent, else a new trace starts
 * (sampled flag set). Invalid traceparents are replaced, as the spec asks.
 */
import { randomUUID } from 'node:crypto';

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

export interface CallTrace {
  requestId: string;
  traceparent: string;
}

/** randomUUID's 122 random bits, as hex without dashes (randomUUID is the cheapest random source Node has). */
function hex32(): string {
  const u = randomUUID();
  return u.slice(0, 8) + u.slice(9, 13) + u.slice(14, 18) + u.slice(19, 23) + u.slice(24);
}

export function newTrace(incoming: string | string[] | undefined): CallTrace {
  const requestId = randomUUID();
  // The parent id of the backend's request: 16 random hex digits of the request id (its last group and a bit more).
  const spanId = requestId.slice(19, 23) + requestId.slice(24);
  const parent = typeof incoming === 'string' ? parseTraceparent(incoming) : undefined;
  const traceparent = parent ? `00-${parent.traceId}-${spanId}-${parent.flags}` : `00-${hex32()}-${spanId}-01`;
  return { requestId, traceparent };
}

/** The trace id and flags of a valid traceparent; undefined for an invalid one (or version ff). */
export function parseTraceparent(value: string): { traceId: string; flags: string } | undefined {
  const m = TRACEPARENT.exec(value.trim());
  if (!m) return undefined;
  const [, version, traceId, spanId, flags, rest] = m;
  if (version === 'ff' || traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  // Version 00 has exactly four fields; a later version may add more, which this one ignores.
  if (version === '00' && rest !== undefined) return undefined;
  return { traceId: traceId!, flags: flags! };
}
