/**
 * For the gateway policy tests: a real Tollgate over a real database, a gateway node of the test's
 * own (its clock a ManualClock the test moves, its counters the test's, polling never: it applies
 * what it is told to, at once), and a real backend over sockets that echoes what it got (method,
 * url, headers, body) and can be told, by path, to answer another status (`/status/{code}`), a
 * body of n bytes (`/bytes/{n}`), or nothing for a while (`/slow`).
 *
 * Rows are written straight into the tables (APIs, operations, products, subscriptions, policies,
 * named values) with their change-feed rows, then `catchUp()`: the tests depend on the gateway and
 * the store only, not on the management API's routes.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { rawCall, type Reply } from './raw-call.js';
import { ManualClock } from '../../src/domain/clock.js';
import { lookupHash, newSubscriptionKey, seal, type KeyRing } from '../../src/domain/subscription-keys.js';
import { createLocalCounters, type LocalCounters } from '../../src/gateway/counters/local.js';
import type { Counters } from '../../src/gateway/counters/types.js';
import { createGateway, type Gateway, type GatewayLogger } from '../../src/gateway/index.js';
import { subscriptionKeyRing } from '../../src/services/signing-keys.js';
import type { ChangedEntity } from '../../src/store/changes-repo.js';
import { startServer, type BackendName, type TestServer } from './server.js';

export const KEY_HEADER = 'Ocp-Apim-Subscription-Key';
const NEVER = 24 * 3_600_000;

export type { Reply } from './raw-call.js';

export interface CallOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** The subscription key to send in the key header. */
  key?: string;
  /** Call the gateway listening on IPv6 (::1) instead. */
  ipv6?: boolean;
}

/** What the backend saw of one request. */
export interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Which backend (the main one is 'main'). */
  backend: string;
}

export interface PolicyWorld {
  server: TestServer;
  clock: ManualClock;
  counters: LocalCounters;
  gateway: Gateway;
  /** The main backend's URL and a second one's (for set-backend-service). */
  backendUrl: string;
  otherBackendUrl: string;
  /** Every request the backends got, in order. */
  seen: Seen[];
  ring: KeyRing;
  logLines: string[];
  call(path: string, o?: CallOptions): Promise<Reply>;
  /** Writes (or with `xml` undefined deletes) the policy of a scope key, and lets the gateway apply it. */
  setPolicy(scopeKey: string, xml: string | undefined): Promise<void>;
  setNamedValue(id: string, displayName: string, value: string | undefined, secret?: boolean): Promise<void>;
  /** An API (its operations as [id, method, template]); `serviceUrl` defaults to the main backend. */
  addApi(id: string, path: string, operations: [string, string, string][], o?: { subscriptionRequired?: boolean; serviceUrl?: string | null; displayName?: string }): Promise<void>;
  addProduct(id: string, apiIds: string[]): Promise<void>;
  /** An active subscription of user 'dev' to `scope` ('/products/p', '/apis/a', '/apis'); returns its primary key. */
  addSubscription(id: string, scope: string, startDate?: string): Promise<string>;
  /** Records changes and lets the gateway apply them. */
  changed(entity: ChangedEntity, id: string): Promise<void>;
  /** Starts another gateway node on the same store (e.g. on IPv6). */
  close(): Promise<void>;
}

function call(host: string, port: number, path: string, o: CallOptions): Promise<Reply> {
  return rawCall(host, port, path, { ...o, headers: { ...(o.key ? { [KEY_HEADER]: o.key } : {}), ...o.headers } });
}

