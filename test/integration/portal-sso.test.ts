/** Single sign-on: the URL from the management API's generateSsoUrl signs the developer in to the portal, once. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import { BACKENDS, startServer, type TestServer } from '../helpers/server.js';
import { Browser } from '../helpers/portal-browser.js';

describe.each(BACKENDS)('single sign-on URLs on %s', (backend) => {
  let server: TestServer;
  const clock = new ManualClock('2026-08-01T09:00:00.000Z');

  beforeAll(async () => {
    server = await startServer(backend, { clock });
    await server.request('PUT', '/users/sso', { body: { properties: { email: 'sso@example.com', firstName: 'S', lastName: 'O' } } });
  });
  afterAll(() => server.close());

  async function ssoPath(userId = 'sso'): Promise<string> {
    const res = await server.request('POST', `/users/${userId}/generateSsoUrl`);
    expect(res.status).toBe(200);
    expect(res.json.value.startsWith(`${server.url}/signin-sso?token=`)).toBe(true);
    return res.json.value.slice(server.url.length);
  }

  it('gives a fresh link at every call, each working once: using one does not spoil the next', async () => {
    const first = await ssoPath();
    const second = await ssoPath();
    expect(second).not.toBe(first);
    expect((await new Browser(server).get(first)).status).toBe(303);
    expect((await new Browser(server).get(second)).status).toBe(303);
    expect((await new Browser(server).get(second)).status).toBe(401);
  });

  it('signs an active developer in (even one without a password), once', async () => {
    const path = await ssoPath();
    const browser = new Browser(server);
    const first = await browser.get(path);
    expect(first.status).toBe(303);
    expect(first.location).toBe('/profile');
    expect((await browser.get('/profile')).status).toBe(200);
    const replay = await new Browser(server).get(path);
    expect(replay.status).toBe(401);
    expect(replay.text).toContain('This sign-in link does not work');
  });

  it('refuses an expired, tampered or blocked user\'s link', async () => {
    const expired = await ssoPath();
    clock.advance(10 * 60 * 1000 + 1);
    expect((await new Browser(server).get(expired)).status).toBe(401);

    // The real user's link, with one bit of its signature flipped: the signature is what is refused.
    const real = new URL(await ssoPath(), server.url);
    const [user, expiry, sealed] = real.searchParams.get('token')!.split('&') as [string, string, string];
    const bytes = Buffer.from(sealed, 'base64');
    bytes[bytes.length - 1]! ^= 1;
    const tampered = `/signin-sso?token=${encodeURIComponent(`${user}&${expiry}&${bytes.toString('base64')}`)}`;
    const refused = await new Browser(server).get(tampered);
    expect(refused.status).toBe(401);
    // ...and the untouched link still works (it was the signature, not the user, that failed).
    expect((await new Browser(server).get(`${real.pathname}${real.search}`)).status).toBe(303);

    const blocked = await ssoPath();
    await server.request('PATCH', '/users/sso', { headers: { 'if-match': '*' }, body: { properties: { state: 'blocked' } } });
    expect((await new Browser(server).get(blocked)).status).toBe(401);
    const entries = await server.app.store.audit.listAudit({ userId: 'sso' });
    expect(entries.some((e) => e.action === 'signin.success' && e.detail?.includes('sso'))).toBe(true);
  });
});
