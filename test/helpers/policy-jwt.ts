/**
 * For the validate-jwt tests: tokens signed with jose, an RSA key pair made per run (its modulus
 * and exponent for inline keys, its JWK for a JWKS), a fixed self-signed certificate with its
 * private key (made once with openssl for these tests only: it protects nothing), and an OpenID
 * provider over a real socket serving its configuration and JWKS (counting how often each is read;
 * /huge/ serves a configuration larger than any sane limit).
 */
import { createServer, type Server } from 'node:http';
import { createPrivateKey } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

export const TEST_CERTIFICATE_PEM = `-----BEGIN CERTIFICATE-----
MIIDGzCCAgOgAwIBAgIURjD2oW/S4Vzbc0FE6QEqocwA5gQwDQYJKoZIhvcNAQEL
BQAwHDEaMBgGA1UEAwwRdG9sbGdhdGUtdGVzdC1qd3QwIBcNMjYxMjAyMjAzODQz
WhgPMjEyNjExMDgyMDM4NDNaMBwxGjAYBgNVBAMMEXRvbGxnYXRlLXRlc3Qtand0
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtdANEW8/UtPkumWfV6Ll
x1tcb6xPqZlWDa4HooBexZmlMK5iDjMZi8YrFNLtNfW7EpgJAtcbdxl4TbICWuFh
PXBq73Qpk+b3mRMEzIXpGYG1qR5GaNuVPVSg0wiHdcIQC5n/8xv2EiIGPZVeBTzv
wJXK1sD1CUheeib0ssaiNXec3O0PvvRqp+aDKaNHnqNhnaCtYLi2BgUcJeV1Z9iA
9bTI/3/ZBEjdQ7MxtUVa63MuXMEHZnjiMXktBEYZ2Nw6l4/juSolI3gnC8HqoVru
XM4MO/j3kaEl3NyR+qfdbsSBJjGB7UyDP1kdJGktZpQsLS5FzooDHcSpfbukZfep
BQIDAQABo1MwUTAdBgNVHQ4EFgQUWkWOL8r1vBDWeg7ncQTAiyzxc1EwHwYDVR0j
BBgwFoAUWkWOL8r1vBDWeg7ncQTAiyzxc1EwDwYDVR0TAQH/BAUwAwEB/zANBgkq
hkiG9w0BAQsFAAOCAQEAbPbrJU9PhMCyGgGNjjK6IoJ2osJy46X4ZbHSjiq7/6eq
r2XC7d9MPwJmdiIEw5pI1CV9eiEUHmdlSt75fpdxixmld7i6flrGvQX+5sjpX5Ut
/VdvlTYfi8o0AHGhhY+N4tLz3/sSFKRKOzhl+i4uWthM2dm52IjoQdwT/Qq5qPtF
mnznRng6i4g+r2ilPzBElB5Fq9qHEoGOyHV640cV9Q4ZlbhI4hAh+fo1sY8GqogV
ptZPVsr618i+rwLaOskEDigygZi/vl30/7hJx5tBHRCcLjQhgNbPp6b8DiwrrHKG
m7wexFovNZQqZGGBhMkl/Te7nmCD6/o+4bXpTsBVrw==
-----END CERTIFICATE-----`;

