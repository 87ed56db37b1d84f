/**
 * `validate-jwt`: where the token is, how it is checked (signing keys inline or from OpenID
 * configuration documents), and what it must say (audiences, issuers, claims). The cryptography
 * happens in the gateway; here every key is checked to be usable.
 */
import type { ElementReader } from '../reader.js';
import type { JwtSigningKey, RequiredClaim } from '../types.js';
import { readHeaderName } from './headers.js';
import { ALL_SCOPES, rule } from './rule.js';

/** Azure's answer when a token is missing or does not validate and no message is given. */
export const JWT_FAILED_MESSAGE_DEFAULT = 'Unauthorized. Access token is missing or invalid.';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;
const CERTIFICATE = /^-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----$/;

function signingKey(k: ElementReader): JwtSigningKey {
  const id = k.string('id');
  const text = k.text().trim();
  if (k.has('n') || k.has('e')) {
    const n = k.string('n', { required: true });
    const e = k.string('e', { required: true });
    for (const [name, value] of [['n', n], ['e', e]] as const)
      if (k.has(name) && !BASE64URL.test(value)) k.problem(`The attribute '${name}' must be base64url, as in a JSON Web Key.`);
    if (text !== '') k.problem('A <key> with n and e has no text.');
    return { kind: 'rsa', n, e, id };
  }
  if (CERTIFICATE.test(text)) return { kind: 'certificate', pem: text, id };
  if (text === '' || !BASE64.test(text.replace(/\s+/g, '')))
    k.problem('A <key> is a base64 symmetric key, a PEM certificate, or has the attributes n and e (an RSA public key).');
  return { kind: 'symmetric', base64: text.replace(/\s+/g, '') };
}

function texts(r: ElementReader, child: string): string[] {
  const out: string[] = [];
  r.children({
    [child]: (c) => {
      const text = c.text().trim();
      if (text === '') c.problem(`<${child}> must not be empty.`);
      out.push(text);
    },
  });
  return out;
}

function claim(c: ElementReader): RequiredClaim {
  const name = c.string('name', { required: true });
  const match = c.choice('match', ['all', 'any'] as const, 'all');
  const separator = c.string('separator');
  return { name, match, separator: separator === '' ? undefined : separator, values: texts(c, 'value') };
}

function openIdConfigUrl(o: ElementReader): string {
  const url = o.string('url', { required: true }).trim();
  if (o.has('url') && !/^https?:\/\/[^\s/]+/.test(url)) o.problem(`The attribute 'url' must be an absolute http or https URL, not '${url}'.`);
  return url;
}

export const JWT_RULES = [
  rule({
    name: 'validate-jwt',
    sections: ['inbound'],
    scopes: ALL_SCOPES,
    azureOnly: ['output-token-variable-name'],
    read: (r) => {
      const headerName = readHeaderName(r, 'header-name');
      const queryParameterName = r.string('query-parameter-name');
      const tokenValue = r.expr('token-value');
      const sources = ['header-name', 'query-parameter-name', 'token-value'].filter((a) => r.has(a));
      if (sources.length !== 1) r.problem(`<validate-jwt> needs exactly one of 'header-name', 'query-parameter-name' and 'token-value'.`);
      const openIdConfigUrls: string[] = [];
      const signingKeys: JwtSigningKey[] = [];
      let audiences: string[] = [];
      let issuers: string[] = [];
      const requiredClaims: RequiredClaim[] = [];
      r.children(
        {
          'openid-config': (o) => openIdConfigUrls.push(openIdConfigUrl(o)),
          'issuer-signing-keys': (keys) =>
            keys.children({
              key: (k) => {
                signingKeys.push(signingKey(k));
                k.finish(['certificate-id']);
              },
            }),
          audiences: (a) => {
            audiences = texts(a, 'audience');
          },
          issuers: (i) => {
            issuers = texts(i, 'issuer');
          },
          'required-claims': (c) => c.children({ claim: (one) => requiredClaims.push(claim(one)) }),
          'decryption-keys': (d) => {
            d.problem('<decryption-keys> (encrypted tokens) is not supported by Tollgate.');
            d.eachChild(() => undefined);
          },
        },
        { once: ['issuer-signing-keys', 'audiences', 'issuers', 'required-claims', 'decryption-keys'] },
      );
      return {
        kind: 'validate-jwt',
        at: r.at,
        headerName,
        queryParameterName,
        tokenValue,
        failedValidationHttpCode: r.int('failed-validation-httpcode', { min: 100, max: 599, fallback: 401 }),
        failedValidationErrorMessage: r.string('failed-validation-error-message') ?? JWT_FAILED_MESSAGE_DEFAULT,
        requireExpirationTime: r.bool('require-expiration-time', true),
        requireScheme: r.string('require-scheme'),
        requireSignedTokens: r.bool('require-signed-tokens', true),
        clockSkewSeconds: r.int('clock-skew', { min: 0, fallback: 0 }),
        openIdConfigUrls,
        signingKeys,
        audiences,
        issuers,
        requiredClaims,
      };
    },
  }),
];
