/**
 * validate-jwt at the gateway with real tokens (jose): inline keys (symmetric in base64, RSA by
 * modulus and exponent, a certificate), an OpenID configuration over a real socket (its issuer
 * accepted, its JWKS fetched once and again when a token names a new key, a document past the size
 * limit refused), issuers, audiences, required claims, expiry with clock skew at the gateway's
 * clock, the token's place (header with or without a required scheme, query parameter), and the
 * failure answered with the policy's status and message, which on-error can add to.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/server.js';
import { policyXml, startPolicyWorld, type PolicyWorld } from '../helpers/policy-world.js';
import { certificateKey, rsaPair, sign, startOpenIdProvider, TEST_CERTIFICATE_PEM, type OpenIdProvider, type RsaPair } from '../helpers/policy-jwt.js';

const SECRET = randomBytes(32);
const SECRET_B64 = SECRET.toString('base64');

describe.each(BACKENDS)('gateway validate-jwt (%s)', (backend) => {
  let w: PolicyWorld;
  let key: string;
  let rsa: RsaPair;
  let provider: OpenIdProvider;
  const now = () => w.clock.now().getTime();
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const jwtPolicy = (inner: string, attributes = '') =>
    w.setPolicy(
      '/apis/echo',
      policyXml({ inbound: `<base /><validate-jwt header-name="Authorization" failed-validation-httpcode="401" failed-validation-error-message="Token refused" ${attributes}>${inner}</validate-jwt>` }),
    );
  const symmetric = `<issuer-signing-keys><key>${SECRET_B64}</key></issuer-signing-keys>`;

  beforeAll(async () => {
    w = await startPolicyWorld(backend);
    await w.addApi('echo', 'echo', [['any', '*', '/*']]);
    await w.addProduct('p', ['echo']);
    key = await w.addSubscription('s', '/products/p');
    rsa = await rsaPair('rsa-1');
    provider = await startOpenIdProvider([rsa.jwk]);
  });

  afterEach(async () => {
    await w.setPolicy('/apis/echo', undefined);
  });

  afterAll(async () => {
    await provider?.close();
    await w?.close();
  });

  it('a symmetric key: a valid token passes; none, a wrong signature or garbage get the policy\'s status and message', async () => {
    await jwtPolicy(symmetric);
    const good = await sign(SECRET, 'HS256', { sub: 'u1' }, now());
    expect((await w.call('/echo/x', { key, headers: bearer(good) })).status).toBe(200);
    const missing = await w.call('/echo/x', { key });
    expect(missing.status).toBe(401);
    expect(missing.json).toEqual({ statusCode: 401, message: 'Token refused' });
    const forged = await sign(randomBytes(32), 'HS256', { sub: 'u1' }, now());
    expect((await w.call('/echo/x', { key, headers: bearer(forged) })).json).toEqual({ statusCode: 401, message: 'Token refused' });
    expect((await w.call('/echo/x', { key, headers: bearer('not.a.token') })).status).toBe(401);
    // The token never reaches the backend as anything but the header it came in.
    const seen = w.seen[w.seen.length - 1]!;
    expect(seen.headers.authorization).toBe(`Bearer ${good}`);
  });

  it('expiry at the gateway\'s clock, with clock skew; require-expiration-time', async () => {
    await jwtPolicy(symmetric, 'clock-skew="60"');
    const token = await sign(SECRET, 'HS256', {}, now(), { expiresIn: 10 });
    w.clock.advance(50_000);
    expect((await w.call('/echo/x', { key, headers: bearer(token) })).status).toBe(200);
    w.clock.advance(30_000);
    expect((await w.call('/echo/x', { key, headers: bearer(token) })).status).toBe(401);
    const forever = await sign(SECRET, 'HS256', {}, now(), { expiresIn: null });
    expect((await w.call('/echo/x', { key, headers: bearer(forever) })).status).toBe(401);
    await jwtPolicy(symmetric, 'require-expiration-time="false"');
    expect((await w.call('/echo/x', { key, headers: bearer(forever) })).status).toBe(200);
    // A token not valid yet.
    const later = await new (await import('jose')).SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setNotBefore(Math.floor(now() / 1000) + 600).sign(SECRET);
    expect((await w.call('/echo/x', { key, headers: bearer(later) })).status).toBe(401);
  });

  it('an RSA key by modulus and exponent, and a certificate', async () => {
    await jwtPolicy(`<issuer-signing-keys><key id="rsa-1" n="${rsa.jwk.n}" e="${rsa.jwk.e}" /></issuer-signing-keys>`);
    const token = await sign(rsa.privateKey, 'RS256', {}, now(), { kid: 'rsa-1' });
    expect((await w.call('/echo/x', { key, headers: bearer(token) })).status).toBe(200);
    const other = await rsaPair('rsa-2');
    expect((await w.call('/echo/x', { key, headers: bearer(await sign(other.privateKey, 'RS256', {}, now())) })).status).toBe(401);

    await jwtPolicy(`<issuer-signing-keys><key>${TEST_CERTIFICATE_PEM}</key></issuer-signing-keys>`);
    expect((await w.call('/echo/x', { key, headers: bearer(await sign(certificateKey(), 'RS256', {}, now())) })).status).toBe(200);
    expect((await w.call('/echo/x', { key, headers: bearer(token) })).status).toBe(401);
  });

  it('issuers, audiences and required claims (all, any, a separator)', async () => {
    await jwtPolicy(
      `${symmetric}<audiences><audience>api://one</audience><audience>api://two</audience></audiences><issuers><issuer>https://issuer.example/</issuer></issuers>` +
        '<required-claims><claim name="roles" match="all"><value>reader</value><value>writer</value></claim><claim name="scp" match="any" separator=" "><value>orders.read</value><value>orders.all</value></claim></required-claims>',
    );
    const claims = { iss: 'https://issuer.example/', aud: 'api://two', roles: ['reader', 'writer', 'admin'], scp: 'profile orders.read' };
    const call = async (c: Record<string, unknown>) => (await w.call('/echo/x', { key, headers: bearer(await sign(SECRET, 'HS256', c, now())) })).status;
    expect(await call(claims)).toBe(200);
    expect(await call({ ...claims, iss: 'https://other.example/' })).toBe(401);
    expect(await call({ ...claims, aud: 'api://three' })).toBe(401);
    expect(await call({ ...claims, roles: ['reader'] })).toBe(401);
    expect(await call({ ...claims, scp: 'profile orders.write' })).toBe(401);
    const { scp: _dropped, ...withoutScp } = claims;
    expect(await call(withoutScp)).toBe(401);
  });

  it('the token\'s place: require-scheme, or a query parameter', async () => {
    await jwtPolicy(symmetric, 'require-scheme="Bearer"');
    const token = await sign(SECRET, 'HS256', {}, now());
    expect((await w.call('/echo/x', { key, headers: { authorization: token } })).status).toBe(401);
    expect((await w.call('/echo/x', { key, headers: { authorization: `Basic ${token}` } })).status).toBe(401);
    expect((await w.call('/echo/x', { key, headers: { authorization: `bearer ${token}` } })).status).toBe(200);

    await w.setPolicy('/apis/echo', policyXml({ inbound: `<base /><validate-jwt query-parameter-name="access_token">${symmetric}</validate-jwt>` }));
    expect((await w.call(`/echo/x?access_token=${token}`, { key })).status).toBe(200);
    const refused = await w.call('/echo/x', { key });
    // Azure's message when the policy gives none.
    expect(refused.json).toEqual({ statusCode: 401, message: 'Unauthorized. Access token is missing or invalid.' });
  });

  it('an OpenID configuration: its keys and issuer, fetched once, and again when a token names a key it lacks', async () => {
    await jwtPolicy(`<openid-config url="${provider.url}" />`);
    const token = await sign(rsa.privateKey, 'RS256', { iss: provider.issuer }, now(), { kid: 'rsa-1' });
    for (let i = 0; i < 3; i++) expect((await w.call('/echo/x', { key, headers: bearer(token) })).status).toBe(200);
    expect(provider.reads).toEqual({ config: 1, jwks: 1 });
    expect((await w.call('/echo/x', { key, headers: bearer(await sign(rsa.privateKey, 'RS256', { iss: 'https://elsewhere/' }, now(), { kid: 'rsa-1' })) })).status).toBe(401);

    // The provider rotates its keys: a token with the new key id makes the gateway read them again (once a minute at most).
    const rotated = await rsaPair('rsa-3');
    provider.keys = [rotated.jwk];
    const fresh = await sign(rotated.privateKey, 'RS256', { iss: provider.issuer }, now(), { kid: 'rsa-3' });
    expect((await w.call('/echo/x', { key, headers: bearer(fresh) })).status).toBe(401);
    w.clock.advance(61_000);
    expect((await w.call('/echo/x', { key, headers: bearer(fresh) })).status).toBe(200);
    expect(provider.reads.jwks).toBe(2);
    provider.keys = [rsa.jwk];
  });

  it('an OpenID configuration larger than the size limit is refused (and said), not read whole', async () => {
    await jwtPolicy(`<openid-config url="${provider.url.replace('/.well-known', '/huge/.well-known')}" />`);
    const token = await sign(rsa.privateKey, 'RS256', {}, now(), { kid: 'rsa-1' });
    expect((await w.call('/echo/x', { key, headers: bearer(token) })).status).toBe(401);
    expect(w.logLines.some((l) => l.includes('the OpenID configuration could not be read') && l.includes('larger than'))).toBe(true);
  });

  it('on-error runs on the refusal: a header it sets is on the 401', async () => {
    await w.setPolicy(
      '/apis/echo',
      policyXml({
        inbound: `<base /><validate-jwt header-name="Authorization">${symmetric}</validate-jwt>`,
        onError: '<base /><set-header name="WWW-Authenticate" exists-action="override"><value>Bearer realm="echo"</value></set-header>',
      }),
    );
    const res = await w.call('/echo/x', { key });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="echo"');
  });
});
