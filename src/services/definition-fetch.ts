/**
 * Downloads an API definition for the `-link` import formats (openapi-link, openapi+json-link,
 * swagger-link-json, wsdl-link, wadl-link-json): Azure fetches `value` from the internet, and so do
 * we, but a link is a URL chosen by whoever calls the management API, so this fetch is bounded in
 * every way that could hurt the server: http(s) only, one deadline for the whole download
 * (connect, redirects, headers, body), a size limit enforced while the body streams in, a few
 * redirects each checked again, and optionally no private or loopback address at all (SSRF: see
 * docs/openapi-links.md). Every failure is a validation error on `value` saying what went wrong.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { Agent, request } from 'undici';
import { API_DEFINITION_MAX } from '../domain/api-input.js';
import { invalidField, type AppError } from '../domain/errors.js';

export const DEFINITION_FETCH_DEFAULTS = { timeoutMs: 10_000, maxBytes: API_DEFINITION_MAX, maxRedirects: 5 } as const;

export interface FetchDefinitionOptions {
  /** One deadline for everything: connecting, every redirect, headers and the whole body. */
  timeoutMs?: number;
  /** Past this many bytes of body the download is aborted. */
  maxBytes?: number;
  maxRedirects?: number;
  /** Refuse hosts that are (or resolve to) loopback, private, link-local or other internal addresses. */
  publicOnly?: boolean;
  /** Extra trusted certificate authorities in PEM (a company CA; tests: a self-signed certificate). */
  ca?: string | Buffer;
}

export interface FetchedDefinition {
  /** The URL the document finally came from, after redirects. */
  url: string;
  contentType: string | undefined;
  text: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function failure(link: string, what: string): AppError {
  return invalidField('value', `The API definition could not be downloaded from ${link}: ${what}`);
}

/** `link` as a URL we are willing to fetch, or the reason we are not. */
function checkedUrl(link: string, shown: string): URL {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    throw failure(shown, 'it is not an absolute URL.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw failure(
      shown,
      `the scheme ${url.protocol.replace(/:$/, '')} is not allowed; only http and https links are fetched (a file:, ftp: or data: link would let a caller read what the server can reach).`,
    );
  }
  if (url.username || url.password) throw failure(shown, 'links with credentials (user:password@) are not fetched.');
  return url;
}

/** Addresses that are not the public internet: where an SSRF would reach what only the server can. */
const internal = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) internal.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) internal.addSubnet(net, prefix, 'ipv6');

export function isInternalAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return internal.check(mapped[1]!, 'ipv4');
  const family = isIP(address);
  if (family === 0) return false;
  return internal.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * A DNS lookup for the connection itself that refuses internal addresses: checking at connect time
 * (not before) means a name that resolves differently the second time (DNS rebinding) is caught too.
 */
function publicLookup(hostname: string, options: LookupOptions | number, callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void): void {
  const opts: LookupOptions = typeof options === 'number' ? { family: options } : options;
  dnsLookup(hostname, { ...opts, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const bad = addresses.find((a) => isInternalAddress(a.address));
    if (bad) {
      const refused = Object.assign(new Error(`${hostname} resolves to the internal address ${bad.address}`), { code: 'TOLLGATE_INTERNAL_ADDRESS' });
      return callback(refused, []);
    }
    if (opts.all) return callback(null, addresses);
    const first = addresses[0]!;
    callback(null, first.address, first.family);
  });
}

function describeNetworkError(error: unknown): string {
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.cause?.code ?? e.code;
  if (code === 'TOLLGATE_INTERNAL_ADDRESS') return `${e.cause?.message ?? e.message}, and links to internal addresses are not fetched (IMPORT_LINKS=public).`;
  // Node's TLS codes: ERR_TLS_CERT_ALTNAME_INVALID, DEPTH_ZERO_SELF_SIGNED_CERT, CERT_HAS_EXPIRED, ...
  if (/TLS|CERT|SSL/.test(code ?? '') || /certificate/i.test(e.cause?.message ?? e.message ?? '')) {
    return `the TLS connection failed (${e.cause?.message ?? e.message}).`;
  }
  return `the host is unreachable (${code ?? e.cause?.message ?? e.message ?? 'connection failed'}).`;
}

