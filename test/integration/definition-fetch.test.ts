/**
 * fetchDefinition against real local HTTP(S) servers: what comes back for a good link, and the
 * validation error on `value` for every way a link can fail (status, timeout, size, redirects,
 * scheme, not text, unreachable, internal address, TLS).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { AppError } from '../../src/domain/errors.js';
import { fetchDefinition, isInternalAddress, type FetchDefinitionOptions } from '../../src/services/definition-fetch.js';

const DOC = 'openapi: 3.0.0\ninfo:\n  title: Fetched\n  version: "1"\npaths: {}\n';

/** Bytes the endless stream wrote before its client went away, per request. */
const streamed: number[] = [];

function routes(req: IncomingMessage, res: ServerResponse): void {
  const path = req.url ?? '/';
  const hop = /^\/hop\/(\d+)$/.exec(path);
  if (path === '/ok') {
    res.writeHead(200, { 'content-type': 'application/yaml' }).end(DOC);
  } else if (path === '/missing') {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('no such thing');
  } else if (path === '/broken') {
    res.writeHead(500).end('oops');
  } else if (path === '/hang') {
    // Never answers: the socket stays open until the client gives up.
  } else if (path === '/trickle') {
    // Headers at once, then a byte now and then: each read is quick, the whole is never done.
    res.writeHead(200, { 'content-type': 'application/json' });
    const timer = setInterval(() => res.write(' '), 20);
    res.on('close', () => clearInterval(timer));
  } else if (path === '/endless') {
    // No content-length: only counting while reading can stop this.
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let written = 0;
    const pump = () => {
      while (!res.destroyed && res.write(chunk)) written += chunk.length;
      if (!res.destroyed) res.once('drain', pump);
    };
    res.on('close', () => streamed.push(written));
    pump();
  } else if (path === '/declared-huge') {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(50 * 1024 * 1024) });
    res.write('{');
  } else if (path === '/redirect') {
    res.writeHead(302, { location: '/ok' }).end();
  } else if (hop) {
    const n = Number(hop[1]);
    res.writeHead(307, { location: n === 0 ? '/ok' : `/hop/${n - 1}` }).end();
  } else if (path === '/loop') {
    res.writeHead(301, { location: '/loop' }).end();
  } else if (path === '/to-file') {
    res.writeHead(302, { location: 'file:///etc/passwd' }).end();
  } else if (path === '/binary') {
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe, 0x00, 0x01]));
  } else if (path === '/nul') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('openapi: 3.0.0\u0000');
  } else if (path === '/empty') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('');
  } else {
    res.writeHead(404).end();
  }
}

interface Running {
  server: Server;
  url: string;
  close(): Promise<void>;
}

