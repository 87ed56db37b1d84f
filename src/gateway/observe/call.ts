/**
 * One call as the gateway saw it, filled in as it goes (arrival, routing, key check, backend, the
 * answer) and handed to the call sinks once the answer is out: the traffic recorder (analytics),
 * the metrics and the access log. Never holds the subscription key: `query` is the forwarded one,
 * with the key parameter already taken out.
 */

/** Why the gateway answered itself instead of relaying a backend's answer (undefined: it relayed one). */
export type CallCause =
  | 'not-found'
  | 'bad-request'
  | 'unavailable'
  | 'key'
  | 'rate-limit'
  | 'quota'
  | 'policy'
  | 'upstream-error'
  | 'upstream-timeout'
  | 'internal'
  | 'health';

export interface CallRecord {
  /** Epoch ms (the gateway's clock) the call arrived at. */
  at: number;
  /** performance.now() at arrival: the base of apiMs and serviceMs. */
  readonly startedAt: number;
  /** A UUID, sent back in `x-request-id` and to the backend. */
  readonly requestId: string;
  /** The W3C traceparent sent to the backend (the client's trace id kept when it sent a valid one). */
  readonly traceparent: string;
  readonly method: string;
  /** The request path as received, without the query. */
  path: string;
  /** The query as forwarded (without '?'; the subscription key parameter taken out). '' before routing. */
  query: string;
  /** The caller's address (IPv4-mapped IPv6 as plain IPv4). */
  readonly ip: string;
  apiId: string | undefined;
  operationId: string | undefined;
  productId: string | undefined;
  subscriptionId: string | undefined;
  userId: string | undefined;
  /** The request body's declared length (content-length), 0 without one. */
  readonly requestBytes: number;
  /** The status sent to the client; 0: the client went away before the answer was out. */
  status: number;
  /** The backend's status; 0: not forwarded, or no answer from it. */
  backendStatus: number;
  /** Bytes of the answer's body sent to the client. */
  responseBytes: number;
  /** Milliseconds from arrival to the answer's end. */
  apiMs: number;
  /** Milliseconds from the backend dispatch to the end of its answer; 0 when not forwarded. */
  serviceMs: number;
  /** performance.now() when the call was dispatched to the backend; 0: it was not. */
  dispatchedAt: number;
  cause: CallCause | undefined;
}

/** Something that hears every call once its answer is out. Must be cheap: it runs on the hot path. */
export interface CallSink {
  record(call: CallRecord): void;
}

/** The query string of a call for a log or a report: path and forwarded query. */
export function callUrl(call: Pick<CallRecord, 'path' | 'query'>): string {
  return call.query ? `${call.path}?${call.query}` : call.path;
}
