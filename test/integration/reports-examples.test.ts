/**
 * Replays Azure's Reports_ListBy* examples (ApiManagementGetReportsBy*.json, api-version
 * 2024-05-01) against a real server with traffic in the examples' time range: the operation's path
 * comes from apimreports.json (the operation whose `x-ms-examples` names the file), the example's
 * parameters fill it and its query, and the answer must be 200 with a body that covers the
 * example's shape (every key with the same type skeleton; extra keys allowed).
 *
 * Decision: Azure lists entities without calls (zero records); Tollgate lists only those with
 * traffic in the range (it cannot list 1M subscriptions per page of a report), so the world here
 * makes calls for every report to have a record to compare.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import { activeSubscription, putApi, putProduct } from '../helpers/gateway.js';
import { BACKENDS, startServer, type TestServer } from '../helpers/server.js';
import { compareShapes } from '../helpers/shape.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

// Copies of Azure's files ship with the tests (test/fixtures/azure-apim-rest/README.md).
const REFERENCE = process.env.AZURE_APIM_REFERENCE ?? fileURLToPath(new URL('../fixtures/azure-apim-rest/2024-05-01', import.meta.url));
const EXAMPLES = join(REFERENCE, 'examples');

interface Example {
  parameters: Record<string, string>;
  responses: { '200': { body: unknown } };
}

/** Example name → the path template of the operation that lists it. */
function reportOperations(): Map<string, string> {
  const spec = JSON.parse(readFileSync(join(REFERENCE, 'apimreports.json'), 'utf8')) as {
    paths: Record<string, Record<string, { 'x-ms-examples'?: Record<string, { $ref: string }> }>>;
  };
  const out = new Map<string, string>();
  for (const [path, methods] of Object.entries(spec.paths)) {
    for (const op of Object.values(methods)) {
      for (const ref of Object.values(op['x-ms-examples'] ?? {})) out.set(ref.$ref.replace(/^.*\//, '').replace(/\.json$/, ''), path);
    }
  }
  return out;
}

const operations = reportOperations();
const names = readdirSync(EXAMPLES)
  .filter((f) => f.startsWith('ApiManagementGetReportsBy') && f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''))
  .sort();

describe('Azure reports examples replayed', () => {
  it('every Reports_ListBy* operation has its example here', () => {
    expect(names).toHaveLength(8);
    expect(names.every((n) => operations.has(n))).toBe(true);
  });

  describe.each(BACKENDS)('on %s', (backend) => {
    let server: TestServer;
    let upstream: Upstream;

    beforeAll(async () => {
      upstream = await startUpstream();
      // Inside the examples' range (2017-06-01 to 2017-06-04).
      server = await startServer(backend, { clock: new ManualClock('2017-06-03T00:17:00Z') });
      const user = await server.request('PUT', '/users/1', { body: { properties: { email: 'admin@example.com', firstName: 'Admin', lastName: 'Istrator' } } });
      expect(user.status, user.text).toBeLessThan(300);
      await putApi(server, '57a03a13e4bbd5119c8b19e9', { displayName: 'httpbin', path: 'httpbin', serviceUrl: upstream.url, protocols: ['http'] }, [
        { id: '57a03a1dd8d14f0a780d7d14', displayName: 'get', method: 'GET', urlTemplate: '/*' },
      ]);
      await putProduct(server, '5600b59475ff190048060002', { displayName: 'Unlimited', subscriptionRequired: true, state: 'published' }, { apis: ['57a03a13e4bbd5119c8b19e9'] });
      const key = await activeSubscription(server, '5600b59475ff190048070002', '1', '5600b59475ff190048060002', 'Admin sub');
      for (const headers of [{ 'ocp-apim-subscription-key': key }, {}] as Record<string, string>[]) {
        const res = await fetch(`${server.gatewayUrl}/httpbin/get?param1=sample`, { headers });
        await res.arrayBuffer();
      }
      await server.app.gateway.flushTraffic();
    });

    afterAll(async () => {
      await server?.close();
      await upstream?.close();
    });

    it.each(names)('%s', async (name) => {
      const example = JSON.parse(readFileSync(join(EXAMPLES, `${name}.json`), 'utf8')) as Example;
      const p = example.parameters;
      const path = operations.get(name)!.replace(/\{(\w+)\}/g, (_, key: string) => encodeURIComponent(p[key]!));
      const query: Record<string, string> = { $filter: p.$filter! };
      if (p.interval) query.interval = p.interval;
      const res = await server.request('GET', `${server.url}${path}`, { apiVersion: p['api-version']!, query });
      expect(res.status, res.text).toBe(200);
      expect(compareShapes(example.responses['200'].body, res.json)).toEqual([]);
    });
  });
});
