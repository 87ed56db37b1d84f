/**
 * The admin UI's Products and APIs pages without a browser: every action's effect seen through the
 * management API, validation errors that keep the form and write nothing, stale forms answered
 * 412, no way in for a developer; and the whole loop: an API, its operation and a product made in
 * the UI, published, a developer's subscription calling the gateway, and unpublishing in the UI
 * stopping it by the time the page answers.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, type TestServer } from '../helpers/server.js';
import { Browser, hiddenFields, messageText as messages } from '../helpers/portal-browser.js';
import { AdminBrowser, adminBrowser, startAdminServer } from '../helpers/admin.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { activeSubscription } from '../helpers/gateway.js';
import { activeDeveloper } from '../helpers/users.js';

const API_FORM = {
  displayName: 'Orders',
  description: '',
  path: 'orders',
  serviceUrl: 'https://backend.example/v1',
  'protocol.https': 'yes',
  subscriptionRequired: 'yes',
  keyHeader: 'Ocp-Apim-Subscription-Key',
  keyQuery: 'subscription-key',
};

describe.each(BACKENDS)('admin UI: products and APIs (%s)', (backend) => {
  let server: TestServer;
  let admin: AdminBrowser;
  let upstream: Upstream;

  beforeAll(async () => {
    upstream = await startUpstream();
    server = await startAdminServer(backend);
    admin = await adminBrowser(server);
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  describe('APIs', () => {
    it('creates an API with its settings, shown in the list', async () => {
      const res = await admin.submit('/admin/apis/new', '/admin/apis/new', {
        ...API_FORM,
        id: 'catalog',
        displayName: 'Catalog',
        path: '/catalog/v1/',
        'protocol.http': 'yes',
        subscriptionRequired: '',
        keyHeader: 'X-Catalog-Key',
        keyQuery: 'catalog-key',
      });
      expect(res.status, res.text).toBe(303);
      expect(res.location).toBe('/admin/apis/catalog?notice=api-created');
      const api = await server.request('GET', '/apis/catalog');
      expect(api.status).toBe(200);
      expect(api.json.properties).toMatchObject({
        displayName: 'Catalog',
        path: 'catalog/v1',
        serviceUrl: 'https://backend.example/v1',
        protocols: ['http', 'https'],
        subscriptionRequired: false,
        subscriptionKeyParameterNames: { header: 'X-Catalog-Key', query: 'catalog-key' },
      });
      const list = await admin.get('/admin/apis');
      expect(list.status).toBe(200);
      expect(list.text).toContain('aria-current="page">APIs</a>');
      expect(list.text).toMatch(/href="\/admin\/apis\/catalog">Catalog<\/a><\/th>\s*<td><code>\/catalog\/v1<\/code><\/td>\s*<td><code>https:\/\/backend.example\/v1<\/code><\/td>\s*<td>No<\/td>/);
    });

    it('keeps the form and writes nothing when the service refuses it', async () => {
      const before = (await server.request('GET', '/apis')).json.count;
      const bad = await admin.submit('/admin/apis/new', '/admin/apis/new', {
        ...API_FORM,
        id: 'broken',
        path: 'has space',
        serviceUrl: 'ftp://nowhere',
        'protocol.https': '',
      });
      expect(bad.status).toBe(400);
      expect(bad.text).toContain('id="api-path-error"');
      expect(bad.text).toContain('id="api-service-url-error"');
      expect(bad.text).toContain('value="has space"');
      expect(bad.text).toContain('value="ftp://nowhere"');
      expect(bad.text).toContain('value="broken"');
      expect(messages(bad.text)).toContain('must be an absolute http or https URL');

      const noProtocol = await admin.submit('/admin/apis/new', '/admin/apis/new', { ...API_FORM, id: 'broken', 'protocol.https': '' });
      expect(noProtocol.status).toBe(400);
      expect(noProtocol.text).toContain('id="api-protocols-error"');

      const taken = await admin.submit('/admin/apis/new', '/admin/apis/new', { ...API_FORM, id: 'broken', path: 'CATALOG/v1' });
      expect(taken.status).toBe(400);
      expect(messages(taken.text)).toContain("already used by the API 'catalog'");
      expect((await server.request('GET', '/apis')).json.count).toBe(before);
      expect((await server.request('GET', '/apis/broken')).status).toBe(404);
    });

    it('edits an API with its etag, and refuses a stale form with 412', async () => {
      const form = await admin.get('/admin/apis/catalog/edit');
      expect(form.status).toBe(200);
      expect(form.text).toMatch(/id="api-protocol-http"[^>]*checked/);
      const fields = hiddenFields(form.text, '/admin/apis/catalog/edit');
      const saved = await admin.post('/admin/apis/catalog/edit', {
        ...fields,
        ...API_FORM,
        displayName: 'Catalog v2',
        path: 'catalog/v2',
        serviceUrl: 'http://127.0.0.1:9/v2',
        'protocol.http': 'yes',
        'protocol.https': '',
      });
      expect(saved.status, saved.text).toBe(303);
      const api = await server.request('GET', '/apis/catalog');
      expect(api.json.properties).toMatchObject({ displayName: 'Catalog v2', path: 'catalog/v2', protocols: ['http'], subscriptionRequired: true });
      const stale = await admin.post('/admin/apis/catalog/edit', { ...fields, ...API_FORM, displayName: 'Lost update' });
      expect(stale.status).toBe(412);
      expect(stale.text).toContain('Changed in the meantime');
      expect((await server.request('GET', '/apis/catalog')).json.properties.displayName).toBe('Catalog v2');
    });

    it('adds operations (declaring the template parameters) and deletes one after confirmation', async () => {
      const add = await admin.submit('/admin/apis/catalog', '/admin/apis/catalog/operations', {
        displayName: 'Get an item',
        method: 'GET',
        urlTemplate: '/items/{itemId}',
        id: '',
      });
      expect(add.status, add.text).toBe(303);
      const op = await server.request('GET', '/apis/catalog/operations/get-an-item');
      expect(op.status).toBe(200);
      expect(op.json.properties).toMatchObject({
        displayName: 'Get an item',
        method: 'GET',
        urlTemplate: '/items/{itemId}',
        templateParameters: [{ name: 'itemId', type: 'string', required: true }],
      });

      const bad = await admin.submit('/admin/apis/catalog', '/admin/apis/catalog/operations', { displayName: 'Broken', method: 'POST', urlTemplate: 'items/{', id: '' });
      expect(bad.status).toBe(400);
      expect(bad.text).toContain('id="operation-url-template-error"');
      expect(bad.text).toContain('value="items/{"');
      expect(bad.text).toMatch(/<option value="POST" selected>/);
      const clash = await admin.submit('/admin/apis/catalog', '/admin/apis/catalog/operations', {
        displayName: 'Same route',
        method: 'GET',
        urlTemplate: '/items/{other}',
        id: '',
      });
      expect(clash.status).toBe(400);
      expect(messages(clash.text)).toContain("The operation 'get-an-item' of this API already answers");
      expect((await server.request('GET', '/apis/catalog/operations')).json.count).toBe(1);

      const page = await admin.get('/admin/apis/catalog');
      expect(page.text).toContain('<code>/items/{itemId}</code>');
      const confirm = await admin.get('/admin/apis/catalog/operations/get-an-item/delete');
      expect(confirm.status).toBe(200);
      expect(confirm.text).toContain('Delete the operation Get an item?');
      const removed = await admin.submit('/admin/apis/catalog/operations/get-an-item/delete', '/admin/apis/catalog/operations/get-an-item/delete');
      expect(removed.status).toBe(303);
      expect((await server.request('GET', '/apis/catalog/operations/get-an-item')).status).toBe(404);
    });

    it('deletes an API after a confirmation page', async () => {
      await admin.submit('/admin/apis/new', '/admin/apis/new', { ...API_FORM, id: 'doomed', displayName: 'Doomed', path: 'doomed' });
      const confirm = await admin.get('/admin/apis/doomed/delete');
      expect(confirm.status).toBe(200);
      expect(confirm.text).toContain('Delete Doomed?');
      const res = await admin.submit('/admin/apis/doomed/delete', '/admin/apis/doomed/delete');
      expect(res.status).toBe(303);
      expect((await server.request('GET', '/apis/doomed')).status).toBe(404);
    });
  });

  describe('products', () => {
    const PRODUCT_FORM = {
      displayName: 'Basic',
      description: 'For trying things out.',
      terms: 'Be nice.',
      subscriptionRequired: 'yes',
      approvalRequired: '',
      subscriptionsLimit: '',
    };

    it('creates a product (not published), shown in the list with its settings', async () => {
      const res = await admin.submit('/admin/products/new', '/admin/products/new', { ...PRODUCT_FORM, id: '', approvalRequired: 'yes', subscriptionsLimit: '3' });
      expect(res.status, res.text).toBe(303);
      expect(res.location).toBe('/admin/products/basic?notice=product-created');
      const product = await server.request('GET', '/products/basic');
      expect(product.json.properties).toMatchObject({
        displayName: 'Basic',
        description: 'For trying things out.',
        terms: 'Be nice.',
        subscriptionRequired: true,
        approvalRequired: true,
        subscriptionsLimit: 3,
        state: 'notPublished',
      });
      const list = await admin.get('/admin/products');
      expect(list.text).toContain('aria-current="page">Products</a>');
      expect(list.text).toMatch(
        /href="\/admin\/products\/basic">Basic<\/a><\/th>\s*<td><span class="state notPublished">Not published<\/span><\/td>\s*<td>Yes<\/td>\s*<td>Yes<\/td>\s*<td class="num">3<\/td>/,
      );
    });

    it('shows the service\'s validation errors next to the fields, keeps the values and writes nothing', async () => {
      const before = (await server.request('GET', '/products')).json.count;
      const res = await admin.submit('/admin/products/new', '/admin/products/new', {
        ...PRODUCT_FORM,
        id: 'open',
        displayName: 'Open',
        subscriptionRequired: '',
        approvalRequired: 'yes',
        subscriptionsLimit: '5',
      });
      expect(res.status).toBe(400);
      expect(res.text).toContain('id="product-approval-required-error"');
      expect(res.text).toContain('id="product-subscriptions-limit-error"');
      expect(res.text).toMatch(/id="product-approval-required"[^>]*checked/);
      expect(res.text).not.toMatch(/id="product-subscription-required"[^>]*checked/);
      expect(res.text).toContain('value="5"');
      expect(res.text).toContain('>Be nice.</textarea>');

      const notANumber = await admin.submit('/admin/products/new', '/admin/products/new', { ...PRODUCT_FORM, id: 'nan', subscriptionsLimit: 'lots' });
      expect(notANumber.status).toBe(400);
      expect(notANumber.text).toContain('<p class="field-error" id="product-subscriptions-limit-error">This must be a whole number or null.</p>');
      expect(notANumber.text).toContain('value="lots"');
      const zero = await admin.submit('/admin/products/new', '/admin/products/new', { ...PRODUCT_FORM, id: 'zero', subscriptionsLimit: '0' });
      expect(zero.status).toBe(400);
      expect(zero.text).toContain('id="product-subscriptions-limit-error"');
      const taken = await admin.submit('/admin/products/new', '/admin/products/new', { ...PRODUCT_FORM, id: 'basic' });
      expect(taken.status).toBe(400);
      expect(messages(taken.text)).toContain("A product with the id 'basic' exists already");
      expect((await server.request('GET', '/products')).json.count).toBe(before);
      expect((await server.request('GET', '/products/basic')).json.properties.displayName).toBe('Basic');
    });

    it('edits a product with its etag, and refuses a stale form with 412', async () => {
      const form = await admin.get('/admin/products/basic/edit');
      expect(form.status).toBe(200);
      expect(form.text).toContain('value="3"');
      const fields = hiddenFields(form.text, '/admin/products/basic/edit');
      const saved = await admin.post('/admin/products/basic/edit', {
        ...fields,
        ...PRODUCT_FORM,
        displayName: 'Basic plan',
        description: '',
        terms: '',
        subscriptionRequired: '',
      });
      expect(saved.status, saved.text).toBe(303);
      const product = await server.request('GET', '/products/basic');
      expect(product.json.properties).toMatchObject({ displayName: 'Basic plan', subscriptionRequired: false, state: 'notPublished' });
      expect(product.json.properties.description).toBeUndefined();
      expect(product.json.properties.subscriptionsLimit).toBeUndefined();
      const stale = await admin.post('/admin/products/basic/edit', { ...fields, ...PRODUCT_FORM });
      expect(stale.status).toBe(412);
      expect(stale.text).toContain('Changed in the meantime');
      expect((await server.request('GET', '/products/basic')).json.properties.displayName).toBe('Basic plan');
    });

    it('publishes and unpublishes, refusing a stale publish form', async () => {
      const page = await admin.get('/admin/products/basic');
      const publish = hiddenFields(page.text, '/admin/products/basic/publish');
      expect((await admin.post('/admin/products/basic/publish', publish)).status).toBe(303);
      expect((await server.request('GET', '/products/basic')).json.properties.state).toBe('published');
      const again = await admin.post('/admin/products/basic/publish', publish);
      expect(again.status).toBe(412);

      const published = await admin.get('/admin/products/basic');
      expect(published.text).toContain('<span class="state published">Published</span>');
      const res = await admin.submit('/admin/products/basic', '/admin/products/basic/unpublish');
      expect(res.status).toBe(303);
      expect((await server.request('GET', '/products/basic')).json.properties.state).toBe('notPublished');
    });

    it('adds and removes the product\'s APIs and visible groups', async () => {
      const empty = await admin.submit('/admin/products/basic', '/admin/products/basic/apis', { apiId: '' });
      expect(empty.status).toBe(400);
      expect(empty.text).toContain('id="add-api-error"');

      expect((await admin.submit('/admin/products/basic', '/admin/products/basic/apis', { apiId: 'catalog' })).status).toBe(303);
      expect((await server.request('HEAD', '/products/basic/apis/catalog')).status).toBe(204);
      expect((await admin.submit('/admin/products/basic', '/admin/products/basic/groups', { groupId: 'developers' })).status).toBe(303);
      expect((await server.request('HEAD', '/products/basic/groups/developers')).status).toBe(204);

      const page = await admin.get('/admin/products/basic');
      expect(page.text).toContain('href="/admin/apis/catalog">Catalog v2</a>');
      expect(page.text).not.toContain('<option value="catalog">');
      expect(page.text).not.toContain('<option value="developers">');
      const apiPage = await admin.get('/admin/apis/catalog');
      expect(apiPage.text).toContain('href="/admin/products/basic">Basic plan</a>');

      expect((await admin.submit('/admin/products/basic', '/admin/products/basic/apis/catalog/remove')).status).toBe(303);
      expect((await server.request('HEAD', '/products/basic/apis/catalog')).status).toBe(404);
      expect((await admin.submit('/admin/products/basic', '/admin/products/basic/groups/developers/remove')).status).toBe(303);
      expect((await server.request('HEAD', '/products/basic/groups/developers')).status).toBe(404);
    });

    it('deletes a product after confirmation, with its subscriptions only when asked', async () => {
      await admin.submit('/admin/products/new', '/admin/products/new', { ...PRODUCT_FORM, id: 'legacy', displayName: 'Legacy' });
      await server.app.services.users.createOrUpdate('legacy-user', { email: 'legacy@example.com', firstName: 'Leg', lastName: 'Acy' }, {});
      const sub = await server.request('PUT', '/subscriptions/legacy-sub', {
        body: { properties: { ownerId: '/users/legacy-user', scope: '/products/legacy', displayName: 'Legacy', state: 'active' } },
      });
      expect(sub.status, sub.text).toBe(201);

      const confirm = await admin.get('/admin/products/legacy/delete');
      expect(confirm.status).toBe(200);
      expect(confirm.text).toContain('Also delete its subscriptions');
      const refused = await admin.submit('/admin/products/legacy/delete', '/admin/products/legacy/delete');
      expect(refused.status).toBe(409);
      expect(messages(refused.text)).toContain('1 subscription that is not cancelled');
      expect((await server.request('GET', '/products/legacy')).status).toBe(200);

      const res = await admin.submit('/admin/products/legacy/delete', '/admin/products/legacy/delete', { deleteSubscriptions: 'yes' });
      expect(res.status).toBe(303);
      expect((await server.request('GET', '/products/legacy')).status).toBe(404);
      expect((await server.request('GET', '/subscriptions/legacy-sub')).status).toBe(404);
    });

    it('keeps developers and anonymous visitors out', async () => {
      const { id, password } = await activeDeveloper(server, `dev-${randomBytes(4).toString('hex')}`, { lastName: 'Dev' });
      const portal = new Browser(server);
      await portal.signIn(`${id}@example.com`, password);
      const forged = new AdminBrowser(server);
      forged.jar.set('tg_admin', portal.cookie('tg_session')!);
      for (const path of ['/admin/products', '/admin/products/basic', '/admin/apis', '/admin/apis/catalog/edit']) {
        const res = await forged.get(path);
        expect(res.status).toBe(303);
        expect(res.location).toMatch(/^\/admin\/signin/);
      }
      expect((await forged.post('/admin/products/basic/publish', { etag: '*' })).status).toBe(303);
      expect((await server.request('GET', '/products/basic')).json.properties.state).toBe('notPublished');
    });
  });

  it('end to end: an API, an operation and a product made in the UI serve a subscription through the gateway until unpublished', async () => {
    const api = await admin.submit('/admin/apis/new', '/admin/apis/new', {
      ...API_FORM,
      id: '',
      displayName: 'Orders',
      path: 'orders',
      serviceUrl: `${upstream.url}/v1`,
      'protocol.http': 'yes',
    });
    expect(api.status, api.text).toBe(303);
    expect(api.location).toMatch(/^\/admin\/apis\/orders\?/);
    const op = await admin.submit('/admin/apis/orders', '/admin/apis/orders/operations', {
      displayName: 'Get an order',
      method: 'GET',
      urlTemplate: '/orders/{id}',
      id: 'get-order',
    });
    expect(op.status, op.text).toBe(303);
    const product = await admin.submit('/admin/products/new', '/admin/products/new', {
      id: 'shop',
      displayName: 'Shop',
      description: '',
      terms: '',
      subscriptionRequired: 'yes',
      subscriptionsLimit: '',
    });
    expect(product.status, product.text).toBe(303);
    expect((await admin.submit('/admin/products/shop', '/admin/products/shop/publish')).status).toBe(303);
    expect((await admin.submit('/admin/products/shop', '/admin/products/shop/apis', { apiId: 'orders' })).status).toBe(303);
    expect((await admin.submit('/admin/products/shop', '/admin/products/shop/groups', { groupId: 'developers' })).status).toBe(303);

    // A developer's subscription, made through the management API.
    await server.request('PUT', '/users/shopper', { body: { properties: { email: 'shopper@example.com', firstName: 'Shop', lastName: 'Per' } } });
    const key = await activeSubscription(server, 'shopper-shop', 'shopper', 'shop', 'Shopping');
    expect(key).toBeTruthy();

    const call = async () => {
      const res = await fetch(`${server.gatewayUrl}/orders/orders/42`, { headers: { 'Ocp-Apim-Subscription-Key': key } });
      await res.arrayBuffer();
      return res.status;
    };
    expect(await call()).toBe(200);
    const forwarded = upstream.seen.at(-1);
    expect(`${forwarded?.method} ${forwarded?.url}`).toBe('GET /v1/orders/42');

    const unpublished = await admin.submit('/admin/products/shop', '/admin/products/shop/unpublish');
    expect(unpublished.status).toBe(303);
    expect(await call()).toBe(403);
  });
});
