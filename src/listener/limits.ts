/**
 * The limits every listener applies — PORT's Fastify server and the gateway's node:http server —
 * so that idle, slow or simply too many connections cannot hold the process's file descriptors.
 * Node's own defaults (headers 60 s, whole request 300 s, checked only every 30 s, no cap) let a
 * slowloris socket live for about 88 s and a flood of idle connections exhaust the descriptors of
 * every face at once, since all of them share one process.
 */
import type { Server, ServerOptions } from 'node:http';

export interface ListenerLimits {
  /** Time from the start of a request (for the first one: from the connection) until its headers are complete. */
  headersTimeoutMs: number;
  /** Time from the start of a request until its body is complete too; 0: no limit. Never below headersTimeoutMs. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection waits for its next request. */
  keepAliveTimeoutMs: number;
  /** Connections held at once; further ones are accepted and closed at once, which frees their descriptor. */
  maxConnections: number;
}

/**
 * The caps are sized for a descriptor limit of 20,000 (Node raises its soft limit to the hard
 * limit at start, so `ulimit -Hn` is what counts): PORT serves people and scripts, 1,024 is plenty;
 * each gateway connection may hold a backend connection too, so 8,192 gateway connections can take
 * 16,384 descriptors. 1,024 + 16,384 leaves about 2,500 for the database, SMTP, the log and the
 * listening sockets, so a flood on one port never starves the other. The timeouts: headers within
 * 10 s (a slow mobile link needs less), a management or portal body (1 MB at most) within 30 s; the
 * gateway streams bodies of any size to backends, so it allows 5 minutes (Node's own default) for
 * a whole upload and can be set to 0 for no limit.
 */
export const DEFAULT_LIMITS: Readonly<{ http: ListenerLimits; gateway: ListenerLimits }> = Object.freeze({
  http: Object.freeze({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, maxConnections: 1_024 }),
  gateway: Object.freeze({ headersTimeoutMs: 10_000, requestTimeoutMs: 300_000, keepAliveTimeoutMs: 5_000, maxConnections: 8_192 }),
});

/**
 * Node closes an expired connection only when it next checks (every 30 s by default), so a 1 s
 * headers timeout would really be up to 31 s. Checking every tenth of the timeout (at most every
 * second, at least every 50 ms: one pass over the open connections each time) closes a slow client
 * within 10% (at most 1 s) of its deadline.
 */
export function checkingIntervalMs(limits: ListenerLimits): number {
  return Math.min(1_000, Math.max(50, Math.floor(limits.headersTimeoutMs / 10)));
}

/** The options for http.createServer (Fastify's `http` option): the timeouts and how often they are checked. */
export function serverOptions(limits: ListenerLimits): ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: checkingIntervalMs(limits),
  };
}

/** What createServer's options do not cover (and what Fastify overwrites with its own defaults). */
export function applyLimits(server: Server, limits: ListenerLimits): void {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
}
