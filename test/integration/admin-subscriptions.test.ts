/**
 * The admin UI's Subscriptions pages, through a browser without JavaScript: the paged, filtered
 * list; approving a request (the owner gets the "subscription active" email over real SMTP),
 * rejecting one with a reason (the email carries it), suspending (the gateway refuses the key) and
 * reactivating (it lets it through again), cancelling, regenerating a key (the previous one is
 * refused at once; the new one is never shown); only legal actions are offered, and forced ones
 * are refused. Each change is audited with the administrator as actor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, type TestServer } from '../helpers/server.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { Browser, hiddenFields, messages, unescapeHtml, type Res } from '../helpers/portal-browser.js';
import { ADMIN_EMAIL, AdminBrowser, adminBrowser, startAdminServer } from '../helpers/admin.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { putApi, putProduct } from '../helpers/gateway.js';
import { waitForEmail } from '../helpers/mail.js';
import { uniqueIds } from '../helpers/ids.js';
import { activeDeveloper, type TestUser } from '../helpers/users.js';

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const unique = uniqueIds(2);

function expectPage(res: Res, status = 200): void {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(res.headers.get('content-security-policy')).toBe(CSP);
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(res.text).not.toMatch(/ style="| on[a-z]+="/i);
  for (const m of res.text.matchAll(/<(?:input|select|textarea) id="([^"]+)"/g)) expect(res.text).toContain(`<label for="${m[1]}">`);
}

/** The subscription ids linked from a list page's table, in order. */
function listed(page: string): string[] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(page)?.[1] ?? '';
  return [...body.matchAll(/<th scope="row"><a href="\/admin\/subscriptions\/([^"]+)">/g)].map((m) => decodeURIComponent(m[1]!));
}

/** The actions a subscription's page offers: forms posting to them, and links to confirmation pages. */
function offered(page: string, sid: string): string[] {
  const base = `/admin/subscriptions/${encodeURIComponent(sid)}/`;
  const found = new Set<string>();
  for (const m of page.matchAll(/(?:action|href)="([^"]+)"/g)) {
    const target = unescapeHtml(m[1]!);
    if (target.startsWith(base)) found.add(target.slice(base.length));
  }
  return [...found].sort();
}

