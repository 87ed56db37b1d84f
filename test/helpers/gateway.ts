/**
 * For the tests that call the gateway: an API with its operations and a product offering it, put
 * in place through the management API (each answer checked), an active subscription's key, and
 * `until` to poll another gateway node while a change reaches it through the change feed. (The
 * gateway of the process that answered a write enforces it already: tests call it at once.)
 */
import { expect } from 'vitest';
import type { TestServer } from './server.js';

/** PUTs `path` (with `{ properties }` when given) and expects 200 or 201. */
async function put(server: TestServer, path: string, properties?: Record<string, unknown>): Promise<void> {
  const res = await server.request('PUT', path, properties === undefined ? {} : { body: { properties } });
  expect([200, 201], `PUT ${path}: ${res.text}`).toContain(res.status);
}

export interface OperationSpec {
  id: string;
  displayName: string;
  method: string;
  urlTemplate: string;
  templateParameters?: { name: string; type: string; required: boolean }[];
}

/** An API (`properties` as the management API takes them) with its operations. */
export async function putApi(server: TestServer, id: string, properties: Record<string, unknown>, operations: OperationSpec[] = []): Promise<void> {
  await put(server, `/apis/${id}`, properties);
  for (const { id: operationId, ...operation } of operations) await put(server, `/apis/${id}/operations/${operationId}`, operation);
}

/** A product (`properties` as the management API takes them), visible to `groups` and offering `apis`. */
export async function putProduct(
  server: TestServer,
  id: string,
  properties: Record<string, unknown>,
  links: { groups?: string[]; apis?: string[] } = {},
): Promise<void> {
  await put(server, `/products/${id}`, properties);
  for (const group of links.groups ?? []) await put(server, `/products/${id}/groups/${group}`);
  for (const api of links.apis ?? []) await put(server, `/products/${id}/apis/${api}`);
}

/** Creates the active subscription `sid` of `ownerId` to `productId` (expects 201); returns its primary key. */
export async function activeSubscription(server: TestServer, sid: string, ownerId: string, productId: string, displayName: string): Promise<string> {
  const res = await server.request('PUT', `/subscriptions/${sid}`, {
    body: { properties: { ownerId: `/users/${ownerId}`, scope: `/products/${productId}`, displayName, state: 'active' } },
  });
  expect(res.status, res.text).toBe(201);
  return (await subscriptionKeys(server, sid)).primary;
}

/** The two keys of subscription `sid`, from listSecrets (expects 200). */
export async function subscriptionKeys(server: TestServer, sid: string): Promise<{ primary: string; secondary: string }> {
  const res = await server.request('POST', `/subscriptions/${sid}/listSecrets`);
  expect(res.status, res.text).toBe(200);
  return { primary: res.json.primaryKey as string, secondary: res.json.secondaryKey as string };
}

/**
 * Polls `call` (every 20 ms) until it answers `expected` (a status, or any value compared with
 * ===, such as a status with its message): only for a gateway in another process
 * or over a database another process writes. `limitMs` only bounds the wait, so that a
 * change that never reaches the gateway fails the test instead of hanging it: it is not a speed
 * requirement. How fast changes reach the gateway is measured by `npm run bench:propagation`.
 */
export async function until<T extends string | number>(call: () => Promise<T>, expected: T, limitMs = 10_000): Promise<void> {
  const start = Date.now();
  for (;;) {
    const status = await call();
    if (status === expected) return;
    if (Date.now() - start > limitMs) throw new Error(`still ${status} after ${limitMs} ms, expected ${expected}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
