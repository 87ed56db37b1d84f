/**
 * The RFC 7239 `Forwarded` header value for one hop: `for=<client>;proto=<http|https>;host=<host>`.
 * IPv6 addresses are bracketed and quoted (`for="[2001:db8::1]"`), any value that is not a plain
 * token is quoted (a host with a port: `host="api.example.com:8000"`), and an unknown client is
 * `for=unknown`, as the RFC asks.
 */

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function value(v: string): string {
  return TOKEN.test(v) ? v : `"${v.replace(/["\\]/g, '\\$&')}"`;
}

export function forwardedElement(client: string | undefined, proto: 'http' | 'https', host: string | undefined): string {
  const node = client === undefined || client === '' ? 'unknown' : client.includes(':') ? `[${client}]` : client;
  return `for=${value(node)};proto=${proto}` + (host ? `;host=${value(host)}` : '');
}
