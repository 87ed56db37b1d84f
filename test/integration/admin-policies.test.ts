/**
 * The admin UI's policy editors without a browser, over real HTTP: each scope's editor shows what
 * is stored (or what the scope behaves as), saves through the same service as the management API
 * (seen there), and a refused document comes back with the text exactly as posted and each
 * problem at the line and column the service finds; a stale form keeps the text (412), a form
 * without its token is refused (403) and writes nothing; deleting asks first. An operation's page
 * shows its effective policy, for no product or a product that holds its API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_GLOBAL_POLICY_XML, EMPTY_SCOPE_POLICY_XML, STARTER_POLICY_XML } from '../../src/domain/policy/defaults.js';
import type { PolicyTarget } from '../../src/services/policies.js';
import { BACKENDS, type TestServer } from '../helpers/server.js';
import { hiddenFields, messageText, unescapeHtml } from '../helpers/portal-browser.js';
import { AdminBrowser, adminBrowser, startAdminServer } from '../helpers/admin.js';
import { putApi, putProduct } from '../helpers/gateway.js';
import { activeDeveloper } from '../helpers/users.js';
import { Browser } from '../helpers/portal-browser.js';

/** The text of the editor's text area, as the browser would hold it. */
export function textareaOf(page: string, id = 'policy-xml'): string {
  const match = new RegExp(`<textarea id="${id}"[^>]*>\\n([\\s\\S]*?)</textarea>`).exec(page);
  if (!match) throw new Error(`no text area #${id} in:\n${page}`);
  return unescapeHtml(match[1]!);
}

/** The effective policy's XML shown on an operation's page. */
function effectiveOf(page: string): string {
  const match = /<pre class="policy-view" tabindex="0" aria-label="Effective policy XML"><code>([\s\S]*?)<\/code><\/pre>/.exec(page);
  if (!match) throw new Error(`no effective policy in:\n${page}`);
  return unescapeHtml(match[1]!);
}

const RATE_LIMITED = ['<policies>', '  <inbound>', '    <rate-limit calls="7" renewal-period="30" />', '    <base />', '  </inbound>', '  <backend>', '    <base />', '  </backend>', '  <outbound>', '    <base />', '  </outbound>', '</policies>'].join('\r\n');

const API_HEADER = [
  '<policies>',
  '  <inbound>',
  '    <base />',
  '    <set-header name="X-From-Api" exists-action="override">',
  '      <value>orders</value>',
  '    </set-header>',
  '  </inbound>',
  '  <backend><base /></backend>',
  '  <outbound><base /></outbound>',
  '  <on-error><base /></on-error>',
  '</policies>',
].join('\n');

/** Two problems on known lines: an unknown element (line 3) and a rate limit without its calls (line 4). */
const BROKEN = [
  '<policies>',
  '  <inbound>',
  '    <set-colour name="x" />',
  '    <rate-limit renewal-period="60" />',
  '    <base />',
  '  </inbound>',
  '  <backend><base /></backend>',
  '  <outbound><base /></outbound>',
  '</policies>',
].join('\r\n');

