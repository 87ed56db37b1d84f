/**
 * The writes made through the admin UI and the developer portal (forms posted by a browser without
 * JavaScript) that change what the gateway does, checked like the management API's in
 * gateway-propagation-management.test.ts: at the gateway of the process that answered the form,
 * right after its answer (no wait), and at a second gateway node over the same database, which
 * follows the change feed (`until`, a bound, not a speed requirement).
 *
 * Regenerating a key is offered on both faces (the administrator's form and the owner's), so it is
 * checked on both: the old key must be refused by the gateway that answered the form before the
 * answer, not just eventually.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/server.js';
import { adminBrowser, startAdminServer, type AdminBrowser } from '../helpers/admin.js';
import { Browser, type Res } from '../helpers/portal-browser.js';
import { subscriptionKeys } from '../helpers/gateway.js';
import { forwardedTo, REFUSED, startRig, type Offer, type Rig } from '../helpers/propagation.js';
import { activeDeveloper } from '../helpers/users.js';

/** A form's answer: the redirect that follows a successful post. */
function expectDone(res: Res): void {
  expect(res.status, res.text).toBe(303);
}

/** Posts a form (`post`) and expects it to succeed. */
async function done(post: Promise<Res>): Promise<void> {
  expectDone(await post);
}

describe.each(BACKENDS)('admin UI and portal writes reach both gateways (%s)', (backend) => {
  let rig: Rig;
  let admin: AdminBrowser;

  beforeAll(async () => {
    rig = await startRig(() => startAdminServer(backend));
    admin = await adminBrowser(rig.server);
  });
  afterAll(async () => {
    await rig?.close();
  });

  const everywhere = (...args: Parameters<Rig['expectEverywhere']>) => rig.expectEverywhere(...args);

  /** After `regenerate`, the offer's old primary key is refused; the new one and the untouched secondary are forwarded. */
  async function expectPrimaryRegenerated(o: Offer, regenerate: () => Promise<void>): Promise<void> {
    await regenerate();
    await everywhere(o.call(), REFUSED.invalidKey);
    const keys = await subscriptionKeys(rig.server, o.sid);
    expect(keys.primary).not.toBe(o.keys.primary);
    await everywhere(o.call(keys.primary), forwardedTo('a'));
    await everywhere(o.call(o.keys.secondary), forwardedTo('a'));
  }

  describe('admin UI', () => {
    it("blocks a user (their keys are refused) and activates them again (their keys work)", async () => {
      const o = await rig.offer('admin-block');
      const page = `/admin/users/${o.user.id}`;
      await rig.expectStopAndRestore(o, () => done(admin.submit(page, `${page}/block`)), REFUSED.ownerInactive, () => done(admin.submit(page, `${page}/activate`)));
    });

    it("deletes a user: their subscriptions are cancelled, or deleted with them when asked", async () => {
      const kept = await rig.offer('admin-delete-user');
      const page = `/admin/users/${kept.user.id}/delete`;
      expectDone(await admin.submit(page, page));
      await everywhere(kept.call(), REFUSED.subscriptionInactive);

      const gone = await rig.offer('admin-delete-user-subs');
      const withSubscriptions = `/admin/users/${gone.user.id}/delete`;
      expectDone(await admin.submit(withSubscriptions, withSubscriptions, { deleteSubscriptions: 'yes' }));
      await everywhere(gone.call(), REFUSED.invalidKey);
    });

    it('suspends a subscription (its keys are refused) and reactivates it (they work again)', async () => {
      const o = await rig.offer('admin-suspend');
      const page = `/admin/subscriptions/${o.sid}`;
      await rig.expectStopAndRestore(
        o,
        () => done(admin.submit(`${page}/suspend`, `${page}/suspend`)),
        REFUSED.subscriptionInactive,
        () => done(admin.submit(page, `${page}/reactivate`)),
      );
    });

    it('cancels a subscription: its keys are refused', async () => {
      const o = await rig.offer('admin-cancel');
      const page = `/admin/subscriptions/${o.sid}/cancel`;
      expectDone(await admin.submit(page, page));
      await everywhere(o.call(), REFUSED.subscriptionInactive);
    });

    it("regenerates a subscription's primary key: the old one is refused, the new one and the secondary work", async () => {
      const o = await rig.offer('admin-regenerate');
      const page = `/admin/subscriptions/${o.sid}`;
      await expectPrimaryRegenerated(o, () => done(admin.submit(page, `${page}/regenerate`, { key: 'primary', confirm: 'yes' })));
    });

    it("unpublishes a product (its keys are refused) and publishes it again (they work)", async () => {
      const o = await rig.offer('admin-unpublish');
      const page = `/admin/products/${o.productId}`;
      await rig.expectStopAndRestore(o, () => done(admin.submit(page, `${page}/unpublish`)), REFUSED.productUnpublished, () => done(admin.submit(page, `${page}/publish`)));
    });

    it("removes an API from a product (out of the keys' scope) and adds it again", async () => {
      const o = await rig.offer('admin-product-api');
      const page = `/admin/products/${o.productId}`;
      await rig.expectStopAndRestore(
        o,
        () => done(admin.submit(page, `${page}/apis/${o.apiId}/remove`)),
        REFUSED.outOfScope,
        () => done(admin.submit(page, `${page}/apis`, { apiId: o.apiId })),
      );
    });

    it('deletes a product with its subscriptions: its keys are unknown', async () => {
      const o = await rig.offer('admin-delete-product');
      const page = `/admin/products/${o.productId}/delete`;
      expectDone(await admin.submit(page, page, { deleteSubscriptions: 'yes' }));
      await everywhere(o.call(), REFUSED.invalidKey);
    });

    it("changes an API's path and backend in its edit form: the old path answers 404, the new one goes to the new backend", async () => {
      const o = await rig.offer('admin-edit-api');
      const page = `/admin/apis/${o.apiId}/edit`;
      const moved = `${o.apiId}-moved`;
      expectDone(
        await admin.submit(page, page, {
          displayName: o.apiId,
          description: '',
          path: moved,
          serviceUrl: rig.backends.b.url,
          'protocol.http': 'yes',
          subscriptionRequired: 'yes',
          keyHeader: 'Ocp-Apim-Subscription-Key',
          keyQuery: 'subscription-key',
        }),
      );
      await everywhere({ path: `/${moved}/items`, key: o.keys.primary }, forwardedTo('b'));
      await everywhere(o.call(), REFUSED.noRoute);
    });

    it("adds an operation (its calls are forwarded) and deletes one (its calls answer 404)", async () => {
      const o = await rig.offer('admin-operations');
      const page = `/admin/apis/${o.apiId}`;
      const post = { ...o.call(), method: 'POST' };
      await everywhere(post, REFUSED.noRoute);
      expectDone(await admin.submit(page, `${page}/operations`, { id: 'add-item', displayName: 'Add an item', method: 'POST', urlTemplate: '/items' }));
      await everywhere(post, forwardedTo('a'));

      const confirm = `${page}/operations/items/delete`;
      expectDone(await admin.submit(confirm, confirm));
      await everywhere(o.call(), REFUSED.noRoute);
      await everywhere(post, forwardedTo('a'));
    });

    it('deletes an API: its path answers 404', async () => {
      const o = await rig.offer('admin-delete-api');
      const page = `/admin/apis/${o.apiId}/delete`;
      expectDone(await admin.submit(page, page));
      await everywhere(o.call(), REFUSED.noRoute);
    });
  });

  describe('developer portal', () => {
    /** The offer's developer, signed in to the portal. */
    async function signedIn(o: Offer): Promise<Browser> {
      const browser = new Browser(rig.server);
      await browser.signIn(o.user.email, o.user.password);
      return browser;
    }

    it('subscribing gives keys that work at once', async () => {
      const o = await rig.offer('portal-subscribe');
      const dev = await activeDeveloper(rig.server, rig.unique('portal-subscriber'));
      const browser = new Browser(rig.server);
      await browser.signIn(dev.email, dev.password);
      const product = `/products/${o.productId}`;
      expectDone(await browser.submit(product, `${product}/subscribe`, { displayName: 'Mine' }));
      const own = await rig.server.request('GET', `/users/${dev.id}/subscriptions`);
      expect(own.json.count, own.text).toBe(1);
      const keys = await subscriptionKeys(rig.server, own.json.value[0].name as string);
      await everywhere(o.call(keys.primary), forwardedTo('a'));
      await everywhere(o.call(keys.secondary), forwardedTo('a'));
    });

    it('regenerating the primary key stops the old one and lets the new one through', async () => {
      const o = await rig.offer('portal-regenerate');
      const browser = await signedIn(o);
      await expectPrimaryRegenerated(o, () => done(browser.submit('/subscriptions', `/subscriptions/${o.sid}/regenerate`, { key: 'primary', confirm: 'yes' })));
    });

    it('cancelling a subscription stops its keys', async () => {
      const o = await rig.offer('portal-cancel');
      const browser = await signedIn(o);
      expectDone(await browser.submit('/subscriptions', `/subscriptions/${o.sid}/cancel`, { confirm: 'yes' }));
      await everywhere(o.call(), REFUSED.subscriptionInactive);
    });

    it("closing one's account stops the keys of one's subscriptions", async () => {
      const o = await rig.offer('portal-close');
      const browser = await signedIn(o);
      const closed = await browser.submit('/profile', '/profile/close', { currentPassword: o.user.password, confirm: 'yes' });
      expectDone(closed);
      expect(closed.location).toBe('/?notice=account-closed');
      await everywhere(o.call(), REFUSED.subscriptionInactive);
      await everywhere(o.call(o.keys.secondary), REFUSED.subscriptionInactive);
    });
  });
});
