/**
 * Importing a large real API description nobody here wrote: GitHub's REST API (api.github.com,
 * OpenAPI 3.0.3, 706 operations, 3 MB; @octokit/openapi 2.2.1, test/fixtures/openapi/public).
 * Every expectation is computed here from the source JSON by walking it (its `$ref`s to shared
 * parameters and responses followed by this file's own pointer walk), not by the importer's code:
 * operation names (Azure's rule), methods, URL templates with the required query parameters,
 * template parameters, and the request and responses of every operation. The gateway then routes
 * imported operations to a real upstream; a re-import of an edited copy, fetched from a local link,
 * adds, changes and deletes exactly what was edited and leaves the rest (their ETags) alone.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { azureOperationName, publicFixture, publicFixturePath } from '../fixtures/openapi/public/index.js';
import { activeSubscription, putProduct } from '../helpers/gateway.js';
import { BACKENDS, startServer, type TestServer } from '../helpers/server.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const FIXTURE = publicFixture('github-rest-3.0');
const TEXT = readFileSync(publicFixturePath(FIXTURE), 'utf8');
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const TEMPLATE_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

const azureName = azureOperationName;

/** Follows internal `$ref`s (`#/components/parameters/owner`) in `doc`, as many as are chained. */
function follow(doc: Json, value: Json): Json {
  let node = value;
  while (typeof node?.$ref === 'string') {
    node = (node.$ref as string)
      .slice(2)
      .split('/')
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<Json>((n, key) => n[key], doc);
  }
  return node;
}

interface Expected {
  name: string;
  method: string;
  path: string;
  urlTemplate: string;
  templateParameters: { name: string; type: string; required: boolean }[];
  queryParameters: string[];
  headers: string[];
  bodyTypes: string[];
  responses: { statusCode: number; description: string | undefined; types: string[] }[];
  displayName: string;
}

/** What each operation of `doc` must become, read from the document itself. */
function expectedOperations(doc: Json): Expected[] {
  const out: Expected[] = [];
  for (const [path, rawItem] of Object.entries(doc.paths as Json)) {
    const item = follow(doc, rawItem);
    for (const method of METHODS) {
      const op = item[method] as Json | undefined;
      if (!op) continue;
      const own = (op.parameters ?? []).map((p: Json) => follow(doc, p));
      const inherited = (item.parameters ?? []).map((p: Json) => follow(doc, p)).filter((p: Json) => !own.some((o: Json) => o.name === p.name && o.in === p.in));
      const params: Json[] = [...inherited, ...own];
      const typeOf = (p: Json) => {
        // The schema may be a reference too (`alert_number`: #/components/schemas/alert-number).
        const t = follow(doc, p.schema ?? {}).type;
        return Array.isArray(t) ? t.find((x: string) => x !== 'null') : (t ?? 'string');
      };
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
      const requiredQuery = params.filter((p) => p.in === 'query' && p.required === true && TEMPLATE_NAME.test(p.name));
      const query = requiredQuery.map((p) => `${p.name}={${p.name}}`).join('&');
      const body = method === 'get' || method === 'head' || method === 'options' ? undefined : op.requestBody && follow(doc, op.requestBody);
      out.push({
        name: azureName(op.operationId),
        method: method.toUpperCase(),
        path,
        urlTemplate: query ? `${path}?${query}` : path,
        templateParameters: [
          ...inPath.map((n) => ({ name: n, type: typeOf(params.find((p) => p.in === 'path' && p.name === n) ?? {}), required: true })),
          ...requiredQuery.map((p) => ({ name: p.name, type: typeOf(p), required: true })),
        ],
        queryParameters: params.filter((p) => p.in === 'query' && !requiredQuery.includes(p)).map((p) => p.name),
        headers: params.filter((p) => p.in === 'header').map((p) => p.name),
        bodyTypes: Object.keys(body?.content ?? {}),
        responses: Object.entries(op.responses ?? {})
          .filter(([code]) => /^\d{3}$/.test(code))
          .map(([code, r]) => {
            const response = follow(doc, r as Json);
            return { statusCode: Number(code), description: response.description?.slice(0, 1000), types: Object.keys(response.content ?? {}) };
          }),
        displayName: (op.summary ?? op.operationId).trim().slice(0, 300),
      });
    }
  }
  return out;
}

interface Imported {
  name: string;
  properties: Json;
}

