/**
 * validate-jwt with `jose`: the token from a header (with or without a required scheme), a query
 * parameter or an expression; its signature checked with the inline keys (a symmetric key in
 * base64, an RSA key by modulus and exponent, a certificate) or those of OpenID configurations;
 * then expiry (required unless require-expiration-time is false), not-before, issuers, audiences
 * and the required claims, with the policy's clock skew, at the gateway's clock. Any failure
 * answers the policy's status and message in Azure's JSON shape, and on-error runs on it.
 */
import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { decodeProtectedHeader, errors, jwtVerify, UnsecuredJWT, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import type { JwtSigningKey, RequiredClaim, ValidateJwtElement } from '../../domain/policy/types.js';
import { decodeQueryPart, queryName } from '../subscription-key.js';
import { compileExpr, requestHeader } from './expressions.js';
import { jsonAnswer, type Answer, type Exchange, type Step } from './exchange.js';
import { PolicyCompileError, type PolicyEnv } from './types.js';

interface InlineKey {
  key: KeyObject;
  id: string | undefined;
}

function keyObject(k: JwtSigningKey, line: number): InlineKey {
  try {
    switch (k.kind) {
      case 'symmetric':
        return { key: createSecretKey(Buffer.from(k.base64, 'base64')), id: undefined };
      case 'rsa':
        return { key: createPublicKey({ key: { kty: 'RSA', n: k.n, e: k.e }, format: 'jwk' }), id: k.id };
      case 'certificate': {
        const pem = k.pem.includes('-----BEGIN') ? k.pem : `-----BEGIN CERTIFICATE-----\n${k.pem.replace(/\s+/g, '')}\n-----END CERTIFICATE-----`;
        return { key: createPublicKey(pem), id: k.id };
      }
    }
  } catch (error) {
    throw new PolicyCompileError(`validate-jwt (line ${line}): a signing key cannot be read (${(error as Error).message})`);
  }
}

/** Where the token is read from; undefined: absent (or without the required scheme). */
function tokenSource(e: ValidateJwtElement): (x: Exchange) => string | undefined {
  if (e.tokenValue) {
    const value = compileExpr(e.tokenValue);
    return (x) => value(x) || undefined;
  }
  if (e.queryParameterName !== undefined) {
    const name = e.queryParameterName;
    return (x) => {
      for (const part of x.query.split('&')) {
        const eq = part.indexOf('=');
        if (eq >= 0 && queryName(part) === name) return decodeQueryPart(part.slice(eq + 1)) || undefined;
      }
      return undefined;
    };
  }
  const header = (e.headerName ?? 'Authorization').toLowerCase();
  const scheme = e.requireScheme?.toLowerCase();
  return (x) => {
    const value = requestHeader(x, header)?.trim();
    if (!value) return undefined;
    const space = value.indexOf(' ');
    if (scheme !== undefined) {
      if (space < 0 || value.slice(0, space).toLowerCase() !== scheme) return undefined;
      return value.slice(space + 1).trim() || undefined;
    }
    // Without a required scheme, a scheme given ("Bearer …") is not part of the token.
    return space < 0 ? value : value.slice(space + 1).trim() || undefined;
  };
}

function claimValues(v: unknown, separator: string | undefined): string[] {
  if (Array.isArray(v)) return v.map(String);
  const text = typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
  return separator ? text.split(separator) : [text];
}

/** The first required claim the payload fails, or undefined. */
function failedClaim(payload: JWTPayload, claims: readonly RequiredClaim[]): string | undefined {
  for (const c of claims) {
    const v = payload[c.name];
    if (v === undefined) return 'TokenClaimNotFound';
    if (c.values.length === 0) continue;
    const have = claimValues(v, c.separator);
    const ok = c.match === 'all' ? c.values.every((w) => have.includes(w)) : c.values.some((w) => have.includes(w));
    if (!ok) return 'TokenClaimValueNotAllowed';
  }
  return undefined;
}

function claimReason(error: unknown): string | undefined {
  if (error instanceof errors.JWTExpired) return 'TokenExpired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return 'TokenAudienceNotAllowed';
    if (error.claim === 'iss') return 'TokenIssuerNotAllowed';
    return 'TokenClaimNotFound';
  }
  return undefined;
}

export function compileValidateJwt(e: ValidateJwtElement, env: PolicyEnv): Step {
  const inline = e.signingKeys.map((k) => keyObject(k, e.at.line));
  const token = tokenSource(e);
  const fail = (reason: string): Answer => jsonAnswer(e.failedValidationHttpCode, e.failedValidationErrorMessage, reason);
  const { issuers, audiences, openIdConfigUrls } = e;

  const options = (x: Exchange, extraIssuers: readonly string[]): JWTVerifyOptions => {
    const allIssuers = [...issuers, ...extraIssuers];
    return {
      ...(allIssuers.length > 0 ? { issuer: allIssuers } : {}),
      ...(audiences.length > 0 ? { audience: [...audiences] } : {}),
      clockTolerance: e.clockSkewSeconds,
      currentDate: new Date(x.now),
      requiredClaims: e.requireExpirationTime ? ['exp'] : [],
    };
  };

  async function validate(x: Exchange, jwt: string): Promise<string | undefined> {
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(jwt);
    } catch {
      return 'TokenInvalid';
    }
    let configs: { issuer: string | undefined; keys: JWTVerifyGetKey }[] = [];
    try {
      configs = await Promise.all(openIdConfigUrls.map((url) => env.openid.get(url, x.now, header.kid)));
    } catch {
      if (inline.length === 0) return 'TokenSignatureKeyNotFound';
    }
    const opts = options(x, configs.map((c) => c.issuer).filter((i): i is string => i !== undefined));
    let payload: JWTPayload | undefined;
    if (header.alg === 'none') {
      if (e.requireSignedTokens) return 'TokenNotSigned';
      try {
        payload = UnsecuredJWT.decode(jwt, opts).payload;
      } catch (error) {
        return claimReason(error) ?? 'TokenInvalid';
      }
    } else {
      const candidates: (KeyObject | JWTVerifyGetKey)[] = [
        ...inline.filter((k) => k.id === undefined || header.kid === undefined || k.id === header.kid).map((k) => k.key),
        ...configs.map((c) => c.keys),
      ];
      for (const key of candidates) {
        try {
          payload = (await jwtVerify(jwt, key as never, opts)).payload;
          break;
        } catch (error) {
          // The signature held but a claim did not: no other key changes that.
          const reason = claimReason(error);
          if (reason) return reason;
        }
      }
      if (!payload) return 'TokenSignatureInvalid';
    }
    return failedClaim(payload, e.requiredClaims);
  }

  return (x) => {
    const jwt = token(x);
    if (jwt === undefined) return fail('TokenNotPresent');
    return validate(x, jwt).then((reason) => (reason === undefined ? undefined : fail(reason)));
  };
}
