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

/**
 * Starter's policy as Azure ships it (a rate limit, then a quota, then <base />), with limits no
 * benchmark reaches: every call is counted twice and forwarded, never refused, so what is measured
 * is the cost of counting.
 */
export const STARTER_SHAPED_POLICY =
  '<policies><inbound><rate-limit calls="100000000" renewal-period="60" /><quota calls="1000000000" renewal-period="604800" /><base /></inbound>' +
  '<backend><base /></backend><outbound><base /></outbound></policies>';

export interface BenchKeys {
  /** A subscription to a product without a policy. */
  plain: string;
  /** A subscription to a product with STARTER_SHAPED_POLICY. */
  starter: string;
}

/** Returns the two subscriptions' primary keys. `upstream` is the upstream's origin. */
export async function configureTollgate(managementUrl: string, key: string, upstream: string): Promise<BenchKeys> {
  const put = (path: string, properties?: unknown) => call(managementUrl, key, 'PUT', path, properties === undefined ? undefined : { properties });
  // The service URL carries /echo, so the upstream sees the same path (/echo/hello) from every target.
  await put('/apis/echo', { displayName: 'Echo', path: 'echo', serviceUrl: `${upstream}/echo`, protocols: ['http'], subscriptionRequired: true });
  await put('/apis/echo/operations/hello', { displayName: 'Hello', method: 'GET', urlTemplate: '/hello' });
  await put('/products/bench', { displayName: 'Bench', subscriptionRequired: true, approvalRequired: false, state: 'published' });
  await put('/products/bench/apis/echo');
  await put('/products/bench-starter', { displayName: 'Bench (Starter policy)', subscriptionRequired: true, approvalRequired: false, state: 'published' });
  await put('/products/bench-starter/apis/echo');
  await put('/products/bench-starter/policies/policy', { format: 'xml', value: STARTER_SHAPED_POLICY });
  const primaryKey = async (sid: string, scope: string) => {
    await put(`/subscriptions/${sid}`, { scope, displayName: sid, state: 'active' });
    const secrets = (await call(managementUrl, key, 'POST', `/subscriptions/${sid}/listSecrets`)) as { primaryKey?: string };
    if (!secrets?.primaryKey) throw new Error('listSecrets returned no primaryKey');
    return secrets.primaryKey;
  };
  return { plain: await primaryKey('bench', '/products/bench'), starter: await primaryKey('bench-starter', '/products/bench-starter') };
}
