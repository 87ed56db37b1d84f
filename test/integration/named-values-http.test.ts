/**
 * Named values over raw HTTP on each backend: create-or-update, get, head, patch, delete, list
 * with $filter/$top/$skip, listValue; secrecy (never returned but by listValue, sealed at rest);
 * Key Vault refused; and a stored policy kept enforceable: a referenced named value cannot be
 * deleted, and a change that would break a policy referencing it is refused and leaves nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startServer, type TestServer } from '../helpers/server.js';
import { expectAzureError, expectValidationError } from '../helpers/shape.js';

const SVC = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1';

const limitPolicy = (name: string) =>
  `<policies>\n  <inbound>\n    <rate-limit calls="{{${name}}}" renewal-period="60" />\n    <base />\n  </inbound>\n  <backend>\n    <base />\n  </backend>\n  <outbound>\n    <base />\n  </outbound>\n</policies>`;

describe.each(BACKENDS)('named values over HTTP on %s', (backend) => {
  let server: TestServer;
  const put = (id: string, properties: Record<string, unknown>, headers: Record<string, string> = {}) =>
    server.request('PUT', `/namedValues/${id}`, { body: { properties }, headers });
  const patch = (id: string, properties: Record<string, unknown>, ifMatch = '*') =>
    server.request('PATCH', `/namedValues/${id}`, { body: { properties }, headers: { 'if-match': ifMatch } });
  const del = (id: string, ifMatch = '*') => server.request('DELETE', `/namedValues/${id}`, { headers: { 'if-match': ifMatch } });
  const db = () => server.app.database.db;
  const changesOf = async (entity: string, id: string) =>
    (await db().selectFrom('change_feed').select('entity_id').where('entity', '=', entity).where('entity_id', '=', id).execute()).length;

  beforeAll(async () => {
    server = await startServer(backend);
    const product = await server.request('PUT', '/products/nv-product', { body: { properties: { displayName: 'NV product' } } });
    expect(product.status, product.text).toBe(201);
  });

  afterAll(async () => {
    await server?.close();
  });

  describe('create, read, replace', () => {
    it('PUT creates (201) with the ETag, answers Azure’s shape, and records a change', async () => {
      const res = await put('plain1', { displayName: 'Plain-1', value: 'hello', tags: ['a', 'b'] });
      expect(res.status, res.text).toBe(201);
      expect(res.headers.get('etag')).toMatch(/^".+"$/);
      expect(res.json).toEqual({
        id: `${SVC}/namedValues/plain1`,
        type: 'Microsoft.ApiManagement/service/namedValues',
        name: 'plain1',
        properties: { displayName: 'Plain-1', value: 'hello', tags: ['a', 'b'], secret: false, provisioningState: 'Succeeded' },
      });
      expect(await changesOf('named-value', 'plain1')).toBe(1);
      const got = await server.request('GET', '/namedValues/plain1');
      expect(got.status).toBe(200);
      expect(got.json.properties).toEqual({ displayName: 'Plain-1', value: 'hello', tags: ['a', 'b'], secret: false });
      expect(got.headers.get('etag')).toBe(res.headers.get('etag'));
      const head = await server.request('HEAD', '/namedValues/plain1');
      expect(head.status).toBe(200);
      expect(head.headers.get('etag')).toBe(res.headers.get('etag'));
      expect(head.text).toBe('');
    });

    it('PUT again replaces (200): tags not given are cleared; If-Match must match when given', async () => {
      await put('plain2', { displayName: 'plain2', value: 'one', tags: ['x'] });
      const again = await put('plain2', { displayName: 'plain2', value: 'two' });
      expect(again.status, again.text).toBe(200);
      expect(again.json.properties).toMatchObject({ value: 'two', tags: [], secret: false });
      expectAzureError(await put('plain2', { displayName: 'plain2', value: 'three' }, { 'if-match': '"stale"' }), 412, 'PreconditionFailed');
      const ok = await put('plain2', { displayName: 'plain2', value: 'three' }, { 'if-match': again.headers.get('etag')! });
      expect(ok.status).toBe(200);
      expectAzureError(await put('plain-new', { displayName: 'plain-new', value: 'v' }, { 'if-match': '"x"' }), 412);
      expectAzureError(await server.request('GET', '/namedValues/plain-new'), 404, 'ResourceNotFound');
    });

    it('refuses bad bodies with the field named', async () => {
      expectValidationError(await put('bad', { value: 'v' }), 'displayName');
      expectValidationError(await put('bad', { displayName: 'has space', value: 'v' }), 'displayName');
      expectValidationError(await put('bad', { displayName: 'x'.repeat(257), value: 'v' }), 'displayName');
      expectValidationError(await put('bad', { displayName: 'bad' }), 'value');
      expectValidationError(await put('bad', { displayName: 'bad', value: '   ' }), 'value');
      expectValidationError(await put('bad', { displayName: 'bad', value: 'v'.repeat(4097) }), 'value');
      expectValidationError(await put('bad', { displayName: 'bad', value: 'v', secret: 'yes' }), 'secret');
      expectValidationError(await put('bad', { displayName: 'bad', value: 'v', tags: Array.from({ length: 33 }, (_, i) => `t${i}`) }), 'tags');
      expectValidationError(await server.request('PUT', '/namedValues/bad'), 'properties');
      expectValidationError(await put('a*b', { displayName: 'ab', value: 'v' }), 'namedValueId');
      expectAzureError(await server.request('GET', '/namedValues/bad'), 404);
    });

    it('refuses Key Vault references with FeatureNotSupported', async () => {
      const res = await put('kv', { displayName: 'kv', keyVault: { secretIdentifier: 'https://contoso.vault.azure.net/secrets/x' }, secret: true });
      expectAzureError(res, 400, 'FeatureNotSupported');
      expect(res.json.error.message).toMatch(/Key Vault/);
      expectAzureError(await server.request('POST', '/namedValues/plain1/refreshSecret'), 400, 'FeatureNotSupported');
      expectAzureError(await server.request('GET', '/namedValues', { query: { isKeyVaultRefreshFailed: true } }), 400, 'FeatureNotSupported');
    });

    it('display names are unique ignoring case', async () => {
      await put('unique1', { displayName: 'Unique-Name', value: 'v' });
      expectValidationError(await put('unique2', { displayName: 'unique-name', value: 'v' }), 'displayName');
      expectValidationError(await patch('plain1', { displayName: 'UNIQUE-name' }), 'displayName');
      // Its own name in another case is not a clash.
      expect((await patch('unique1', { displayName: 'unique-NAME' })).status).toBe(200);
    });
  });

  describe('secrets', () => {
    it('a secret is never returned but by listValue, and is sealed at rest', async () => {
      const created = await put('secret1', { displayName: 'secret1', value: 'p@ss-w0rd-42', secret: true });
      expect(created.status, created.text).toBe(201);
      expect(created.json.properties).not.toHaveProperty('value');
      expect(created.json.properties.secret).toBe(true);
      const got = await server.request('GET', '/namedValues/secret1');
      expect(got.json.properties).not.toHaveProperty('value');
      expect(got.text).not.toContain('p@ss-w0rd-42');
      const list = await server.request('GET', '/namedValues', { query: { $filter: "displayName eq 'secret1'" } });
      expect(list.json.value).toHaveLength(1);
      expect(list.text).not.toContain('p@ss-w0rd-42');
      const value = await server.request('POST', '/namedValues/secret1/listValue');
      expect(value.status).toBe(200);
      expect(value.json).toEqual({ value: 'p@ss-w0rd-42' });
      expect(value.headers.get('cache-control')).toBe('no-store');
      const row = await db().selectFrom('named_values').selectAll().where('id', '=', 'secret1').executeTakeFirstOrThrow();
      expect(row.value).not.toContain('p@ss-w0rd-42');
      expect(row.value).toMatch(/^v1\./);
    });

    it('PATCH can make a plain value secret and back, keeping the value', async () => {
      await put('flip', { displayName: 'flip', value: 'flip-value' });
      const secret = await patch('flip', { secret: true });
      expect(secret.status, secret.text).toBe(200);
      expect(secret.json.properties).not.toHaveProperty('value');
      expect((await db().selectFrom('named_values').select('value').where('id', '=', 'flip').executeTakeFirstOrThrow()).value).not.toBe('flip-value');
      expect((await server.request('POST', '/namedValues/flip/listValue')).json.value).toBe('flip-value');
      const plain = await patch('flip', { secret: false });
      expect(plain.json.properties.value).toBe('flip-value');
    });

    it('listValue of a missing one is 404', async () => {
      expectAzureError(await server.request('POST', '/namedValues/nope/listValue'), 404);
    });
  });

  describe('PATCH and DELETE', () => {
    it('PATCH needs If-Match, checks it, and changes only the given fields', async () => {
      const created = await put('patched', { displayName: 'patched', value: 'v1', tags: ['keep'] });
      expectValidationError(await server.request('PATCH', '/namedValues/patched', { body: { properties: { value: 'v2' } } }), 'If-Match');
      expectAzureError(await patch('patched', { value: 'v2' }, '"stale"'), 412);
      const res = await patch('patched', { value: 'v2' }, created.headers.get('etag')!);
      expect(res.status, res.text).toBe(200);
      expect(res.json.properties).toMatchObject({ displayName: 'patched', value: 'v2', tags: ['keep'] });
      expect(res.headers.get('etag')).not.toBe(created.headers.get('etag'));
      expectValidationError(await patch('patched', { value: '' }), 'value');
      expectAzureError(await patch('missing', { value: 'x' }), 404);
    });

    it('DELETE needs If-Match: 200, then 204; 412 on a stale tag', async () => {
      await put('doomed', { displayName: 'doomed', value: 'v' });
      expectValidationError(await server.request('DELETE', '/namedValues/doomed'), 'If-Match');
      expectAzureError(await del('doomed', '"stale"'), 412);
      expect((await del('doomed')).status).toBe(200);
      expect((await del('doomed')).status).toBe(204);
      expectAzureError(await server.request('GET', '/namedValues/doomed'), 404);
      expect(await changesOf('named-value', 'doomed')).toBe(2);
    });
  });

  describe('list', () => {
    it('filters by displayName, pages with $top/$skip and nextLink, refuses other fields', async () => {
      for (const n of ['list-a', 'list-b', 'list-c']) await put(n, { displayName: n, value: n });
      const all = await server.request('GET', '/namedValues', { query: { $filter: "startswith(displayName,'LIST-')" } });
      expect(all.status, all.text).toBe(200);
      expect(all.json.count).toBe(3);
      expect(all.json.value.map((v: { name: string }) => v.name)).toEqual(['list-a', 'list-b', 'list-c']);
      const page = await server.request('GET', '/namedValues', { query: { $filter: "startswith(displayName,'list-')", $top: 2 } });
      expect(page.json.value).toHaveLength(2);
      expect(page.json.nextLink).toContain('%24skip=2'.replace('%24', '$'));
      const next = await server.request('GET', page.json.nextLink as string);
      expect(next.json.value.map((v: { name: string }) => v.name)).toEqual(['list-c']);
      expect(next.json.nextLink).toBe('');
      expectAzureError(await server.request('GET', '/namedValues', { query: { $filter: "tags/any(t: t eq 'a')" } }), 400);
      expectAzureError(await server.request('GET', '/namedValues', { query: { $filter: "value eq 'x'" } }), 400);
    });
  });

  describe('policies stay enforceable', () => {
    it('a referenced named value cannot be deleted (400, the policy named); once unreferenced it can', async () => {
      const nv = await put('calls', { displayName: 'callCount', value: '10' });
      expect(nv.status).toBe(201);
      const policy = await server.request('PUT', '/products/nv-product/policies/policy', { body: { properties: { value: limitPolicy('callcount') } } });
      expect(policy.status, policy.text).toBe(201);
      const refused = await del('calls');
      expectAzureError(refused, 400, 'ValidationError');
      expect(refused.json.error.message).toContain('/products/nv-product');
      expect((await server.request('GET', '/namedValues/calls')).status).toBe(200);
      expect((await server.request('DELETE', '/products/nv-product/policies/policy', { headers: { 'if-match': '*' } })).status).toBe(200);
      expect((await del('calls')).status).toBe(200);
    });

    it('a change that would break a referencing policy is refused and changes nothing; a good one passes', async () => {
      await put('limit', { displayName: 'limit', value: '10' });
      const policy = await server.request('PUT', '/products/nv-product/policies/policy', { body: { properties: { value: limitPolicy('limit') } } });
      expect(policy.status, policy.text).toBe(201);
      const before = await server.request('GET', '/namedValues/limit');
      const changesBefore = await changesOf('named-value', 'limit');

      const badValue = await patch('limit', { value: 'ten' });
      expectAzureError(badValue, 400, 'ValidationError');
      expect(badValue.json.error.message).toContain('/products/nv-product');
      expect(badValue.json.error.details[0].message).toMatch(/line \d+, column \d+/);
      const badPut = await put('limit', { displayName: 'limit', value: 'ten' });
      expectAzureError(badPut, 400, 'ValidationError');
      const rename = await patch('limit', { displayName: 'limit-renamed' });
      expectAzureError(rename, 400, 'ValidationError');

      const after = await server.request('GET', '/namedValues/limit');
      expect(after.json).toEqual(before.json);
      expect(after.headers.get('etag')).toBe(before.headers.get('etag'));
      expect(await changesOf('named-value', 'limit')).toBe(changesBefore);

      const good = await patch('limit', { value: '20' });
      expect(good.status, good.text).toBe(200);
      expect(await changesOf('named-value', 'limit')).toBe(changesBefore + 1);
      // A secret works as well, and stays secret.
      expect((await patch('limit', { secret: true, value: '30' })).status).toBe(200);
      expect((await server.request('GET', '/namedValues/limit')).json.properties).not.toHaveProperty('value');
      await server.request('DELETE', '/products/nv-product/policies/policy', { headers: { 'if-match': '*' } });
    });

    it('a policy naming an unknown named value is refused', async () => {
      const res = await server.request('PUT', '/products/nv-product/policies/policy', { body: { properties: { value: limitPolicy('no-such-value') } } });
      expectAzureError(res, 400, 'ValidationError');
      expect(res.text).toContain('no-such-value');
    });
  });
});
