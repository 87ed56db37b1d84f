/**
 * Policies at the four scopes over raw HTTP on each backend: GET (xml and rawxml), HEAD, PUT
 * (201/200, If-Match), DELETE (If-Match), the lists; the parent-missing 404s; validation errors at
 * their line and column; the link formats refused; the change feed; the seeded documents.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startServer, type TestServer } from '../helpers/server.js';
import { expectAzureError, expectValidationError } from '../helpers/shape.js';
import { DEFAULT_GLOBAL_POLICY_XML, STARTER_POLICY_XML } from '../../src/domain/policy/defaults.js';
import { STARTER_DESCRIPTION } from '../../src/services/products-seed.js';
import { seed } from '../../src/services/seed.js';
import { systemClock } from '../../src/domain/clock.js';

const SVC = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1';
const TYPE = 'Microsoft.ApiManagement/service';

/** Each scope: its policy path (under the service), ARM id and type, and its scope key in the change feed. */
const SCOPES = [
  { name: 'global', path: '/policies', id: `${SVC}/policies/policy`, type: `${TYPE}/policies`, key: '/' },
  { name: 'product', path: '/products/pp/policies', id: `${SVC}/products/pp/policies/policy`, type: `${TYPE}/products/policies`, key: '/products/pp' },
  { name: 'API', path: '/apis/papi/policies', id: `${SVC}/apis/papi/policies/policy`, type: `${TYPE}/apis/policies`, key: '/apis/papi' },
  {
    name: 'operation',
    path: '/apis/papi/operations/pop/policies',
    id: `${SVC}/apis/papi/operations/pop/policies/policy`,
    type: `${TYPE}/apis/operations/policies`,
    key: '/apis/papi/operations/pop',
  },
] as const;

const DOC = '<policies>\r\n  <!-- kept as written -->\r\n  <inbound>\r\n    <base />\r\n  </inbound>\r\n  <backend>\r\n    <base />\r\n  </backend>\r\n  <outbound>\r\n    <base />\r\n    <set-header name="X-Scope" exists-action="override">\r\n      <value>tested</value>\r\n    </set-header>\r\n  </outbound>\r\n</policies>';
const GLOBAL_DOC = '<policies>\n  <inbound />\n  <backend>\n    <forward-request />\n  </backend>\n  <outbound>\n    <set-header name="X-Scope" exists-action="override">\n      <value>tested</value>\n    </set-header>\n  </outbound>\n</policies>';