describe.each(BACKENDS)('admin UI: subscriptions (%s)', (backend) => {
  let smtp: TestSmtpServer;
  let server: TestServer;
  let upstream: Upstream;
  let admin: AdminBrowser;
  let adminId: string;

  async function ok(res: Promise<{ status: number; text: string }>): Promise<void> {
    const r = await res;
    expect([200, 201, 204], r.text).toContain(r.status);
  }

  /** A developer subscribes on the portal; the keys come from the management API's listSecrets (the portal shows them only once they work). */
  async function subscribe(userId: string, productId: string, name: string) {
    const view = await server.app.services.portalSubscriptions.subscribe({ userId }, productId, name);
    return { ...view, ...(await keysOf(view.id)) };
  }

  function developer(firstName = 'Ada'): Promise<TestUser> {
    return activeDeveloper(server, unique('dev'), { firstName });
  }

  function product(id: string, displayName: string, approvalRequired: boolean): Promise<void> {
    return putProduct(server, id, { displayName, subscriptionRequired: true, approvalRequired, state: 'published' }, { groups: ['developers'], apis: ['orders'] });
  }

  /** The subscription's keys, as the management API's listSecrets gives them. */
  async function keysOf(sid: string): Promise<{ primaryKey: string; secondaryKey: string }> {
    const res = await server.request('POST', `/subscriptions/${sid}/listSecrets`);
    expect(res.status, res.text).toBe(200);
    return { primaryKey: res.json.primaryKey as string, secondaryKey: res.json.secondaryKey as string };
  }

  async function stateOf(sid: string): Promise<string> {
    return (await server.app.services.subscriptions.get(sid)).state;
  }

  const gateway = async (key: string): Promise<number> => {
    const res = await fetch(`${server.gatewayUrl}/orders/items/1`, { headers: { 'Ocp-Apim-Subscription-Key': key } });
    await res.arrayBuffer();
    return res.status;
  };

  async function gatewayUntil(key: string, expected: number): Promise<void> {
    expect(await gateway(key)).toBe(expected);
  }

  beforeAll(async () => {
    smtp = await startSmtpServer();
    upstream = await startUpstream();
    server = await startAdminServer(backend, { outboxPollMs: 50, env: { SMTP_URL: smtp.url, TOLLGATE_ORGANIZATION_NAME: 'Contoso' } });
    await putApi(server, 'orders', { displayName: 'Orders', path: 'orders', serviceUrl: upstream.url, protocols: ['http', 'https'] }, [
      { id: 'get-item', displayName: 'Get an item', method: 'GET', urlTemplate: '/items/{id}', templateParameters: [{ name: 'id', type: 'string', required: true }] },
    ]);
    await product('gold', 'Gold', true);
    await product('free', 'Free tier', false);
    await product('bulk', 'Bulk', false);
    admin = await adminBrowser(server);
    adminId = (await server.app.services.users.list({ top: 1, skip: 0, filter: `email eq '${ADMIN_EMAIL}'` })).items[0]!.id;
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.stop();
    await upstream?.close();
  });

  it('lists subscriptions newest first, filtered by state, product and owner (email or id), a page at a time', async () => {
    const owner = await developer('Paula');
    const other = await developer('Otto');
    const ids: string[] = [];
    for (let i = 0; i < 23; i++) {
      const sid = `bulk-${String(i).padStart(2, '0')}`;
      ids.push(sid);
      await ok(
        server.request('PUT', `/subscriptions/${sid}`, {
          body: { properties: { ownerId: `/users/${i < 21 ? owner.id : other.id}`, scope: '/products/bulk', displayName: `Bulk ${i}`, state: i === 5 ? 'suspended' : 'active' } },
        }),
      );
    }

    const first = await admin.get('/admin/subscriptions?product=bulk');
    expectPage(first);
    expect(first.text).toContain('aria-current="page">Subscriptions</a>');
    expect(listed(first.text)).toHaveLength(20);
    expect(listed(first.text).slice(0, 2)).toEqual(['bulk-22', 'bulk-21']);
    expect(first.text).toContain('1–20 of 23');
    expect(first.text).toContain('<option value="bulk" selected>Bulk</option>');
    expect(first.text).toContain(`href="/admin/users/${owner.id}"`);
    expect(first.text).toContain(owner.email);
    expect(first.text).toMatch(/<th scope="col">Owner<\/th>/);
    const next = /<a class="button secondary small" href="([^"]+)" rel="next">/.exec(first.text)?.[1];
    expect(unescapeHtml(next!)).toBe('/admin/subscriptions?product=bulk&skip=20');
    const second = await admin.get(unescapeHtml(next!));
    expectPage(second);
    expect(second.text).toContain('21–23 of 23');
    expect(second.text).toContain('rel="prev"');
    expect(second.text).not.toContain('rel="next"');
    // Together the two pages hold every subscription once.
    expect([...listed(first.text), ...listed(second.text)].sort()).toEqual([...ids].sort());

    const suspended = await admin.get('/admin/subscriptions?state=suspended&product=bulk');
    expect(listed(suspended.text)).toEqual(['bulk-05']);
    expect(suspended.text).toContain('<option value="suspended" selected>Suspended</option>');
    expect(suspended.text).toContain('<span class="state suspended">Suspended</span>');

    const byEmail = await admin.get(`/admin/subscriptions?owner=${encodeURIComponent(other.email.toUpperCase())}`);
    expect(listed(byEmail.text).sort()).toEqual(['bulk-21', 'bulk-22']);
    expect(byEmail.text).toContain(`value="${other.email.toUpperCase()}"`);
    const byId = await admin.get(`/admin/subscriptions?owner=${other.id}&skip=1`);
    expect(byId.text).toContain('2–2 of 2');
    expect(listed(byId.text)).toHaveLength(1);

    const none = await admin.get('/admin/subscriptions?owner=nobody%40example.com');
    expectPage(none);
    expect(none.text).toContain('No subscription matches these filters.');
    const unknownProduct = await admin.get('/admin/subscriptions?product=no-such-product&state=bogus');
    expectPage(unknownProduct);
    expect(listed(unknownProduct.text)).toEqual([]);
  });

  it('approves a request made on the portal: active, the owner emailed over SMTP, the key works, audited with the administrator', async () => {
    const dev = await developer();
    const sub = await subscribe(dev.id, 'gold', 'Gold for my shop');
    expect(sub.state).toBe('submitted');
    expect(await gateway(sub.primaryKey)).not.toBe(200);

    // The overview links to the requests waiting for approval.
    const overview = await admin.get('/admin');
    expect(overview.text).toContain('href="/admin/subscriptions?state=submitted"');
    const waiting = await admin.get('/admin/subscriptions?state=submitted');
    expectPage(waiting);
    expect(listed(waiting.text)).toContain(sub.id);
    expect(waiting.text).not.toContain('bulk-');

    const page = await admin.get(`/admin/subscriptions/${sub.id}`);
    expectPage(page);
    expect(page.text).toContain('Gold for my shop');
    expect(page.text).toContain('<span class="state submitted">Submitted</span>');
    expect(offered(page.text, sub.id)).toEqual(['approve', 'cancel', 'regenerate', 'reject']);
    // The keys are the developer's alone.
    expect(page.text).not.toContain(sub.primaryKey);
    expect(page.text).not.toContain(sub.secondaryKey);

    const approved = await admin.submitAdmin(`/admin/subscriptions/${sub.id}`, `/admin/subscriptions/${sub.id}/approve`);
    expect(approved.status, approved.text).toBe(303);
    expect(approved.location).toBe(`/admin/subscriptions/${sub.id}?notice=subscription-approve-emailed`);
    const after = await admin.get(approved.location!);
    expectPage(after);
    expect(messages(after.text)).toContain('Subscription approved');
    expect(after.text).toContain('<span class="state active">Active</span>');
    expect(offered(after.text, sub.id)).toEqual(['cancel', 'regenerate', 'suspend']);
    expect(await stateOf(sub.id)).toBe('active');

    // The request itself was acknowledged when the developer subscribed; approval sends the second email.
    expect((await waitForEmail(smtp, dev.email, { subject: /request/ })).subject).toBe('We received your subscription request for Gold');
    const mail = await waitForEmail(smtp, dev.email, { subject: /is active/ });
    expect(mail.subject).toBe('Your subscription to Gold is active');
    await gatewayUntil(sub.primaryKey, 200);

    const audit = await server.app.store.audit.listAudit({ userId: dev.id, action: 'subscription.state-changed' });
    expect(audit.map((a) => [a.actor, JSON.parse(a.detail!)])).toContainEqual([
      `user:${adminId}`,
      { subscription: sub.id, from: 'submitted', to: 'active' },
    ]);
  });

  it('rejects a request made through the management API with a reason that the email carries; the reason is required', async () => {
    const dev = await developer('Rita');
    const sid = unique('mgmt');
    await ok(server.request('PUT', `/subscriptions/${sid}`, { body: { properties: { ownerId: `/users/${dev.id}`, scope: '/products/gold', displayName: 'Requested by API' } } }));
    expect(await stateOf(sid)).toBe('submitted');

    const confirm = await admin.get(`/admin/subscriptions/${sid}/reject`);
    expectPage(confirm);
    expect(confirm.text).toContain('<label for="reject-reason">Reason</label>');
    const fields = hiddenFields(confirm.text, `/admin/subscriptions/${sid}/reject`);
    expect(Object.keys(fields).sort()).toEqual(['_csrf', 'etag'].sort());

    const empty = await admin.post(`/admin/subscriptions/${sid}/reject`, { ...fields, reason: '   ' });
    expectPage(empty, 400);
    expect(empty.text).toContain('aria-invalid="true"');
    expect(messages(empty.text)).toMatch(/required/);
    expect(await stateOf(sid)).toBe('submitted');

    const reason = 'Gold is for partners: <please> use the "Free tier" first & ask again.';
    const rejected = await admin.post(`/admin/subscriptions/${sid}/reject`, { ...fields, reason });
    expect(rejected.status, rejected.text).toBe(303);
    const after = await admin.get(rejected.location!);
    expect(messages(after.text)).toContain('Subscription rejected');
    expect(after.text).toContain('<span class="state rejected">Rejected</span>');
    expect(after.text).toContain('Gold is for partners: &lt;please&gt; use the &quot;Free tier&quot; first &amp; ask again.');
    // Rejected is final: nothing is offered.
    expect(offered(after.text, sid)).toEqual([]);
    const view = await server.app.services.subscriptions.get(sid);
    expect(view.state).toBe('rejected');
    expect(view.stateComment).toBe(reason);

    const mail = await waitForEmail(smtp, dev.email, { subject: /declined/ });
    expect(mail.subject).toBe('Your subscription request for Gold was declined');
    expect(mail.text).toContain(reason);

    // Forced: approving a rejected subscription (with its current etag) is refused and changes nothing.
    const forced = await admin.post(`/admin/subscriptions/${sid}/approve`, { _csrf: fields._csrf!, etag: view.etag });
    expectPage(forced, 400);
    expect(unescapeHtml(messages(forced.text))).toContain("A subscription in state 'rejected' cannot be approved.");
    expect(await stateOf(sid)).toBe('rejected');
    expect((await admin.get(`/admin/subscriptions/${sid}/reject`)).status).toBe(409);
  });

  it('suspends an active subscription (the gateway refuses its key) and reactivates it (the key works again)', async () => {
    const dev = await developer();
    const sub = await subscribe(dev.id, 'free', 'Free keys');
    expect(sub.state).toBe('active');
    await gatewayUntil(sub.primaryKey, 200);

    const page = await admin.get(`/admin/subscriptions/${sub.id}`);
    expect(offered(page.text, sub.id)).toEqual(['cancel', 'regenerate', 'suspend']);
    const confirm = await admin.get(`/admin/subscriptions/${sub.id}/suspend`);
    expectPage(confirm);
    expect(confirm.text).toContain('Suspend the subscription?');
    const suspended = await admin.submitAdmin(`/admin/subscriptions/${sub.id}/suspend`, `/admin/subscriptions/${sub.id}/suspend`);
    expect(suspended.status, suspended.text).toBe(303);
    expect(messages((await admin.get(suspended.location!)).text)).toContain('Subscription suspended');
    expect(await stateOf(sub.id)).toBe('suspended');
    await gatewayUntil(sub.primaryKey, 403);
    await gatewayUntil(sub.secondaryKey, 403);

    const again = await admin.get(`/admin/subscriptions/${sub.id}`);
    expect(offered(again.text, sub.id)).toEqual(['cancel', 'reactivate', 'regenerate']);
    const reactivated = await admin.submitAdmin(`/admin/subscriptions/${sub.id}`, `/admin/subscriptions/${sub.id}/reactivate`);
    expect(reactivated.status, reactivated.text).toBe(303);
    expect(messages((await admin.get(reactivated.location!)).text)).toContain('Subscription reactivated');
    expect(await stateOf(sub.id)).toBe('active');
    await gatewayUntil(sub.primaryKey, 200);

    const audit = await server.app.store.audit.listAudit({ userId: dev.id, action: 'subscription.state-changed' });
    const moves = audit.filter((a) => a.actor === `user:${adminId}`).map((a) => JSON.parse(a.detail!) as { to: string });
    expect(moves.map((m) => m.to).sort()).toEqual(['active', 'suspended']);
  });

  it('cancels, refuses actions the state does not allow, and a change made in the meantime (412)', async () => {
    const dev = await developer();
    const sub = await subscribe(dev.id, 'free', 'To cancel');
    const page = await admin.get(`/admin/subscriptions/${sub.id}`);
    // Suspending asks first: the subscription's page links to a confirmation page.
    expect(page.text).toContain(`href="/admin/subscriptions/${sub.id}/suspend"`);
    expect(page.text).not.toContain(`action="/admin/subscriptions/${sub.id}/suspend"`);
    const confirm = await admin.get(`/admin/subscriptions/${sub.id}/suspend`);
    const stale = hiddenFields(confirm.text, `/admin/subscriptions/${sub.id}/suspend`);

    // Not offered on an active subscription: approve, reject, reactivate; forced, they are refused.
    const token = stale._csrf!;
    const current = (await server.app.services.subscriptions.get(sub.id)).etag;
    for (const action of ['approve', 'reject', 'reactivate']) {
      const forced = await admin.post(`/admin/subscriptions/${sub.id}/${action}`, { _csrf: token, etag: current, reason: 'x' });
      expect(forced.status, `${action}: ${forced.text}`).toBe(400);
      expect(await stateOf(sub.id)).toBe('active');
    }
    expect((await admin.get(`/admin/subscriptions/${sub.id}/reject`)).status).toBe(409);
    expect((await admin.get(`/admin/subscriptions/${sub.id}/reactivate`)).status).toBe(404);
    expect((await admin.post(`/admin/subscriptions/${sub.id}/delete`, { _csrf: token, etag: current })).status).toBe(404);

    // Changed in the meantime: the developer's own change makes the page's etag stale.
    await server.app.services.portalSubscriptions.regenerate({ userId: dev.id }, sub.id, 'primary');
    const conflicted = await admin.post(`/admin/subscriptions/${sub.id}/suspend`, stale);
    expectPage(conflicted, 412);
    expect(conflicted.text).toContain('Changed in the meantime');
    expect(await stateOf(sub.id)).toBe('active');

    const cancelled = await admin.submitAdmin(`/admin/subscriptions/${sub.id}/cancel`, `/admin/subscriptions/${sub.id}/cancel`);
    expect(cancelled.status, cancelled.text).toBe(303);
    const after = await admin.get(cancelled.location!);
    expect(messages(after.text)).toContain('Subscription cancelled');
    expect(offered(after.text, sub.id)).toEqual([]);
    expect(await stateOf(sub.id)).toBe('cancelled');

    // Without the form token, nothing happens.
    const other = await subscribe(dev.id, 'free', 'No token');
    const noToken = await admin.post(`/admin/subscriptions/${other.id}/suspend`, { etag: other.etag });
    expect(noToken.status).toBe(403);
    expect(await stateOf(other.id)).toBe('active');
    expect((await admin.get('/admin/subscriptions/no-such-subscription')).status).toBe(404);
  });

  it('regenerates a key: the previous one is refused at once, the other one works, nothing shows the new one; audited', async () => {
    const dev = await developer('Kay');
    const sub = await subscribe(dev.id, 'free', 'Leaked key');
    const pagePath = `/admin/subscriptions/${sub.id}`;
    const action = `${pagePath}/regenerate`;
    const secrets = () => keysOf(sub.id);
    await gatewayUntil(sub.primaryKey, 200);

    const page = await admin.get(pagePath);
    expectPage(page);
    expect(page.text).toContain('Regenerate primary key');
    expect(page.text).toContain('Regenerate secondary key');
    const stale = hiddenFields(page.text, action);
    expect(stale).toEqual({ _csrf: stale._csrf, etag: sub.etag, key: 'primary' });

    // Unconfirmed: the page comes back with the error next to the box, and the key still works.
    const unconfirmed = await admin.post(action, stale);
    expectPage(unconfirmed, 400);
    expect(unconfirmed.text).toContain('aria-invalid="true"');
    expect(messages(unconfirmed.text)).toContain('Tick the box to confirm that the current primary key may stop working.');
    expect(await secrets()).toEqual({ primaryKey: sub.primaryKey, secondaryKey: sub.secondaryKey });

    const regenerated = await admin.post(action, { ...stale, confirm: 'yes' });
    expect(regenerated.status, regenerated.text).toBe(303);
    expect(regenerated.location).toBe(`${pagePath}?notice=subscription-primary-regenerated`);
    const after = await admin.get(regenerated.location!);
    expectPage(after);
    expect(messages(after.text)).toContain('The primary key was regenerated: the previous primary key no longer works.');
    const renewed = await secrets();
    expect(renewed.primaryKey).not.toBe(sub.primaryKey);
    expect(renewed.secondaryKey).toBe(sub.secondaryKey);
    for (const key of [sub.primaryKey, renewed.primaryKey, sub.secondaryKey]) expect(after.text).not.toContain(key);
    expect(regenerated.location).not.toContain(renewed.primaryKey);
    expect(await gateway(sub.primaryKey)).toBe(401);
    expect(await gateway(renewed.primaryKey)).toBe(200);
    expect(await gateway(sub.secondaryKey)).toBe(200);

    // The form of the page opened before the change is refused: the key changed since.
    const conflicted = await admin.post(action, { ...stale, confirm: 'yes' });
    expectPage(conflicted, 412);
    expect((await secrets()).primaryKey).toBe(renewed.primaryKey);

    const secondary = await admin.submitAdmin(pagePath, action, { key: 'secondary', confirm: 'yes' });
    expect(secondary.location).toBe(`${pagePath}?notice=subscription-secondary-regenerated`);
    expect((await secrets()).secondaryKey).not.toBe(sub.secondaryKey);

    const audit = await server.app.store.audit.listAudit({ userId: dev.id, action: 'subscription.key-regenerated' });
    expect(audit.map((a) => [a.actor, JSON.parse(a.detail!)])).toEqual(
      expect.arrayContaining([
        [`user:${adminId}`, { subscription: sub.id, key: 'primary' }],
        [`user:${adminId}`, { subscription: sub.id, key: 'secondary' }],
      ]),
    );
  });

  it('refuses to regenerate the keys of a cancelled subscription, and without the form token', async () => {
    const dev = await developer('Cleo');
    const sub = await subscribe(dev.id, 'free', 'Over for good');
    const action = `/admin/subscriptions/${sub.id}/regenerate`;
    const secrets = () => keysOf(sub.id);

    // Without the form token, nothing happens.
    const noToken = await admin.post(action, { etag: sub.etag, key: 'primary', confirm: 'yes' });
    expect(noToken.status).toBe(403);
    expect(await secrets()).toEqual({ primaryKey: sub.primaryKey, secondaryKey: sub.secondaryKey });

    const token = (await admin.formFields(`/admin/subscriptions/${sub.id}`, action))._csrf!;
    const cancelled = await admin.submitAdmin(`/admin/subscriptions/${sub.id}/cancel`, `/admin/subscriptions/${sub.id}/cancel`);
    expect(cancelled.status, cancelled.text).toBe(303);
    const page = await admin.get(`/admin/subscriptions/${sub.id}`);
    expect(offered(page.text, sub.id)).toEqual([]);
    expect(page.text).not.toContain('Regenerate');

    // Forced, with the current tag: refused, and the keys stay as they were.
    const current = (await server.app.services.subscriptions.get(sub.id)).etag;
    const forced = await admin.post(action, { _csrf: token, etag: current, key: 'primary', confirm: 'yes' });
    expectPage(forced, 400);
    expect(unescapeHtml(messages(forced.text))).toContain('The keys of a cancelled subscription cannot be regenerated.');
    expect(await secrets()).toEqual({ primaryKey: sub.primaryKey, secondaryKey: sub.secondaryKey });
    const audit = await server.app.store.audit.listAudit({ userId: dev.id, action: 'subscription.key-regenerated' });
    expect(audit).toEqual([]);
  });

  it('is closed to developers: a portal session does not open it, and a developer cannot sign in to it', async () => {
    const dev = await developer();
    const sub = await subscribe(dev.id, 'gold', 'Mine');
    const browser = new Browser(server);
    await browser.signIn(dev.email, dev.password);
    for (const path of ['/admin/subscriptions', `/admin/subscriptions/${sub.id}`, `/admin/subscriptions/${sub.id}/reject`]) {
      const res = await browser.get(path);
      expect(res.status).toBe(303);
      expect(res.location).toMatch(/^\/admin\/signin(\?|$)/);
    }
    const portalPage = await browser.get('/subscriptions');
    const approve = await browser.post(`/admin/subscriptions/${sub.id}/approve`, { ...hiddenFields(portalPage.text, `/subscriptions/${sub.id}/cancel`), etag: sub.etag });
    expect(approve.status).toBe(303);
    expect(approve.location).toMatch(/^\/admin\/signin(\?|$)/);

    const asAdmin = new AdminBrowser(server);
    const signin = await asAdmin.get('/admin/signin');
    const refused = await asAdmin.post('/admin/signin', { ...hiddenFields(signin.text, '/admin/signin'), email: dev.email, password: dev.password });
    expect(refused.status).not.toBe(303);
    expect((await asAdmin.get('/admin/subscriptions')).status).toBe(303);
    expect(await stateOf(sub.id)).toBe('submitted');
  });
});
