/**
 * Configures the Tollgate under test through its management API over HTTP, as an administrator
 * would: an API with one GET operation and the upstream as service URL, a published product
 * holding it, an active subscription to the product; then reads the subscription's primary key.
 */
import { randomBytes } from 'node:crypto';

const SERVICE = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/bench/providers/Microsoft.ApiManagement/service/tollgate-bench';

export const KEY_HEADER = 'Ocp-Apim-Subscription-Key';
/** The path every target is asked for; Tollgate's API path is `echo`, its operation `GET /hello`. */
export const REQUEST_PATH = '/echo/hello';

export function adminKey(): string {
  return randomBytes(32).toString('base64url');
}

async function call(base: string, key: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${base}${SERVICE}${path}?api-version=2024-05-01`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Returns the subscription's primary key. `upstream` is the upstream's origin. */
export async function configureTollgate(managementUrl: string, key: string, upstream: string): Promise<string> {
  const put = (path: string, properties?: unknown) => call(managementUrl, key, 'PUT', path, properties === undefined ? undefined : { properties });
  // The service URL carries /echo, so the upstream sees the same path (/echo/hello) from every target.
  await put('/apis/echo', { displayName: 'Echo', path: 'echo', serviceUrl: `${upstream}/echo`, protocols: ['http'], subscriptionRequired: true });
  await put('/apis/echo/operations/hello', { displayName: 'Hello', method: 'GET', urlTemplate: '/hello' });
  await put('/products/bench', { displayName: 'Bench', subscriptionRequired: true, approvalRequired: false, state: 'published' });
  await put('/products/bench/apis/echo');
  await put('/subscriptions/bench', { scope: '/products/bench', displayName: 'Bench', state: 'active' });
  const secrets = (await call(managementUrl, key, 'POST', '/subscriptions/bench/listSecrets')) as { primaryKey?: string };
  if (!secrets?.primaryKey) throw new Error('listSecrets returned no primaryKey');
  return secrets.primaryKey;
}
