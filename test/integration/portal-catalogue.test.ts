/**
 * The developer portal's catalogue and subscriptions over real HTTP, as a browser without
 * JavaScript uses them: which products each visitor sees, a product's page, subscribing (with and
 * without approval, up to the product's limit), My subscriptions with its keys, regenerating a key,
 * cancelling, and that nobody but the owner sees or changes a subscription. Products and APIs are
 * made through the management API, as an administrator makes them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startServer, type TestServer } from '../helpers/server.js';
import { Browser, hiddenFields, messages, unescapeHtml, type Res } from '../helpers/portal-browser.js';
import { uniqueIds } from '../helpers/ids.js';
import { activeDeveloper, type TestUser } from '../helpers/users.js';

const CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const CSP_WITH_SCRIPT =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const GATEWAY_PUBLIC_URL = 'https://gateway.contoso.example';
const KEY = /^[0-9a-f]{64}$/;

const unique = uniqueIds(3);

function activeUser(server: TestServer): Promise<TestUser> {
  return activeDeveloper(server, unique('dev'));
}

async function signedIn(server: TestServer, user?: TestUser): Promise<{ browser: Browser; user: TestUser }> {
  const who = user ?? (await activeUser(server));
  const browser = new Browser(server);
  await browser.signIn(who.email, who.password);
  return { browser, user: who };
}

async function ok(res: Promise<{ status: number; text: string }>, ...statuses: number[]): Promise<void> {
  const r = await res;
  expect(statuses.length > 0 ? statuses : [200, 201], r.text).toContain(r.status);
}

interface ProductSpec {
  displayName?: string;
  description?: string | null;
  terms?: string | null;
  approvalRequired?: boolean;
  subscriptionsLimit?: number | null;
  subscriptionRequired?: boolean;
  state?: 'published' | 'notPublished';
  groups?: string[];
  apis?: string[];
}

async function product(server: TestServer, id: string, spec: ProductSpec = {}): Promise<void> {
  const subscriptionRequired = spec.subscriptionRequired ?? true;
  await ok(
    server.request('PUT', `/products/${id}`, {
      body: {
        properties: {
          displayName: spec.displayName ?? `Product ${id}`,
          description: spec.description === undefined ? `About ${id}.` : spec.description,
          terms: spec.terms ?? null,
          subscriptionRequired,
          ...(subscriptionRequired ? { approvalRequired: spec.approvalRequired ?? false, subscriptionsLimit: spec.subscriptionsLimit ?? null } : {}),
          state: spec.state ?? 'published',
        },
      },
    }),
  );
  for (const group of spec.groups ?? ['developers']) await ok(server.request('PUT', `/products/${id}/groups/${group}`));
  for (const api of spec.apis ?? []) await ok(server.request('PUT', `/products/${id}/apis/${api}`));
}

async function api(server: TestServer, id: string, path: string, operations: { id: string; method: string; urlTemplate: string; displayName?: string }[]): Promise<void> {
  await ok(
    server.request('PUT', `/apis/${id}`, {
      body: { properties: { displayName: `API ${id}`, path, serviceUrl: 'http://127.0.0.1:9/backend', protocols: ['http', 'https'] } },
    }),
  );
  for (const op of operations) {
    await ok(
      server.request('PUT', `/apis/${id}/operations/${op.id}`, {
        body: {
          properties: {
            displayName: op.displayName ?? op.id,
            method: op.method,
            urlTemplate: op.urlTemplate,
            templateParameters: [...op.urlTemplate.matchAll(/\{([^}]+)\}/g)].map((m) => ({ name: m[1], type: 'string', required: true })),
          },
        },
      }),
    );
  }
}

function expectPage(res: Res, status = 200, csp = CSP): void {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(res.headers.get('content-security-policy')).toBe(csp);
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(res.text).not.toMatch(/ style="| on[a-z]+="/i);
  // Every input that is not hidden is labelled.
  for (const m of res.text.matchAll(/<input id="([^"]+)"/g)) expect(res.text).toContain(`<label for="${m[1]}">`);
}

/** The links to products on the catalogue page, in order. */
function productLinks(page: string): string[] {
  return [...page.matchAll(/<h2><a href="\/products\/([^"]+)">/g)].map((m) => decodeURIComponent(m[1]!));
}

interface ShownSubscription {
  id: string;
  block: string;
  state: string;
  keys: string[];
}

