/**
 * One call as its policies see and change it: who made it, what reaches the backend (headers,
 * query, target, path, timeout), what the answer gets on top (limit and CORS headers), and what
 * runs once the answer is out (counting after the response). Made only for calls whose effective
 * policy does more than forward: the plain path never builds one.
 */
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Admitted } from '../access.js';
import type { CallRecord } from '../observe/call.js';
import type { RouteApi, RouteOperation, UpstreamTarget } from '../routing.js';

/** An answer the gateway makes itself (a refusal, return-response, mock-response, an error). */
export interface Answer {
  status: number;
  reason?: string;
  headers: OutgoingHttpHeaders;
  /** '' for none. */
  body: string;
  /**
   * Azure's error reason when the answer is a policy's refusal or a failure (RateLimitExceeded,
   * QuotaExceeded, ...): on-error then runs on it. Absent for return-response and mock-response.
   */
  error?: string;
}

/** What a policy of inbound or backend does: go on (undefined), or answer now. */
export type StepResult = Answer | undefined;
export type Step = (x: Exchange) => StepResult | Promise<StepResult>;

/**
 * What a policy of outbound or on-error does to the answer about to leave: change its headers in
 * place and go on (undefined), or put another answer in its place.
 */
export type ResponseStep = (x: Exchange, head: { status: number; headers: OutgoingHttpHeaders }) => Answer | undefined;

/** Runs once the answer is out: its status (0: the client went away) and the kilobytes of its body. */
export type AfterResponse = (status: number, kilobytes: number, now: number) => void;

/** What an accepted cross-origin call adds to its answer. */
export interface CorsGrant {
  allowOrigin: string;
  credentials: boolean;
  exposeHeaders: string;
}

export interface Exchange {
  readonly req: IncomingMessage;
  readonly method: string;
  readonly api: RouteApi;
  readonly operation: RouteOperation;
  /** The path after the API's path, as received. */
  readonly rest: string;
  /** The subscription key presented (context.Subscription.Key), if any. */
  readonly key: string | undefined;
  /** The subscription the call was let through with; undefined for a call without one. */
  readonly subscription: Admitted | undefined;
  /** Epoch ms the call arrived at (the gateway's clock). */
  readonly now: number;
  /** The call as it is recorded (request id, trace, what the backend answered). */
  readonly call: CallRecord;

  /** The backend's request headers as undici's flat list, once a policy changed one (else built from req). */
  headers: string[] | undefined;
  /** The query to forward, without '?' (the key parameter already taken out). */
  query: string;
  /** The backend's base (the API's service URL, or set-backend-service's). */
  target: UpstreamTarget | undefined;
  /** rewrite-uri's path (relative to the target's base path); undefined: `rest`. */
  path: string | undefined;

  /** Headers every answer gets (limit headers), applied in order: a later one with the same name wins. */
  answerHeaders: [string, string][] | undefined;
  cors: CorsGrant | undefined;
  /** Counting after the response (increment-condition, bandwidth). */
  after: AfterResponse[] | undefined;
  /** Quota counter keys already counted in this call (quota-by-key counts a key once per call). */
  quotaKeys: Set<string> | undefined;
}

export function addAnswerHeader(x: Exchange, name: string, value: string): void {
  (x.answerHeaders ??= []).push([name, value]);
}

export function afterResponse(x: Exchange, fn: AfterResponse): void {
  (x.after ??= []).push(fn);
}

/** The caller's address as Azure's context.Request.IpAddress gives it: IPv4-mapped IPv6 as plain IPv4. */
export function clientIp(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** The gateway's JSON answer `{statusCode, message}`, as its other refusals (responses.ts). */
export function jsonAnswer(status: number, message: string, error?: string, headers: OutgoingHttpHeaders = {}): Answer {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify({ statusCode: status, message }),
    ...(error ? { error } : {}),
  };
}

/** Whether a MaybePromise is a promise (the counters answer synchronously when they can). */
export function isPromise<T>(v: T | Promise<T>): v is Promise<T> {
  return v instanceof Promise;
}