async function listen(server: Server, scheme: 'http' | 'https'): Promise<Running> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    server,
    url: `${scheme}://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function failureOf(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    const appError = error as AppError;
    expect(appError.kind).toBe('validation');
    expect(appError.details[0]?.target).toBe('value');
    return appError;
  }
  throw new Error('fetchDefinition succeeded where it should have failed');
}

/** The message on `value` of the error fetchDefinition throws for `link`. */
async function reason(link: string, options?: FetchDefinitionOptions): Promise<string> {
  return (await failureOf(fetchDefinition(link, options))).details[0]!.message;
}

let http: Running;

beforeAll(async () => {
  http = await listen(createServer(routes), 'http');
});
afterAll(async () => {
  await http.close();
});

describe('fetchDefinition over http', () => {
  it('returns the text, the final URL and the content type', async () => {
    const fetched = await fetchDefinition(`${http.url}/ok`);
    expect(fetched).toEqual({ url: `${http.url}/ok`, contentType: 'application/yaml', text: DOC });
  });

  it('names the HTTP status of an answer that is not 2xx', async () => {
    expect(await reason(`${http.url}/missing`)).toContain('HTTP 404');
    expect(await reason(`${http.url}/broken`)).toContain('HTTP 500');
  });

  it('gives up on a server that never answers, at the timeout', async () => {
    const started = Date.now();
    const message = await reason(`${http.url}/hang`, { timeoutMs: 200 });
    expect(message).toContain('timed out');
    expect(message).toContain('200 ms');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('counts the timeout over the whole body, not per read: a trickling server is cut off too', async () => {
    const started = Date.now();
    expect(await reason(`${http.url}/trickle`, { timeoutMs: 300 })).toContain('timed out');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('aborts an endless body past the size limit, while it streams', async () => {
    const message = await reason(`${http.url}/endless`, { maxBytes: 200_000 });
    expect(message).toContain('larger than the limit of 200000 bytes');
    // The server saw its client go away (an endless stream can only end that way).
    await expect.poll(() => streamed.length).toBe(1);
  });

  it('refuses a declared content-length over the limit without reading the body', async () => {
    expect(await reason(`${http.url}/declared-huge`)).toContain(`larger than the limit of ${10 * 1024 * 1024} bytes`);
  });

  it('follows a redirect and reports where the document came from', async () => {
    const fetched = await fetchDefinition(`${http.url}/redirect`);
    expect(fetched.url).toBe(`${http.url}/ok`);
    expect(fetched.text).toBe(DOC);
  });

  it('follows up to maxRedirects redirects, and no more', async () => {
    expect((await fetchDefinition(`${http.url}/hop/2`, { maxRedirects: 3 })).text).toBe(DOC);
    expect(await reason(`${http.url}/hop/3`, { maxRedirects: 3 })).toContain('more than 3 redirects');
    expect(await reason(`${http.url}/loop`)).toContain('more than 5 redirects');
  });

  it('checks the scheme of every redirect again', async () => {
    const message = await reason(`${http.url}/to-file`);
    expect(message).toContain('redirected to file:///etc/passwd');
    expect(message).toContain('scheme file is not allowed');
  });

  it('refuses what is not text', async () => {
    expect(await reason(`${http.url}/binary`)).toContain('not text');
    expect(await reason(`${http.url}/nul`)).toContain('not text');
    expect(await reason(`${http.url}/empty`)).toContain('empty');
  });

  it('says a host is unreachable when nothing listens', async () => {
    const closed = await listen(createServer(), 'http');
    await closed.close();
    expect(await reason(`${closed.url}/ok`)).toMatch(/unreachable \(ECONNREFUSED\)/);
  });
});

describe('links that are never fetched', () => {
  it.each([
    ['file:///etc/passwd', 'scheme file is not allowed'],
    ['ftp://example.com/api.json', 'scheme ftp is not allowed'],
    ['data:application/json,{}', 'scheme data is not allowed'],
    ['javascript:alert(1)', 'scheme javascript is not allowed'],
    ['not a url', 'not an absolute URL'],
    ['/relative/openapi.json', 'not an absolute URL'],
    ['http://user:secret@example.com/api.json', 'credentials'],
  ])('%s', async (link, expected) => {
    expect(await reason(link)).toContain(expected);
  });

  it('with publicOnly, refuses loopback by address and by name (checked at connect time)', async () => {
    const port = new URL(http.url).port;
    expect(await reason(`${http.url}/ok`, { publicOnly: true })).toContain('127.0.0.1');
    expect(await reason(`http://[::1]:${port}/ok`, { publicOnly: true })).toContain('internal address');
    expect(await reason(`http://localhost:${port}/ok`, { publicOnly: true })).toMatch(/localhost resolves to the internal address/);
    // Without it, the same link works: the refusal is publicOnly's doing.
    expect((await fetchDefinition(`http://localhost:${port}/ok`)).text).toBe(DOC);
  });

  it('knows internal addresses from public ones', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1']) {
      expect(isInternalAddress(a), a).toBe(true);
    }
    for (const a of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) {
      expect(isInternalAddress(a), a).toBe(false);
    }
  });
});

/** A self-signed certificate for 127.0.0.1, made with openssl; undefined where openssl is missing. */
function selfSigned(): { key: string; cert: string } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-tls-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const tls = selfSigned();

describe.skipIf(!tls)('fetchDefinition over https (self-signed certificate)', () => {
  let https: Running;
  beforeAll(async () => {
    https = await listen(createHttpsServer({ key: tls!.key, cert: tls!.cert }, routes), 'https');
  });
  afterAll(async () => {
    await https.close();
  });

  it('fetches when the certificate is trusted (ca option)', async () => {
    expect((await fetchDefinition(`${https.url}/ok`, { ca: tls!.cert })).text).toBe(DOC);
  });

  it('refuses an untrusted certificate, saying it is TLS', async () => {
    expect(await reason(`${https.url}/ok`)).toContain('TLS connection failed');
  });

  it('refuses a trusted certificate issued for another host', async () => {
    // The certificate names 127.0.0.1 only; localhost reaches the same server.
    const other = https.url.replace('127.0.0.1', 'localhost');
    expect(await reason(`${other}/ok`, { ca: tls!.cert })).toContain('TLS connection failed');
  });

  it('applies the same limits over TLS', async () => {
    expect(await reason(`${https.url}/missing`, { ca: tls!.cert })).toContain('HTTP 404');
    expect(await reason(`${https.url}/hang`, { ca: tls!.cert, timeoutMs: 200 })).toContain('timed out');
  });
});

describe('IMPORT_LINKS', () => {
  it('is on by default (links fetched as Azure fetches them), and takes public or off', () => {
    expect(loadConfig({}).importLinks).toBe('on');
    expect(loadConfig({ IMPORT_LINKS: 'public' }).importLinks).toBe('public');
    expect(loadConfig({ IMPORT_LINKS: 'off' }).importLinks).toBe('off');
    expect(() => loadConfig({ IMPORT_LINKS: 'yes' })).toThrow(ConfigError);
    expect(() => loadConfig({ IMPORT_LINKS: 'yes' })).toThrow(/IMPORT_LINKS: must be on/);
  });
});