function startBackend(name: string, seen: Seen[]): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '';
      seen.push({ method: req.method ?? '', url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), backend: name });
      if (url.includes('/slow')) {
        const t = setTimeout(() => res.end('late'), 5_000);
        res.on('close', () => clearTimeout(t));
        return;
      }
      const bytes = /\/bytes\/(\d+)/.exec(url);
      if (bytes) {
        const body = Buffer.alloc(Number(bytes[1]), 'x');
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length, 'x-backend': name });
        res.end(body);
        return;
      }
      const status = Number(/\/status\/(\d{3})/.exec(url)?.[1] ?? 200);
      const body = JSON.stringify({ backend: name, method: req.method, url, headers: req.headers });
      res.writeHead(status, { 'content-type': 'application/json', 'x-backend': name, 'x-backend-tag': 'b1', 'set-cookie': ['a=1', 'b=2'] });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` })));
}

export interface WorldOptions {
  /** Counters for the gateway (default: a fresh in-process set, exposed as `counters`). */
  counters?: Counters;
  /** Also listen on ::1, for ip-filter's IPv6 tests. */
  ipv6?: boolean;
  /** The gateway's own upstream timeout (default 30 s). */
  upstreamTimeoutMs?: number;
  /** Where the test's clock starts (default 2026-03-02T09:00Z; counters in Redis want the real time). */
  start?: Date;
}

export async function startPolicyWorld(backend: BackendName, options: WorldOptions = {}): Promise<PolicyWorld> {
  const clock = new ManualClock(options.start ?? '2026-03-02T09:00:00.000Z');
  const server = await startServer(backend, { clock });
  const seen: Seen[] = [];
  const main = await startBackend('main', seen);
  const other = await startBackend('other', seen);
  const ring = await subscriptionKeyRing(server.app.store);
  const db = () => server.app.database.db;
  const logLines: string[] = [];
  const note = (o: object, m?: string) => void logLines.push(`${m ?? ''} ${JSON.stringify(o, (_k, v: unknown) => (v instanceof Error ? v.message : v))}`);
  const logger: GatewayLogger = { info: note, warn: note, error: note };
  const counters = createLocalCounters();
  const gateway = createGateway({
    store: server.app.store,
    clock,
    logger,
    pollIntervalMs: NEVER,
    counters: options.counters ?? counters,
    ...(options.upstreamTimeoutMs ? { upstreamTimeoutMs: options.upstreamTimeoutMs } : {}),
  });
  const { port } = await gateway.listen(0, '127.0.0.1');
  let v6: Gateway | undefined;
  let v6Port = 0;
  if (options.ipv6) {
    v6 = createGateway({ store: server.app.store, clock, logger, pollIntervalMs: NEVER, counters: createLocalCounters() });
    v6Port = (await v6.listen(0, '::1')).port;
  }
  const iso = () => clock.now().toISOString();

  const changed = async (entity: ChangedEntity, id: string) => {
    await server.app.store.changes.recordChanges([{ entity, entity_id: id, at: iso() }], server.app.store.dialect);
    await gateway.catchUp();
    await v6?.catchUp();
  };

  await db()
    .insertInto('users')
    .values({ id: 'dev', first_name: 'Dev', last_name: 'Eloper', email: 'dev@example.com', email_lc: 'dev@example.com', state: 'active', note: null, registration_date: iso(), password_hash: null, etag: 'e', updated_at: iso() })
    .execute();
  await changed('user', 'dev');

  const world: PolicyWorld = {
    server,
    clock,
    counters,
    gateway,
    backendUrl: main.url,
    otherBackendUrl: other.url,
    seen,
    ring,
    logLines,
    call: (path, o = {}) => (o.ipv6 ? call('::1', v6Port, path, o) : call('127.0.0.1', port, path, o)),
    changed,
    async setPolicy(scopeKey, xml) {
      await db().deleteFrom('policies').where('scope_key', '=', scopeKey).execute();
      if (xml !== undefined) {
        const [, kind, first, , op] = scopeKey.split('/');
        const scope = scopeKey === '/' ? 'global' : kind === 'products' ? 'product' : op !== undefined ? 'operation' : 'api';
        await db()
          .insertInto('policies')
          .values({
            scope_key: scopeKey,
            scope,
            product_id: kind === 'products' ? first! : null,
            api_id: kind === 'apis' ? first! : null,
            operation_id: op ?? null,
            xml,
            etag: 'e',
            updated_at: iso(),
          })
          .execute();
      }
      await changed('policy', scopeKey);
    },
    async setNamedValue(id, displayName, value, secret = false) {
      await db().deleteFrom('named_values').where('id', '=', id).execute();
      if (value !== undefined) {
        await db()
          .insertInto('named_values')
          .values({ id, display_name: displayName, display_name_lower: displayName.toLowerCase(), value: secret ? seal(ring, value) : value, secret: secret ? 1 : 0, tags: '[]', etag: 'e', created_at: iso() })
          .execute();
      }
      await changed('named-value', id);
    },
    async addApi(id, path, operations, o = {}) {
      await db()
        .insertInto('apis')
        .values({
          id,
          display_name: o.displayName ?? id,
          description: null,
          path,
          service_url: o.serviceUrl === undefined ? main.url : o.serviceUrl,
          protocols: '["http","https"]',
          subscription_required: o.subscriptionRequired === false ? 0 : 1,
          key_header: KEY_HEADER,
          key_query: 'subscription-key',
          api_type: 'http',
          etag: 'e',
          created_at: iso(),
        })
        .execute();
      for (const [opId, method, template] of operations) {
        await db()
          .insertInto('api_operations')
          .values({ api_id: id, id: opId, display_name: `${opId} name`, method, url_template: template, description: null, template_parameters: null, etag: 'e' })
          .execute();
      }
      await changed('api', id);
    },
    async addProduct(id, apiIds) {
      await db()
        .insertInto('products')
        .values({ id, display_name: id, description: null, terms: null, subscription_required: 1, approval_required: 0, subscriptions_limit: null, state: 'published', etag: 'e', created_at: iso() })
        .execute();
      for (const apiId of apiIds) await db().insertInto('product_apis').values({ product_id: id, api_id: apiId }).execute();
      await changed('product', id);
    },
    async addSubscription(id, scope, startDate) {
      const primary = newSubscriptionKey();
      await db()
        .insertInto('subscriptions')
        .values({
          id,
          owner_id: 'dev',
          scope,
          display_name: id,
          state: 'active',
          state_comment: null,
          allow_tracing: null,
          created_at: iso(),
          start_date: startDate ?? null,
          expiration_date: null,
          end_date: null,
          notification_date: null,
          primary_key_sealed: seal(ring, primary),
          secondary_key_sealed: seal(ring, newSubscriptionKey()),
          primary_key_lookup: lookupHash(ring, primary),
          secondary_key_lookup: lookupHash(ring, newSubscriptionKey()),
          etag: 'e',
        })
        .execute();
      await changed('subscription', id);
      return primary;
    },
    async close() {
      await gateway.close();
      await v6?.close();
      await server.close();
      await new Promise<void>((resolve) => main.server.close(() => resolve()));
      await new Promise<void>((resolve) => other.server.close(() => resolve()));
    },
  };
  return world;
}

/** A policy document with the given sections' inner XML (`<base />` where the test writes it). */
export function policyXml(sections: { inbound?: string; backend?: string; outbound?: string; onError?: string }): string {
  const section = (name: string, inner: string | undefined) => (inner === undefined ? `<${name}><base /></${name}>` : `<${name}>${inner}</${name}>`);
  return `<policies>${section('inbound', sections.inbound)}${section('backend', sections.backend)}${section('outbound', sections.outbound)}${section('on-error', sections.onError)}</policies>`;
}
