/**
 * The admin UI's "Import from OpenAPI", re-import and export, without a browser (real HTTP, real
 * SQLite): a new API from the public Petstore (OpenAPI 3.0 YAML) through the preview and Apply;
 * the preview of an edited Petstore naming exactly what is created, changed and removed, and Apply
 * doing that (the gateway routing the new operation at once); Apply refused after a concurrent
 * change; a bad document shown with where it is wrong; posts without the form token refused; the
 * export downloads documents the parser validates; nobody but an administrator gets in.
 */
import { randomBytes } from 'node:crypto';
import { validate } from '@readme/openapi-parser';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, type TestServer } from '../helpers/server.js';
import { Browser, hiddenFields, messageText, type Res } from '../helpers/portal-browser.js';
import { AdminBrowser, adminBrowser, startAdminServer } from '../helpers/admin.js';
import { activeDeveloper } from '../helpers/users.js';
import { INVALID_PETSTORE, PETSTORE_SWAGGER_JSON as SWAGGER, PETSTORE_YAML as PETSTORE, UNREADABLE_PETSTORE, editedPetstore } from '../helpers/petstore-edits.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { activeSubscription, putProduct } from '../helpers/gateway.js';

/** The preview's section `id` (created, changed, removed): the operation names it lists. */
function listed(page: string, id: string): string[] {
  const section = new RegExp(`<section class="panel import-${id}"[\\s\\S]*?</section>`).exec(page)?.[0] ?? '';
  return [...section.matchAll(/<code class="muted">([^<]+)<\/code>/g)].map((m) => m[1]!);
}