describe.each(BACKENDS)('importing a large real API description: GitHub REST, 706 operations (%s)', (backend) => {
  let server: TestServer;
  let upstream: Upstream;
  const source = JSON.parse(TEXT) as Json;
  const expected = expectedOperations(source);
  const byName = new Map(expected.map((e) => [e.name, e]));

  const operations = async (api: string): Promise<Map<string, Imported>> => {
    const res = await server.request('GET', `/apis/${api}/operations`, { query: { $top: 1000 } });
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    expect(res.json.value.length, 'one page holds them all').toBe(res.json.count);
    return new Map((res.json.value as Imported[]).map((o) => [o.name, o]));
  };

  beforeAll(async () => {
    server = await startServer(backend);
    upstream = await startUpstream();
    const res = await server.request('PUT', '/apis/github', {
      // The document's server is api.github.com: the gateway is sent to the local upstream instead.
      body: { properties: { format: 'openapi+json', value: TEXT, path: 'github', serviceUrl: `${upstream.url}/api`, protocols: ['http', 'https'] } },
    });
    expect(res.status, res.text.slice(0, 500)).toBe(201);
  });
  afterAll(async () => {
    await upstream?.close();
    await server?.close();
  });

  it('the source document: 706 operations, every operationId its own Azure name', () => {
    expect(expected).toHaveLength(FIXTURE.operations);
    expect(byName.size).toBe(expected.length);
  });

  it('every operation: its name, method, display name, URL template and template parameters, as the document says', async () => {
    const api = (await server.request('GET', '/apis/github')).json.properties;
    expect(api).toMatchObject({ displayName: source.info.title, serviceUrl: `${upstream.url}/api`, path: 'github' });
    const ops = await operations('github');
    expect([...ops.keys()].sort()).toEqual([...byName.keys()].sort());
    for (const e of expected) {
      const got = ops.get(e.name)!.properties;
      expect({ method: got.method, urlTemplate: got.urlTemplate, displayName: got.displayName }, e.name).toEqual({ method: e.method, urlTemplate: e.urlTemplate, displayName: e.displayName });
      expect(
        got.templateParameters.map((p: Json) => ({ name: p.name, type: p.type, required: p.required })),
        e.name,
      ).toEqual(e.templateParameters);
    }
    // Required query parameters do occur in this document (the search endpoints' q, ...).
    expect(expected.filter((e) => e.urlTemplate.includes('?')).length).toBeGreaterThan(5);
  });

  it("every operation's request (query parameters, headers, body media types) and responses (codes, descriptions, media types)", async () => {
    const ops = await operations('github');
    let bodies = 0;
    for (const e of expected) {
      const got = ops.get(e.name)!.properties;
      const request = got.request ?? { queryParameters: [], headers: [], representations: [] };
      expect(
        {
          query: request.queryParameters.map((p: Json) => p.name),
          headers: request.headers.map((p: Json) => p.name),
          body: request.representations.map((r: Json) => r.contentType),
        },
        e.name,
      ).toEqual({ query: e.queryParameters, headers: e.headers, body: e.bodyTypes });
      expect(
        (got.responses ?? []).map((r: Json) => ({ statusCode: r.statusCode, description: r.description, types: r.representations.map((x: Json) => x.contentType) })),
        e.name,
      ).toEqual(e.responses);
      if (e.bodyTypes.length > 0) bodies++;
    }
    expect(bodies).toBeGreaterThan(100);
  });

  it('the gateway routes imported operations to the backend at once', async () => {
    await putProduct(server, 'gh', { displayName: 'GitHub', state: 'published', subscriptionRequired: true, approvalRequired: false }, { apis: ['github'] });
    await server.request('PUT', '/users/octocat', { body: { properties: { email: 'octocat@example.com', firstName: 'Octo', lastName: 'Cat' } } });
    const key = await activeSubscription(server, 'gh-sub', 'octocat', 'gh', 'GitHub');
    const calls: [string, string, string][] = [
      ['repos/get', '/repos/octo/hello', '/api/repos/octo/hello'],
      ['issues/create', '/repos/octo/hello/issues', '/api/repos/octo/hello/issues'],
      ['users/get-by-username', '/users/monalisa', '/api/users/monalisa'],
      ['search/code', '/search/code?q=addClass', '/api/search/code?q=addClass'],
      // A template parameter is one path segment (GitHub's own refs are `heads/main`).
      ['git/delete-ref', '/repos/octo/hello/git/refs/feature-x', '/api/repos/octo/hello/git/refs/feature-x'],
    ];
    for (const [operationId, path, forwarded] of calls) {
      const e = byName.get(azureName(operationId))!;
      const res = await fetch(`${server.gatewayUrl}/github${path}`, { method: e.method, headers: { 'Ocp-Apim-Subscription-Key': key }, ...(e.method === 'POST' ? { body: '{}' } : {}) });
      await res.arrayBuffer();
      expect(res.status, `${e.method} ${path}`).toBe(200);
      expect(upstream.seen.at(-1)).toMatchObject({ method: e.method, url: forwarded });
    }
    // A method the document does not have on that path is not routed.
    const patch = await fetch(`${server.gatewayUrl}/github/users/monalisa`, { method: 'PATCH', headers: { 'Ocp-Apim-Subscription-Key': key } });
    await patch.arrayBuffer();
    expect(patch.status).toBe(404);
  });

  it('re-importing an edited copy from a link: the removed, changed and added operations, and nothing else', async () => {
    const edited = JSON.parse(TEXT) as Json;
    const paths = edited.paths as Json;
    const removed = ['repos/delete', 'issues/lock', 'gists/star', 'users/get-by-username'].map(azureName);
    for (const e of expected.filter((x) => removed.includes(x.name))) delete paths[e.path][e.method.toLowerCase()];
    const changed = ['repos/get', 'issues/list-comments'].map(azureName);
    for (const e of expected.filter((x) => changed.includes(x.name))) paths[e.path][e.method.toLowerCase()].summary = `Changed: ${e.displayName}`;
    paths['/tollgate/widgets/{widget_id}'] = {
      get: { operationId: 'tollgate/get-widget', summary: 'A widget', parameters: [{ name: 'widget_id', in: 'path', required: true, schema: { type: 'integer' } }], responses: { 200: { description: 'The widget' } } },
    };
    const site: Server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(edited)));
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    const etags = async (names: string[]) =>
      new Map(await Promise.all(names.map(async (n) => [n, (await server.request('GET', `/apis/github/operations/${n}`)).headers.get('etag')] as const)));
    const kept = ['pulls/list', 'repos/list-for-org', 'search/code'].map(azureName);
    const before = await etags([...kept, ...changed]);
    try {
      const link = `http://127.0.0.1:${(site.address() as { port: number }).port}/api.github.com.json`;
      const res = await server.request('PUT', '/apis/github', {
        body: { properties: { format: 'openapi+json-link', value: link, path: 'github', serviceUrl: `${upstream.url}/api`, protocols: ['http', 'https'] } },
        headers: { 'if-match': '*' },
      });
      expect(res.status, res.text.slice(0, 500)).toBe(200);
    } finally {
      await new Promise<void>((resolve) => site.close(() => resolve()));
    }

    const ops = await operations('github');
    const wanted = [...byName.keys()].filter((n) => !removed.includes(n)).concat('tollgate-get-widget');
    expect([...ops.keys()].sort()).toEqual(wanted.sort());
    expect(ops.get('tollgate-get-widget')!.properties).toMatchObject({ method: 'GET', urlTemplate: '/tollgate/widgets/{widget_id}', templateParameters: [{ name: 'widget_id', type: 'integer', required: true }] });
    for (const n of changed) expect(ops.get(n)!.properties.displayName).toBe(`Changed: ${byName.get(n)!.displayName}`);
    const after = await etags([...kept, ...changed]);
    for (const n of kept) expect(after.get(n), `${n} is unchanged`).toBe(before.get(n));
    for (const n of changed) expect(after.get(n), `${n} changed`).not.toBe(before.get(n));

    // The gateway follows at once: the added operation answers, a removed one no longer does.
    const key = (await server.request('POST', '/subscriptions/gh-sub/listSecrets')).json.primaryKey as string;
    const call = async (path: string) => {
      const res = await fetch(`${server.gatewayUrl}/github${path}`, { headers: { 'Ocp-Apim-Subscription-Key': key } });
      await res.arrayBuffer();
      return res.status;
    };
    expect(await call('/tollgate/widgets/7')).toBe(200);
    expect(upstream.seen.at(-1)!.url).toBe('/api/tollgate/widgets/7');
    expect(await call('/users/monalisa')).toBe(404);
  });
});
