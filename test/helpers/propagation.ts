/**
 * For the tests that prove a write is enforced everywhere the gateway runs: one Tollgate, a second
 * gateway node over its database (as `tollgate gateway` runs it), two recording backends, and
 * `expectEverywhere`, which asks the gateway of the process that answered the write at once (read
 * your writes: no wait) and the second node until it agrees (`until`: it follows the change feed).
 *
 * An answer is compared as one string, the status with what identifies it: `200 a` (forwarded to
 * backend a) or `403 Access denied: …` (the gateway's own message), so that a 403 for the wrong
 * reason, or a 200 from the old backend, fails the test.
 */
import { Writable } from 'node:stream';
import { expect } from 'vitest';
import { createGatewayNode, type GatewayNode } from '../../src/gateway-node.js';
import { loadConfig } from '../../src/config.js';
import { GATEWAY_MESSAGES } from '../../src/gateway/index.js';
import type { TestServer } from './server.js';
import { startUpstream, type Upstream } from './upstream.js';
import { activeSubscription, putApi, putProduct, subscriptionKeys, until } from './gateway.js';
import { activeDeveloper, type TestUser } from './users.js';
import { uniqueIds } from './ids.js';

export const DEFAULT_KEY_HEADER = 'Ocp-Apim-Subscription-Key';

export type BackendLabel = 'a' | 'b';

/** What a forwarded call answers: the label of the backend that got it. */
export function forwardedTo(backend: BackendLabel): string {
  return `200 ${backend}`;
}

const M = GATEWAY_MESSAGES;

/** The gateway's refusals, status and message, as `answerOf` gives them. */
export const REFUSED = {
  noRoute: `404 ${M.notFound}`,
  missingKey: `401 ${M.missingKey}`,
  invalidKey: `401 ${M.invalidKey}`,
  subscriptionInactive: `403 ${M.subscriptionInactive}`,
  subscriptionExpired: `403 ${M.subscriptionExpired}`,
  ownerInactive: `403 ${M.ownerInactive}`,
  productUnpublished: `403 ${M.productUnpublished}`,
  outOfScope: `403 ${M.outOfScope}`,
} as const;

export interface GatewayCall {
  /** Path and query, from the gateway's root. */
  path: string;
  method?: string;
  /** Sent in `header`; no key at all when left out. */
  key?: string;
  header?: string;
}

/** One call to the gateway at `gatewayUrl`, its answer as `200 a` or `<status> <message>`. */
export async function answerOf(gatewayUrl: string, call: GatewayCall): Promise<string> {
  const headers: Record<string, string> = call.key === undefined ? {} : { [call.header ?? DEFAULT_KEY_HEADER]: call.key };
  const res = await fetch(`${gatewayUrl}${call.path}`, { method: call.method ?? 'GET', headers });
  const text = await res.text();
  let json: { backend?: string; message?: string } | undefined;
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    json = undefined;
  }
  return res.status === 200 ? `200 ${json?.backend}` : `${res.status} ${json?.message ?? text}`;
}

/** What `Rig.offer` puts in place: an API in a published product, and an active developer's subscription to it. */
export interface Offer {
  /** The API's id, also its path (`/<apiId>`). */
  apiId: string;
  productId: string;
  user: TestUser;
  sid: string;
  keys: { primary: string; secondary: string };
  /** GET /<apiId>/items (the API's one operation) with `key` (the primary key unless given). */
  call(key?: string): GatewayCall;
}

export interface Rig {
  server: TestServer;
  /** Backends answering `{ backend: 'a' | 'b', path }`. */
  backends: Record<BackendLabel, Upstream>;
  nodeUrl: string;
  /** A fresh id with `prefix` (one per test keeps the tests apart). */
  unique(prefix: string): string;
  /**
   * The gateway of the server (the process that answered the write) must answer `expected` at
   * once; the second node within `until`'s bound.
   */
  expectEverywhere(call: GatewayCall, expected: string): Promise<void>;
  /**
   * A new API `<prefix>-n` (GET /items to backend a) offered by a published product visible to
   * developers, and an active developer's active subscription to it; both gateways forward its
   * calls before this returns, so that a test's first check starts from a known answer.
   */
  offer(prefix: string): Promise<Offer>;
  /**
   * A write that takes an offer's access away and one that gives it back: after `stop`, both keys
   * are refused with `refusal`, after `restore` both are forwarded again, on both gateways.
   */
  expectStopAndRestore(offer: Offer, stop: () => Promise<unknown>, refusal: string, restore: () => Promise<unknown>): Promise<void>;
  close(): Promise<void>;
}

const silent = new Writable({ write: (_chunk, _encoding, done) => done() });

/** Starts the backends, the server (`start`) and a second gateway node over the server's database. */
export async function startRig(start: () => Promise<TestServer>): Promise<Rig> {
  const backends = {
    a: await startUpstream((r) => ({ backend: 'a', path: r.url })),
    b: await startUpstream((r) => ({ backend: 'b', path: r.url })),
  };
  const server = await start();
  let node: GatewayNode | undefined;
  try {
    const config = loadConfig({ GATEWAY_PORT: '0', HOST: '127.0.0.1', DATABASE_URL: server.databaseUrl, LOG_LEVEL: 'silent' });
    // Polling often only shortens the waits of `until`: no test depends on how fast the node follows.
    node = await createGatewayNode(config, { database: server.databaseOptions, logStream: silent, pollIntervalMs: 50 });
  } catch (error) {
    await server.close();
    throw error;
  }
  const { gatewayUrl: nodeUrl } = await node.listen();
  const unique = uniqueIds();

  async function expectEverywhere(call: GatewayCall, expected: string): Promise<void> {
    expect(await answerOf(server.gatewayUrl, call), `${call.method ?? 'GET'} ${call.path} at the gateway of the answering process`).toBe(expected);
    await until(() => answerOf(nodeUrl, call), expected);
  }

  async function offer(prefix: string): Promise<Offer> {
    const apiId = unique(prefix);
    const productId = `${apiId}-product`;
    const sid = `${apiId}-sub`;
    await putApi(server, apiId, { displayName: apiId, path: apiId, serviceUrl: backends.a.url, protocols: ['http'] }, [
      { id: 'items', displayName: 'Items', method: 'GET', urlTemplate: '/items' },
    ]);
    await putProduct(server, productId, { displayName: productId, subscriptionRequired: true, state: 'published' }, { groups: ['developers'], apis: [apiId] });
    const user = await activeDeveloper(server, `${apiId}-dev`);
    await activeSubscription(server, sid, user.id, productId, sid);
    const keys = await subscriptionKeys(server, sid);
    const made: Offer = { apiId, productId, user, sid, keys, call: (key = keys.primary) => ({ path: `/${apiId}/items`, key }) };
    await expectEverywhere(made.call(), forwardedTo('a'));
    return made;
  }

  async function expectStopAndRestore(o: Offer, stop: () => Promise<unknown>, refusal: string, restore: () => Promise<unknown>): Promise<void> {
    const both = async (expected: string) => {
      await expectEverywhere(o.call(o.keys.primary), expected);
      await expectEverywhere(o.call(o.keys.secondary), expected);
    };
    await stop();
    await both(refusal);
    await restore();
    await both(forwardedTo('a'));
  }

  return {
    server,
    backends,
    nodeUrl,
    unique,
    expectEverywhere,
    offer,
    expectStopAndRestore,
    async close() {
      await node?.close();
      await server.close();
      await backends.a.close();
      await backends.b.close();
    },
  };
}
