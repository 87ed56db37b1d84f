/**
 * The developer portal's API reference over real HTTP, as a browser without JavaScript uses it:
 * the public Petstore (OpenAPI 3.0) imported through the management API, its API and operation
 * pages with what the source document says (parameters, descriptions, responses, schemas), an
 * operation with examples, visibility as the catalogue's (404 otherwise), the OpenAPI download
 * (valid, the gateway as server), and Try it: a real call through the real gateway to a real
 * upstream with the developer's own key, refused for someone else's subscription, a suspended or
 * cancelled one, without the form's token, past the per-minute limit, and never leaving the gateway.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { publicFixture, publicFixturePath } from '../fixtures/openapi/public/index.js';
import { activeSubscription, putProduct } from '../helpers/gateway.js';
import { uniqueIds } from '../helpers/ids.js';
import { freePort } from '../helpers/net.js';
import { Browser, hiddenFields, messageText, unescapeHtml, type Res } from '../helpers/portal-browser.js';
import { BACKENDS, startServer, type TestServer } from '../helpers/server.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { activeDeveloper, type TestUser } from '../helpers/users.js';
import { TRY_IT_CALLS_PER_MINUTE } from '../../src/domain/api-reference/try-it.js';

const CSP_TRY_IT =
  "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const unique = uniqueIds(3);

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const petstoreText = readFileSync(publicFixturePath(publicFixture('petstore-openapi-3.0')), 'utf8');
const petstore = JSON.parse(petstoreText) as Json;

function expectPage(res: Res, status = 200): void {
  expect(res.status, res.text.slice(0, 2000)).toBe(status);
  expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(res.text).not.toMatch(/ style="| on[a-z]+="/i);
  for (const m of res.text.matchAll(/<(?:input|select|textarea) id="([^"]+)"/g)) expect(res.text).toContain(`<label for="${m[1]}">`);
}

/** The text of a page without tags, entities decoded, whitespace collapsed. */
const textOf = (html: string) =>
  unescapeHtml(html.replace(/<caption[\s\S]*?<\/caption>/g, '').replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');

/** The Try it section of an operation page. */
const tryItOf = (page: string) => /<section class="card broad try-it"[\s\S]*?<\/section>/.exec(page)?.[0] ?? '';

describe.each(BACKENDS)('developer portal API reference and Try it (%s)', (backend) => {
  let server: TestServer;
  let upstream: Upstream;
  let gatewayUrl: string;
  let dev: TestUser;
  let browser: Browser;
  let sid: string;
  let key: string;

  beforeAll(async () => {
    upstream = await startUpstream((r) =>
      r.url.endsWith('/pet/huge') ? { huge: 'x'.repeat(400_000) } : { ok: true, path: r.url, method: r.method, body: r.body, type: r.headers['content-type'] ?? null, marker: '<b>not markup</b>' },
    );
    // Try it calls GATEWAY_PUBLIC_URL: the gateway's real address here.
    const gatewayPort = await freePort();
    gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    server = await startServer(backend, { env: { GATEWAY_PORT: String(gatewayPort), GATEWAY_PUBLIC_URL: gatewayUrl } });
    const imported = await server.request('PUT', '/apis/petstore', {
      body: { properties: { format: 'openapi+json', value: petstoreText, path: 'petstore', serviceUrl: `${upstream.url}/v2` } },
    });
    expect([200, 201], imported.text).toContain(imported.status);
    const examples = await server.request('PUT', '/apis/notes', { body: { properties: { displayName: 'Notes', path: 'notes', serviceUrl: upstream.url, protocols: ['http', 'https'] } } });
    expect(examples.status, examples.text).toBe(201);
    const op = await server.request('PUT', '/apis/notes/operations/create-note', {
      body: {
        properties: {
          displayName: 'Create a note',
          method: 'POST',
          urlTemplate: '/folders/{folder}/notes',
          description: 'Adds a note to a folder.',
          templateParameters: [{ name: 'folder', type: 'string', required: true, description: 'The folder’s name' }],
          request: {
            description: 'The note to add.',
            queryParameters: [{ name: 'mode', type: 'string', required: false, values: ['draft', 'final'], defaultValue: 'draft', description: 'How to file it' }],
            headers: [{ name: 'X-Trace', type: 'string', required: false, description: 'A trace id' }, { name: 'Host', type: 'string', required: false }],
            representations: [{ contentType: 'application/json', examples: { default: { value: { title: 'Groceries', text: '<script>alert(1)</script>' } } } }],
          },
          responses: [{ statusCode: 201, description: 'The note was added.', headers: [{ name: 'Location', type: 'string', description: 'Where the note is' }] }, { statusCode: 409, description: 'A note of that title exists.' }],
        },
      },
    });
    expect(op.status, op.text).toBe(201);
    expect((await server.request('PUT', '/apis/hidden', { body: { properties: { displayName: 'Hidden API', path: 'hidden', serviceUrl: upstream.url, protocols: ['http', 'https'] } } })).status).toBe(201);
    expect((await server.request('PUT', '/groups/partners', { body: { properties: { displayName: 'Partners' } } })).status).toBe(201);
    await putProduct(server, 'pets', { displayName: 'Pet shop', subscriptionRequired: true, approvalRequired: false, state: 'published' }, { groups: ['developers'], apis: ['petstore', 'notes'] });
    await putProduct(server, 'open-notes', { displayName: 'Notes for everyone', subscriptionRequired: true, approvalRequired: false, state: 'published' }, { groups: ['guests'], apis: ['notes'] });
    await putProduct(server, 'partners', { displayName: 'Partners only', subscriptionRequired: true, approvalRequired: false, state: 'published' }, { groups: ['partners'], apis: ['hidden'] });

    dev = await activeDeveloper(server, unique('dev'));
    sid = unique('sub');
    key = await activeSubscription(server, sid, dev.id, 'pets', 'My pet app');
    browser = new Browser(server);
    await browser.signIn(dev.email, dev.password);
  });

  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  describe('pages', () => {
    it('links the product page to the API reference and its operations', async () => {
      const product = await browser.get('/products/pets');
      expectPage(product);
      expect(product.text).toContain('href="/apis/petstore"');
      expect(product.text).toContain('href="/apis/petstore/operations/getpetbyid"');
    });

    it("shows the API: gateway base URL, key header and query parameter, downloads, and every operation of the source document", async () => {
      const res = await browser.get('/apis/petstore');
      expectPage(res);
      expect(res.text).toContain(`<h1 id="page-heading">${petstore.info.title}</h1>`);
      expect(res.text).toContain(`<code>${gatewayUrl}/petstore</code>`);
      expect(res.text).toContain('<code>Ocp-Apim-Subscription-Key</code>');
      expect(res.text).toContain('<code>subscription-key</code>');
      expect(res.text).toContain('href="/apis/petstore/openapi.json"');
      expect(res.text).toContain('href="/apis/petstore/openapi.yaml"');
      expect(res.text).toContain('<a href="/products/pets">Pet shop</a>');
      for (const [path, item] of Object.entries(petstore.paths as Json)) {
        for (const [method, operation] of Object.entries(item as Json)) {
          const name = String(operation.operationId).toLowerCase();
          const link = new RegExp(`<a href="/apis/petstore/operations/${name}"><span class="method-badge method-${method}">${method.toUpperCase()}</span> <span class="name">([^<]*)</span></a> <code class="template">([^<]*)</code>`);
          const found = link.exec(res.text);
          expect(found, `${method} ${path}`).not.toBeNull();
          expect(unescapeHtml(found![1]!)).toBe(operation.summary);
          expect(unescapeHtml(found![2]!).split('?')[0]).toBe(path);
        }
      }
    });

    it('shows an operation with its parameters, descriptions and responses from the source document', async () => {
      const byStatus = await browser.get('/apis/petstore/operations/findpetsbystatus');
      expectPage(byStatus);
      const source = petstore.paths['/pet/findByStatus'].get;
      const text = textOf(byStatus.text);
      expect(byStatus.text).toContain('<span class="method-badge method-get">GET</span>');
      expect(text).toContain(`${gatewayUrl}/petstore/pet/findByStatus`);
      expect(text).toContain(source.description);
      expect(text).toContain('Query parameters');
      expect(text).toContain(`status array required ${source.parameters[0].description}`);
      for (const [code, response] of Object.entries(source.responses as Json)) expect(text).toContain(`${code} ${response.description}`);

      const byId = textOf((await browser.get('/apis/petstore/operations/getpetbyid')).text);
      const petId = petstore.paths['/pet/{petId}'].get.parameters[0];
      expect(byId).toContain(`Path parameters Name Type Required Description petId ${petId.schema.type} required ${petId.description}`);
      const remove = textOf((await browser.get('/apis/petstore/operations/deletepet')).text);
      expect(remove).toContain('Headers Name Type Required Description api_key string optional');
      // Bodies: each content type the document gives.
      const add = (await browser.get('/apis/petstore/operations/addpet')).text;
      for (const type of Object.keys(petstore.components.requestBodies.Pet.content)) expect(add).toMatch(new RegExp(`<h4>[^\n]*<code>${type.replace(/[+/]/g, '\\$&')}</code>[^\n]*</h4>`));
    });

    it("draws the schemas of bodies and responses from the API's schemas, property by property as the document has them", async () => {
      const page = await browser.get('/apis/petstore/operations/getpetbyid');
      expectPage(page);
      const pet = petstore.components.schemas.Pet as Json;
      const table = /<table class="reference schema">[\s\S]*?<\/table>/.exec(page.text)?.[0] ?? '';
      const rows = [...table.matchAll(/<tr>\s*<th scope="row" class="depth-(\d)"><code>([^<]+)<\/code><\/th>\s*<td><code class="type">([^<]+)<\/code>[\s\S]*?<td>(<span class="req">required<\/span>|<span class="muted">optional<\/span>)<\/td>/g)].map((m) => ({
        depth: Number(m[1]),
        name: m[2]!,
        type: unescapeHtml(m[3]!),
        required: m[4]!.includes('required'),
      }));
      const top = rows.filter((r) => r.depth === 0);
      expect(top.map((r) => r.name)).toEqual(Object.keys(pet.properties));
      for (const row of top) {
        const source = pet.properties[row.name] as Json;
        expect(row.required, row.name).toBe((pet.required as string[]).includes(row.name));
        const expected = source.$ref
          ? `object (${String(source.$ref).split('/').pop()})`
          : source.type === 'array'
            ? `array of ${source.items.$ref ? String(source.items.$ref).split('/').pop() : source.items.type}`
            : source.type;
        expect(row.type, row.name).toBe(expected);
      }
      // Category's and Tag's own properties sit under theirs.
      const category = petstore.components.schemas.Category as Json;
      const under = rows.slice(rows.findIndex((r) => r.name === 'category') + 1).filter((_row, i, all) => all.slice(0, i + 1).every((x) => x.depth === 1));
      expect(under.map((r) => r.name)).toEqual(Object.keys(category.properties));
      expect(textOf(table)).toContain(`One of: ${(pet.properties.status.enum as string[]).join(' , ')}`);
      // XML and JSON of the same type: one table.
      expect(page.text).toMatch(/<h4><code>application\/xml<\/code>, <code>application\/json<\/code><\/h4>/);
      expect(page.text).toContain('Schema: <strong>Pet</strong> <code class="type">object</code>');
    });

    it('shows examples pretty-printed and escaped, enum values, defaults and response headers', async () => {
      const res = await browser.get('/apis/notes/operations/create-note');
      expectPage(res);
      expect(res.text).not.toContain('<script>alert');
      expect(res.text).toContain('&quot;text&quot;: &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;');
      expect(res.text).toMatch(/<pre class="code"><code>\{\n {2}&quot;title&quot;: &quot;Groceries&quot;,/);
      const text = textOf(res.text);
      expect(text).toContain('mode string optional How to file it One of: draft , final Default: draft');
      expect(text).toContain('201 The note was added. Name Type Required Description Location string optional Where the note is');
      expect(text).toContain('409 A note of that title exists.');
      // The body textarea starts with the example.
      expect(res.text).toMatch(/<textarea id="try-body" name="body"[^>]*>\{\n {2}&quot;title&quot;/);
    });

    it('answers 404 for an API or operation the visitor may not see, or that does not exist, and says nothing more', async () => {
      const guest = new Browser(server);
      for (const [who, path] of [
        [browser, '/apis/hidden'],
        [browser, '/apis/hidden/operations/anything'],
        [browser, '/apis/hidden/openapi.json'],
        [browser, '/apis/no-such-api'],
        [browser, '/apis/petstore/operations/no-such-operation'],
        [browser, '/apis/petstore/openapi.txt'],
        [guest, '/apis/petstore'],
        [guest, '/apis/petstore/operations/getpetbyid'],
        [guest, '/apis/petstore/openapi.yaml'],
      ] as const) {
        const res = await who.get(path);
        expectPage(res, 404);
        expect(res.text, path).toContain('Page not found');
        expect(res.text).not.toContain('Hidden API');
      }
      // Joining the group that sees the product shows the API.
      const partner = await activeDeveloper(server, unique('partner'));
      expect((await server.request('PUT', `/groups/partners/users/${partner.id}`)).status).toBe(201);
      const b = new Browser(server);
      await b.signIn(partner.email, partner.password);
      expectPage(await b.get('/apis/hidden'));
    });

    it('keeps the page of an API with 1000 operations small and quick: names and links only', async () => {
      const paths = Object.fromEntries(
        Array.from({ length: 1000 }, (_, i) => [`/things/${i}/{id}`, { get: { operationId: `getThing${i}`, summary: `Get thing ${i}`, parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'OK' } } } }]),
      );
      const doc = { openapi: '3.0.3', info: { title: 'Many things', version: '1' }, paths };
      const res = await server.request('PUT', '/apis/big', { body: { properties: { format: 'openapi+json', value: JSON.stringify(doc), path: 'big', serviceUrl: upstream.url } } });
      expect([200, 201], res.text.slice(0, 300)).toContain(res.status);
      expect((await server.request('PUT', '/products/pets/apis/big')).status).toBe(201);
      const started = performance.now();
      const page = await browser.get('/apis/big');
      const took = performance.now() - started;
      expectPage(page);
      expect(page.text.match(/<li><a href="\/apis\/big\/operations\//g)).toHaveLength(1000);
      // About 250 bytes an operation: no parameters, schemas or bodies on this page.
      expect(page.text.length).toBeLessThan(300_000);
      expect(took, `${took} ms`).toBeLessThan(2000);
    });

    it('downloads the OpenAPI document, valid, with the gateway as its server', async () => {
      const json = await browser.get('/apis/petstore/openapi.json');
      expect(json.status).toBe(200);
      expect(json.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(json.headers.get('content-disposition')).toBe('attachment; filename="petstore.json"');
      const doc = JSON.parse(json.text) as Json;
      expect(doc.servers).toEqual([{ url: `${gatewayUrl}/petstore` }]);
      const result = await validate(structuredClone(doc) as never);
      expect(result.valid, JSON.stringify(result)).toBe(true);
      const ids = Object.values(doc.paths as Json).flatMap((item) => Object.values(item as Json).map((o) => (o as Json).operationId as string));
      expect(ids.sort()).toEqual(
        Object.values(petstore.paths as Json)
          .flatMap((item) => Object.values(item as Json).map((o) => String((o as Json).operationId).toLowerCase()))
          .sort(),
      );
      const yaml = await browser.get('/apis/petstore/openapi.yaml');
      expect(yaml.headers.get('content-type')).toBe('application/yaml; charset=utf-8');
      expect((parseYaml(yaml.text) as Json).servers).toEqual([{ url: `${gatewayUrl}/petstore` }]);
    });
  });

  describe('Try it', () => {
    const action = '/apis/petstore/operations/getpetbyid/try#try-it';

    async function tryIt(who: Browser, operationPage: string, tryAction: string, fields: Record<string, string>): Promise<Res> {
      const page = await who.get(operationPage);
      expectPage(page);
      return who.post(tryAction.replace(/#.*$/, ''), { ...hiddenFields(page.text, tryAction), ...fields });
    }

    it("offers the developer's own active subscriptions by name, never a key, and sign-in to a visitor", async () => {
      const page = await browser.get('/apis/petstore/operations/getpetbyid');
      expect(page.headers.get('content-security-policy')).toBe(CSP_TRY_IT);
      const section = tryItOf(page.text);
      expect(section).toContain(`<option value="${sid}">My pet app</option>`);
      expect(page.text).not.toContain(key);
      expect(section).toContain('name="path:petId"');
      const guest = tryItOf((await new Browser(server).get('/apis/notes/operations/create-note')).text);
      expect(guest).toContain('href="/signin?returnTo=%2Fapis%2Fnotes%2Foperations%2Fcreate-note"');
      expect(guest).not.toContain('<form');
    });

    it("sends the call through the gateway to the backend with the developer's key, and shows the answer", async () => {
      const before = upstream.seen.length;
      const res = await tryIt(browser, '/apis/petstore/operations/getpetbyid', action, { subscription: sid, 'path:petId': '7' });
      expectPage(res);
      expect(upstream.seen.length).toBe(before + 1);
      const seen = upstream.seen.at(-1)!;
      expect(seen.method).toBe('GET');
      expect(seen.url).toBe('/v2/pet/7');
      const answer = tryItOf(res.text);
      expect(answer).toContain('<span class="status status-2xx">200</span>');
      expect(answer).toContain(`GET <code>${gatewayUrl}/petstore/pet/7</code>`);
      expect(answer).toContain('&quot;path&quot;: &quot;/v2/pet/7&quot;');
      expect(answer).toContain('&lt;b&gt;not markup&lt;/b&gt;');
      expect(answer).toContain('<dt><code>content-type</code></dt><dd><code>application/json</code></dd>');
      expect(res.text).not.toContain(key);
      // The call counted for the subscription like any other: the gateway answered it with this key.
      const wrong = await fetch(`${gatewayUrl}/petstore/pet/7`, { headers: { 'Ocp-Apim-Subscription-Key': key } });
      expect(wrong.status).toBe(200);
    });

    it('sends the body, content type, declared query parameters and headers; refuses reserved headers and missing values', async () => {
      const page = '/apis/notes/operations/create-note';
      const tryAction = '/apis/notes/operations/create-note/try#try-it';
      const res = await tryIt(browser, page, tryAction, {
        subscription: sid,
        'path:folder': 'a b+c',
        'query:mode': 'final',
        'header:X-Trace': 'trace-1',
        contentType: 'application/json',
        body: '{"title":"x"}',
      });
      expectPage(res);
      const seen = upstream.seen.at(-1)!;
      expect(seen.method).toBe('POST');
      expect(seen.url).toBe('/folders/a%20b%2Bc/notes?mode=final');
      expect(seen.headers['x-trace']).toBe('trace-1');
      expect(seen.headers['content-type']).toBe('application/json');
      expect(seen.body).toBe('{"title":"x"}');

      const count = upstream.seen.length;
      const refused = await tryIt(browser, page, tryAction, { subscription: sid, 'path:folder': '', 'header:Host': 'evil.example', contentType: 'application/json', body: '{}' });
      expectPage(refused, 400);
      const text = messageText(refused.text);
      expect(text).toContain('Enter a value for folder: it is required.');
      expect(text).toContain('The header Host cannot be set here.');
      expect(upstream.seen.length).toBe(count);
    });

    it("goes through the gateway's policies, and cuts a long answer off", async () => {
      const policy = '<policies><inbound><base /><set-header name="X-Policy" exists-action="override"><value>applied</value></set-header></inbound><backend><base /></backend><outbound><base /></outbound></policies>';
      const put = await server.request('PUT', '/apis/petstore/policies/policy', { body: { properties: { value: policy, format: 'xml' } } });
      expect([200, 201], put.text).toContain(put.status);
      try {
        const res = await tryIt(browser, '/apis/petstore/operations/getpetbyid', action, { subscription: sid, 'path:petId': 'huge' });
        expectPage(res);
        expect(upstream.seen.at(-1)!.headers['x-policy']).toBe('applied');
        const answer = tryItOf(res.text);
        expect(answer).toContain('The answer was longer than this shows; it is cut off.');
        expect(answer.length).toBeLessThan(80_000);
      } finally {
        expect((await server.request('DELETE', '/apis/petstore/policies/policy', { headers: { 'if-match': '*' } })).status).toBe(200);
      }
    });

    it('never leaves the gateway, whatever the values', async () => {
      const evil = createServer((_req, res) => res.end('reached'));
      const evilHits: string[] = [];
      evil.on('request', (req) => evilHits.push(req.url ?? ''));
      await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
      const evilHost = `127.0.0.1:${(evil.address() as { port: number }).port}`;
      try {
        for (const value of [`//${evilHost}/x`, `http://${evilHost}/`, `@${evilHost}`, `..%2F..%2F`, `%2e%2e`, `x?y=1#z`, `\\\\${evilHost}`]) {
          const before = upstream.seen.length;
          const res = await tryIt(browser, '/apis/petstore/operations/getpetbyid', action, { subscription: sid, 'path:petId': value });
          expectPage(res);
          // The value is one encoded path segment on the gateway; the gateway may route it to the backend or refuse it itself.
          const sent = /GET <code>([^<]+)<\/code>/.exec(tryItOf(res.text))?.[1];
          expect(sent && unescapeHtml(sent)).toBe(`${gatewayUrl}/petstore/pet/${encodeURIComponent(value)}`);
          // An encoded slash or dot segment the gateway refuses itself (400); anything else reaches the backend as the one segment.
          const status = /id="try-it-answer"[^>]*>Answer <span class="status status-\dxx">(\d+)/.exec(res.text)?.[1];
          expect(upstream.seen.length > before ? '200' : '400', value).toBe(status);
          if (upstream.seen.length > before) expect(decodeURIComponent(upstream.seen.at(-1)!.url.slice('/v2/pet/'.length))).toBe(value);
        }
        for (const value of ['..', '.']) {
          const res = await tryIt(browser, '/apis/petstore/operations/getpetbyid', action, { subscription: sid, 'path:petId': value });
          expectPage(res, 400);
          expect(messageText(res.text)).toContain(`The value of petId cannot be "${value}".`);
        }
        expect(evilHits).toEqual([]);
      } finally {
        await new Promise<void>((resolve) => evil.close(() => resolve()));
      }
    });

    it("refuses another developer's subscription, and a suspended or cancelled one of the developer's own", async () => {
      const other = await activeDeveloper(server, unique('other'));
      const otherSid = unique('sub');
      await activeSubscription(server, otherSid, other.id, 'pets', 'Not yours');
      const mine = await browser.get('/apis/petstore/operations/getpetbyid');
      expect(tryItOf(mine.text)).not.toContain('Not yours');
      const before = upstream.seen.length;
      for (const chosen of [otherSid, 'no-such-subscription', '']) {
        const res = await tryIt(browser, '/apis/petstore/operations/getpetbyid', action, { subscription: chosen, 'path:petId': '1' });
        expectPage(res, 400);
        expect(messageText(res.text)).toContain('Choose one of your active subscriptions to this API.');
      }
      for (const state of ['suspended', 'cancelled']) {
        const own = unique('sub');
        await activeSubscription(server, own, dev.id, 'pets', `Soon ${state}`);
        expect((await server.request('PATCH', `/subscriptions/${own}`, { body: { properties: { state } }, headers: { 'if-match': '*' } })).status).toBe(200);
        const page = await browser.get('/apis/petstore/operations/getpetbyid');
        expect(tryItOf(page.text)).not.toContain(`Soon ${state}`);
        const res = await browser.post('/apis/petstore/operations/getpetbyid/try', { ...hiddenFields(page.text, action), subscription: own, 'path:petId': '1' });
        expectPage(res, 400);
        expect(messageText(res.text)).toContain('Choose one of your active subscriptions to this API.');
      }
      expect(upstream.seen.length).toBe(before);
    });

    it('needs a signed-in developer and the form token of their session', async () => {
      const page = await browser.get('/apis/petstore/operations/getpetbyid');
      const fields = { ...hiddenFields(page.text, action), subscription: sid, 'path:petId': '1' };
      const before = upstream.seen.length;
      for (const token of [{ _csrf: '' }, { _csrf: 'x'.repeat(43) }]) {
        const res = await browser.post('/apis/petstore/operations/getpetbyid/try', { ...fields, ...token });
        expect(res.status).toBe(403);
      }
      const crossSite = await browser.post('/apis/petstore/operations/getpetbyid/try', fields, { origin: 'https://evil.example' });
      expect(crossSite.status).toBe(403);
      const guest = await new Browser(server).post('/apis/petstore/operations/getpetbyid/try', fields);
      expect(guest.status).toBe(303);
      expect(guest.location).toMatch(/^\/signin/);
      expect(upstream.seen.length).toBe(before);
    });

    it(`allows ${TRY_IT_CALLS_PER_MINUTE} calls a minute per developer, then says when to try again`, async () => {
      const busy = await activeDeveloper(server, unique('busy'));
      const busySid = unique('sub');
      await activeSubscription(server, busySid, busy.id, 'pets', 'Busy app');
      const b = new Browser(server);
      await b.signIn(busy.email, busy.password);
      const page = await b.get('/apis/petstore/operations/getinventory');
      const fields = { ...hiddenFields(page.text, '/apis/petstore/operations/getinventory/try#try-it'), subscription: busySid };
      for (let i = 0; i < TRY_IT_CALLS_PER_MINUTE; i++) expect((await b.post('/apis/petstore/operations/getinventory/try', fields)).status).toBe(200);
      const before = upstream.seen.length;
      const refused = await b.post('/apis/petstore/operations/getinventory/try', fields);
      expectPage(refused, 429);
      expect(messageText(refused.text)).toMatch(/You have made many calls in a short time\. Try again after \d\d:\d\d:\d\d UTC\./);
      expect(upstream.seen.length).toBe(before);
      // Others are not held up by it.
      expect((await tryIt(browser, '/apis/petstore/operations/getinventory', '/apis/petstore/operations/getinventory/try#try-it', { subscription: sid })).status).toBe(200);
    });
  });
});
