/**
 * How the scopes compose at the gateway, and how the composed policies follow changes: `<base />`
 * placing the parent's section where it stands (global → product → API → operation), its absence
 * cutting off what is above, an operation's policy overriding its API's, the product's policy only
 * for calls with a subscription to it, and the compiled policies dropped when a policy, an API (its
 * policies go with a deleted operation), a product or a named value changes, or reloaded whole. A
 * stored document that does not parse refuses its scope's calls with 500 and says so.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/server.js';
import { policyXml, startPolicyWorld, type PolicyWorld } from '../helpers/policy-world.js';

const append = (value: string) => `<set-header name="X-Trace" exists-action="append"><value>${value}</value></set-header>`;
const level = (value: string) => `<set-header name="X-Level" exists-action="override"><value>${value}</value></set-header>`;

describe.each(BACKENDS)('gateway policy composition (%s)', (backend) => {
  let w: PolicyWorld;
  let key: string;
  let allKey: string;
  const last = () => w.seen[w.seen.length - 1]!;
  const DEFAULT_BACKEND = '<forward-request />';

  beforeAll(async () => {
    w = await startPolicyWorld(backend);
    await w.addApi('echo', 'echo', [
      ['get-one', 'GET', '/one'],
      ['get-two', 'GET', '/two'],
    ]);
    await w.addApi('open', 'open', [['any', 'GET', '/*']], { subscriptionRequired: false });
    await w.addProduct('p', ['echo', 'open']);
    key = await w.addSubscription('s', '/products/p');
    allKey = await w.addSubscription('s-all', '/apis');
  });

  afterEach(async () => {
    for (const scope of ['/', '/products/p', '/apis/echo', '/apis/echo/operations/get-one', '/apis/echo/operations/get-two', '/apis/open']) await w.setPolicy(scope, undefined);
  });

  afterAll(async () => {
    await w?.close();
  });

  it('<base /> runs the parent\'s section where it stands, at every level', async () => {
    await w.setPolicy('/', policyXml({ inbound: append('global'), backend: DEFAULT_BACKEND }));
    await w.setPolicy('/products/p', policyXml({ inbound: `${append('product')}<base />` }));
    await w.setPolicy('/apis/echo', policyXml({ inbound: `<base />${append('api')}` }));
    await w.setPolicy('/apis/echo/operations/get-one', policyXml({ inbound: `${append('operation-before')}<base />${append('operation-after')}` }));
    expect((await w.call('/echo/one', { key })).status).toBe(200);
    expect(last().headers['x-trace']).toBe('operation-before, product, global, api, operation-after');
    // The other operation has no policy: it inherits the API's as it is.
    await w.call('/echo/two', { key });
    expect(last().headers['x-trace']).toBe('product, global, api');
  });

  it('without <base /> nothing above applies to that section: an API cutting off its product\'s limit', async () => {
    await w.setPolicy('/products/p', policyXml({ inbound: '<rate-limit calls="1" renewal-period="60" /><base />' }));
    await w.call('/echo/one', { key });
    expect((await w.call('/echo/one', { key })).status).toBe(429);
    await w.setPolicy('/apis/echo', policyXml({ inbound: level('api') }));
    for (let i = 0; i < 3; i++) expect((await w.call('/echo/one', { key })).status).toBe(200);
    expect(last().headers['x-level']).toBe('api');
    // Only that section: the product's outbound still runs.
    await w.setPolicy('/products/p', policyXml({ outbound: `<base />${level('product-outbound')}` }));
    expect((await w.call('/echo/one', { key })).headers['x-level']).toBe('product-outbound');
  });

  it('an operation\'s policy overrides its API\'s for that operation only', async () => {
    await w.setPolicy('/apis/echo', policyXml({ inbound: `<base />${level('api')}` }));
    await w.setPolicy('/apis/echo/operations/get-two', policyXml({ inbound: `<base />${level('operation')}` }));
    await w.call('/echo/one', { key });
    expect(last().headers['x-level']).toBe('api');
    await w.call('/echo/two', { key });
    expect(last().headers['x-level']).toBe('operation');
  });

  it('the product\'s policy applies to calls with a subscription to it, not to calls without one or with another kind', async () => {
    await w.setPolicy('/products/p', policyXml({ inbound: `${level('product')}<base />` }));
    await w.call('/open/x', { key });
    expect(last().headers['x-level']).toBe('product');
    await w.call('/open/x');
    expect(last().headers['x-level']).toBeUndefined();
    await w.call('/echo/one', { key: allKey });
    expect(last().headers['x-level']).toBeUndefined();
  });

  it('follows changes: a policy deleted; an operation deleted takes its policy along; a product\'s change re-reads its policy; a full reload', async () => {
    await w.setPolicy('/apis/echo/operations/get-one', policyXml({ inbound: '<base /><return-response><set-status code="299" /></return-response>' }));
    expect((await w.call('/echo/one', { key })).status).toBe(299);

    // The operation is deleted (its policy goes by cascade, with no change of its own) and made again.
    const db = w.server.app.database.db;
    await db.deleteFrom('api_operations').where('api_id', '=', 'echo').where('id', '=', 'get-one').execute();
    expect(await db.selectFrom('policies').select('scope_key').where('scope_key', '=', '/apis/echo/operations/get-one').execute()).toEqual([]);
    await w.changed('api', 'echo');
    expect((await w.call('/echo/one', { key })).status).toBe(404);
    await db.insertInto('api_operations').values({ api_id: 'echo', id: 'get-one', display_name: 'One', method: 'GET', url_template: '/one', description: null, template_parameters: null, etag: 'e' }).execute();
    await w.changed('api', 'echo');
    expect((await w.call('/echo/one', { key })).status).toBe(200);

    // A product's policy written with only the product's change recorded.
    await db.insertInto('policies').values({ scope_key: '/products/p', scope: 'product', product_id: 'p', api_id: null, operation_id: null, xml: policyXml({ inbound: `${level('via-product')}<base />` }), etag: 'e', updated_at: 'now' }).execute();
    await w.changed('product', 'p');
    await w.call('/echo/one', { key });
    expect(last().headers['x-level']).toBe('via-product');

    // Written behind the feed's back: a full reload sees it.
    await db.updateTable('policies').set({ xml: policyXml({ inbound: `${level('reloaded')}<base />` }) }).where('scope_key', '=', '/products/p').execute();
    await w.gateway.refresh();
    await w.call('/echo/one', { key });
    expect(last().headers['x-level']).toBe('reloaded');
  });

  it('a stored document that does not parse refuses the calls under its scope with 500 (and says so), until it is fixed', async () => {
    await w.setPolicy('/apis/echo/operations/get-two', '<policies><inbound><base /><no-such-policy /></inbound></policies>');
    const refused = await w.call('/echo/two', { key });
    expect(refused.status).toBe(500);
    expect(refused.json).toEqual({ statusCode: 500, message: 'Internal server error.' });
    expect(w.logLines.some((l) => l.includes('a stored policy does not parse') && l.includes('/apis/echo/operations/get-two'))).toBe(true);
    // Other operations are not affected.
    expect((await w.call('/echo/one', { key })).status).toBe(200);
    await w.setPolicy('/apis/echo/operations/get-two', policyXml({}));
    expect((await w.call('/echo/two', { key })).status).toBe(200);
  });

  it('the global policy reaches every API; without any policy the answer is the backend\'s untouched', async () => {
    const plain = await w.call('/echo/one', { key });
    expect(plain.headers['x-level']).toBeUndefined();
    await w.setPolicy('/', policyXml({ backend: DEFAULT_BACKEND, outbound: level('global') }));
    expect((await w.call('/echo/one', { key })).headers['x-level']).toBe('global');
    expect((await w.call('/open/x')).headers['x-level']).toBe('global');
  });
});
