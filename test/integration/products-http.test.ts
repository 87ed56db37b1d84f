/**
 * Products, their APIs, their groups (visibility) and the link resources over raw HTTP: status
 * codes, ETags, validation, delete with and without deleteSubscriptions, the seeded products,
 * visibleTo, the change feed, and the shapes of Azure's product examples.
 *
 * APIs are inserted straight into the `apis` table (the APIs routes are another piece of work), and
 * so are subscriptions. The seeded products are ensured with seed (idempotent) in case the
 * server's own seed does not call it yet.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startServer, type TestResponse, type TestServer } from '../helpers/server.js';
import { compareShapes, expectAzureError, expectValidationError } from '../helpers/shape.js';
import { seed } from '../../src/services/seed.js';
import { systemClock } from '../../src/domain/clock.js';
import type { SubscriptionState } from '../../src/domain/subscription.js';

const PRODUCT_TYPE = 'Microsoft.ApiManagement/service/products';

/** The response bodies of Azure's product examples (2024-05-01), lists cut to their first item. */
const EXAMPLES = {
  "createProduct": {
    "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1/products/testproduct",
    "type": "Microsoft.ApiManagement/service/products",
    "name": "testproduct",
    "properties": {
      "displayName": "Test Template ProductName 4",
      "subscriptionRequired": true,
      "approvalRequired": false,
      "state": "notPublished"
    }
  },
  "getProduct": {
    "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1/products/unlimited",
    "type": "Microsoft.ApiManagement/service/products",
    "name": "unlimited",
    "properties": {
      "displayName": "Unlimited",
      "description": "Subscribers have completely unlimited access to the API. Administrator approval is required.",
      "subscriptionRequired": true,
      "approvalRequired": true,
      "subscriptionsLimit": 1,
      "state": "published"
    }
  },
  "listProducts": {
    "value": [
      {
        "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1/products/kjoshiarmtemplateCert1",
        "type": "Microsoft.ApiManagement/service/products",
        "name": "kjoshiarmtemplateCert1",
        "properties": {
          "displayName": "Dev",
          "description": "Development Product",
          "subscriptionRequired": false,
          "state": "published"
        }
      }
    ],
    "count": 3,
    "nextLink": ""
  },
  "updateProduct": {
    "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1/products/testproduct",
    "type": "Microsoft.ApiManagement/service/products",
    "name": "testproduct",
    "properties": {
      "displayName": "Test Template ProductName 4",
      "description": "Subscribers have completely unlimited access to the API. Administrator approval is required.",
      "subscriptionRequired": true,
      "approvalRequired": true,
      "subscriptionsLimit": 1,
      "state": "published"
    }
  },
  "createProductApi": {
    "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1/apis/5931a75ae4bbd512a88c680b",
    "type": "Microsoft.ApiManagement/service/apis",
    "name": "5931a75ae4bbd512a88c680b",
    "properties": {
      "displayName": "EchoApi",
      "apiRevision": "1",
      "serviceUrl": "https://contoso.com/apis/echo",
      "path": "",
      "protocols": [
        "http",
        "https"
      ],
      "subscriptionKeyParameterNames": {
        "header": "Ocp-Apim-Subscription-Key",
        "query": "subscription-key"
      },
      "isCurrent": true
    }
  },
  "listProductApis": {
    "value": [
      {
        "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1/products/5768181ea40f7eb6c49f6ac7/apis/57681820a40f7eb6c49f6aca",
        "type": "Microsoft.ApiManagement/service/products/apis",
        "name": "57681820a40f7eb6c49f6aca",
        "properties": {
          "displayName": "api_57681820a40f7eb6c49f6acb",
          "apiRevision": "1",
          "description": "description_57681820a40f7eb6c49f6acc",
          "serviceUrl": "http://contoso/57681820a40f7eb6c49f6acd",
          "path": "suffix_57681820a40f7eb6c49f6ace",
          "protocols": [
            "https"
          ],
          "isCurrent": true
        }
      }
    ],
    "count": 1,
    "nextLink": ""
  },
  "createProductGroup": {
    "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1/groups/templateGroup",
    "type": "Microsoft.ApiManagement/service/products/groups",
    "name": "templateGroup",
    "properties": {
      "displayName": "Template Group",
      "description": "group created via Template",
      "builtIn": false,
      "type": "custom"
    }
  },
  "listProductGroups": {
    "value": [
      {
        "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1/products/5600b57e7e8880006a060002/groups/5600b57e7e8880006a020001",
        "type": "Microsoft.ApiManagement/service/products/groups",
        "name": "5600b57e7e8880006a020001",
        "properties": {
          "displayName": "Administrators",
          "description": "Administrators is a built-in group. Its membership is managed by the system. Microsoft Azure subscription administrators fall into this group.",
          "builtIn": true,
          "type": "system"
        }
      }
    ],
    "count": 3,
    "nextLink": ""
  },
  "createProductApiLink": {
    "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1/products/testproduct/apiLinks/link1",
    "type": "Microsoft.ApiManagement/service/products/apiLinks",
    "name": "link1",
    "properties": {
      "apiId": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1/apis/echo-api"
    }
  },
  "getProductApiLink": {
    "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1/products/testproduct/apiLinks/link1",
    "type": "Microsoft.ApiManagement/service/products/apiLinks",
    "name": "link1",
    "properties": {
      "apiId": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1/apis/echo-api"
    }
  },
  "listProductApiLinks": {
    "value": [
      {
        "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1/products/product1/apiLinks/link1",
        "type": "Microsoft.ApiManagement/service/products/apiLinks",
        "name": "link1",
        "properties": {
          "apiId": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1/apis/echo-api"
        }
      }
    ],
    "count": 1,
    "nextLink": ""
  },
  "createProductGroupLink": {
    "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1/products/testproduct/groupLinkId/link1",
    "type": "Microsoft.ApiManagement/service/products/groupLinkId",
    "name": "link1",
    "properties": {
      "groupId": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1/groups/group1"
    }
  },
  "getProductGroupLink": {
    "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1/products/testproduct/groupLinks/link1",
    "type": "Microsoft.ApiManagement/service/products/groupLinks",
    "name": "link1",
    "properties": {
      "groupId": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1/groups/group1"
    }
  },
  "listProductGroupLinks": {
    "value": [
      {
        "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1/products/product1/groupLinks/link1",
        "type": "Microsoft.ApiManagement/service/products/groupLinks",
        "name": "link1",
        "properties": {
          "groupId": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1/groups/group1"
        }
      }
    ],
    "count": 1,
    "nextLink": ""
  },
  "listProductSubscriptions": {
    "value": [
      {
        "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1/products/5600b57e7e8880006a060002/subscriptions/5600b57e7e8880006a070002",
        "type": "Microsoft.ApiManagement/service/products/subscriptions",
        "name": "5600b57e7e8880006a070002",
        "properties": {
          "ownerId": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1/users/1",
          "scope": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1/products/5600b57e7e8880006a060002",
          "state": "active",
          "createdDate": "2015-09-22T01:57:18.723Z"
        }
      }
    ],
    "count": 1,
    "nextLink": ""
  }
} as const;

