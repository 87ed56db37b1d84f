/**
 * The benchmark's two clients: an administrator's of the management API (keep-alive, a few
 * connections, so that paced writes can overlap) and a developer's of a gateway (one keep-alive
 * connection, polled tightly until a key gets the answer a change should give it).
 */
import http from 'node:http';
import { sendRequest } from '../management/measure.js';
import { RESOURCE_GROUP, SERVICE, SUBSCRIPTION } from '../management/instance.js';
import { KEY_HEADER, REQUEST_PATH } from '../gateway/setup.js';

export interface Management {
  /** One call; throws unless it answered 2xx. PATCH sends `If-Match: *` (the API requires one). */
  call(method: string, path: string, body?: unknown): Promise<unknown>;
  close(): void;
}

export function managementClient(url: string, key: string, connections: number): Management {
  const base = `${url}/subscriptions/${SUBSCRIPTION}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.ApiManagement/service/${SERVICE}`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  return {
    async call(method, path, body) {
      const target = new URL(`${base}${path}`);
      target.searchParams.set('api-version', '2024-05-01');
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const headers = {
        authorization: `Bearer ${key}`,
        ...(method === 'PATCH' ? { 'if-match': '*' } : {}),
        ...(payload === undefined ? { 'content-length': 0 } : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
      };
      const { status, body: text } = await sendRequest(target, { method, agent, headers }, payload);
      if (status < 200 || status > 299) throw new Error(`${method} ${path}: ${status} ${text.slice(0, 300)}`);
      return text ? JSON.parse(text) : undefined;
    },
    close: () => agent.destroy(),
  };
}

/** How often a gateway is asked again while it still gives the old answer. */
const POLL_EVERY_MS = 1;

export type Wait = { ms: number } | { timeout: true; last: number } | { unexpected: number };

export interface GatewayClient {
  status(key: string): Promise<number>;
  /**
   * Asks until `key` gets `expected`, the old answer `before` meanwhile; the time from `since` to
   * the expected answer, or what went wrong: no answer change within `boundMs`, or another status.
   */
  until(key: string, expected: number, before: number, since: number, boundMs: number): Promise<Wait>;
  close(): void;
}

export function gatewayClient(gatewayUrl: string): GatewayClient {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const target = new URL(REQUEST_PATH, gatewayUrl);
  const status = async (key: string) => (await sendRequest(target, { agent, headers: { [KEY_HEADER]: key } })).status;
  return {
    status,
    async until(key, expected, before, since, boundMs) {
      for (;;) {
        const got = await status(key);
        if (got === expected) return { ms: performance.now() - since };
        if (got !== before) return { unexpected: got };
        if (performance.now() - since > boundMs) return { timeout: true, last: got };
        await new Promise((r) => setTimeout(r, POLL_EVERY_MS));
      }
    },
    close: () => agent.destroy(),
  };
}