/** The subscriptions on My subscriptions, with their state and the keys the page holds. */
function shownSubscriptions(page: string): ShownSubscription[] {
  return [...page.matchAll(/<section class="card broad subscription"[\s\S]*?<\/section>/g)].map((m) => {
    const block = m[0];
    const id = /action="\/subscriptions\/([^/"]+)\/(?:cancel|regenerate)"/.exec(block)?.[1];
    return {
      id: id ? decodeURIComponent(id) : '',
      block,
      state: /<span class="tag [a-z]+">([^<]+)<\/span>/.exec(block)?.[1] ?? '',
      keys: [...block.matchAll(/<code class="key-value"[^>]*>([^<]*)<\/code>/g)].map((k) => k[1]!),
    };
  });
}

/** The one subscription shown with this name. */
function shownNamed(page: string, name: string): ShownSubscription {
  const found = shownSubscriptions(page).filter((s) => s.block.includes(`>${name}</h2>`));
  expect(found, page).toHaveLength(1);
  return found[0]!;
}

async function subscribe(browser: Browser, productId: string, fields: Record<string, string> = {}): Promise<Res> {
  return browser.submit(`/products/${productId}`, `/products/${productId}/subscribe`, fields);
}

describe.each(BACKENDS)('developer portal catalogue and subscriptions (%s)', (backend) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer(backend, { env: { GATEWAY_PUBLIC_URL } });
    await ok(server.request('PUT', '/groups/partners', { body: { properties: { displayName: 'Partners' } } }));
    await api(server, 'echo', 'echo/v1', [
      { id: 'get-item', method: 'GET', urlTemplate: '/items/{id}', displayName: 'Get an item' },
      { id: 'create-item', method: 'POST', urlTemplate: '/items', displayName: 'Create an item' },
    ]);
    await product(server, 'devs', { displayName: 'Developers only', apis: ['echo'], terms: 'Be nice.\nNo scraping.' });
    await product(server, 'partners-only', { displayName: 'Partners only', groups: ['partners'] });
    await product(server, 'guests-only', { displayName: 'Guests only', groups: ['guests'] });
    await product(server, 'draft', { displayName: 'Draft product', state: 'notPublished' });
    await product(server, 'instant', { displayName: 'Instant', apis: ['echo'] });
    await product(server, 'approval', { displayName: 'Needs approval', approvalRequired: true });
    await product(server, 'single', { displayName: 'Just one', subscriptionsLimit: 1 });
    await product(server, 'open', { displayName: 'Open product', subscriptionRequired: false });
  });

  afterAll(async () => {
    await server?.close();
  });

  describe('the catalogue', () => {
    it("shows a developer the published products of their groups, and nothing of the others'", async () => {
      const { browser, user } = await signedIn(server);
      const page = await browser.get('/products');
      expectPage(page);
      expect(page.text).toContain('<a href="/products">Products</a>');
      expect(page.text).toContain('<a href="/subscriptions">My subscriptions</a>');
      const links = productLinks(page.text);
      expect(links).toEqual(expect.arrayContaining(['devs', 'instant', 'approval', 'single', 'open']));
      for (const hidden of ['partners-only', 'guests-only', 'draft']) expect(links).not.toContain(hidden);
      expect(page.text).not.toContain('Partners only');
      expect(page.text).toContain('Needs approval');
      expect(page.text).toContain('Instant access');
      // Sorted by name.
      const names = [...page.text.matchAll(/<h2><a href="[^"]+">([^<]+)<\/a><\/h2>/g)].map((m) => unescapeHtml(m[1]!));
      expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' })));

      // Pages of products the developer may not see are not found, like products that do not exist.
      for (const id of ['partners-only', 'guests-only', 'draft', 'no-such-product']) {
        const hidden = await browser.get(`/products/${id}`);
        expectPage(hidden, 404);
        expect(hidden.text).toContain('Page not found');
        expect(hidden.text).not.toContain('Partners only');
      }
      const refused = await browser.post('/products/partners-only/subscribe', hiddenFields((await browser.get('/products/devs')).text, '/products/devs/subscribe'));
      expect(refused.status).toBe(404);

      // Joining the group shows the product.
      await ok(server.request('PUT', `/groups/partners/users/${user.id}`));
      expect(productLinks((await browser.get('/products')).text)).toContain('partners-only');
      expectPage(await browser.get('/products/partners-only'));
    });

    it("shows a visitor who is not signed in what guests see, and asks them to sign in to subscribe", async () => {
      const browser = new Browser(server);
      const page = await browser.get('/products');
      expectPage(page);
      expect(page.text).toContain('<a href="/products">Products</a>');
      expect(page.text).not.toContain('My subscriptions');
      const links = productLinks(page.text);
      expect(links).toContain('guests-only');
      expect(links).not.toContain('devs');
      expectPage(await browser.get('/products/devs'), 404);
      const guest = await browser.get('/products/guests-only');
      expectPage(guest);
      expect(guest.text).toContain('href="/signin?returnTo=%2Fproducts%2Fguests-only"');
      expect(guest.text).not.toContain('action="/products/guests-only/subscribe"');
      // Subscribing needs a session.
      const post = await browser.post('/products/guests-only/subscribe', { displayName: 'x' });
      expect(post.status).toBe(303);
      expect(post.location).toMatch(/^\/signin/);
    });

    it('shows a product with its terms, APIs, operations and their gateway URLs, and the subscribe form', async () => {
      const { browser } = await signedIn(server);
      const page = await browser.get('/products/devs');
      expectPage(page);
      expect(page.text).toContain('<h1 id="page-heading">Developers only</h1>');
      expect(page.text).toContain('About devs.');
      expect(page.text).toContain('Terms of use');
      expect(page.text).toContain('Be nice.\nNo scraping.');
      expect(page.text).toContain('API echo');
      expect(page.text).toContain(`<code>${GATEWAY_PUBLIC_URL}/echo/v1</code>`);
      expect(page.text).toContain(`<code>${GATEWAY_PUBLIC_URL}/echo/v1/items/{id}</code>`);
      expect(page.text).toContain(`<code>${GATEWAY_PUBLIC_URL}/echo/v1/items</code>`);
      expect(page.text).toMatch(/<span class="method">GET<\/span>[\s\S]*<span class="method">POST<\/span>|<span class="method">POST<\/span>[\s\S]*<span class="method">GET<\/span>/);
      expect(page.text).toContain('Ocp-Apim-Subscription-Key');
      expect(page.text).toContain('action="/products/devs/subscribe"');
      expect(page.text).toContain('name="displayName" type="text"');
      expect(page.text).toContain('value="Developers only"');
      expect(page.text).toContain('name="acceptTerms"');

      // Without terms, no checkbox; an open product has nothing to subscribe to.
      expect((await browser.get('/products/instant')).text).not.toContain('name="acceptTerms"');
      const open = await browser.get('/products/open');
      expect(open.text).toContain('No subscription needed');
      expect(open.text).not.toContain('action="/products/open/subscribe"');
      const forced = await browser.post('/products/open/subscribe', { ...hiddenFields(page.text, '/products/devs/subscribe'), displayName: 'Open' });
      expectPage(forced, 400);
      expect(messages(forced.text)).toContain('needs no subscription');
    });

    it('escapes product names, descriptions and terms (Azure allows HTML there)', async () => {
      const id = unique('xss');
      await product(server, id, {
        displayName: '<script>alert(1)</script>',
        description: '<img src=x onerror=alert(2)><b>bold</b>',
        terms: '"><iframe src=//evil.example>',
      });
      const { browser } = await signedIn(server);
      for (const path of ['/products', `/products/${id}`]) {
        const page = await browser.get(path);
        expectPage(page);
        expect(page.text).not.toContain('<script>alert(1)');
        expect(page.text).not.toContain('<img src=x');
        expect(page.text).not.toContain('<b>bold</b>');
        expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
        expect(page.text).toContain('&lt;img src=x onerror=alert(2)&gt;&lt;b&gt;bold&lt;/b&gt;');
      }
      const productPage = await browser.get(`/products/${id}`);
      expect(productPage.text).not.toContain('<iframe');
      expect(productPage.text).toContain('&quot;&gt;&lt;iframe src=//evil.example&gt;');

      const res = await subscribe(browser, id, { displayName: '<i>mine</i>', acceptTerms: 'yes' });
      expect(res.status, res.text).toBe(303);
      const mine = await browser.get('/subscriptions');
      expect(mine.text).not.toContain('<script>alert(1)');
      expect(mine.text).not.toContain('<i>mine</i>');
      expect(mine.text).toContain('&lt;i&gt;mine&lt;/i&gt;');
      expect(mine.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    });
  });

  describe('subscribing', () => {
    it('subscribes at once to a product without approval, and shows the keys on My subscriptions', async () => {
      const { browser, user } = await signedIn(server);
      const res = await subscribe(browser, 'instant', { displayName: 'My mobile app' });
      expect(res.status, res.text).toBe(303);
      expect(res.location).toBe('/subscriptions?notice=subscribed');
      const page = await browser.get(res.location!);
      expectPage(page, 200, CSP_WITH_SCRIPT);
      expect(page.text).toContain('<h1 id="page-heading">My subscriptions</h1>');
      expect(messages(page.text)).toContain('Your subscription is active');
      expect(page.text).toContain('<script src="/assets/portal.js" defer></script>');
      const shown = shownNamed(page.text, 'My mobile app');
      expect(shown.state).toBe('Active');
      expect(shown.block).toContain('<a href="/products/instant">Instant</a>');
      expect(shown.block).toMatch(/<time datetime="\d{4}-\d\d-\d\dT[^"]+">[A-Z][a-z]+ \d{1,2}, \d{4}<\/time>/);
      // The keys are in the page, hidden until "Show" is clicked, with a Copy button for JavaScript.
      expect(shown.keys).toHaveLength(2);
      for (const key of shown.keys) expect(key).toMatch(KEY);
      expect(shown.keys[0]).not.toBe(shown.keys[1]);
      expect(shown.block).toMatch(/<details>\s*<summary>Show/);
      expect(shown.block).not.toMatch(/<details open>\s*<summary>Show/);
      expect(shown.block).toContain('data-copy="');
      // They are the subscription's keys.
      const secrets = await server.request('POST', `/subscriptions/${shown.id}/listSecrets`);
      expect(secrets.status, secrets.text).toBe(200);
      expect([secrets.json.primaryKey, secrets.json.secondaryKey]).toEqual(shown.keys);
      const stored = await server.request('GET', `/subscriptions/${shown.id}`);
      expect(stored.json.properties.state).toBe('active');
      expect(stored.json.properties.ownerId).toMatch(new RegExp(`/users/${user.id}$`));
      expect(stored.json.properties.scope).toMatch(/\/products\/instant$/);
    });

    it('sends a subscription to a product that needs approval, without keys until it is approved', async () => {
      const { browser } = await signedIn(server);
      const res = await subscribe(browser, 'approval', { displayName: 'Waiting one' });
      expect(res.status, res.text).toBe(303);
      expect(res.location).toBe('/subscriptions?notice=requested');
      const page = await browser.get(res.location!);
      expect(messages(page.text)).toContain('Your request was sent for approval');
      const shown = shownNamed(page.text, 'Waiting one');
      expect(shown.state).toBe('Waiting for approval');
      expect(shown.keys).toEqual([]);
      expect(shown.block).not.toContain('/regenerate"');
      const secrets = await server.request('POST', `/subscriptions/${shown.id}/listSecrets`);
      for (const key of [secrets.json.primaryKey, secrets.json.secondaryKey]) expect(page.text).not.toContain(key);

      // Once approved, the keys appear.
      const stored = await server.request('GET', `/subscriptions/${shown.id}`);
      await ok(server.request('PATCH', `/subscriptions/${shown.id}`, { body: { properties: { state: 'active' } }, headers: { 'if-match': stored.headers.get('etag') ?? '*' } }));
      const approved = shownNamed((await browser.get('/subscriptions')).text, 'Waiting one');
      expect(approved.state).toBe('Active');
      expect(approved.keys).toEqual([secrets.json.primaryKey, secrets.json.secondaryKey]);
    });

    it("refuses a subscription beyond the product's limit, on the product page", async () => {
      const { browser } = await signedIn(server);
      expect((await subscribe(browser, 'single', { displayName: 'First' })).status).toBe(303);
      const refused = await subscribe(browser, 'single', { displayName: 'Second' });
      expectPage(refused, 409);
      expect(refused.text).toContain('<h1 id="page-heading">Just one</h1>');
      expect(messages(refused.text)).toContain('allows only one per developer');
      expect(refused.text).toContain('value="Second"');
      const page = await browser.get('/subscriptions');
      expect(shownSubscriptions(page.text).map((s) => s.block.includes('>Second</h2>'))).not.toContain(true);
    });

    it('asks for a name, and for the terms to be accepted when the product has terms', async () => {
      const { browser } = await signedIn(server);
      const noTerms = await subscribe(browser, 'devs', { displayName: 'Terms app' });
      expectPage(noTerms, 400);
      expect(noTerms.text).toContain('Tick the box to accept the terms of use.');
      expect(noTerms.text).toContain('value="Terms app"');
      const noName = await subscribe(browser, 'instant', { displayName: '   ' });
      expectPage(noName, 400);
      expect(noName.text).toContain('Enter a name for the subscription.');
      const tooLong = await subscribe(browser, 'instant', { displayName: 'x'.repeat(101) });
      expectPage(tooLong, 400);
      const accepted = await subscribe(browser, 'devs', { displayName: 'Terms app', acceptTerms: 'yes' });
      expect(accepted.status, accepted.text).toBe(303);
      expect(shownNamed((await browser.get('/subscriptions')).text, 'Terms app').state).toBe('Active');
    });
  });

  describe('managing subscriptions', () => {
    it('regenerates one key after a confirmation, leaving the other as it was', async () => {
      const { browser } = await signedIn(server);
      await subscribe(browser, 'instant', { displayName: 'Rotate me' });
      let page = (await browser.get('/subscriptions')).text;
      const before = shownNamed(page, 'Rotate me');
      const action = `/subscriptions/${before.id}/regenerate`;
      const token = hiddenFields(page, action);

      const unconfirmed = await browser.post(action, { ...token, key: 'primary' });
      expectPage(unconfirmed, 400, CSP_WITH_SCRIPT);
      expect(unconfirmed.text).toContain('Tick the box to confirm that the current primary key may stop working.');
      expect(shownNamed(unconfirmed.text, 'Rotate me').keys).toEqual(before.keys);

      const primary = await browser.post(action, { ...token, key: 'primary', confirm: 'yes' });
      expect(primary.status, primary.text).toBe(303);
      expect(primary.location).toBe('/subscriptions?notice=regenerated-primary');
      page = (await browser.get(primary.location!)).text;
      expect(messages(page)).toContain('A new primary key was generated');
      const afterPrimary = shownNamed(page, 'Rotate me');
      expect(afterPrimary.keys[0]).toMatch(KEY);
      expect(afterPrimary.keys[0]).not.toBe(before.keys[0]);
      expect(afterPrimary.keys[1]).toBe(before.keys[1]);

      const secondary = await browser.post(action, { ...token, key: 'secondary', confirm: 'yes' });
      expect(secondary.status).toBe(303);
      const afterSecondary = shownNamed((await browser.get('/subscriptions')).text, 'Rotate me');
      expect(afterSecondary.keys[0]).toBe(afterPrimary.keys[0]);
      expect(afterSecondary.keys[1]).not.toBe(before.keys[1]);

      const bad = await browser.post(action, { ...token, key: 'tertiary', confirm: 'yes' });
      expect(bad.status).toBe(400);
    });

    it('cancels a subscription after a confirmation; its keys are no longer shown', async () => {
      const { browser } = await signedIn(server);
      await subscribe(browser, 'instant', { displayName: 'Cancel me' });
      const page = (await browser.get('/subscriptions')).text;
      const before = shownNamed(page, 'Cancel me');
      const action = `/subscriptions/${before.id}/cancel`;
      const token = hiddenFields(page, action);
      const unconfirmed = await browser.post(action, token);
      expectPage(unconfirmed, 400, CSP_WITH_SCRIPT);
      expect(unconfirmed.text).toContain('Tick the box to confirm that you want to cancel this subscription.');
      expect(unconfirmed.text).toMatch(/<details class="manage" open>/);

      const res = await browser.post(action, { ...token, confirm: 'yes' });
      expect(res.status, res.text).toBe(303);
      expect(res.location).toBe('/subscriptions?notice=cancelled');
      const after = await browser.get(res.location!);
      expect(messages(after.text)).toContain('Your subscription was cancelled');
      const cancelled = shownNamed(after.text, 'Cancel me');
      expect(cancelled.state).toBe('Cancelled');
      expect(cancelled.keys).toEqual([]);
      for (const key of before.keys) expect(after.text).not.toContain(key);
      expect((await server.request('GET', `/subscriptions/${before.id}`)).json.properties.state).toBe('cancelled');
    });

    it("never shows or changes another developer's subscription", async () => {
      const owner = await signedIn(server);
      await subscribe(owner.browser, 'instant', { displayName: 'Owned' });
      const mine = shownNamed((await owner.browser.get('/subscriptions')).text, 'Owned');

      const other = await signedIn(server);
      const theirs = (await other.browser.get('/subscriptions')).text;
      for (const key of mine.keys) expect(theirs).not.toContain(key);
      expect(theirs).not.toContain('Owned');
      expect(theirs).toContain('You have no subscriptions yet.');

      // The other developer's own form token, posted to the owner's subscription.
      const token = hiddenFields(theirs, '/signout');
      const regenerate = await other.browser.post(`/subscriptions/${mine.id}/regenerate`, { ...token, key: 'primary', confirm: 'yes' });
      expectPage(regenerate, 404);
      const cancel = await other.browser.post(`/subscriptions/${mine.id}/cancel`, { ...token, confirm: 'yes' });
      expectPage(cancel, 404);
      const unknown = await other.browser.post('/subscriptions/no-such-subscription/cancel', { ...token, confirm: 'yes' });
      expectPage(unknown, 404);

      const still = shownNamed((await owner.browser.get('/subscriptions')).text, 'Owned');
      expect(still.state).toBe('Active');
      expect(still.keys).toEqual(mine.keys);
    });

    it('needs the form token of the session on every POST', async () => {
      const { browser } = await signedIn(server);
      await subscribe(browser, 'instant', { displayName: 'Guarded' });
      const page = (await browser.get('/subscriptions')).text;
      const shown = shownNamed(page, 'Guarded');
      const posts: [string, Record<string, string>][] = [
        ['/products/instant/subscribe', { displayName: 'Forged' }],
        [`/subscriptions/${shown.id}/regenerate`, { key: 'primary', confirm: 'yes' }],
        [`/subscriptions/${shown.id}/cancel`, { confirm: 'yes' }],
      ];
      // Another session's token is worth nothing here.
      const stranger = await signedIn(server);
      const foreign = hiddenFields((await stranger.browser.get('/subscriptions')).text, '/signout');
      for (const [action, fields] of posts) {
        for (const token of [{}, { _csrf: 'x'.repeat(43) }, foreign]) {
          const res = await browser.post(action, { ...fields, ...token });
          expectPage(res, 403);
          expect(res.text).toContain('The form expired');
        }
        // A cross-site form is refused even with the right token.
        const cross = await browser.post(action, { ...fields, ...hiddenFields(page, '/signout') }, { origin: 'https://evil.example' });
        expect(cross.status).toBe(403);
      }
      const after = shownNamed((await browser.get('/subscriptions')).text, 'Guarded');
      expect(after.state).toBe('Active');
      expect(after.keys).toEqual(shown.keys);
      expect(shownSubscriptions((await browser.get('/subscriptions')).text).some((s) => s.block.includes('>Forged</h2>'))).toBe(false);
    });

    it('sends a visitor who is not signed in to sign in first', async () => {
      const browser = new Browser(server);
      const res = await browser.get('/subscriptions');
      expect(res.status).toBe(303);
      expect(res.location).toBe('/signin?returnTo=%2Fsubscriptions');
      const post = await browser.post('/subscriptions/x/cancel', { confirm: 'yes' });
      expect(post.status).toBe(303);
      expect(post.location).toMatch(/^\/signin/);
    });
  });

  describe('the Copy script', () => {
    it('is served from /assets/portal.js, and loaded only by My subscriptions', async () => {
      const res = await fetch(`${server.url}/assets/portal.js`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const script = await res.text();
      expect(script).toContain('data-copy');
      expect(script).not.toMatch(/\beval\(|innerHTML|new Function/);
      const again = await fetch(`${server.url}/assets/portal.js`, { headers: { 'if-none-match': res.headers.get('etag')! } });
      expect(again.status).toBe(304);
      const { browser } = await signedIn(server);
      for (const path of ['/', '/products', '/products/instant', '/profile']) {
        const page = await browser.get(path);
        expect(page.headers.get('content-security-policy')).toBe(CSP);
        expect(page.text).not.toContain('<script');
      }
    });
  });
});