describe.each(BACKENDS)('admin UI: import from OpenAPI (%s)', (backend) => {
  let server: TestServer;
  let admin: AdminBrowser;
  let upstream: Upstream;

  beforeAll(async () => {
    [upstream, server] = await Promise.all([startUpstream(), startAdminServer(backend)]);
    admin = await adminBrowser(server);
  });
  afterAll(() => Promise.all([server?.close(), upstream?.close()]));

  async function preview(page: string, fields: Record<string, string>): Promise<Res> {
    return admin.submit(page, page, { format: 'auto', ...fields });
  }

  async function apply(previewed: Res, apiId: string): Promise<Res> {
    const action = `/admin/apis/${apiId}/import/apply`;
    return admin.post(action, hiddenFields(previewed.text, action));
  }

  async function operationNames(apiId: string): Promise<string[]> {
    const res = await server.request('GET', `/apis/${apiId}/operations`);
    expect(res.status).toBe(200);
    return (res.json.value as { name: string }[]).map((o) => o.name).sort();
  }

  it('imports a new API: the preview lists every operation to create, Apply creates them', async () => {
    const list = await admin.get('/admin/apis');
    expect(list.text).toContain('href="/admin/apis/new/import">Import from OpenAPI</a>');
    const previewed = await preview('/admin/apis/new/import', { path: 'petstore', id: '', value: PETSTORE });
    expect(previewed.status, messageText(previewed.text)).toBe(200);
    expect(previewed.text).toContain('20 operations to create, 0 to change, 0 to remove, 0 unchanged.');
    expect(listed(previewed.text, 'created')).toContain('findpetsbystatus');
    expect(previewed.text).toMatch(/<th scope="row">Service URL<\/th><td>http:\/\/petstore.swagger.io\/v2<\/td>/);
    // Nothing is written by the preview.
    expect((await server.request('GET', '/apis/petstore')).status).toBe(404);

    const applied = await apply(previewed, 'petstore');
    expect(applied.status, applied.text).toBe(303);
    expect(applied.location).toBe('/admin/apis/petstore?notice=api-imported');
    const api = await server.request('GET', '/apis/petstore');
    expect(api.json.properties).toMatchObject({ displayName: 'Swagger Petstore', path: 'petstore', serviceUrl: 'http://petstore.swagger.io/v2' });
    const names = await operationNames('petstore');
    expect(names).toHaveLength(20);
    expect(names).toEqual(expect.arrayContaining(['addpet', 'findpetsbystatus', 'getpetbyid', 'deleteuser', 'getinventory']));
    const page = await admin.get(applied.location!);
    expect(messageText(page.text)).toContain('The API was created from the definition.');
    expect(page.text).toContain('<code>/pet/{petId}</code>');

    // The same id again is not a new API: it is refused, pointing at the id.
    const again = await preview('/admin/apis/new/import', { path: 'petstore-two', id: 'petstore', value: PETSTORE });
    expect(again.status).toBe(400);
    expect(messageText(again.text)).toContain("An API with the id 'petstore' exists already");
  });

  it('previews the re-import of an edited Petstore (created, changed, removed) and applies exactly that; the gateway routes the new operation', async () => {
    const before = await server.request('GET', '/apis/petstore/operations/addpet');
    const edited = editedPetstore(`${upstream.url}/v2`);
    const page = await admin.get('/admin/apis/petstore');
    expect(page.text).toContain('href="/admin/apis/petstore/import">Re-import</a>');
    const previewed = await preview('/admin/apis/petstore/import', { value: edited });
    expect(previewed.status, messageText(previewed.text)).toBe(200);
    expect(previewed.text).toContain('1 operation to create, 1 to change, 1 to remove, 18 unchanged.');
    expect(listed(previewed.text, 'created')).toEqual(['listpets']);
    expect(listed(previewed.text, 'changed')).toEqual(['getinventory']);
    expect(previewed.text).toMatch(/getinventory<\/code><\/th><td>name<\/td>/);
    expect(listed(previewed.text, 'removed')).toEqual(['deleteuser']);
    expect(previewed.text).toContain(`<td>${upstream.url}/v2</td>`);
    expect((await operationNames('petstore')).length).toBe(20);

    const applied = await apply(previewed, 'petstore');
    expect(applied.status, applied.text).toBe(303);
    expect(applied.location).toBe('/admin/apis/petstore?notice=api-reimported');
    const names = await operationNames('petstore');
    expect(names).toContain('listpets');
    expect(names).not.toContain('deleteuser');
    expect((await server.request('GET', '/apis/petstore/operations/getinventory')).json.properties.displayName).toBe('Stock by status');
    // An operation that stays as it was keeps its ETag.
    expect((await server.request('GET', '/apis/petstore/operations/addpet')).headers.get('etag')).toBe(before.headers.get('etag'));

    await putProduct(server, 'pets-product', { displayName: 'Pets', state: 'published', subscriptionRequired: true }, { apis: ['petstore'] });
    await activeDeveloper(server, 'pet-owner');
    const key = await activeSubscription(server, 'pets-sub', 'pet-owner', 'pets-product', 'Pets');
    const call = await fetch(`${server.gatewayUrl}/petstore/pets`, { headers: { 'Ocp-Apim-Subscription-Key': key } });
    expect(call.status).toBe(200);
    expect(upstream.seen.at(-1)?.url).toBe('/v2/pets');
  });

  it('refuses Apply when the API or an operation changed after the preview, and imports nothing', async () => {
    const previewed = await preview('/admin/apis/petstore/import', { value: PETSTORE });
    expect(previewed.status).toBe(200);
    // Someone edits one operation meanwhile (the API's own ETag stays).
    const op = await server.request('GET', '/apis/petstore/operations/listpets');
    expect((await server.request('PATCH', '/apis/petstore/operations/listpets', { headers: { 'if-match': '*' }, body: { properties: { displayName: 'Edited meanwhile' } } })).status).toBe(200);
    const refused = await apply(previewed, 'petstore');
    expect(refused.status).toBe(412);
    expect(messageText(refused.text)).toContain('nothing was imported');
    expect(await operationNames('petstore')).toContain('listpets');
    expect(op.status).toBe(200);

    // And when the API itself changed.
    const second = await preview('/admin/apis/petstore/import', { value: PETSTORE });
    expect((await server.request('PATCH', '/apis/petstore', { headers: { 'if-match': '*' }, body: { properties: { description: 'changed' } } })).status).toBe(200);
    expect((await apply(second, 'petstore')).status).toBe(412);
    expect(await operationNames('petstore')).toContain('listpets');
  });

  it('shows what is wrong with a bad document, with where, and writes nothing', async () => {
    const bad = await preview('/admin/apis/new/import', { path: 'broken', id: 'broken', value: UNREADABLE_PETSTORE });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('What is wrong with the definition');
    expect(bad.text).toMatch(/<code class="where">value \(line \d+, column \d+\)<\/code>/);

    expect(INVALID_PETSTORE).not.toBe(PETSTORE);
    const res = await preview('/admin/apis/new/import', { path: 'broken', id: 'broken', value: INVALID_PETSTORE });
    expect(res.status).toBe(400);
    expect(res.text).toContain('<code class="where">/paths/~1store~1inventory/get/responses/200</code>');
    expect(res.text).toContain('The definition cannot be imported');
    expect((await server.request('GET', '/apis/broken')).status).toBe(404);

    const missing = await preview('/admin/apis/new/import', { path: 'broken', id: 'broken', value: '' });
    expect(missing.status).toBe(400);
    expect(messageText(missing.text)).toContain('Upload the definition file, paste its text, or give its URL.');
  });

  it('previews a definition given by URL (downloaded once: Apply imports what was previewed) and detects Swagger 2.0 JSON', async () => {
    const docs = await startUpstream(() => JSON.parse(SWAGGER));
    try {
      const byUrl = await preview('/admin/apis/new/import', { path: 'swagger-pets', id: 'swagger-pets', value: '', url: `${docs.url}/petstore.json` });
      expect(byUrl.status, messageText(byUrl.text)).toBe(200);
      expect(byUrl.text).toContain('20 operations to create');
      const fields = hiddenFields(byUrl.text, '/admin/apis/swagger-pets/import/apply');
      expect(fields.format).toBe('swagger-json');
      expect(docs.seen).toHaveLength(1);
      const applied = await admin.post('/admin/apis/swagger-pets/import/apply', fields);
      expect(applied.status, applied.text).toBe(303);
      expect(docs.seen).toHaveLength(1);
      expect(await operationNames('swagger-pets')).toHaveLength(20);
      expect((await server.request('GET', '/apis/swagger-pets')).json.properties.serviceUrl).toBe('http://petstore.swagger.io/v2');
    } finally {
      await docs.close();
    }
    const badUrl = await preview('/admin/apis/new/import', { path: 'nowhere', id: 'nowhere', url: 'ftp://example.com/x.json' });
    expect(badUrl.status).toBe(400);
    expect(badUrl.text).toMatch(/id="import-url-error"[^>]*>[^<]*only http and https/);
  });

  it('takes a 1000-operation definition over 1 MB; its preview lists 100 operations, then how many more, and stays small', async () => {
    const paths = Object.fromEntries(
      Array.from({ length: 1000 }, (_, i) => [`/items/${i}/{id}`, { get: { operationId: `getItem${i}`, summary: `Item ${i} `.repeat(20), description: 'A long description of the item. '.repeat(40), parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { '200': { description: 'The item' } } } }]),
    );
    const value = JSON.stringify({ openapi: '3.0.3', info: { title: 'Many items', version: '1' }, paths });
    const res = await preview('/admin/apis/new/import', { path: 'many', id: 'many', value });
    expect(res.status, messageText(res.text)).toBe(200);
    expect(res.text).toContain('1000 operations to create');
    expect(listed(res.text, 'created')).toHaveLength(100);
    expect(res.text).toContain('and 900 more operations not listed here.');
    // Past the admin UI's usual 1 MB form limit; the definition travels compressed in the Apply form: the page stays far below its size.
    expect(value.length).toBeGreaterThan(1024 * 1024);
    expect(res.text.length).toBeLessThan(value.length / 2);
    const applied = await apply(res, 'many');
    expect(applied.status, applied.text).toBe(303);
    expect((await server.request('GET', '/apis/many/operations?$top=1')).json.count).toBe(1000);
  });

  it('refuses posts without the form token', async () => {
    const previewed = await preview('/admin/apis/petstore/import', { value: PETSTORE });
    const fields = hiddenFields(previewed.text, '/admin/apis/petstore/import/apply');
    const { _csrf: _token, ...withoutToken } = fields;
    const refused = await admin.post('/admin/apis/petstore/import/apply', withoutToken);
    expect(refused.status).toBe(403);
    expect((await admin.post('/admin/apis/new/import', { path: 'x', value: PETSTORE })).status).toBe(403);
    expect(await operationNames('petstore')).toContain('listpets');
  });

  it('exports documents the parser validates, as downloads', async () => {
    const yaml = await admin.get('/admin/apis/petstore/export?format=openapi-link');
    expect(yaml.status).toBe(200);
    expect(yaml.headers.get('content-disposition')).toBe('attachment; filename="petstore.yaml"');
    expect(yaml.headers.get('content-type')).toMatch(/^application\/yaml/);
    const doc = parse(yaml.text) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.0.1');
    expect((await validate(structuredClone(doc) as never)).valid).toBe(true);

    const json = await admin.get(`/admin/apis/petstore/export?format=${encodeURIComponent('openapi+json-link')}`);
    expect(json.headers.get('content-disposition')).toBe('attachment; filename="petstore.json"');
    expect((await validate(JSON.parse(json.text) as never)).valid).toBe(true);

    const swagger = await admin.get('/admin/apis/petstore/export?format=swagger-link');
    const swaggerDoc = JSON.parse(swagger.text) as { swagger: string };
    expect(swaggerDoc.swagger).toBe('2.0');
    expect((await validate(swaggerDoc as never)).valid).toBe(true);

    expect((await admin.get('/admin/apis/petstore/export?format=wsdl-link')).status).toBe(404);
    expect((await admin.get('/admin/apis/nothing-here/export?format=openapi-link')).status).toBe(404);
  });

  it('keeps developers and anonymous visitors out', async () => {
    const { id, password } = await activeDeveloper(server, `dev-${randomBytes(4).toString('hex')}`);
    const portal = new Browser(server);
    await portal.signIn(`${id}@example.com`, password);
    const forged = new AdminBrowser(server);
    forged.jar.set('tg_admin', portal.cookie('tg_session')!);
    for (const path of ['/admin/apis/new/import', '/admin/apis/petstore/import', '/admin/apis/petstore/export?format=openapi-link']) {
      const res = await forged.get(path);
      expect(res.status).toBe(303);
      expect(res.location).toMatch(/^\/admin\/signin/);
    }
    expect((await forged.post('/admin/apis/new/import', { path: 'dev', value: PETSTORE })).status).toBe(303);
    expect((await server.request('GET', '/apis/dev')).status).toBe(404);
  });
});
