/**
 * OpenID configurations for validate-jwt's `<openid-config url>`: the configuration document and
 * its JWKS, fetched with a timeout and a size limit, and kept per URL (shared by every policy and
 * call naming it). A configuration is fetched again after `ttlMs`, or sooner when a token names a
 * key the set does not hold (keys were rotated), but at most once per `refreshMs`; a fetch that
 * failed is not tried again for `refreshMs` either, so a broken identity provider is not hammered
 * by every call. Concurrent calls share one fetch.
 */
import { createLocalJWKSet, type JWTVerifyGetKey } from 'jose';
import type { GatewayLogger } from '../types.js';

export interface OpenIdKeys {
  /** The configuration's `issuer`, accepted by validate-jwt along with its `<issuers>`. */
  issuer: string | undefined;
  keys: JWTVerifyGetKey;
  /** The key ids the set holds (to tell a rotation from a forged kid). */
  kids: ReadonlySet<string>;
}

export interface OpenIdConfigs {
  /** The configuration of `url` at `now` (epoch ms); `missingKid` asks for a fresh one if the set lacks that key. */
  get(url: string, now: number, missingKid?: string): Promise<OpenIdKeys>;
}

export interface OpenIdOptions {
  logger: GatewayLogger;
  timeoutMs?: number;
  maxBytes?: number;
  ttlMs?: number;
  refreshMs?: number;
  /** The fetch to use (the process's own by default). */
  fetch?: typeof fetch;
}

interface Entry {
  at: number;
  value: Promise<OpenIdKeys>;
  settled?: OpenIdKeys;
}

async function fetchJson(doFetch: typeof fetch, url: string, timeoutMs: number, maxBytes: number): Promise<unknown> {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error(`not an http(s) URL: ${url}`);
  const res = await doFetch(parsed, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) throw new Error(`${url} is larger than ${maxBytes} bytes`);
  const reader = res.body?.getReader();
  if (!reader) throw new Error(`${url} answered no body`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new Error(`${url} is larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
}

export function createOpenIdConfigs(options: OpenIdOptions): OpenIdConfigs {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const maxBytes = options.maxBytes ?? 1_000_000;
  const ttlMs = options.ttlMs ?? 3_600_000;
  const refreshMs = options.refreshMs ?? 60_000;
  const doFetch = options.fetch ?? fetch;
  const entries = new Map<string, Entry>();

  async function load(url: string): Promise<OpenIdKeys> {
    const config = (await fetchJson(doFetch, url, timeoutMs, maxBytes)) as { issuer?: unknown; jwks_uri?: unknown };
    if (typeof config?.jwks_uri !== 'string') throw new Error(`${url} names no jwks_uri`);
    const jwks = (await fetchJson(doFetch, new URL(config.jwks_uri, url).toString(), timeoutMs, maxBytes)) as { keys?: unknown };
    if (!Array.isArray(jwks?.keys)) throw new Error(`${config.jwks_uri} holds no keys`);
    const set = { keys: jwks.keys as { kid?: string }[] };
    return {
      issuer: typeof config.issuer === 'string' ? config.issuer : undefined,
      keys: createLocalJWKSet(set as Parameters<typeof createLocalJWKSet>[0]),
      kids: new Set(set.keys.map((k) => k.kid).filter((k): k is string => typeof k === 'string')),
    };
  }

  function start(url: string, now: number, previous: Entry | undefined): Entry {
    const entry: Entry = { at: now, value: load(url) };
    entry.value.then(
      (v) => (entry.settled = v),
      (error: unknown) => {
        options.logger.warn({ err: error, url }, 'validate-jwt: the OpenID configuration could not be read; tokens it signs are refused');
        // Keep answering with what was known before, if anything, until the next attempt.
        if (previous?.settled) {
          entry.value = Promise.resolve(previous.settled);
          entry.settled = previous.settled;
        }
      },
    );
    entries.set(url, entry);
    return entry;
  }

  return {
    get(url, now, missingKid) {
      const entry = entries.get(url);
      if (!entry) return start(url, now, undefined).value;
      const age = now - entry.at;
      const stale = age >= ttlMs || (entry.settled === undefined && age >= refreshMs);
      const rotated = missingKid !== undefined && entry.settled !== undefined && !entry.settled.kids.has(missingKid) && age >= refreshMs;
      return (stale || rotated ? start(url, now, entry) : entry).value;
    },
  };
}