describe.each(BACKENDS)('policies over HTTP on %s', (backend) => {
  let server: TestServer;
  const db = () => server.app.database.db;
  const put = (path: string, properties: Record<string, unknown>, headers: Record<string, string> = {}) =>
    server.request('PUT', `${path}/policy`, { body: { properties }, headers });
  const changesOf = async (key: string) =>
    (await db().selectFrom('change_feed').select('entity_id').where('entity', '=', 'policy').where('entity_id', '=', key).execute()).length;

  beforeAll(async () => {
    server = await startServer(backend);
    expect((await server.request('PUT', '/products/pp', { body: { properties: { displayName: 'Policy product' } } })).status).toBe(201);
    expect((await server.request('PUT', '/apis/papi', { body: { properties: { path: 'papi', serviceUrl: 'https://backend.example.com' } } })).status).toBe(201);
    const op = await server.request('PUT', '/apis/papi/operations/pop', { body: { properties: { displayName: 'Op', method: 'GET', urlTemplate: '/op' } } });
    expect(op.status, op.text).toBe(201);
  });

  afterAll(async () => {
    await server?.close();
  });

  describe('seeded documents', () => {
    it('the global policy is Azure’s default, listed alone', async () => {
      const res = await server.request('GET', '/policies/policy');
      expect(res.status, res.text).toBe(200);
      expect(res.json).toEqual({ id: `${SVC}/policies/policy`, type: `${TYPE}/policies`, name: 'policy', properties: { value: DEFAULT_GLOBAL_POLICY_XML } });
      const list = await server.request('GET', '/policies');
      expect(list.json).toEqual({ value: [res.json], count: 1, nextLink: '' });
    });

    it('Starter has Azure’s limits and says so; Unlimited has no policy', async () => {
      const res = await server.request('GET', '/products/starter/policies/policy');
      expect(res.status, res.text).toBe(200);
      expect(res.json.properties.value).toBe(STARTER_POLICY_XML);
      expect(res.json.properties.value).toContain('<rate-limit calls="5" renewal-period="60" />');
      expect((await server.request('GET', '/products/starter')).json.properties.description).toBe(STARTER_DESCRIPTION);
      expectAzureError(await server.request('GET', '/products/unlimited/policies/policy'), 404, 'ResourceNotFound');
      expect((await server.request('GET', '/products/unlimited/policies')).json).toEqual({ value: [], count: 0, nextLink: '' });
    });
  });

  describe('seeding again', () => {
    it('keeps an administrator’s changes: a deleted or edited seeded policy stays as it was left', async () => {
      const starter = await server.request('GET', '/products/starter/policies/policy');
      expect((await server.request('DELETE', '/products/starter/policies/policy', { headers: { 'if-match': '*' } })).status).toBe(200);
      await seed(server.app.store, systemClock);
      expectAzureError(await server.request('GET', '/products/starter/policies/policy'), 404);
      expect((await put('/products/starter/policies', { value: starter.json.properties.value })).status).toBe(201);
    });

    it('an instance from before policies gets them once, and Starter’s old description is brought up to date', async () => {
      await db().deleteFrom('policies').execute();
      await db().deleteFrom('service_settings').where('name', '=', 'seed.policies').execute();
      const old =
        'Subscribers can call the APIs of this product as soon as they subscribe, with one subscription per developer. Tollgate applies no rate limits or quotas to it.';
      await db().updateTable('products').set({ description: old }).where('id', '=', 'starter').execute();
      await seed(server.app.store, systemClock);
      expect((await server.request('GET', '/policies/policy')).json.properties.value).toBe(DEFAULT_GLOBAL_POLICY_XML);
      expect((await server.request('GET', '/products/starter/policies/policy')).json.properties.value).toBe(STARTER_POLICY_XML);
      expect((await server.request('GET', '/products/starter')).json.properties.description).toBe(STARTER_DESCRIPTION);
      // An edited description is the administrator's.
      await db().deleteFrom('service_settings').where('name', '=', 'seed.policies').execute();
      await db().updateTable('products').set({ description: 'Ours' }).where('id', '=', 'starter').execute();
      await seed(server.app.store, systemClock);
      expect((await server.request('GET', '/products/starter')).json.properties.description).toBe('Ours');
      await db().updateTable('products').set({ description: STARTER_DESCRIPTION }).where('id', '=', 'starter').execute();
    });
  });

  describe.each(SCOPES)('at $name scope', (scope) => {
    const doc = scope.name === 'global' ? GLOBAL_DOC : DOC;

    it('PUT stores the document as written (201, then 200), with its ETag, and records a change', async () => {
      const before = await changesOf(scope.key);
      if (scope.name === 'global') await server.request('DELETE', `${scope.path}/policy`, { headers: { 'if-match': '*' } });
      const created = await put(scope.path, { value: doc, format: 'xml' });
      expect(created.status, created.text).toBe(201);
      expect(created.json).toEqual({ id: scope.id, type: scope.type, name: 'policy', properties: { value: doc } });
      const etag = created.headers.get('etag');
      expect(etag).toMatch(/^".+"$/);
      const replaced = await put(scope.path, { value: doc });
      expect(replaced.status, replaced.text).toBe(200);
      expect(replaced.headers.get('etag')).not.toBe(etag);
      expect(await changesOf(scope.key)).toBe(before + (scope.name === 'global' ? 3 : 2));

      const got = await server.request('GET', `${scope.path}/policy`);
      expect(got.status).toBe(200);
      expect(got.json.properties).toEqual({ value: doc });
      expect(got.headers.get('etag')).toBe(replaced.headers.get('etag'));
      const xml = await server.request('GET', `${scope.path}/policy`, { query: { format: 'xml' } });
      expect(xml.json).toEqual(got.json);
      const head = await server.request('HEAD', `${scope.path}/policy`);
      expect(head.status).toBe(200);
      expect(head.headers.get('etag')).toBe(replaced.headers.get('etag'));
      const list = await server.request('GET', scope.path);
      expect(list.json).toEqual({ value: [got.json], count: 1, nextLink: '' });
    });

    it('PUT checks If-Match when given', async () => {
      const current = await server.request('GET', `${scope.path}/policy`);
      expectAzureError(await put(scope.path, { value: doc }, { 'if-match': '"stale"' }), 412, 'PreconditionFailed');
      const ok = await put(scope.path, { value: doc }, { 'if-match': current.headers.get('etag')! });
      expect(ok.status).toBe(200);
      expect((await put(scope.path, { value: doc }, { 'if-match': '*' })).status).toBe(200);
    });

    it('refuses an invalid document with each problem at its line and column, and stores nothing', async () => {
      const before = await server.request('GET', `${scope.path}/policy`);
      const unsupported = await put(scope.path, { value: '<policies>\n  <inbound>\n    <log-to-eventhub logger-id="x">hi</log-to-eventhub>\n  </inbound>\n</policies>' });
      expectValidationError(unsupported, 'log-to-eventhub');
      expect(unsupported.json.error.message).toBe('One or more fields contain incorrect values:');
      expect(unsupported.json.error.details[0].message).toMatch(/^Error in element 'log-to-eventhub' on line 3, column \d+: /);
      const malformed = await put(scope.path, { value: '<policies>\n  <inbound>\n</policies>' });
      expectAzureError(malformed, 400, 'ValidationError');
      expect(malformed.json.error.details[0].message).toMatch(/on line \d+, column \d+/);
      const after = await server.request('GET', `${scope.path}/policy`);
      expect(after.json).toEqual(before.json);
      expect(after.headers.get('etag')).toBe(before.headers.get('etag'));
    });

    it('DELETE needs If-Match: 200, then 204; the document is gone', async () => {
      expectValidationError(await server.request('DELETE', `${scope.path}/policy`), 'If-Match');
      expectAzureError(await server.request('DELETE', `${scope.path}/policy`, { headers: { 'if-match': '"stale"' } }), 412);
      const before = await changesOf(scope.key);
      expect((await server.request('DELETE', `${scope.path}/policy`, { headers: { 'if-match': '*' } })).status).toBe(200);
      expect((await server.request('DELETE', `${scope.path}/policy`, { headers: { 'if-match': '*' } })).status).toBe(204);
      expect(await changesOf(scope.key)).toBe(before + 1);
      expectAzureError(await server.request('GET', `${scope.path}/policy`), 404, 'ResourceNotFound');
      expect((await server.request('HEAD', `${scope.path}/policy`)).status).toBe(404);
      expect((await server.request('GET', scope.path)).json).toEqual({ value: [], count: 0, nextLink: '' });
      // A PUT with If-Match on a scope without a document has nothing to match.
      expectAzureError(await put(scope.path, { value: doc }, { 'if-match': '"x"' }), 412);
      // `*` matches the policy every scope has in effect, as Azure's examples create with it.
      expect((await put(scope.path, { value: doc }, { 'if-match': '*' })).status).toBe(201);
    });

    it('the policy id is always "policy"', async () => {
      expectValidationError(await server.request('GET', `${scope.path}/other`), 'policyId');
      expectValidationError(await server.request('PUT', `${scope.path}/other`, { body: { properties: { value: doc } } }), 'policyId');
    });
  });

  describe('formats', () => {
    const raw =
      '<policies>\n  <inbound>\n    <base />\n    <rate-limit-by-key calls="5" renewal-period="60" counter-key="@(context.Request.Headers.GetValueOrDefault("X-Key", "anon"))" />\n    <set-header name="X-Greeting" exists-action="override">\n      <value>@(context.Request.Headers.GetValueOrDefault("X-Name", "a<b & c"))</value>\n    </set-header>\n  </inbound>\n  <backend>\n    <base />\n  </backend>\n  <outbound>\n    <base />\n  </outbound>\n</policies>';
    const encoded = raw
      .replace('"@(context.Request.Headers.GetValueOrDefault("X-Key", "anon"))"', '"@(context.Request.Headers.GetValueOrDefault(&quot;X-Key&quot;, &quot;anon&quot;))"')
      .replace('"a<b & c"', '"a&lt;b &amp; c"');

    it('rawxml in: stored and answered XML-encoded; GET ?format=rawxml gives it back decoded, with format', async () => {
      await server.request('DELETE', '/apis/papi/policies/policy', { headers: { 'if-match': '*' } });
      const res = await put('/apis/papi/policies', { value: raw, format: 'rawxml' });
      expect(res.status, res.text).toBe(201);
      expect(res.json.properties).toEqual({ value: encoded });
      const stored = await db().selectFrom('policies').select('xml').where('scope_key', '=', '/apis/papi').executeTakeFirstOrThrow();
      expect(stored.xml).toBe(encoded);
      expect((await server.request('GET', '/apis/papi/policies/policy')).json.properties).toEqual({ value: encoded });
      const rawGet = await server.request('GET', '/apis/papi/policies/policy', { query: { format: 'rawxml' } });
      expect(rawGet.json.properties).toEqual({ format: 'rawxml', value: raw });
      const rawList = await server.request('GET', '/apis/papi/policies', { query: { format: 'rawxml' } });
      expect(rawList.json.value[0].properties).toEqual({ format: 'rawxml', value: raw });
      await server.request('DELETE', '/apis/papi/policies/policy', { headers: { 'if-match': '*' } });
    });

    it('the link formats are refused: Tollgate fetches no documents from URLs', async () => {
      const before = await server.request('GET', '/products/pp/policies/policy');
      for (const format of ['xml-link', 'rawxml-link']) {
        const res = await put('/products/pp/policies', { value: 'http://169.254.169.254/latest/meta-data', format });
        expectAzureError(res, 400, 'FeatureNotSupported');
        expect(res.json.error.message).toContain(format);
        expect(res.json.error.message).toMatch(/does not fetch policy documents from URLs/);
      }
      expect((await server.request('GET', '/products/pp/policies/policy')).text).toBe(before.text);
    });

    it('refuses other formats and a missing value', async () => {
      expectValidationError(await put('/products/pp/policies', { value: DOC, format: 'json' }), 'format');
      expectValidationError(await put('/products/pp/policies', { format: 'xml' }), 'value');
      expectValidationError(await server.request('PUT', '/products/pp/policies/policy'), 'properties');
      expectValidationError(await server.request('GET', '/policies/policy', { query: { format: 'xml-link' } }), 'format');
    });
  });

  describe('for the admin UI and the portal', () => {
    it('document() parses a stored document as the gateway enforces it; check() lists problems without storing', async () => {
      const policies = server.app.services.policies;
      const starter = await policies.document({ scope: 'product', productId: 'starter' });
      expect(starter?.sections.inbound.map((e) => e.kind)).toEqual(['rate-limit', 'quota', 'base']);
      expect(await policies.document({ scope: 'product', productId: 'unlimited' })).toBeUndefined();
      expect(await policies.check({ scope: 'product', productId: 'pp' }, { value: DOC, format: 'xml' })).toEqual([]);
      const problems = await policies.check({ scope: 'product', productId: 'pp' }, { value: '<policies>\n  <inbound>\n    <jsonp />\n  </inbound>\n</policies>', format: 'xml' });
      expect(problems[0]).toMatchObject({ element: 'jsonp', line: 3 });
      await expect(policies.check({ scope: 'product', productId: 'nope' }, { value: DOC, format: 'xml' })).rejects.toMatchObject({ kind: 'not-found' });
    });

    it('effective() composes an operation’s four scopes and renders them for reading', async () => {
      const policies = server.app.services.policies;
      await server.request('DELETE', '/apis/papi/policies/policy', { headers: { 'if-match': '*' } });
      await put('/policies', { value: GLOBAL_DOC });
      await put('/products/pp/policies', { value: DOC });
      await put('/apis/papi/operations/pop/policies', { value: DOC });
      const withProduct = await policies.effective('papi', 'pop', 'pp');
      expect(withProduct.policy.sections.outbound.map((e) => `${e.kind}@${e.origin.scope}`)).toEqual(['set-header@global', 'set-header@product', 'set-header@operation']);
      expect(withProduct.policy.sections.backend.map((e) => e.kind)).toEqual(['forward-request']);
      expect(withProduct.xml).toContain('X-Scope');
      const without = await policies.effective('papi', 'pop');
      expect(without.policy.sections.outbound.map((e) => e.origin.scope)).toEqual(['global', 'operation']);
      await expect(policies.effective('papi', 'nope')).rejects.toMatchObject({ kind: 'not-found' });
      await expect(policies.effective('papi', 'pop', 'nope')).rejects.toMatchObject({ kind: 'not-found' });
    });
  });

  describe('the parent must exist', () => {
    const missing = [
      ['/products/nope/policies', 'Product'],
      ['/apis/nope/policies', 'API'],
      ['/apis/nope/operations/pop/policies', 'API'],
      ['/apis/papi/operations/nope/policies', 'Operation'],
    ] as const;
    it.each(missing)('%s → 404 (%s not found) for every method', async (path, what) => {
      for (const res of [
        await server.request('GET', path),
        await server.request('GET', `${path}/policy`),
        await put(path, { value: DOC }),
        await server.request('DELETE', `${path}/policy`, { headers: { 'if-match': '*' } }),
      ]) {
        expectAzureError(res, 404, 'ResourceNotFound');
        expect(res.json.error.message).toBe(`${what} not found.`);
      }
      expect((await server.request('HEAD', `${path}/policy`)).status).toBe(404);
      expect(await db().selectFrom('policies').select('scope_key').where('scope_key', 'like', '%nope%').execute()).toEqual([]);
    });

    it('a product’s, API’s or operation’s policy goes with it', async () => {
      expect((await server.request('PUT', '/products/gone', { body: { properties: { displayName: 'Gone' } } })).status).toBe(201);
      expect((await put('/products/gone/policies', { value: DOC })).status).toBe(201);
      expect((await server.request('DELETE', '/products/gone', { headers: { 'if-match': '*' } })).status).toBe(200);
      expect((await server.request('PUT', '/products/gone', { body: { properties: { displayName: 'Gone' } } })).status).toBe(201);
      expectAzureError(await server.request('GET', '/products/gone/policies/policy'), 404, 'ResourceNotFound');

      expect((await server.request('PUT', '/apis/gone-api', { body: { properties: { path: 'gone-api' } } })).status).toBe(201);
      expect((await server.request('PUT', '/apis/gone-api/operations/o', { body: { properties: { displayName: 'O', method: 'GET', urlTemplate: '/o' } } })).status).toBe(201);
      expect((await put('/apis/gone-api/policies', { value: DOC })).status).toBe(201);
      expect((await put('/apis/gone-api/operations/o/policies', { value: DOC })).status).toBe(201);
      expect((await server.request('DELETE', '/apis/gone-api/operations/o', { headers: { 'if-match': '*' } })).status).toBe(200);
      expect(await db().selectFrom('policies').select('scope_key').where('api_id', '=', 'gone-api').execute()).toEqual([{ scope_key: '/apis/gone-api' }]);
      expect((await server.request('DELETE', '/apis/gone-api', { headers: { 'if-match': '*' } })).status).toBe(200);
      expect(await db().selectFrom('policies').select('scope_key').where('api_id', '=', 'gone-api').execute()).toEqual([]);
    });
  });
});
