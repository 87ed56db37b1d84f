/**
 * An administrator's browser without JavaScript, for timing admin pages: one keep-alive
 * connection, a cookie jar, no redirects followed. It has the `Client` shape of
 * bench/management/measure.ts and sends with its sendRequest, so runCases times it the same way
 * (from just before a request is written until its whole body is read).
 */
import http from 'node:http';
import { sendRequest, type Client, type HttpResult } from '../management/measure.js';

export interface AdminClient extends Client {
  /** Signs in at /admin/signin with the form (CSRF token from the page); throws unless redirected into /admin. */
  signIn(email: string, password: string): Promise<void>;
}

function unescapeHtml(value: string): string {
  return value.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

/** The hidden fields of the form posting to `action`. */
function hiddenFields(page: string, action: string): Record<string, string> {
  const form = [...page.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/g)].map((m) => m[0]).find((f) => f.includes(`action="${action}"`));
  if (!form) throw new Error(`no form posting to ${action} on the page`);
  const fields: Record<string, string> = {};
  for (const m of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[m[1]!] = unescapeHtml(m[2]!);
  return fields;
}

/** `url` is the server's origin, http://127.0.0.1:<port>. */
export function createAdminClient(url: string): AdminClient {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const jar = new Map<string, string>();
  let location: string | undefined;

  function send(method: string, path: string, form?: Record<string, string>): Promise<HttpResult> {
    const payload = form === undefined ? undefined : new URLSearchParams(form).toString();
    const headers: Record<string, string | number> = { accept: 'text/html' };
    if (jar.size > 0) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    if (payload !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    return sendRequest(new URL(path, url), { method, agent, headers }, payload, (res) => {
      for (const line of res.headers['set-cookie'] ?? []) {
        const [pair, ...attributes] = line.split(';').map((s) => s.trim());
        const eq = pair!.indexOf('=');
        const name = pair!.slice(0, eq);
        const value = pair!.slice(eq + 1);
        if (value === '' || attributes.some((a) => /^max-age=0$/i.test(a))) jar.delete(name);
        else jar.set(name, value);
      }
      location = res.headers.location;
    });
  }

  return {
    request: (method, path) => send(method, path),
    async signIn(email, password) {
      const page = await send('GET', '/admin/signin');
      if (page.status !== 200) throw new Error(`GET /admin/signin answered ${page.status}`);
      const res = await send('POST', '/admin/signin', { ...hiddenFields(page.body, '/admin/signin'), email, password });
      if (res.status !== 303 || !location?.startsWith('/admin')) {
        throw new Error(`signing in answered ${res.status} (location ${location ?? 'none'}): ${res.body.slice(0, 300)}`);
      }
    },
    close: () => agent.destroy(),
  };
}