describe.each(BACKENDS)('admin UI: policies (%s)', (backend) => {
  let server: TestServer;
  let admin: AdminBrowser;

  const policyOf = (path: string) => server.request('GET', `${path}/policies/policy`);

  beforeAll(async () => {
    server = await startAdminServer(backend);
    admin = await adminBrowser(server);
    await putApi(server, 'orders', { displayName: 'Orders', path: 'orders', serviceUrl: 'http://127.0.0.1:9/orders', protocols: ['https'] }, [
      { id: 'get-order', displayName: 'Get an order', method: 'GET', urlTemplate: '/orders/{id}', templateParameters: [{ name: 'id', type: 'string', required: true }] },
    ]);
    await putProduct(server, 'shop', { displayName: 'Shop', subscriptionRequired: true, state: 'published' }, { apis: ['orders'] });
    await putProduct(server, 'other', { displayName: 'Other', subscriptionRequired: true, state: 'published' });
  });
  afterAll(async () => server?.close());

  it('shows the global policy in its editor, reachable from the navigation', async () => {
    const home = await admin.get('/admin');
    expect(home.text).toContain('<a href="/admin/policy">Policies</a>');
    const page = await admin.get('/admin/policy');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<a href="/admin/policy" aria-current="page">Policies</a>');
    expect(page.text).toContain('<a href="/admin/policy" aria-current="page">Global policy</a></li><li><a href="/admin/named-values">Named values</a>');
    const stored = await policyOf('');
    const expected = stored.status === 200 ? (stored.json.properties.value as string) : DEFAULT_GLOBAL_POLICY_XML;
    expect(textareaOf(page.text)).toBe(expected);
  });

  it('links each scope to its editor: the product, the API and each operation', async () => {
    const product = await admin.get('/admin/products/shop');
    expect(product.text).toContain('href="/admin/products/shop/policy">Policy</a>');
    const api = await admin.get('/admin/apis/orders');
    expect(api.text).toContain('href="/admin/apis/orders/policy">Policy</a>');
    expect(api.text).toContain('href="/admin/apis/orders/operations/get-order/policy">Policy<span class="visually-hidden"> of Get an order</span></a>');
  });

  it('shows all-<base /> for a scope without a policy, and saves one, which the management API then returns', async () => {
    const page = await admin.get('/admin/products/shop/policy');
    expect(page.status).toBe(200);
    expect(page.text).toContain('No policy is stored here');
    expect(textareaOf(page.text)).toBe(EMPTY_SCOPE_POLICY_XML);
    expect(hiddenFields(page.text, '/admin/products/shop/policy').etag).toBeUndefined();
    expect(page.text).not.toContain('href="/admin/products/shop/policy/delete"');

    const saved = await admin.submit('/admin/products/shop/policy', '/admin/products/shop/policy', { value: RATE_LIMITED });
    expect(saved.status, saved.text).toBe(303);
    expect(saved.location).toBe('/admin/products/shop/policy?notice=policy-saved');
    const stored = await policyOf('/products/shop');
    expect(stored.status).toBe(200);
    expect(stored.json.properties.value).toBe(RATE_LIMITED);

    const after = await admin.get(saved.location!);
    expect(messageText(after.text)).toContain('The policy was saved');
    expect(textareaOf(after.text)).toBe(RATE_LIMITED);
    expect(hiddenFields(after.text, '/admin/products/shop/policy').etag).toBe(stored.headers.get('etag')!.replace(/"/g, ''));
    // The product's page states what its policy limits.
    expect((await admin.get('/admin/products/shop')).text).toContain('7 calls per 30 seconds');
  });

  it('keeps the text exactly and lists each problem at its line and column when the document is refused', async () => {
    const before = await policyOf('/products/shop');
    const refused = await admin.submit('/admin/products/shop/policy', '/admin/products/shop/policy', { value: BROKEN });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('<title>Error: Policy of Shop');
    expect(textareaOf(refused.text)).toBe(BROKEN);
    expect(refused.text).toMatch(/<textarea id="policy-xml"[^>]*aria-invalid="true"/);

    const target: PolicyTarget = { scope: 'product', productId: 'shop' };
    const problems = await server.app.services.policies.check(target, { value: BROKEN, format: 'xml' });
    expect(problems.map((p) => p.line)).toEqual(expect.arrayContaining([3, 4]));
    // The page's words, tags taken out (messageText puts a space where each tag was).
    const shown = messageText(refused.text).replace(/ :/g, ':');
    expect(shown).toContain(`The policy was not saved: ${problems.length} problems in the document.`);
    for (const p of problems) {
      expect(shown).toContain(`Line ${p.line}, column ${p.column}: ${p.element}: ${p.message}`);
      expect(refused.text).toContain(`data-line="${p.line}" data-column="${p.column}"`);
    }
    // The offending line itself, with the marker under the column.
    const unknown = problems.find((p) => p.line === 3)!;
    const excerpt = new RegExp(`<span class="gutter" aria-hidden="true">3 \\| </span>    &lt;set-colour name=&quot;x&quot; /&gt;\\n<span aria-hidden="true"><span class="gutter">  \\| </span>( *)<span class="marker">\\^</span>`).exec(refused.text);
    expect(excerpt, refused.text).not.toBeNull();
    expect(excerpt![1]!.length).toBe(unknown.column - 1);

    // Nothing was written.
    const after = await policyOf('/products/shop');
    expect(after.json.properties.value).toBe(before.json.properties.value);
    expect(after.headers.get('etag')).toBe(before.headers.get('etag'));
  });

  it('shows the part of a long line around the column, the marker under it, and a malformed document at its place', async () => {
    const header = '<set-header name="X-A" exists-action="override"><value>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</value></set-header>';
    const oneLine = `<policies><inbound><base />${header.repeat(2)}<rate-limit calls="x" renewal-period="60" /></inbound><backend><base /></backend><outbound><base /></outbound></policies>`;
    const refused = await admin.submit('/admin/products/shop/policy', '/admin/products/shop/policy', { value: oneLine });
    expect(refused.status).toBe(400);
    expect(textareaOf(refused.text)).toBe(oneLine);
    const [problem] = await server.app.services.policies.check({ scope: 'product', productId: 'shop' }, { value: oneLine, format: 'xml' });
    expect(problem!.column).toBeGreaterThan(200);
    const excerpt = /<span class="gutter" aria-hidden="true">1 \| <\/span>…([^\n]*)…\n<span aria-hidden="true"><span class="gutter">  \| <\/span>( *)<span class="marker">\^<\/span>/.exec(refused.text);
    expect(excerpt, refused.text).not.toBeNull();
    const shown = unescapeHtml(excerpt![1]!);
    expect(shown.length).toBe(100);
    // The marker stands under the column's character ("…" takes the first place).
    expect(shown[excerpt![2]!.length - 1]).toBe(oneLine[problem!.column - 1]);
    expect(shown).toContain('<rate-limit calls="x"');

    const malformed = '<policies>\n  <inbound>\n    <base />\n  </inbound>\n</policies';
    const bad = await admin.submit('/admin/products/shop/policy', '/admin/products/shop/policy', { value: malformed });
    expect(bad.status).toBe(400);
    expect(textareaOf(bad.text)).toBe(malformed);
    expect(messageText(bad.text)).toMatch(/Line 5, column \d+ : policies : The document is not well-formed XML/);
    expect((await policyOf('/products/shop')).json.properties.value).toBe(RATE_LIMITED);
  });

  it('says what is wrong with an empty document, and writes nothing', async () => {
    const refused = await admin.submit('/admin/products/shop/policy', '/admin/products/shop/policy', { value: '' });
    expect(refused.status).toBe(400);
    expect(messageText(refused.text)).toContain('The policy was not saved.');
    expect(messageText(refused.text)).toContain('The policy is required.');
    expect((await policyOf('/products/shop')).json.properties.value).toBe(RATE_LIMITED);
  });

  it('refuses a form without its token (403) and writes nothing', async () => {
    const fields = await admin.formFields('/admin/products/shop/policy', '/admin/products/shop/policy');
    const forged = await admin.post('/admin/products/shop/policy', { etag: fields.etag!, value: STARTER_POLICY_XML });
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('The form expired');
    const wrong = await admin.post('/admin/products/shop/policy', { ...fields, _csrf: 'not-the-token', value: STARTER_POLICY_XML });
    expect(wrong.status).toBe(403);
    expect((await policyOf('/products/shop')).json.properties.value).toBe(RATE_LIMITED);
    // Delete too.
    expect((await admin.post('/admin/products/shop/policy/delete', { etag: fields.etag! })).status).toBe(403);
    expect((await policyOf('/products/shop')).status).toBe(200);
  });

  it('keeps the text of a stale form (412) and shows the policy as it is now', async () => {
    const fields = await admin.formFields('/admin/products/shop/policy', '/admin/products/shop/policy');
    const meanwhile = await server.request('PUT', '/products/shop/policies/policy', { body: { properties: { value: STARTER_POLICY_XML, format: 'xml' } } });
    expect(meanwhile.status).toBe(200);
    const mine = RATE_LIMITED.replace('calls="7"', 'calls="8"');
    const stale = await admin.post('/admin/products/shop/policy', { ...fields, value: mine });
    expect(stale.status).toBe(412);
    expect(messageText(stale.text)).toContain('Someone changed this policy after you opened it');
    expect(textareaOf(stale.text)).toBe(mine);
    expect(unescapeHtml(stale.text)).toContain('<rate-limit calls="5" renewal-period="60" />');
    expect((await policyOf('/products/shop')).json.properties.value).toBe(STARTER_POLICY_XML);
    // The page carries the current tag: saving again is a deliberate replacement.
    const again = await admin.post('/admin/products/shop/policy', { ...hiddenFields(stale.text, '/admin/products/shop/policy'), value: mine });
    expect(again.status, again.text).toBe(303);
    expect((await policyOf('/products/shop')).json.properties.value).toBe(mine);
  });

  it('saves the policies of an API and of an operation', async () => {
    const api = await admin.submit('/admin/apis/orders/policy', '/admin/apis/orders/policy', { value: API_HEADER });
    expect(api.status, api.text).toBe(303);
    expect((await policyOf('/apis/orders')).json.properties.value).toBe(API_HEADER);

    const path = '/admin/apis/orders/operations/get-order/policy';
    const page = await admin.get(path);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1 id="page-heading">Policy of Get an order</h1>');
    const operationXml = EMPTY_SCOPE_POLICY_XML.replace('<base />\r\n  </inbound>', '<base />\r\n    <set-query-parameter name="from" exists-action="append"><value>op</value></set-query-parameter>\r\n  </inbound>');
    const saved = await admin.submit(path, path, { value: operationXml });
    expect(saved.status, saved.text).toBe(303);
    expect((await policyOf('/apis/orders/operations/get-order')).json.properties.value).toBe(operationXml);
  });

  it("shows an operation's effective policy for no product, or for a product that holds its API", async () => {
    const path = '/admin/apis/orders/operations/get-order/policy';
    const none = await admin.get(path);
    const composed = effectiveOf(none.text);
    expect(composed).toContain('X-From-Api');
    expect(composed).toContain('name="from"');
    expect(composed).toContain('forward-request');
    expect(composed).not.toContain('rate-limit');
    expect(none.text).toContain('<option value="shop">Shop</option>');
    expect(none.text).not.toContain('<option value="other">');
    expect((await server.app.services.policies.effective('orders', 'get-order')).xml).toBe(composed);

    const shop = await admin.get(`${path}?product=shop`);
    expect(shop.status).toBe(200);
    expect(shop.text).toContain('<option value="shop" selected>Shop</option>');
    const withShop = effectiveOf(shop.text);
    expect(withShop).toContain('<rate-limit calls="8" renewal-period="30"');
    // The product's section runs before the API's: its <base /> is where the API's own elements follow it.
    expect(withShop.indexOf('rate-limit')).toBeLessThan(withShop.indexOf('X-From-Api'));
    expect(messageText(shop.text)).not.toContain('does not hold this API');
    expect(shop.text).toContain('8 calls per 30 seconds');

    const other = await admin.get(`${path}?product=other`);
    expect(other.status).toBe(200);
    expect(messageText(other.text)).toContain('The product other does not hold this API');
    expect(effectiveOf(other.text)).toBe(composed);
  });

  it('shows a secret named value by its name in the effective policy, never its value', async () => {
    const secret = 'tok_9f8e7d6c5b4a3f2e1d0c';
    const nv = await server.request('PUT', '/namedValues/orders-token', { body: { properties: { displayName: 'orders-token', value: secret, secret: true } } });
    expect(nv.status, nv.text).toBe(201);
    const path = '/admin/apis/orders/operations/get-order/policy';
    const withToken = EMPTY_SCOPE_POLICY_XML.replace(
      '<base />\r\n  </inbound>',
      '<base />\r\n    <set-header name="Authorization" exists-action="override"><value>Bearer {{orders-token}}</value></set-header>\r\n  </inbound>',
    );
    const saved = await admin.submit(path, path, { value: withToken });
    expect(saved.status, saved.text).toBe(303);
    const page = await admin.get(`${path}?product=shop`);
    expect(effectiveOf(page.text)).toContain('<value>Bearer {{orders-token}}</value>');
    expect(page.text).not.toContain(secret);
  });

  it('asks before deleting a policy, then deletes it with its tag', async () => {
    const path = '/admin/apis/orders/policy';
    const editor = await admin.get(path);
    expect(editor.text).toContain(`href="${path}/delete">Delete policy</a>`);
    const confirm = await admin.get(`${path}/delete`);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('Delete the policy of Orders?');
    const fields = hiddenFields(confirm.text, `${path}/delete`);
    expect(fields.etag).toBe((await policyOf('/apis/orders')).headers.get('etag')!.replace(/"/g, ''));

    const deleted = await admin.post(`${path}/delete`, fields);
    expect(deleted.status).toBe(303);
    expect(deleted.location).toBe(`${path}?notice=policy-deleted`);
    expect((await policyOf('/apis/orders')).status).toBe(404);
    const after = await admin.get(deleted.location!);
    expect(messageText(after.text)).toContain('The policy was deleted');
    expect(textareaOf(after.text)).toBe(EMPTY_SCOPE_POLICY_XML);
    // Nothing left to delete: the confirmation page leads back.
    const gone = await admin.get(`${path}/delete`);
    expect(gone.status).toBe(303);
    expect(gone.location).toBe(`${path}?notice=policy-gone`);
  });

  it('deletes the global policy: the editor then shows Azure’s default', async () => {
    const confirm = await admin.get('/admin/policy/delete');
    if (confirm.status === 303) {
      // Nothing stored yet: store the default first.
      expect((await admin.submit('/admin/policy', '/admin/policy', { value: DEFAULT_GLOBAL_POLICY_XML })).status).toBe(303);
    }
    const fields = await admin.formFields('/admin/policy/delete', '/admin/policy/delete');
    const deleted = await admin.post('/admin/policy/delete', fields);
    expect(deleted.location).toBe('/admin/policy?notice=global-policy-deleted');
    expect((await policyOf('')).status).toBe(404);
    const page = await admin.get('/admin/policy');
    expect(page.text).toContain('No global policy is stored');
    expect(textareaOf(page.text)).toBe(DEFAULT_GLOBAL_POLICY_XML);
    const restored = await admin.submit('/admin/policy', '/admin/policy', { value: DEFAULT_GLOBAL_POLICY_XML });
    expect(restored.status).toBe(303);
    expect((await policyOf('')).json.properties.value).toBe(DEFAULT_GLOBAL_POLICY_XML);
  });

  it('answers 404 for the policy of a product, API or operation that does not exist', async () => {
    for (const path of ['/admin/products/nope/policy', '/admin/apis/nope/policy', '/admin/apis/orders/operations/nope/policy']) {
      const res = await admin.get(path);
      expect(res.status, path).toBe(404);
    }
  });

  it('lets no developer in', async () => {
    const developer = await activeDeveloper(server, 'dev-policies');
    const browser = new Browser(server);
    await browser.signIn(developer.email, developer.password);
    const res = await browser.get('/admin/policy');
    expect(res.status).toBe(303);
    expect(res.location).toMatch(/^\/admin\/signin/);
  });
});
