/**
 * The admin UI's named values without a browser, over real HTTP: created, listed, edited and
 * deleted through the same service as the management API (seen there); a secret's value appears
 * on no page but the one an explicit "Show value" POST answers (and never comes back in a refused
 * form); a named value a policy uses cannot be deleted, and the page says which policy uses it;
 * forms without their token are refused, stale ones answered 412.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, type TestServer } from '../helpers/server.js';
import { hiddenFields, messageText } from '../helpers/portal-browser.js';
import { AdminBrowser, adminBrowser, startAdminServer } from '../helpers/admin.js';

const SECRET = 'sk_live_4f9c2b7e1a0d8c6f3b5e9a2d7c1f0e8b';
const NEW_SECRET = 'sk_live_second_0a1b2c3d4e5f';

const USING_BACKEND_KEY = [
  '<policies>',
  '  <inbound>',
  '    <base />',
  '    <set-header name="X-Backend-Key" exists-action="override">',
  '      <value>{{backend-key}}</value>',
  '    </set-header>',
  '  </inbound>',
  '  <backend><base /></backend>',
  '  <outbound><base /></outbound>',
  '</policies>',
].join('\n');

describe.each(BACKENDS)('admin UI: named values (%s)', (backend) => {
  let server: TestServer;
  let admin: AdminBrowser;

  const managed = (id: string) => server.request('GET', `/namedValues/${id}`);
  const valueOf = async (id: string) => (await server.request('POST', `/namedValues/${id}/listValue`)).json?.value as string | undefined;

  beforeAll(async () => {
    server = await startAdminServer(backend);
    admin = await adminBrowser(server);
  });
  afterAll(async () => server?.close());

  it('creates a plain and a secret named value, the id derived from the name', async () => {
    const plain = await admin.submit('/admin/named-values/new', '/admin/named-values/new', { displayName: 'backend-url', value: 'https://backend.example/v2', tags: 'urls, backends', id: '' });
    expect(plain.status, plain.text).toBe(303);
    expect(plain.location).toBe('/admin/named-values/backend-url?notice=named-value-created');
    expect((await managed('backend-url')).json.properties).toMatchObject({ displayName: 'backend-url', value: 'https://backend.example/v2', secret: false, tags: ['urls', 'backends'] });

    const secret = await admin.submit('/admin/named-values/new', '/admin/named-values/new', { displayName: 'backend-key', value: SECRET, secret: 'yes', id: 'key1' });
    expect(secret.status, secret.text).toBe(303);
    expect(secret.location).toBe('/admin/named-values/key1?notice=named-value-created');
    const stored = await managed('key1');
    expect(stored.json.properties.secret).toBe(true);
    expect(stored.json.properties.value).toBeUndefined();
    expect(await valueOf('key1')).toBe(SECRET);
  });

  it('lists them with a secret shown as "Secret", never its value', async () => {
    const list = await admin.get('/admin/named-values');
    expect(list.status).toBe(200);
    expect(list.text).toContain('<a href="/admin/policy" aria-current="page">Policies</a>');
    expect(list.text).toContain('<a href="/admin/named-values" aria-current="page">Named values</a>');
    expect(list.text).toMatch(/<a href="\/admin\/named-values\/backend-url"><code>backend-url<\/code><\/a><\/th>\s*<td><code class="named-value">https:\/\/backend.example\/v2<\/code><\/td>\s*<td>urls, backends<\/td>/);
    expect(list.text).toMatch(/<a href="\/admin\/named-values\/key1"><code>backend-key<\/code><\/a><\/th>\s*<td><span class="state sealed">Secret<\/span><\/td>/);
    expect(list.text).not.toContain(SECRET);

    const search = await admin.get('/admin/named-values?q=URL');
    expect(search.text).toContain('backend-url');
    expect(search.text).not.toContain('/admin/named-values/key1');
    expect(search.text).toContain('value="URL"');
    const quote = await admin.get(`/admin/named-values?q=${encodeURIComponent("it's")}`);
    expect(quote.status).toBe(200);
    expect(quote.text).toContain('No named value has a name that contains this.');
  });

  it("shows a secret's value only when asked with a POST (with the form's token)", async () => {
    const page = await admin.get('/admin/named-values/key1');
    expect(page.status).toBe(200);
    expect(page.text).not.toContain(SECRET);
    expect(page.text).toContain('<code>{{backend-key}}</code>');
    const shown = await admin.submit('/admin/named-values/key1', '/admin/named-values/key1/value');
    expect(shown.status).toBe(200);
    expect(shown.headers.get('cache-control')).toContain('no-store');
    expect(shown.text).toContain(`<code class="secret" aria-labelledby="named-value-shown-label">${SECRET}</code>`);
    // The edit form on that page still leaves the value out.
    expect(shown.text).toMatch(/<textarea id="named-value-value"[^>]*>\n<\/textarea>/);

    const forged = await admin.post('/admin/named-values/key1/value', {});
    expect(forged.status).toBe(403);
    expect(forged.text).not.toContain(SECRET);
    // A GET of that address is no way to it either.
    expect((await admin.get('/admin/named-values/key1/value')).text).not.toContain(SECRET);
  });

  it('edits a plain value with its tag, and answers a stale form with 412', async () => {
    const fields = await admin.formFields('/admin/named-values/backend-url', '/admin/named-values/backend-url');
    expect(fields.etag).toBe((await managed('backend-url')).headers.get('etag')!.replace(/"/g, ''));
    const saved = await admin.post('/admin/named-values/backend-url', { ...fields, displayName: 'backend-url', value: 'https://backend.example/v3', tags: '' });
    expect(saved.status, saved.text).toBe(303);
    expect(saved.location).toBe('/admin/named-values/backend-url?notice=named-value-saved');
    expect((await managed('backend-url')).json.properties).toMatchObject({ value: 'https://backend.example/v3', tags: [] });

    const stale = await admin.post('/admin/named-values/backend-url', { ...fields, displayName: 'backend-url', value: 'lost update' });
    expect(stale.status).toBe(412);
    expect((await managed('backend-url')).json.properties.value).toBe('https://backend.example/v3');
  });

  it("keeps a secret's value when its field is left empty, and replaces it when a new one is typed", async () => {
    const fields = await admin.formFields('/admin/named-values/key1', '/admin/named-values/key1');
    const kept = await admin.post('/admin/named-values/key1', { ...fields, displayName: 'backend-key', value: '', secret: 'yes', tags: 'keys' });
    expect(kept.status, kept.text).toBe(303);
    expect(await valueOf('key1')).toBe(SECRET);
    expect((await managed('key1')).json.properties.tags).toEqual(['keys']);

    const replaced = await admin.submit('/admin/named-values/key1', '/admin/named-values/key1', { displayName: 'backend-key', value: NEW_SECRET, secret: 'yes', tags: 'keys' });
    expect(replaced.status, replaced.text).toBe(303);
    expect(await valueOf('key1')).toBe(NEW_SECRET);
  });

  it('keeps the form and writes nothing when the service refuses it, never showing a typed secret back', async () => {
    const bad = await admin.submit('/admin/named-values/new', '/admin/named-values/new', { displayName: 'has space', value: 'x', id: '' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('id="named-value-name-error"');
    expect(bad.text).toContain('value="has space"');
    expect(messageText(bad.text)).toContain('may contain only letters, digits, period, dash and underscore characters');
    expect((await server.request('GET', '/namedValues')).json.count).toBe(2);

    const taken = await admin.submit('/admin/named-values/new', '/admin/named-values/new', { displayName: 'another', value: 'x', id: 'key1' });
    expect(taken.status).toBe(400);
    expect(messageText(taken.text)).toContain("'key1' exists already");
    expect(await valueOf('key1')).toBe(NEW_SECRET);

    const clash = await admin.submit('/admin/named-values/key1', '/admin/named-values/key1', { displayName: 'BACKEND-URL', value: 'typed secret 9c1e', secret: 'yes' });
    expect(clash.status).toBe(400);
    expect(messageText(clash.text)).toContain("already exists");
    expect(clash.text).not.toContain('typed secret 9c1e');
    expect(clash.text).not.toContain(NEW_SECRET);
    expect(await valueOf('key1')).toBe(NEW_SECRET);
  });

  it('refuses to delete a named value a policy uses, saying which, and deletes it once unused', async () => {
    const put = await server.request('PUT', '/apis/echo', { body: { properties: { displayName: 'Echo', path: 'echo', serviceUrl: 'http://127.0.0.1:9', protocols: ['https'] } } });
    expect(put.status).toBe(201);
    const policy = await server.request('PUT', '/apis/echo/policies/policy', { body: { properties: { value: USING_BACKEND_KEY, format: 'xml' } } });
    expect(policy.status, policy.text).toBe(201);

    const confirm = await admin.get('/admin/named-values/key1/delete');
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('Delete backend-key?');
    const fields = hiddenFields(confirm.text, '/admin/named-values/key1/delete');
    const refused = await admin.post('/admin/named-values/key1/delete', fields);
    expect(refused.status).toBe(400);
    expect(messageText(refused.text)).toContain("The named value 'backend-key' is used by the following policies: /apis/echo");
    expect((await managed('key1')).status).toBe(200);

    expect((await admin.post('/admin/named-values/key1/delete', { etag: fields.etag! })).status).toBe(403);

    const removed = await server.request('DELETE', '/apis/echo/policies/policy', { headers: { 'if-match': '*' } });
    expect(removed.status).toBe(200);
    const deleted = await admin.post('/admin/named-values/key1/delete', fields);
    expect(deleted.status).toBe(303);
    expect(deleted.location).toBe('/admin/named-values?notice=named-value-deleted');
    expect((await managed('key1')).status).toBe(404);
    const gone = await admin.post('/admin/named-values/key1/delete', fields);
    expect(gone.location).toBe('/admin/named-values?notice=named-value-gone');
  });
});
