/**
 * For the operations tests (metrics, access log): a catalogue over a real backend — the API `echo`
 * behind a product `starter` whose policy allows 3 calls a minute, a product `gold` with a quota
 * of 1 call, an open API `dead` whose backend refuses connections — and a Prometheus scrape read
 * into a map of series.
 */
import { request } from 'node:http';
import { expect } from 'vitest';
import { freePort } from './net.js';
import { activeSubscription, putApi, putProduct } from './gateway.js';
import type { TestServer } from './server.js';

export interface Catalogue {
  /** Keys of a subscription to `starter` (3 calls a minute) and to `gold` (a quota of 1 call). */
  starterKey: string;
  goldKey: string;
}

const policy = (inbound: string) => `<policies><inbound><base />${inbound}</inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`;

export async function putCatalogue(server: TestServer, upstreamUrl: string): Promise<Catalogue> {
  const dev = await server.request('PUT', '/users/dev', { body: { properties: { email: 'dev@example.com', firstName: 'Dev', lastName: 'Eloper' } } });
  expect(dev.status, dev.text).toBeLessThan(300);
  await putApi(server, 'echo', { displayName: 'Echo', path: 'echo', serviceUrl: upstreamUrl, protocols: ['http'] }, [
    { id: 'all', displayName: 'All', method: 'GET', urlTemplate: '/*' },
  ]);
  // A port nothing listens on (taken and let go): the backend refuses the connection.
  const dead = `http://127.0.0.1:${await freePort()}`;
  await putApi(server, 'dead', { displayName: 'Dead', path: 'dead', serviceUrl: dead, protocols: ['http'], subscriptionRequired: false }, [
    { id: 'all', displayName: 'All', method: 'GET', urlTemplate: '/*' },
  ]);
  for (const [id, inbound] of [
    ['starter', '<rate-limit calls="3" renewal-period="60" />'],
    ['gold', '<quota calls="1" renewal-period="3600" />'],
  ] as const) {
    await putProduct(server, id, { displayName: id, subscriptionRequired: true, state: 'published' }, { apis: ['echo'] });
    const res = await server.request('PUT', `/products/${id}/policies/policy`, { body: { properties: { value: policy(inbound), format: 'xml' } } });
    expect(res.status, res.text).toBeLessThan(300);
  }
  return {
    starterKey: await activeSubscription(server, 's-starter', 'dev', 'starter', 'Starter'),
    goldKey: await activeSubscription(server, 's-gold', 'dev', 'gold', 'Gold'),
  };
}

/** A GET on a connection of its own, with `headers`: its status and body. */
export function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { agent: false, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    })
      .on('error', reject)
      .end();
  });
}

/** Prometheus's text format read into `name{label="v",...}` (labels sorted) → value. */
export function parseMetrics(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a metric line: ${line}`);
    const labels = [...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map(([, k, v]) => [k!, v!] as const);
    series.set(seriesKey(m[1]!, Object.fromEntries(labels)), Number(m[3]));
  }
  return series;
}

export function seriesKey(name: string, labels: Record<string, string | number> = {}): string {
  const inner = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${labels[k]}"`)
    .join(',');
  return inner ? `${name}{${inner}}` : name;
}

/** Scrapes `url` (expects 200 and Prometheus's content type): the text and its series. */
export async function scrape(url: string): Promise<{ text: string; series: Map<string, number> }> {
  const res = await get(url);
  expect(res.status, res.body).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return { text: res.body, series: parseMetrics(res.body) };
}

/** The sum of every series of `name` whose labels include `labels`. */
export function sumOf(series: Map<string, number>, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const [key, value] of series) {
    if (!key.startsWith(`${name}{`) && key !== name) continue;
    if (Object.entries(labels).every(([k, v]) => key.includes(`{${k}="${v}"`) || key.includes(`,${k}="${v}"`))) sum += value;
  }
  return sum;
}

export { freePort };