const TEST_CERTIFICATE_KEY_PEM = `-----BEGIN PRIVATE KEY-----
MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQC10A0Rbz9S0+S6
ZZ9XouXHW1xvrE+pmVYNrgeigF7FmaUwrmIOMxmLxisU0u019bsSmAkC1xt3GXhN
sgJa4WE9cGrvdCmT5veZEwTMhekZgbWpHkZo25U9VKDTCId1whALmf/zG/YSIgY9
lV4FPO/AlcrWwPUJSF56JvSyxqI1d5zc7Q++9Gqn5oMpo0eeo2GdoK1guLYGBRwl
5XVn2ID1tMj/f9kESN1DszG1RVrrcy5cwQdmeOIxeS0ERhnY3DqXj+O5KiUjeCcL
weqhWu5czgw7+PeRoSXc3JH6p91uxIEmMYHtTIM/WR0kaS1mlCwtLkXOigMdxKl9
u6Rl96kFAgMBAAECggEAAJQTXpFUib5r1V36Zkx536r+Pcq2DCuVNwDtPEqdQpKt
EF0Vqcbm12d/fpb3Mzs/Z509NhmaGERn+hNNZ52c8hWX+YAMm9BZzE5frwjkB3U+
rzWN8sp0DJhm1JUL3UeLRoYsZskZfNBH5c1CWdDqUFoJpapCfU+SIWBbWfBA1tuz
rRIA++VpVJWR8FrhAbfZuH/5p5COXWnYadWwXQzRMo6t86LiHB5GQtz6qQEojbpC
cCxzPKufaCaejyuXkyVVpRGDgr37drWo7Teo0yWzzAot94PQwUVoc+8H4fmVr7+4
U+eBcK+vPOBI48nWRnSffid0+D56XqlT8ZbqBvmdEQKBgQD2LDWwlCz+O2oBqZN3
xjwpa/mtMaFk2pF+zL3cMx717E9std16aKxg+l9mmiq+OqfD6cK0QDzbCEnmlfXO
JWNxxoSl7Hb4jTSGWdYGnrR7JDmnnX5YHyM3KXhHK+Y1erD5MGaZzUKpygmZKxuC
6CVUOF1W3Y5FRtWWMKVECK9v2QKBgQC9EhtfSjd9nlXNGmBnXJGnfsOqMA9sOBXm
LqtYc7xPBxdiCf2KMYwO13WHmJBpQyJjKhNOtDg/6yXO+hlbXt0b0DxByGlAnEBk
EZXkP2TUiQfMvqtneaihiuTTFp+xXciKQ1mGRyzvfAk0E2xIhezCIRRPsTN3rsl/
c1MCkoTzDQKBgEmCdh3egXkBYOxSKPkRNxHfblUrhthI9D17Ag7pLQuenzEFNbfB
3gevfCF1U+IuPb6g5UVSEVoOpZK3oQkH3SQydZXegMBD2jVsSh778UT8UkMdIodJ
9QgZ2BLYpwu9MW+X5mtzAb8V17vnRXXXwJ3fnu+7hSpmtoz8xb0FIu4xAoGAXdDJ
QjwqUqupOW94HHGjWHAfGKhmTrV5sFDB9s7exnvnT19TrimtrIOerty183U7b+cl
02y7aIP+q7gPsvXcUvu9moqeJ1Ag50aOkMYf+xHPi/mkRWDpmta3ekKElNbLNkf6
+RUCKAbs7ikhFs9VTnJpiK2NszpIg3Qu4VzgmVUCgYA1SZn2uRchfd5a67fcSwMS
P5nPQf4XkUIzWWoqNS6vB7F4Tu+NYKLlyvqQHBAm3DI5ZBk2br/7r6t7GhzO6QsL
/SdVwh+PywLX54IqgmowajGRGcPHhbh54U7s9WkjfyygiKEGv3+joIDj9hwEod8b
tMa6Qmq8zxsvu9HCCJvX6Q==
-----END PRIVATE KEY-----`;

export const certificateKey = () => createPrivateKey(TEST_CERTIFICATE_KEY_PEM);

export interface RsaPair {
  privateKey: CryptoKey;
  jwk: JWK;
}

export async function rsaPair(kid: string): Promise<RsaPair> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

/** A token with `claims`, expiring `expiresIn` seconds after `now` (epoch ms) unless claims say otherwise. */
export function sign(
  key: CryptoKey | Uint8Array | ReturnType<typeof createPrivateKey>,
  alg: string,
  claims: JWTPayload,
  now: number,
  o: { kid?: string; expiresIn?: number | null } = {},
): Promise<string> {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg, ...(o.kid ? { kid: o.kid } : {}) }).setIssuedAt(Math.floor(now / 1000));
  if (o.expiresIn !== null) jwt.setExpirationTime(Math.floor(now / 1000) + (o.expiresIn ?? 300));
  return jwt.sign(key as CryptoKey);
}

export interface OpenIdProvider {
  url: string;
  issuer: string;
  /** The keys served now (replace to rotate). */
  keys: JWK[];
  reads: { config: number; jwks: number };
  close(): Promise<void>;
}

/** An OpenID provider serving `keys`. */
export async function startOpenIdProvider(keys: JWK[]): Promise<OpenIdProvider> {
  let base = '';
  const provider = { url: '', issuer: '', keys, reads: { config: 0, jwks: 0 } } as OpenIdProvider & { server?: Server };
  const server = createServer((req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      provider.reads.config++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issuer: provider.issuer, jwks_uri: `${base}/keys` }));
      return;
    }
    if (req.url === '/keys') {
      provider.reads.jwks++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: provider.keys }));
      return;
    }
    if (req.url === '/huge/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issuer: 'huge', jwks_uri: `${base}/keys`, padding: 'x'.repeat(2_000_000) }));
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  provider.url = `${base}/.well-known/openid-configuration`;
  provider.issuer = `${base}/`;
  provider.close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return provider;
}