describe.each(BACKENDS)('products over HTTP (%s)', (backend) => {
  let server: TestServer;
  let svcPath: string;

  const db = () => server.app.database.db;

  async function createProduct(id: string, properties: Record<string, unknown> = {}): Promise<TestResponse> {
    const res = await server.request('PUT', `/products/${id}`, { body: { properties: { displayName: `Product ${id}`, ...properties } } });
    expect(res.status, res.text).toBe(201);
    return res;
  }

  async function createGroup(id: string): Promise<void> {
    const res = await server.request('PUT', `/groups/${id}`, { body: { properties: { displayName: `Group ${id}` } } });
    expect(res.status, res.text).toBe(201);
  }

  async function createUser(id: string): Promise<void> {
    const res = await server.request('PUT', `/users/${id}`, {
      body: { properties: { email: `${id}@example.com`, firstName: 'Dev', lastName: id } },
    });
    expect(res.status, res.text).toBe(201);
  }

  async function insertApi(id: string, extra: { path?: string; serviceUrl?: string | null; description?: string | null; displayName?: string } = {}) {
    await db()
      .insertInto('apis')
      .values({
        id,
        display_name: extra.displayName ?? `API ${id}`,
        description: extra.description === undefined ? null : extra.description,
        path: extra.path ?? `path-${id}`,
        service_url: extra.serviceUrl === undefined ? `https://backend.example.com/${id}` : extra.serviceUrl,
        protocols: JSON.stringify(['https']),
        subscription_required: 1,
        key_header: 'Ocp-Apim-Subscription-Key',
        key_query: 'subscription-key',
        api_type: 'http',
        etag: 'apietag',
        created_at: new Date().toISOString(),
      })
      .execute();
  }

  async function insertSubscription(productId: string, state: SubscriptionState, ownerId: string | null = null): Promise<string> {
    const id = `sub-${randomBytes(6).toString('hex')}`;
    await db()
      .insertInto('subscriptions')
      .values({
        id,
        owner_id: ownerId,
        scope: `/products/${productId}`,
        display_name: `Subscription ${id}`,
        state,
        state_comment: null,
        allow_tracing: null,
        created_at: new Date().toISOString(),
        start_date: null,
        expiration_date: null,
        end_date: null,
        notification_date: null,
        primary_key_sealed: `p-${id}`,
        secondary_key_sealed: `s-${id}`,
        primary_key_lookup: `pl-${id}`,
        secondary_key_lookup: `sl-${id}`,
        etag: 'subetag',
      })
      .execute();
    return id;
  }

  async function subscriptionIds(productId: string): Promise<string[]> {
    const rows = await db().selectFrom('subscriptions').select('id').where('scope', '=', `/products/${productId}`).execute();
    return rows.map((r) => r.id).sort();
  }

  async function changesOf(productId: string): Promise<number> {
    const rows = await db().selectFrom('change_feed').select('seq').where('entity', '=', 'product').where('entity_id', '=', productId).execute();
    return rows.length;
  }

  const names = (res: TestResponse) => (res.json.value as { name: string }[]).map((v) => v.name);

  beforeAll(async () => {
    server = await startServer(backend);
    svcPath = new URL(server.base).pathname;
    await seed(server.app.store, systemClock);
  });

  afterAll(async () => {
    await server?.close();
  });

  describe('product CRUD', () => {
    it('PUT creates (201) with Azure defaults, then updates (200); GET and HEAD agree on the ETag', async () => {
      const first = await server.request('PUT', '/products/p-crud', { body: { properties: { displayName: 'First' } } });
      expect(first.status, first.text).toBe(201);
      expect(first.headers.get('etag')).toMatch(/^"[^"]+"$/);
      expect(first.json).toEqual({
        id: `${svcPath}/products/p-crud`,
        type: PRODUCT_TYPE,
        name: 'p-crud',
        properties: { displayName: 'First', subscriptionRequired: true, approvalRequired: false, state: 'notPublished' },
      });

      const second = await server.request('PUT', '/products/p-crud', {
        body: { properties: { displayName: 'Second', description: '<b>d</b>', terms: 'Be nice.', subscriptionsLimit: 3, state: 'published' } },
      });
      expect(second.status, second.text).toBe(200);
      expect(second.json.properties).toEqual({
        displayName: 'Second',
        description: '<b>d</b>',
        terms: 'Be nice.',
        subscriptionRequired: true,
        approvalRequired: false,
        subscriptionsLimit: 3,
        state: 'published',
      });
      expect(second.headers.get('etag')).not.toBe(first.headers.get('etag'));

      const get = await server.request('GET', '/products/p-crud');
      expect(get.status).toBe(200);
      expect(get.json).toEqual(second.json);
      expect(get.headers.get('etag')).toBe(second.headers.get('etag'));
      const head = await server.request('HEAD', '/products/p-crud');
      expect(head.status).toBe(200);
      expect(head.text).toBe('');
      expect(head.headers.get('etag')).toBe(second.headers.get('etag'));
    });

    it('HEAD and GET on a missing product answer 404', async () => {
      expect((await server.request('HEAD', '/products/p-missing')).status).toBe(404);
      expectAzureError(await server.request('GET', '/products/p-missing'), 404, 'ResourceNotFound');
    });

    it('PUT honours If-Match: a stale ETag is 412, * and the current ETag pass', async () => {
      const created = await createProduct('p-put-etag');
      const etag = created.headers.get('etag')!;
      const ok = await server.request('PUT', '/products/p-put-etag', { body: { properties: { displayName: 'Two' } }, headers: { 'if-match': etag } });
      expect(ok.status, ok.text).toBe(200);
      const stale = await server.request('PUT', '/products/p-put-etag', { body: { properties: { displayName: 'Three' } }, headers: { 'if-match': etag } });
      expectAzureError(stale, 412, 'PreconditionFailed');
      expect((await server.request('PUT', '/products/p-put-etag', { body: { properties: { displayName: 'Four' } }, headers: { 'if-match': '*' } })).status).toBe(200);
      // If-Match on a product that does not exist never matches.
      expectAzureError(
        await server.request('PUT', '/products/p-put-etag-none', { body: { properties: { displayName: 'X' } }, headers: { 'if-match': '*' } }),
        412,
      );
    });

    it('PATCH requires If-Match, refuses a stale one, changes only what it is given', async () => {
      const created = await createProduct('p-patch', { description: 'keep', approvalRequired: true, subscriptionsLimit: 2 });
      expectValidationError(await server.request('PATCH', '/products/p-patch', { body: { properties: { displayName: 'X' } } }), 'If-Match');
      const etag = created.headers.get('etag')!;
      const patched = await server.request('PATCH', '/products/p-patch', {
        body: { properties: { displayName: 'Patched', state: 'published' } },
        headers: { 'if-match': etag },
      });
      expect(patched.status, patched.text).toBe(200);
      expect(patched.json.properties).toEqual({
        displayName: 'Patched',
        description: 'keep',
        subscriptionRequired: true,
        approvalRequired: true,
        subscriptionsLimit: 2,
        state: 'published',
      });
      expect(patched.headers.get('etag')).not.toBe(etag);
      expectAzureError(
        await server.request('PATCH', '/products/p-patch', { body: { properties: { displayName: 'Stale' } }, headers: { 'if-match': etag } }),
        412,
        'PreconditionFailed',
      );
      expectAzureError(
        await server.request('PATCH', '/products/p-patch-missing', { body: { properties: { displayName: 'X' } }, headers: { 'if-match': '*' } }),
        404,
      );
      // Clearing with null.
      const cleared = await server.request('PATCH', '/products/p-patch', {
        body: { properties: { description: null, subscriptionsLimit: null } },
        headers: { 'if-match': '*' },
      });
      expect(cleared.status, cleared.text).toBe(200);
      expect(cleared.json.properties.description).toBeUndefined();
      expect(cleared.json.properties.subscriptionsLimit).toBeUndefined();
    });

    it('making a product open clears its approval and limit; asking for them on an open product is 400', async () => {
      await createProduct('p-open', { approvalRequired: true, subscriptionsLimit: 5 });
      const open = await server.request('PATCH', '/products/p-open', { body: { properties: { subscriptionRequired: false } }, headers: { 'if-match': '*' } });
      expect(open.status, open.text).toBe(200);
      expect(open.json.properties).toEqual({ displayName: 'Product p-open', subscriptionRequired: false, state: 'notPublished' });
      expectValidationError(
        await server.request('PATCH', '/products/p-open', { body: { properties: { approvalRequired: true } }, headers: { 'if-match': '*' } }),
        'approvalRequired',
      );
      expectValidationError(
        await server.request('PATCH', '/products/p-open', { body: { properties: { subscriptionsLimit: 1 } }, headers: { 'if-match': '*' } }),
        'subscriptionsLimit',
      );
      const back = await server.request('PATCH', '/products/p-open', {
        body: { properties: { subscriptionRequired: true, approvalRequired: true } },
        headers: { 'if-match': '*' },
      });
      expect(back.status, back.text).toBe(200);
      expect(back.json.properties.approvalRequired).toBe(true);
    });

    it.each([
      ['no displayName', { description: 'x' }, 'displayName'],
      ['an empty displayName', { displayName: '  ' }, 'displayName'],
      ['a displayName of 301 characters', { displayName: 'n'.repeat(301) }, 'displayName'],
      ['a description of 1001 characters', { displayName: 'ok', description: 'd'.repeat(1001) }, 'description'],
      ['a NUL character', { displayName: 'a\u0000b' }, 'displayName'],
      ['subscriptionsLimit 0', { displayName: 'ok', subscriptionsLimit: 0 }, 'subscriptionsLimit'],
      ['a fractional subscriptionsLimit', { displayName: 'ok', subscriptionsLimit: 1.5 }, 'subscriptionsLimit'],
      ['an unknown state', { displayName: 'ok', state: 'retired' }, 'state'],
      ['a non-boolean subscriptionRequired', { displayName: 'ok', subscriptionRequired: 'yes' }, 'subscriptionRequired'],
      ['approvalRequired on an open product', { displayName: 'ok', subscriptionRequired: false, approvalRequired: true }, 'approvalRequired'],
      ['subscriptionsLimit on an open product', { displayName: 'ok', subscriptionRequired: false, subscriptionsLimit: 1 }, 'subscriptionsLimit'],
    ])('PUT with %s is 400', async (_label, properties, target) => {
      const res = await server.request('PUT', '/products/p-invalid', { body: { properties } });
      expectValidationError(res, target);
      expect((await server.request('HEAD', '/products/p-invalid')).status).toBe(404);
    });

    it('accepts a displayName of 300 characters and a productId of 256; refuses 257', async () => {
      expect((await server.request('PUT', '/products/p-300', { body: { properties: { displayName: 'n'.repeat(300) } } })).status).toBe(201);
      expect((await server.request('PUT', `/products/${'a'.repeat(256)}`, { body: { properties: { displayName: 'long' } } })).status).toBe(201);
      expectValidationError(await server.request('PUT', `/products/${'a'.repeat(257)}`, { body: { properties: { displayName: 'long' } } }), 'productId');
    });

    it('an open product is rendered without approvalRequired and subscriptionsLimit', async () => {
      const res = await createProduct('p-open-create', { subscriptionRequired: false, approvalRequired: false });
      expect(res.json.properties).toEqual({ displayName: 'Product p-open-create', subscriptionRequired: false, state: 'notPublished' });
    });
  });

  describe('DELETE', () => {
    it('requires If-Match, honours it, answers 200 and then 204', async () => {
      const created = await createProduct('p-del');
      expectValidationError(await server.request('DELETE', '/products/p-del'), 'If-Match');
      expectAzureError(await server.request('DELETE', '/products/p-del', { headers: { 'if-match': '"stale"' } }), 412);
      const ok = await server.request('DELETE', '/products/p-del', { headers: { 'if-match': created.headers.get('etag')! } });
      expect(ok.status, ok.text).toBe(200);
      expect((await server.request('HEAD', '/products/p-del')).status).toBe(404);
      expect((await server.request('DELETE', '/products/p-del', { headers: { 'if-match': '*' } })).status).toBe(204);
    });

    it('refuses (409) a product with live subscriptions unless deleteSubscriptions=true', async () => {
      await createProduct('p-del-subs');
      const live = await insertSubscription('p-del-subs', 'active');
      const dead = await insertSubscription('p-del-subs', 'cancelled');
      const refused = await server.request('DELETE', '/products/p-del-subs', { headers: { 'if-match': '*' } });
      expectAzureError(refused, 409, 'Conflict');
      expect(refused.json.error.message).toContain('deleteSubscriptions=true');
      expect((await server.request('DELETE', '/products/p-del-subs', { headers: { 'if-match': '*' }, query: { deleteSubscriptions: false } })).status).toBe(409);
      expect((await server.request('HEAD', '/products/p-del-subs')).status).toBe(200);
      expect(await subscriptionIds('p-del-subs')).toEqual([live, dead].sort());

      const ok = await server.request('DELETE', '/products/p-del-subs', { headers: { 'if-match': '*' }, query: { deleteSubscriptions: true } });
      expect(ok.status, ok.text).toBe(200);
      expect(await subscriptionIds('p-del-subs')).toEqual([]);
      expect((await server.request('HEAD', '/products/p-del-subs')).status).toBe(404);
      const feed = await db().selectFrom('change_feed').select('entity_id').where('entity', '=', 'subscription').where('entity_id', 'in', [live, dead]).execute();
      expect(feed.map((r) => r.entity_id).sort()).toEqual([live, dead].sort());
    });

    it.each(['submitted', 'suspended'] as const)('a %s subscription also blocks the delete', async (state) => {
      await createProduct(`p-del-${state}`);
      await insertSubscription(`p-del-${state}`, state);
      expectAzureError(await server.request('DELETE', `/products/p-del-${state}`, { headers: { 'if-match': '*' } }), 409);
    });

    it('deletes a product whose subscriptions are all cancelled, rejected or expired, with them', async () => {
      await createProduct('p-del-dead');
      await insertSubscription('p-del-dead', 'cancelled');
      await insertSubscription('p-del-dead', 'rejected');
      await insertSubscription('p-del-dead', 'expired');
      const ok = await server.request('DELETE', '/products/p-del-dead', { headers: { 'if-match': '*' } });
      expect(ok.status, ok.text).toBe(200);
      expect(await subscriptionIds('p-del-dead')).toEqual([]);
    });

    it('removes the product API and group links', async () => {
      await createProduct('p-del-links');
      await insertApi('api-del-links');
      await createGroup('g-del-links');
      expect((await server.request('PUT', '/products/p-del-links/apis/api-del-links')).status).toBe(201);
      expect((await server.request('PUT', '/products/p-del-links/groups/g-del-links')).status).toBe(201);
      expect((await server.request('DELETE', '/products/p-del-links', { headers: { 'if-match': '*' } })).status).toBe(200);
      expect(await db().selectFrom('product_apis').selectAll().where('product_id', '=', 'p-del-links').execute()).toEqual([]);
      expect(await db().selectFrom('product_groups').selectAll().where('product_id', '=', 'p-del-links').execute()).toEqual([]);
      // The API and the group themselves stay.
      expect((await server.request('GET', '/groups/g-del-links')).status).toBe(200);
      expect(await db().selectFrom('apis').select('id').where('id', '=', 'api-del-links').executeTakeFirst()).toBeDefined();
    });
  });

  describe('list', () => {
    beforeAll(async () => {
      await createProduct('lst-alpha', { displayName: 'Alpha Product', description: 'First of the list', terms: 'Terms A', state: 'published' });
      await createProduct('lst-beta', { displayName: 'Beta Product', description: 'Second', state: 'notPublished' });
      await createProduct('lst-gamma', { displayName: 'Gamma', terms: 'Gamma terms', state: 'published' });
      await createGroup('lst-group');
      expect((await server.request('PUT', '/products/lst-alpha/groups/lst-group')).status).toBe(201);
      expect((await server.request('PUT', '/products/lst-alpha/groups/developers')).status).toBe(201);
    });

    it.each([
      ["startswith(name,'lst-')", ['lst-alpha', 'lst-beta', 'lst-gamma']],
      ["name eq 'lst-beta'", ['lst-beta']],
      ["name ge 'lst-b' and name lt 'lst-h'", ['lst-beta', 'lst-gamma']],
      ["displayName eq 'alpha product'", ['lst-alpha']],
      ["startswith(name,'lst-') and contains(displayName,'Product')", ['lst-alpha', 'lst-beta']],
      ["startswith(name,'lst-') and endswith(description,'list')", ['lst-alpha']],
      ["startswith(name,'lst-') and description eq null", ['lst-gamma']],
      ["startswith(name,'lst-') and startswith(terms,'gamma')", ['lst-gamma']],
      ["startswith(name,'lst-') and terms ne 'Terms A'", ['lst-beta', 'lst-gamma']],
      ["startswith(name,'lst-') and state eq 'published'", ['lst-alpha', 'lst-gamma']],
      ["startswith(name,'lst-') and substringof('eta',displayName)", ['lst-beta']],
    ])('$filter=%s', async (filter, expected) => {
      const res = await server.request('GET', '/products', { query: { $filter: filter } });
      expect(res.status, res.text).toBe(200);
      expect(names(res)).toEqual(expected);
      expect(res.json.count).toBe(expected.length);
    });

    it.each(["state ne 'published'", "unknown eq 'x'", "startswith(state,'p')", 'name eq'])('refuses $filter=%s', async (filter) => {
      expectValidationError(await server.request('GET', '/products', { query: { $filter: filter } }), '$filter');
    });

    it('pages with $top/$skip and nextLink', async () => {
      const first = await server.request('GET', '/products', { query: { $filter: "startswith(name,'lst-')", $top: 2 } });
      expect(names(first)).toEqual(['lst-alpha', 'lst-beta']);
      expect(first.json.count).toBe(3);
      expect(first.json.nextLink).toContain('$skip=2');
      const second = await server.request('GET', first.json.nextLink as string);
      expect(names(second)).toEqual(['lst-gamma']);
      expect(second.json.nextLink).toBe('');
    });

    it('expandGroups adds the groups that see each product', async () => {
      const res = await server.request('GET', '/products', { query: { $filter: "startswith(name,'lst-')", expandGroups: true } });
      const alpha = (res.json.value as { name: string; properties: { groups?: { displayName: string; type: string; builtIn: boolean }[] } }[])[0]!;
      expect(alpha.name).toBe('lst-alpha');
      expect(alpha.properties.groups?.map((g) => g.displayName)).toEqual(['Developers', 'Group lst-group']);
      expect(alpha.properties.groups?.[0]).toMatchObject({ builtIn: true, type: 'system' });
      const beta = (res.json.value as { properties: { groups?: unknown[] } }[])[1]!;
      expect(beta.properties.groups).toEqual([]);
      const plain = await server.request('GET', '/products', { query: { $filter: "name eq 'lst-alpha'" } });
      expect(plain.json.value[0].properties.groups).toBeUndefined();
      expectValidationError(await server.request('GET', '/products', { query: { expandGroups: 'maybe' } }), 'expandGroups');
    });

    it('accepts an empty tags parameter and refuses any other', async () => {
      expect((await server.request('GET', '/products', { query: { tags: '' } })).status).toBe(200);
      const res = await server.request('GET', '/products', { query: { tags: 'gold' } });
      expectValidationError(res, 'tags');
      expect(res.json.error.message).toContain('tags are not supported');
    });
  });

  describe('product ↔ API', () => {
    beforeAll(async () => {
      await createProduct('pa-prod');
      await insertApi('pa-echo', { path: 'echo', serviceUrl: 'https://echo.example.com', description: 'Echoes' });
      await insertApi('pa-calc', { path: 'calc', serviceUrl: null });
    });

    it('PUT links (201, then 200) and answers with the API contract', async () => {
      const first = await server.request('PUT', '/products/pa-prod/apis/pa-echo');
      expect(first.status, first.text).toBe(201);
      expect(first.json).toEqual({
        id: `${svcPath}/apis/pa-echo`,
        type: `${PRODUCT_TYPE}/apis`,
        name: 'pa-echo',
        properties: {
          displayName: 'API pa-echo',
          description: 'Echoes',
          path: 'echo',
          serviceUrl: 'https://echo.example.com',
          protocols: ['https'],
          subscriptionRequired: true,
          subscriptionKeyParameterNames: { header: 'Ocp-Apim-Subscription-Key', query: 'subscription-key' },
          isCurrent: true,
          apiRevision: '1',
          type: 'http',
        },
      });
      expect((await server.request('PUT', '/products/pa-prod/apis/pa-echo')).status).toBe(200);
      const calc = await server.request('PUT', '/products/pa-prod/apis/pa-calc');
      expect(calc.status).toBe(201);
      expect(calc.json.properties.serviceUrl).toBeUndefined();
      expect(calc.json.properties.description).toBeUndefined();
    });

    it('HEAD answers 204 for a linked API and 404 otherwise', async () => {
      await server.request('PUT', '/products/pa-prod/apis/pa-echo');
      expect((await server.request('HEAD', '/products/pa-prod/apis/pa-echo')).status).toBe(204);
      expect((await server.request('HEAD', '/products/pa-prod/apis/pa-none')).status).toBe(404);
      expect((await server.request('HEAD', '/products/pa-missing/apis/pa-echo')).status).toBe(404);
    });

    it('404 for a missing product or API', async () => {
      expectAzureError(await server.request('PUT', '/products/pa-prod/apis/pa-none'), 404, 'ResourceNotFound');
      expectAzureError(await server.request('PUT', '/products/pa-missing/apis/pa-echo'), 404, 'ResourceNotFound');
      expectAzureError(await server.request('GET', '/products/pa-missing/apis'), 404, 'ResourceNotFound');
    });

    it('lists with $filter on name, displayName, description, serviceUrl and path', async () => {
      await server.request('PUT', '/products/pa-prod/apis/pa-echo');
      await server.request('PUT', '/products/pa-prod/apis/pa-calc');
      const all = await server.request('GET', '/products/pa-prod/apis');
      expect(names(all)).toEqual(['pa-calc', 'pa-echo']);
      for (const [filter, expected] of [
        ["name eq 'pa-echo'", ['pa-echo']],
        ["path eq 'calc'", ['pa-calc']],
        ["contains(serviceUrl,'echo')", ['pa-echo']],
        ['serviceUrl eq null', ['pa-calc']],
        ["startswith(description,'echo')", ['pa-echo']],
        ["displayName ne 'API pa-echo'", ['pa-calc']],
      ] as const) {
        const res = await server.request('GET', '/products/pa-prod/apis', { query: { $filter: filter } });
        expect(names(res), filter).toEqual(expected);
      }
      expectValidationError(await server.request('GET', '/products/pa-prod/apis', { query: { $filter: "state eq 'x'" } }), '$filter');
    });

    it('DELETE unlinks (200), then 204; the API stays', async () => {
      await insertApi('pa-gone');
      await server.request('PUT', '/products/pa-prod/apis/pa-gone');
      expect((await server.request('DELETE', '/products/pa-prod/apis/pa-gone')).status).toBe(200);
      expect((await server.request('DELETE', '/products/pa-prod/apis/pa-gone')).status).toBe(204);
      expect((await server.request('HEAD', '/products/pa-prod/apis/pa-gone')).status).toBe(404);
      expect(await db().selectFrom('apis').select('id').where('id', '=', 'pa-gone').executeTakeFirst()).toBeDefined();
    });

    it('refuses an apiId with characters the specification forbids', async () => {
      expectValidationError(await server.request('PUT', '/products/pa-prod/apis/a*b'), 'apiId');
    });
  });

  describe('product ↔ group', () => {
    beforeAll(async () => {
      await createProduct('pg-prod');
      await createGroup('pg-custom');
    });

    it('PUT links (201, then 200) and answers with the group contract', async () => {
      const first = await server.request('PUT', '/products/pg-prod/groups/pg-custom');
      expect(first.status, first.text).toBe(201);
      expect(first.json).toEqual({
        id: `${svcPath}/groups/pg-custom`,
        type: `${PRODUCT_TYPE}/groups`,
        name: 'pg-custom',
        properties: { displayName: 'Group pg-custom', builtIn: false, type: 'custom' },
      });
      expect((await server.request('PUT', '/products/pg-prod/groups/pg-custom')).status).toBe(200);
      const guests = await server.request('PUT', '/products/pg-prod/groups/guests');
      expect(guests.status).toBe(201);
      expect(guests.json.properties).toMatchObject({ displayName: 'Guests', builtIn: true, type: 'system' });
    });

    it('HEAD 204/404; PUT 404 for a missing group or product', async () => {
      await server.request('PUT', '/products/pg-prod/groups/pg-custom');
      expect((await server.request('HEAD', '/products/pg-prod/groups/pg-custom')).status).toBe(204);
      expect((await server.request('HEAD', '/products/pg-prod/groups/developers')).status).toBe(404);
      expectAzureError(await server.request('PUT', '/products/pg-prod/groups/pg-none'), 404);
      expectAzureError(await server.request('PUT', '/products/pg-none/groups/guests'), 404);
    });

    it('lists with $filter: name with the operators, displayName/description eq and ne', async () => {
      await server.request('PUT', '/products/pg-prod/groups/pg-custom');
      await server.request('PUT', '/products/pg-prod/groups/guests');
      expect(names(await server.request('GET', '/products/pg-prod/groups'))).toEqual(['guests', 'pg-custom']);
      for (const [filter, expected] of [
        ["name eq 'guests'", ['guests']],
        ["name gt 'h'", ['pg-custom']],
        ["name le 'guests'", ['guests']],
        ["displayName eq 'guests'", ['guests']],
        ["displayName ne 'Guests'", ['pg-custom']],
        ['description eq null', ['pg-custom']],
      ] as const) {
        const res = await server.request('GET', '/products/pg-prod/groups', { query: { $filter: filter } });
        expect(names(res), filter).toEqual(expected);
      }
      for (const filter of ["startswith(name,'g')", "displayName gt 'a'", "contains(description,'x')"]) {
        expectValidationError(await server.request('GET', '/products/pg-prod/groups', { query: { $filter: filter } }), '$filter');
      }
    });

    it('DELETE unlinks (200), then 204', async () => {
      await server.request('PUT', '/products/pg-prod/groups/administrators');
      expect((await server.request('DELETE', '/products/pg-prod/groups/administrators')).status).toBe(200);
      expect((await server.request('DELETE', '/products/pg-prod/groups/administrators')).status).toBe(204);
    });

    it('deleting a group removes it from the products that it saw', async () => {
      await createGroup('pg-doomed');
      await server.request('PUT', '/products/pg-prod/groups/pg-doomed');
      expect((await server.request('DELETE', '/groups/pg-doomed', { headers: { 'if-match': '*' } })).status).toBe(200);
      expect(names(await server.request('GET', '/products/pg-prod/groups'))).not.toContain('pg-doomed');
    });
  });

  describe('apiLinks and groupLinks', () => {
    beforeAll(async () => {
      await createProduct('lk-prod');
      await insertApi('lk-echo');
      await insertApi('lk-other');
      await createGroup('lk-group');
    });

    const apiArm = (id: string) => `${svcPath}/apis/${id}`;
    const groupArm = (id: string) => `${svcPath}/groups/${id}`;

    it('PUT an apiLink (201, then 200) links the API; the link id is echoed', async () => {
      const first = await server.request('PUT', '/products/lk-prod/apiLinks/link1', { body: { properties: { apiId: apiArm('lk-echo') } } });
      expect(first.status, first.text).toBe(201);
      expect(first.json).toEqual({
        id: `${svcPath}/products/lk-prod/apiLinks/link1`,
        type: `${PRODUCT_TYPE}/apiLinks`,
        name: 'link1',
        properties: { apiId: apiArm('lk-echo') },
      });
      expect((await server.request('PUT', '/products/lk-prod/apiLinks/lk-echo', { body: { properties: { apiId: apiArm('lk-echo') } } })).status).toBe(200);
      expect((await server.request('HEAD', '/products/lk-prod/apis/lk-echo')).status).toBe(204);
    });

    it('lists links under the API id, filters by apiId (full id or bare), gets by that id', async () => {
      await server.request('PUT', '/products/lk-prod/apiLinks/lk-echo', { body: { properties: { apiId: apiArm('lk-echo') } } });
      await server.request('PUT', '/products/lk-prod/apis/lk-other');
      const list = await server.request('GET', '/products/lk-prod/apiLinks');
      expect(list.status).toBe(200);
      expect(names(list)).toEqual(['lk-echo', 'lk-other']);
      expect(list.json.value[0].properties.apiId).toBe(apiArm('lk-echo'));
      const byArm = await server.request('GET', '/products/lk-prod/apiLinks', { query: { $filter: `apiId eq '${apiArm('lk-other')}'` } });
      expect(names(byArm)).toEqual(['lk-other']);
      const bare = await server.request('GET', '/products/lk-prod/apiLinks', { query: { $filter: "apiId eq 'lk-echo'" } });
      expect(names(bare)).toEqual(['lk-echo']);
      const got = await server.request('GET', '/products/lk-prod/apiLinks/lk-other');
      expect(got.status).toBe(200);
      expect(got.json.properties.apiId).toBe(apiArm('lk-other'));
      expectAzureError(await server.request('GET', '/products/lk-prod/apiLinks/no-such-link'), 404);
    });

    it('DELETE an apiLink unlinks the API (200, then 204)', async () => {
      await server.request('PUT', '/products/lk-prod/apiLinks/lk-other', { body: { properties: { apiId: apiArm('lk-other') } } });
      expect((await server.request('DELETE', '/products/lk-prod/apiLinks/lk-other')).status).toBe(200);
      expect((await server.request('DELETE', '/products/lk-prod/apiLinks/lk-other')).status).toBe(204);
      expect((await server.request('HEAD', '/products/lk-prod/apis/lk-other')).status).toBe(404);
    });

    it('refuses a missing or malformed apiId; 404 for a missing API', async () => {
      expectValidationError(await server.request('PUT', '/products/lk-prod/apiLinks/l', { body: { properties: {} } }), 'apiId');
      expectValidationError(
        await server.request('PUT', '/products/lk-prod/apiLinks/l', { body: { properties: { apiId: `${svcPath}/groups/x` } } }),
        'apiId',
      );
      expectAzureError(await server.request('PUT', '/products/lk-prod/apiLinks/l', { body: { properties: { apiId: apiArm('nope') } } }), 404);
    });

    it('groupLinks: PUT (201/200), list, filter, GET, DELETE', async () => {
      const first = await server.request('PUT', '/products/lk-prod/groupLinks/glink', { body: { properties: { groupId: groupArm('lk-group') } } });
      expect(first.status, first.text).toBe(201);
      expect(first.json).toEqual({
        id: `${svcPath}/products/lk-prod/groupLinks/glink`,
        type: `${PRODUCT_TYPE}/groupLinks`,
        name: 'glink',
        properties: { groupId: groupArm('lk-group') },
      });
      expect((await server.request('PUT', '/products/lk-prod/groupLinks/lk-group', { body: { properties: { groupId: groupArm('lk-group') } } })).status).toBe(200);
      await server.request('PUT', '/products/lk-prod/groups/guests');
      expect(names(await server.request('GET', '/products/lk-prod/groupLinks'))).toEqual(['guests', 'lk-group']);
      const filtered = await server.request('GET', '/products/lk-prod/groupLinks', { query: { $filter: `groupId eq '${groupArm('guests')}'` } });
      expect(names(filtered)).toEqual(['guests']);
      expect((await server.request('GET', '/products/lk-prod/groupLinks/lk-group')).json.properties.groupId).toBe(groupArm('lk-group'));
      expect((await server.request('DELETE', '/products/lk-prod/groupLinks/lk-group')).status).toBe(200);
      expect((await server.request('DELETE', '/products/lk-prod/groupLinks/lk-group')).status).toBe(204);
      expectAzureError(await server.request('GET', '/products/lk-prod/groupLinks/lk-group'), 404);
      expectAzureError(await server.request('PUT', '/products/lk-prod/groupLinks/g', { body: { properties: { groupId: groupArm('nope') } } }), 404);
      expectValidationError(await server.request('PUT', '/products/lk-prod/groupLinks/a*b', { body: { properties: { groupId: groupArm('guests') } } }), 'groupLinkId');
    });
  });

  describe('subscriptions of a product', () => {
    it('lists the product subscriptions; 404 for a missing product', async () => {
      await createProduct('ps-prod');
      const id = await insertSubscription('ps-prod', 'active', '1');
      await insertSubscription('p-crud', 'active');
      const res = await server.request('GET', '/products/ps-prod/subscriptions');
      expect(res.status, res.text).toBe(200);
      expect(names(res)).toEqual([id]);
      expect(res.json.value[0].type).toBe(`${PRODUCT_TYPE}/subscriptions`);
      expectAzureError(await server.request('GET', '/products/ps-missing/subscriptions'), 404);
    });
  });

  describe('seeded products', () => {
    it('starter and unlimited exist as Azure ships them, visible to the three system groups', async () => {
      const starter = await server.request('GET', '/products/starter');
      expect(starter.status).toBe(200);
      expect(starter.json.properties).toMatchObject({
        displayName: 'Starter',
        subscriptionRequired: true,
        approvalRequired: false,
        subscriptionsLimit: 1,
        state: 'published',
      });
      expect(starter.json.properties.description).toBeTypeOf('string');
      const unlimited = await server.request('GET', '/products/unlimited');
      expect(unlimited.json.properties).toMatchObject({
        displayName: 'Unlimited',
        subscriptionRequired: true,
        approvalRequired: true,
        subscriptionsLimit: 1,
        state: 'published',
      });
      for (const id of ['starter', 'unlimited']) {
        expect(names(await server.request('GET', `/products/${id}/groups`))).toEqual(['administrators', 'developers', 'guests']);
      }
    });

    it('seeding again changes nothing, and keeps what an administrator changed', async () => {
      const before = await server.request('GET', '/products/unlimited');
      await server.request('DELETE', '/products/unlimited/groups/guests');
      await seed(server.app.store, systemClock);
      const after = await server.request('GET', '/products/unlimited');
      expect(after.headers.get('etag')).toBe(before.headers.get('etag'));
      expect(names(await server.request('GET', '/products/unlimited/groups'))).toEqual(['administrators', 'developers']);
      await server.request('PUT', '/products/unlimited/groups/guests');
    });
  });

  describe('visibleTo', () => {
    it('guests see the published products visible to guests; a user those of their groups', async () => {
      const products = server.app.services.products;
      await createProduct('vis-guest', { state: 'published' });
      await server.request('PUT', '/products/vis-guest/groups/guests');
      await createProduct('vis-hidden', { state: 'notPublished' });
      await server.request('PUT', '/products/vis-hidden/groups/guests');
      await server.request('PUT', '/products/vis-hidden/groups/developers');
      await createGroup('vis-club');
      await createProduct('vis-club-only', { state: 'published' });
      await server.request('PUT', '/products/vis-club-only/groups/vis-club');

      const guestIds = (await products.visibleTo(undefined)).map((p) => p.id);
      expect(guestIds).toContain('starter');
      expect(guestIds).toContain('unlimited');
      expect(guestIds).toContain('vis-guest');
      expect(guestIds).not.toContain('vis-hidden');
      expect(guestIds).not.toContain('vis-club-only');

      await createUser('vis-user');
      const userIds = (await products.visibleTo('vis-user')).map((p) => p.id);
      expect(userIds).toContain('starter');
      expect(userIds).not.toContain('vis-guest');
      expect(userIds).not.toContain('vis-club-only');
      expect((await server.request('PUT', '/groups/vis-club/users/vis-user')).status).toBe(201);
      expect((await products.visibleTo('vis-user')).map((p) => p.id)).toContain('vis-club-only');

      expect(await products.visibleTo('no-such-user')).toEqual([]);
      const starter = (await products.visibleTo(undefined)).find((p) => p.id === 'starter');
      expect(starter).toMatchObject({ displayName: 'Starter', subscriptionRequired: true, subscriptionsLimit: 1, state: 'published' });
    });

    it('get, apisOf and productsOfApi', async () => {
      const products = server.app.services.products;
      await createProduct('svc-prod');
      await insertApi('svc-api', { path: 'svc' });
      await server.request('PUT', '/products/svc-prod/apis/svc-api');
      await server.request('PUT', '/products/starter/apis/svc-api');
      expect((await products.get('svc-prod')).displayName).toBe('Product svc-prod');
      await expect(products.get('svc-none')).rejects.toMatchObject({ kind: 'not-found' });
      expect(await products.apisOf('svc-prod')).toEqual([
        expect.objectContaining({ id: 'svc-api', path: 'svc', protocols: ['https'], subscriptionKeyParameterNames: { header: 'Ocp-Apim-Subscription-Key', query: 'subscription-key' } }),
      ]);
      expect((await products.productsOfApi('svc-api')).map((p) => p.id)).toEqual(['starter', 'svc-prod']);
      await server.request('DELETE', '/products/starter/apis/svc-api');
    });
  });

  describe('change feed', () => {
    it('records a product change for each write to the product, its APIs and its groups', async () => {
      await insertApi('cf-api');
      let expected = 0;
      const step = async (method: string, path: string, options: Parameters<TestServer['request']>[2] = {}) => {
        const res = await server.request(method, path, options);
        expect(res.status, `${method} ${path}: ${res.text}`).toBeLessThan(300);
        expected += 1;
        expect(await changesOf('cf-prod'), `${method} ${path}`).toBe(expected);
      };
      await step('PUT', '/products/cf-prod', { body: { properties: { displayName: 'CF' } } });
      await step('PUT', '/products/cf-prod', { body: { properties: { displayName: 'CF 2' } } });
      await step('PATCH', '/products/cf-prod', { body: { properties: { state: 'published' } }, headers: { 'if-match': '*' } });
      await step('PUT', '/products/cf-prod/apis/cf-api');
      await step('DELETE', '/products/cf-prod/apis/cf-api');
      await step('PUT', '/products/cf-prod/groups/guests');
      await step('DELETE', '/products/cf-prod/groups/guests');
      await step('PUT', '/products/cf-prod/apiLinks/x', { body: { properties: { apiId: `${svcPath}/apis/cf-api` } } });
      await step('PUT', '/products/cf-prod/groupLinks/y', { body: { properties: { groupId: `${svcPath}/groups/guests` } } });
      // Writes that change nothing record nothing.
      expect((await server.request('PUT', '/products/cf-prod/apis/cf-api')).status).toBe(200);
      expect((await server.request('DELETE', '/products/cf-prod/groups/developers')).status).toBe(204);
      expect(await changesOf('cf-prod')).toBe(expected);
      await step('DELETE', '/products/cf-prod', { headers: { 'if-match': '*' } });
    });
  });

  describe("shapes of Azure's product examples", () => {
    const arm = () => svcPath;

    beforeAll(async () => {
      await createProduct('testproduct', { displayName: 'Test Template ProductName 4', description: 'desc', state: 'published', subscriptionsLimit: 1 });
      await insertApi('echo-api', { path: 'echo-shape', serviceUrl: 'https://contoso.com/apis/echo', description: 'Echo' });
      await createGroup('templateGroup');
      await server.request('PATCH', '/groups/templateGroup', { body: { properties: { description: 'group created via Template' } }, headers: { 'if-match': '*' } });
      await insertSubscription('testproduct', 'active', '1');
    });

    const check = (example: unknown, res: TestResponse) => {
      expect(res.status, res.text).toBeLessThan(300);
      expect(compareShapes(example, res.json), res.text).toEqual([]);
    };

    it('product operations', async () => {
      check(EXAMPLES.createProduct, await server.request('PUT', '/products/shape-new', { body: { properties: { displayName: 'Test Template ProductName 4' } } }));
      check(EXAMPLES.getProduct, await server.request('GET', '/products/unlimited'));
      check(EXAMPLES.listProducts, await server.request('GET', '/products', { query: { $filter: "name eq 'starter'" } }));
      check(
        EXAMPLES.updateProduct,
        await server.request('PATCH', '/products/testproduct', { body: { properties: { displayName: 'Test Template ProductName 4' } }, headers: { 'if-match': '*' } }),
      );
      expect((await server.request('GET', '/products/unlimited')).json.id).toBe(`${arm()}/products/unlimited`);
    });

    it('API, group and link operations', async () => {
      check(EXAMPLES.createProductApi, await server.request('PUT', '/products/testproduct/apis/echo-api'));
      check(EXAMPLES.listProductApis, await server.request('GET', '/products/testproduct/apis'));
      check(EXAMPLES.createProductGroup, await server.request('PUT', '/products/testproduct/groups/templateGroup'));
      check(EXAMPLES.listProductGroups, await server.request('GET', '/products/testproduct/groups'));
      check(
        EXAMPLES.createProductApiLink,
        await server.request('PUT', '/products/testproduct/apiLinks/link1', { body: { properties: { apiId: `${arm()}/apis/echo-api` } } }),
      );
      check(EXAMPLES.getProductApiLink, await server.request('GET', '/products/testproduct/apiLinks/echo-api'));
      check(EXAMPLES.listProductApiLinks, await server.request('GET', '/products/testproduct/apiLinks'));
      check(
        EXAMPLES.createProductGroupLink,
        await server.request('PUT', '/products/testproduct/groupLinks/link1', { body: { properties: { groupId: `${arm()}/groups/templateGroup` } } }),
      );
      check(EXAMPLES.getProductGroupLink, await server.request('GET', '/products/testproduct/groupLinks/templateGroup'));
      check(EXAMPLES.listProductGroupLinks, await server.request('GET', '/products/testproduct/groupLinks'));
      check(EXAMPLES.listProductSubscriptions, await server.request('GET', '/products/testproduct/subscriptions'));
    });
  });
});