/** The body as text, or why it is not text (a definition is JSON, YAML or XML: UTF-8 text). */
function decode(bytes: Buffer, shown: string): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw failure(shown, 'the response is not text (it is not valid UTF-8).');
  }
  if (text.includes('\u0000')) throw failure(shown, 'the response is not text (it holds NUL bytes).');
  if (text.trim() === '') throw failure(shown, 'the response is empty.');
  return text;
}

export async function fetchDefinition(link: string, options: FetchDefinitionOptions = {}): Promise<FetchedDefinition> {
  const { timeoutMs, maxBytes, maxRedirects } = { ...DEFINITION_FETCH_DEFAULTS, ...options };
  let url = checkedUrl(link, link);
  const agent = new Agent({
    connect: {
      timeout: timeoutMs,
      ...(options.ca ? { ca: options.ca } : {}),
      ...(options.publicOnly ? { lookup: publicLookup } : {}),
    },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), timeoutMs);
  const timedOut = () => failure(link, `no complete answer within ${timeoutMs} ms (timed out).`);
  try {
    for (let redirects = 0; ; redirects++) {
      // An IP literal is connected to without a lookup: check it here.
      if (options.publicOnly && isInternalAddress(url.hostname.replace(/^\[|\]$/g, ''))) {
        throw failure(link, `${url.host} is an internal address, and links to internal addresses are not fetched (IMPORT_LINKS=public).`);
      }
      let response;
      try {
        response = await request(url, {
          dispatcher: agent,
          signal: deadline.signal,
          headers: { accept: 'application/json, application/yaml, text/yaml, application/xml, text/xml, */*;q=0.5', 'user-agent': 'Tollgate' },
        });
      } catch (error) {
        if (deadline.signal.aborted || TIMEOUT_CODES.has((error as { code?: string }).code ?? '')) throw timedOut();
        throw failure(link, describeNetworkError(error));
      }
      const { statusCode, headers, body } = response;
      // Destroying a body we do not want emits an abort error: it is ours, not the caller's.
      body.on('error', () => undefined);
      if (REDIRECTS.has(statusCode) && typeof headers.location === 'string') {
        body.destroy();
        if (redirects >= maxRedirects) throw failure(link, `more than ${maxRedirects} redirects.`);
        let next: URL;
        try {
          next = new URL(headers.location, url);
        } catch {
          throw failure(link, `the redirect to ${headers.location} is not a valid URL.`);
        }
        url = checkedUrl(next.href, `${link} (redirected to ${next.href})`);
        continue;
      }
      if (statusCode < 200 || statusCode > 299) {
        body.destroy();
        throw failure(link, `the server answered HTTP ${statusCode}.`);
      }
      const tooLarge = () => failure(link, `the document is larger than the limit of ${maxBytes} bytes.`);
      const declared = Number(headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes) {
        body.destroy();
        throw tooLarge();
      }
      const chunks: Buffer[] = [];
      let size = 0;
      try {
        for await (const chunk of body) {
          size += (chunk as Buffer).length;
          if (size > maxBytes) {
            body.destroy();
            throw tooLarge();
          }
          chunks.push(chunk as Buffer);
        }
      } catch (error) {
        if ((error as AppError).name === 'AppError') throw error;
        if (deadline.signal.aborted || TIMEOUT_CODES.has((error as { code?: string }).code ?? '')) throw timedOut();
        throw failure(link, `the connection broke while the document was read (${(error as Error).message}).`);
      }
      const contentType = typeof headers['content-type'] === 'string' ? headers['content-type'] : undefined;
      return { url: url.href, contentType, text: decode(Buffer.concat(chunks), link) };
    }
  } finally {
    clearTimeout(timer);
    // destroy, not close: a server that is still trickling bytes must not hold us up.
    await agent.destroy().catch(() => undefined);
  }
}
