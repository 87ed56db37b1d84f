/**
 * A browser without JavaScript for the developer portal's tests: a cookie jar, no automatic
 * redirects, forms posted with their hidden fields (CSRF tokens included).
 */
import { expect } from 'vitest';
import type { TestServer } from './server.js';

export const HTML_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

export interface Res {
  status: number;
  headers: Headers;
  text: string;
  location: string | null;
  setCookies: string[];
}

export function unescapeHtml(value: string): string {
  return value
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** The hidden fields of the form posting to `action` in a page. */
export function hiddenFields(page: string, action: string): Record<string, string> {
  const forms = [...page.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/g)].map((m) => m[0]);
  const form = forms.find((f) => f.includes(`action="${action}"`));
  if (!form) throw new Error(`no form posting to ${action} in:\n${page}`);
  const fields: Record<string, string> = {};
  for (const m of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[m[1]!] = unescapeHtml(m[2]!);
  return fields;
}

/** The text of the page's alert and status messages, without tags. */
export function messages(page: string): string {
  return [...page.matchAll(/role="(?:alert|status)">([\s\S]*?)<\/div>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim()).join(' | ');
}

/** The page's alert and status messages as plain text (`messages` with the HTML entities decoded). */
export function messageText(page: string): string {
  return unescapeHtml(messages(page));
}

/** A browser without JavaScript: a cookie jar, no automatic redirects. */
export class Browser {
  readonly jar = new Map<string, string>();

  constructor(private readonly server: TestServer) {}

  cookie(name: string): string | undefined {
    return this.jar.get(name);
  }

  async request(method: string, path: string, options: { form?: Record<string, string> | string; headers?: Record<string, string> } = {}): Promise<Res> {
    const headers: Record<string, string> = { accept: HTML_ACCEPT, ...options.headers };
    if (this.jar.size > 0) headers.cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: string | undefined;
    if (options.form !== undefined) {
      body = typeof options.form === 'string' ? options.form : new URLSearchParams(options.form).toString();
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
    }
    const res = await fetch(this.server.url + path, { method, headers, body, redirect: 'manual' });
    const setCookies = res.headers.getSetCookie();
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(';').map((s) => s.trim());
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (attributes.some((a) => /^max-age=0$/i.test(a)) || value === '') this.jar.delete(name);
      else this.jar.set(name, value);
    }
    return { status: res.status, headers: res.headers, text: await res.text(), location: res.headers.get('location'), setCookies };
  }

  get(path: string, headers?: Record<string, string>): Promise<Res> {
    return this.request('GET', path, { headers });
  }

  post(path: string, form: Record<string, string>, headers?: Record<string, string>): Promise<Res> {
    return this.request('POST', path, { form, headers });
  }

  /** Opens `page`, fills the form posting to `action` (its hidden fields plus `fields`) and sends it. */
  async submit(page: string, action: string, fields: Record<string, string> = {}, headers?: Record<string, string>): Promise<Res> {
    const opened = await this.get(page);
    expect(opened.status, opened.text).toBe(200);
    return this.post(action, { ...hiddenFields(opened.text, action), ...fields }, headers);
  }

  async signIn(email: string, password: string): Promise<Res> {
    const res = await this.submit('/signin', '/signin', { email, password });
    expect(res.status, res.text).toBe(303);
    return res;
  }
}
